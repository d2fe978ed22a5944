"""`ctl probe`: probe routes now and record the verdicts in the health cache."""

from __future__ import annotations

import os

import click

from claude_failover.ctl.common import echo_json, load_config


@click.command("probe")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (the `status --json` shape).")
@click.option("--notify", is_flag=True,
              help="Afterwards, if the route a launch would take changed, send the desktop notification.")
@click.option("--timeout", type=float, metavar="SECONDS", help="Deadline for all probes (default: probe_timeout).")
@click.pass_context
def COMMAND(ctx, names, as_json, notify, timeout):
    """Probe routes now (all, or NAME...) and update the health cache.

    Exits 0 when at least one probed route is usable, 69 when none is.
    """
    from claude_failover import cache
    from claude_failover.recording import probe_routes
    from claude_failover.route_change import note_route
    from claude_failover.ctl.cmd_status import render, status_json
    from claude_failover.errors import NoRouteError

    cfg = load_config(ctx)
    for name in names:
        cfg.profile(name)  # a clear error for an unknown name
    environ = dict(os.environ)
    wanted = list(dict.fromkeys(names)) or list(cfg.order)
    verdicts = probe_routes(cfg, wanted, environ, timeout=timeout)
    checked = live_checks(cfg, wanted, environ)
    if notify:
        note_route(cfg, environ)
    report = status_json(cfg, cache.read(), environ)
    if as_json:
        report["probed"] = wanted
        report["live_checked"] = {name: result.to_dict() for name, result in checked.items()}
        echo_json(report)
    else:
        click.echo(render(report))
        for name, result in checked.items():
            said = result.verdict.line() if result.verdict else f"inconclusive ({result.detail})"
            click.echo(f"live check of {name} by claude ({result.seconds:.1f} s): {said}")
    if not any(v.usable for v in verdicts.values()):
        raise NoRouteError("no probed route is usable: " + "; ".join(f"{n}: {v.line()}" for n, v in verdicts.items()),
                           hint="claude-failover-ctl status shows details")


def live_checks(cfg, names, environ: dict[str, str]) -> dict:
    """Routes in doubt (failed in a claude run, not re-admitted) with live checks on: one minimal run
    of claude each, in parallel, at most once per cooldown per route; conclusive verdicts recorded."""
    import threading

    from claude_failover import admission, cache, livecheck

    data = cache.read()
    due = []
    for name in names:
        state = admission.classify(cfg, data, name, environ)
        if state.doubt and livecheck.wanted(state.profile, True, state.profile.live_check) \
                and livecheck.claim(name, cfg.cooldown):
            due.append(state.profile)
    results: dict = {}

    def run(profile) -> None:
        results[profile.name] = livecheck.check_and_record(cfg, profile, environ)

    threads = [threading.Thread(target=run, args=(p,), daemon=True) for p in due]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {p.name: results[p.name] for p in due if p.name in results}
