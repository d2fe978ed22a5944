"""`ctl which`: which route a launch would take now, and why (predicted: no probe, no write)."""

from __future__ import annotations

import os

import click

from claude_failover.ctl.common import echo_json, load_config


@click.command("which")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--profile", "forced", metavar="NAME", help="As if launched with --failover-profile NAME.")
@click.option("--refresh", is_flag=True, help="Probe every route now (and record the verdicts) before answering.")
@click.pass_context
def COMMAND(ctx, as_json, forced, refresh):
    """Show which route a launch would take now, and why (exit codes as a launch: 69 no usable
    route, 127 claude not found).

    Answered from the health cache without probing or writing anything (the chosen route's secret
    is looked up, as a launch would); routes a launch would probe first are named. --refresh
    probes every route first and records the verdicts, as `probe` does.
    """
    from claude_failover import argv as argv_mod, binary, chooser
    from claude_failover.errors import ClaudeNotFoundError, NoRouteError

    cfg = load_config(ctx)
    environ = dict(os.environ)
    split = argv_mod.split(["--failover-profile", forced] if forced else [])
    if refresh:
        from claude_failover.recording import probe_routes

        probe_routes(cfg, list(cfg.order), environ)
    prediction = chooser.predict(cfg, environ, split, secrets=True)
    config_line = f"{cfg.path}{' (not found: embedded default)' if cfg.embedded else ''}"
    decision, error = prediction.decision, prediction.error
    if error is not None and not isinstance(error, NoRouteError):
        raise error  # an unknown --profile, a secret that cannot be read: as a launch would fail
    missing = None  # a launch looks for claude before it chooses
    try:
        claude = binary.find_claude(cfg.claude, environ, cfg.path)
    except ClaudeNotFoundError as exc:  # a launch would exit 127: so does `which`
        claude, missing = None, exc
    if decision is None:
        if missing is not None:
            raise missing
        if error is not None:
            if as_json:
                echo_json({"profile": None, "error": error.message, "hint": error.hint, "config": cfg.path,
                           "embedded_default": cfg.embedded, "would_probe": prediction.would_probe})
            else:
                click.echo(f"none — a launch would exit 69: {error.message}")
                click.echo(f"  config: {config_line}")
                click.echo(f"  fix:    {error.hint}")
            return error.exit_code
        if as_json:
            echo_json({"profile": None, "would_probe": prediction.would_probe, "config": cfg.path,
                       "embedded_default": cfg.embedded,
                       "held": {n: v.to_dict() for n, v in prediction.held.items()}})
        else:
            click.echo(f"not known yet — a launch would probe first: {', '.join(prediction.would_probe)}")
            for name, verdict in prediction.held.items():
                click.echo(f"  skipped {name}: {verdict.line()}")
            click.echo(f"  config: {config_line}")
            click.echo("  probe:  claude-failover-ctl which --refresh")
        return
    profile = decision.profile
    if as_json:
        echo_json({
            "profile": profile.name, "type": profile.type, "summary": profile.route.summary(profile),
            "why": decision.why, "fallback": decision.fallback, "preferred": decision.preferred,
            "forced": decision.forced, "secret_source": decision.secret.source if decision.secret else None,
            "claude": claude, "config": cfg.path, "embedded_default": cfg.embedded,
            "skipped": {name: v.to_dict() for name, v in decision.verdicts.items() if not v.usable},
            "would_probe": prediction.would_probe,
            "held": {n: v.to_dict() for n, v in prediction.held.items()},
            "how": prediction.how, "warning": decision.warning,
        })
        return missing.exit_code if missing else None
    click.echo(f"{profile.name} ({profile.type}) — {profile.route.summary(profile)}")
    click.echo(f"  why:    {decision.why}")
    if decision.warning:   # tried anyway: unverified, half-open, or cannot be checked from here
        click.echo(f"  note:   {decision.warning}")
    if prediction.would_probe:
        click.echo(f"  unless: a probe of {', '.join(prediction.would_probe)} (not checked yet) finds one usable")
    for name, verdict in decision.verdicts.items():
        if not verdict.usable:
            click.echo(f"  skipped {name}: {verdict.line()}")
    if decision.secret:
        click.echo(f"  secret: from {decision.secret.source}")
    click.echo(f"  config: {config_line}")
    if missing is None:
        click.echo(f"  claude: {claude}")
        return None
    click.echo(f"  claude: NOT FOUND — a launch would exit {missing.exit_code}: {missing.message}")
    click.echo(f"  fix:    {missing.hint}")
    return missing.exit_code
