"""`ctl status`: every route's health as the cache knows it, and which one a launch would take."""

from __future__ import annotations

import os
import time

import click

from claude_failover.ctl.common import echo_json, load_config

JSON_VERSION = 1


def route_rows(cfg, data: dict, environ: dict[str, str], now: float, usage: dict | None = None) -> list[dict]:
    """One stable dict per route, in ``order`` (the `--json` schema's ``routes``)."""
    from claude_failover import admission, usage_state

    usage = usage_state.read() if usage is None else usage
    rows = []
    states = {s.name: s for s in admission.plan(cfg, data, environ, now=now, usage=usage)}
    for name in cfg.order:
        profile, state = cfg.profiles[name], states[name]
        verdict = state.verdict
        rows.append({
            "name": name, "type": profile.type, "summary": profile.route.summary(profile),
            "state": verdict.state if verdict else "unknown",
            "reason": verdict.reason if verdict else None,
            "line": verdict.line() if verdict else "not checked yet",
            "detail": verdict.detail if verdict else "",
            "status": verdict.status if verdict else None,
            "latency_ms": verdict.latency_ms if verdict else None,
            "source": verdict.source if verdict else None,
            "checked_at": verdict.checked_at if verdict else None,
            "age_s": round(now - verdict.checked_at, 1) if verdict else None,
            "cooldown_s": round(state.cooldown_left, 1),
            "failures": int((state.item or {}).get("failures") or 0),
            "fresh": state.kind == admission.FRESH,
            "needs_probe": state.kind == admission.STALE,
            "probe": profile.probe,
            # usage (docs/limits.md): held back by a limit, switch_at or max_spend until `until`
            "held": {"reason": state.hold.reason, "line": state.hold.line(), "until": state.until,
                     "until_local": usage_state.local_time(state.until, now)}
                    if state.kind == admission.HELD and state.hold and state.until else None,
            "usage": usage_state.summary(name, profile.max_spend, now, data=usage),
            "switch_at": profile.switch_at if profile.route.plan else None,
            "max_spend": f"{profile.max_spend[0]:g}/{profile.max_spend[1]}" if profile.max_spend else None,
            "wait_for_reset_s": profile.wait_for_reset or None,
            "admission": state.kind,      # fresh | cooling | stale | held | half-open (admission.py)
            "in_doubt": _doubt(state.doubt, now),
        })
    return rows


def _doubt(doubt: dict | None, now: float) -> dict | None:
    """A route in doubt (failed in a claude run, not re-admitted yet): since when, and why."""
    if not doubt:
        return None
    since = doubt.get("since")
    return {"since": since, "age_s": round(now - since, 1) if isinstance(since, (int, float)) else None,
            "reason": doubt.get("reason"), "line": doubt.get("line"), "page_bad": bool(doubt.get("page_bad"))}


def status_json(cfg, data: dict, environ: dict[str, str], now: float | None = None) -> dict:
    from claude_failover import cache, chooser

    from claude_failover import usage_state

    now = time.time() if now is None else now
    usage = usage_state.read()
    prediction = chooser.predict(cfg, environ, data=data, now=now, usage=usage)  # no probe, no secret
    launch = prediction.decision.profile.name if prediction.decision else None
    probe_first, forced = prediction.would_probe, prediction.how
    pin = data.get("pin") if cache.active_pin(data, now) else None
    rows = route_rows(cfg, data, environ, now, usage)
    return {
        "version": JSON_VERSION, "config": cfg.path, "order": list(cfg.order),
        "preferred": cfg.order[0] if cfg.order else None,
        "would_launch": launch, "would_probe_first": probe_first, "forced": forced,
        "pin": pin, "last": data.get("last"),
        "settings": {k: cfg.settings[k] for k in ("probe_timeout", "healthy_ttl", "cooldown", "max_cooldown", "strict")},
        "routes": rows,
    }


def _ago(seconds: float | None) -> str:
    from claude_failover.verdict import ago

    return "-" if seconds is None else ago(seconds)


def usage_words(row: dict) -> str:
    """The usage line under a route: windows with local resets, spend against the cap, switch_at."""
    from claude_failover import usage_state

    item = dict(row.get("usage") or {})
    item["limit"] = None if row.get("held") else item.get("limit")   # the held line says it already
    words = usage_state.summary_words(item)
    if words and row.get("switch_at") is not None and row["switch_at"] < 100 and item.get("windows"):
        words += f" (switch_at {row['switch_at']:g}%)"
    return words


def render(report: dict) -> str:
    lines = [f"{'':2}{'ROUTE':<16} {'TYPE':<13} {'STATE':<10} {'LATENCY':>8} {'AGE':>5} {'COOLDOWN':>8}  REASON"]
    for row in report["routes"]:
        mark = "→ " if row["name"] == report["would_launch"] else "  "
        latency = f"{row['latency_ms']:.0f}ms" if row["latency_ms"] is not None else "-"
        cooldown = _ago(row["cooldown_s"]) if row["cooldown_s"] else "-"
        reason = "" if row["state"] == "healthy" else row["line"]
        if row["state"] == "healthy" and row["detail"]:
            reason = row["detail"]
        state = row["state"]
        if row.get("held"):
            state, reason = "held", row["held"]["line"]
        doubt = row.get("in_doubt")
        if not row.get("held") and row.get("admission") == "half-open" and doubt:
            state = "half-open"
            reason = (f"failed in a claude run {_ago(doubt['age_s'])} ago ({doubt['line']}); "
                      "not re-admitted yet")
        lines.append(f"{mark}{row['name']:<16} {row['type']:<13} {state:<10} {latency:>8} "
                     f"{_ago(row['age_s']):>5} {cooldown:>8}  {reason}".rstrip())
        words = usage_words(row)
        if words:
            lines.append(f"{'':4}{'usage:':<9}{words}")
    if report["would_launch"]:
        how = {"pin": " (pinned)", "flag": "", "env": " ($CLAUDE_FAILOVER_PROFILE)",
               "unverified": " (unverified: nothing answered; it may only be offline)",
               "half-open": " (half-open: nothing verified works)"}.get(report["forced"] or "", "")
        first = f", after probing {', '.join(report['would_probe_first'])}" if report["would_probe_first"] else ""
        lines.append(f"a launch now would take: {report['would_launch']}{how}{first}")
    elif report["would_probe_first"]:
        lines.append(f"a launch now would probe first: {', '.join(report['would_probe_first'])}")
    else:
        lines.append("a launch now would find no usable route (exit 69)")
    return "\n".join(lines)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (stable, see docs).")
@click.option("--refresh", is_flag=True, help="Probe every route now before showing.")
@click.pass_context
def COMMAND(ctx, as_json, refresh):
    """Show every route's health: verdict, reason, latency, age, cooldown, and the launch choice.

    Read from the health cache: nothing is probed or written unless --refresh.
    """
    from claude_failover import cache
    from claude_failover.recording import probe_routes

    cfg = load_config(ctx)
    environ = dict(os.environ)
    if refresh:
        probe_routes(cfg, list(cfg.order), environ)
    report = status_json(cfg, cache.read(), environ)
    if as_json:
        echo_json(report)
    else:
        click.echo(render(report))
