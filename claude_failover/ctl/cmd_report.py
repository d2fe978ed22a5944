"""`ctl report`: record a failure seen elsewhere (a headless run, a StopFailure hook) in the cache."""

from __future__ import annotations

import json
import os
import sys

import click

from claude_failover.ctl.cmd_completion import complete_profiles
from claude_failover.ctl.common import load_config
from claude_failover.verdict import REASONS


def hook_failure(error: str) -> tuple[str, str] | None:
    """(reason class, words) for a StopFailure ``error``; None when it is not the route's fault
    (invalid_request, max_output_tokens, unknown) or a name we do not know yet."""
    from claude_failover.run_failure import ERROR_NAMES, NOT_ROUTE

    if error in NOT_ROUTE:
        return None
    return ERROR_NAMES.get(error)


def record_failure(cfg, name: str, reason: str, detail: str, status: int | None = None,
                   retry_after: float | None = None, source: str = "report"):
    from claude_failover import cache
    from claude_failover.recording import record_verdicts
    from claude_failover.verdict import unhealthy

    verdict = unhealthy(reason, detail, status=status, retry_after=retry_after, source=source)
    if not record_verdicts(cfg, {name: verdict}, lock_timeout=10.0):
        from claude_failover.errors import FailoverError

        raise FailoverError("the health cache stayed locked by other processes for 10 s; the report was not recorded",
                            hint="try again")
    item = cache.entry(cache.read(), name, cfg.profiles[name].fingerprint())
    return verdict, cache.cooldown_left(item)


@click.command("report")
@click.argument("name", required=False, shell_complete=complete_profiles)
@click.option("--reason", type=click.Choice(sorted(REASONS)), help="The failure's reason class.")
@click.option("--detail", default="", metavar="TEXT", help="One line saying what happened (no secrets).")
@click.option("--status", type=int, metavar="CODE", help="The HTTP status, if known.")
@click.option("--retry-after", type=float, metavar="SECONDS", help="Skip the route at least this long.")
@click.option("--from-hook", is_flag=True,
              help="Read a Claude Code StopFailure hook's JSON on stdin; the route is $CLAUDE_FAILOVER_ACTIVE.")
@click.pass_context
def COMMAND(ctx, name, reason, detail, status, retry_after, from_hook):
    """Record a failure of route NAME (seen in a claude run) so launches skip it for a cooldown.

    As a hook: `claude-failover-ctl report --from-hook` reads the StopFailure JSON on stdin and
    takes the route from $CLAUDE_FAILOVER_ACTIVE; errors that are not the route's fault
    (invalid_request, max_output_tokens, unknown) are ignored (exit 0).
    """
    from claude_failover.config.durations import say

    from claude_failover.errors import UsageError

    if from_hook:
        return _from_hook(ctx)
    if not name or not reason:
        raise UsageError("give a route NAME and --reason CLASS (or --from-hook)",
                         hint=f"reason classes: {', '.join(sorted(REASONS))}")
    cfg = load_config(ctx)
    cfg.profile(name)
    detail = " ".join(detail.split())[:200]
    verdict, left = record_failure(cfg, name, reason, detail or REASONS[reason], status, retry_after)
    click.echo(f"recorded {name}: {verdict.line()}; skipped by launches for {say(left)}")


def _from_hook(ctx) -> None:
    from claude_failover.errors import UsageError

    raw = sys.stdin.read(1024 * 1024)
    try:
        event = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        raise UsageError("--from-hook: standard input is not JSON (expected Claude Code's hook input)") from None
    if not isinstance(event, dict):
        raise UsageError("--from-hook: expected a JSON object on standard input")
    error = event.get("error")
    if not isinstance(error, str) or not error:
        return
    mapped = hook_failure(error)
    if mapped is None:
        return  # not the route's fault (or an error class we do not know yet)
    from claude_failover.key_helper import active_route

    name = active_route(os.environ)   # after a mid-session key rotation: the key's route, not the first
    if not name:
        click.echo("claude-failover: report --from-hook: $CLAUDE_FAILOVER_ACTIVE is not set "
                   "(claude was not started by claude-failover); nothing recorded", err=True)
        return
    cfg = load_config(ctx)
    if name not in cfg.profiles:
        click.echo(f"claude-failover: report --from-hook: no profile {name!r} in {cfg.path}; nothing recorded",
                   err=True)
        return
    reason, words = mapped
    from claude_failover import limits

    limit = limits.from_hook(event)
    if limit is not None:  # a plan's usage limit: skip the route until its reset, not for a minute
        import time

        from claude_failover import usage_state

        now = time.time()
        usage_state.record_limit(name, limit, now)   # admission holds the route until the reset
        record_failure(cfg, name, "rate-limited", f"{limit.text or limit.words()} in claude",
                       retry_after=max(1.0, limit.skip_until(now) - now), source="run")
        words = limit.text or limit.words()
    else:
        record_failure(cfg, name, reason, f"{words} in claude ({error})", source="run")
    _note_for_the_launcher(cfg, name, words, event)


def _note_for_the_launcher(cfg, name: str, words: str, event: dict) -> None:
    """When a staying launcher runs this claude ($CLAUDE_FAILOVER_LAUNCH), tell it (and the status
    line) that this session's route failed and which route would take it now (continuation.py)."""
    from claude_failover import continuation

    if continuation.path_of(os.environ) is None:
        return
    from claude_failover.chooser import predict

    prediction = predict(cfg, dict(os.environ))
    # the predicted route, else the first a launch would probe (and take when it answers)
    candidates = [prediction.decision.profile.name] if prediction.decision is not None else list(prediction.would_probe)
    nxt = next((c for c in candidates if c != name), None)
    continuation.note(os.environ, name, words, event, nxt)
