"""`ctl statusline`: a Claude Code statusLine command showing the active route.

Fast and offline: no network, no keyring, no probe. The route comes from the environment
claude runs in (``CLAUDE_FAILOVER_ACTIVE`` / ``CLAUDE_FAILOVER_PREFERRED``, set by the launcher), else
from the health cache's ``last`` launch, else from the chooser's prediction (predict mode, from the
cache alone; source ``predicted``); the preferred route falls back to the first in ``order``.

It also records what claude's statusline input says about the active route — the plan windows
(``rate_limits``) and the session's ``cost.total_cost_usd`` — in usage_state.py's file, only when
something changed and never at the cost of the status line (bench/bench_statusline.py measures it).
"""

from __future__ import annotations

import json
import os
import sys

import click

from claude_failover.credvars import PREFERRED_VAR

STDIN_LIMIT = 256 * 1024
STDIN_WAIT = 0.3  # seconds: claude writes its JSON at once and closes the pipe


def read_stdin_json(stream=None, wait: float = STDIN_WAIT) -> dict:
    """The statusLine JSON claude sends on stdin, or {} (a TTY, nothing within ``wait``, not JSON)."""
    import select
    import time

    stream = sys.stdin if stream is None else stream
    try:
        if stream is None or stream.isatty():
            return {}
        fd = stream.fileno()
        os.set_blocking(fd, False)
    except (OSError, ValueError, AttributeError):
        return {}
    chunks, size, deadline = [], 0, time.monotonic() + wait
    while size < STDIN_LIMIT:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            continue
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    try:
        data = json.loads(b"".join(chunks) or b"{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def route_state(environ, config_path: str, usage: dict | None = None) -> dict:
    """{"active", "preferred", "source", "preferred_reason", "active_reason"} from env, cache, config;
    ``usage`` (usage_state's content) names a limit the preferred route is at."""
    from claude_failover import cache
    from claude_failover.verdict import REASONS

    from claude_failover.key_helper import active_route

    # after a mid-session key rotation the helper's route, not the one the session started on
    active, preferred, source = active_route(environ), environ.get(PREFERRED_VAR) or None, "env"
    data = cache.read()
    if not active:
        last = given if isinstance(given := data.get("last"), dict) else {}
        active, source = last.get("profile") if isinstance(last.get("profile"), str) else None, "cache"
        if active and not preferred and isinstance(last.get("preferred"), str):
            preferred = last["preferred"]
    if not active:
        active, source = _predicted(config_path, environ, data), "predicted"
    if active and not preferred:
        preferred = _first_in_order(config_path)

    def reason(name):
        words = _limit_words(name, usage) if name and usage else None
        if words:
            return words   # "5-hour limit": sharper than the health cache's "rate limited"
        verdict = cache.verdict_of(cache.entry(data, name)) if name else None
        if verdict is None or verdict.usable:
            return None
        return REASONS.get(verdict.reason or "unknown", verdict.reason)

    why_not = reason(preferred) if active != preferred else None
    if why_not is None and preferred and active != preferred and usage:
        # no failure, no limit: a window past switch_at, most likely — show how full it is ("5h 92%")
        from claude_failover import usage_state

        why_not = usage_text(usage_state.windows_of(preferred, data=usage))
    return {"active": active, "preferred": preferred, "source": source if active else None,
            "fallback": bool(active and preferred and active != preferred),
            "preferred_reason": why_not, "active_reason": reason(active),
            "failed": session_failure(environ)}


def _limit_words(name: str, usage: dict) -> str | None:
    """The limit ``name`` is at now ("5-hour limit"), from usage_state's record (no import of limits)."""
    import time

    from claude_failover import usage_state

    record = usage_state.limit_record(name, usage)
    if record is None:
        return None
    until = record.get("until")
    if not isinstance(until, (int, float)) or until <= time.time():
        return None
    text = str(record.get("text") or "usage limit")
    return text.split(" · ", 1)[0]


def session_failure(environ) -> dict | None:
    """The route failure this run of claude saw, when a staying launcher runs it: what to do next."""
    from claude_failover import continuation

    record = continuation.read(environ)
    if record is None:
        return None
    nxt = record.get("next") if isinstance(record.get("next"), str) else None
    return {"route": record["route"], "next": nxt, "line": continuation.failed_line(record)}


def _predicted(config_path: str, environ, data: dict) -> str | None:
    """The route a launch would take now, predicted from the cache (no probe, no secret, no write)."""
    from claude_failover import chooser, config as config_mod
    from claude_failover.errors import FailoverError

    try:
        prediction = chooser.predict(config_mod.load(config_path), dict(environ), data=data)
    except (FailoverError, OSError):
        return None
    return prediction.decision.profile.name if prediction.decision else None


def _first_in_order(config_path: str) -> str | None:
    from claude_failover import config as config_mod
    from claude_failover.errors import FailoverError

    try:
        order = config_mod.load(config_path).order
    except (FailoverError, OSError):
        return None
    return order[0] if order else None


WINDOW_SHORT = {"five_hour": "5h", "seven_day": "7d"}


def usage_text(windows: dict) -> str | None:
    """The fullest plan window of the active route: "5h 42%" (None when claude reported none)."""
    best = None
    for name, window in windows.items():
        used = window.get("used_percentage") if isinstance(window, dict) else None
        if isinstance(used, (int, float)) and not isinstance(used, bool) and (best is None or used > best[1]):
            best = (name, used)
    if best is None:
        return None
    return f"{WINDOW_SHORT.get(best[0], best[0])} {best[1]:.0f}%"


def render(state: dict, model: str | None = None, ascii_only: bool = False, color: bool = True) -> str:
    warn = "!" if ascii_only else "⚠"
    if not state["active"]:
        text = "route: ?"
    else:
        text = f"route: {state['active']}"
        if state["active_reason"]:
            text += f" ({state['active_reason']})"
        if state["fallback"]:
            why = f": {state['preferred_reason']}" if state["preferred_reason"] else ""
            marker = f"{warn} fallback ({state['preferred']}{why})"
            text += " " + (f"\033[33m{marker}\033[0m" if color else marker)
        if state.get("usage"):
            text += f" {'|' if ascii_only else '·'} {state['usage']}"
    failed = state.get("failed")
    if failed:   # the launcher that stays as claude's parent asks when claude exits (interactive.py)
        dash = "-" if ascii_only else "—"
        todo = (f"/exit, then Enter to continue on {failed['next']}" if failed["next"]
                else "no other route now (claude-failover-ctl status)")
        marker = f"{warn} {failed['route']} failed {dash} {todo}"
        text += " " + (f"\033[31m{marker}\033[0m" if color else marker)
    if model:
        text = f"{model} {'|' if ascii_only else '·'} {text}"
    return text


@click.command("statusline")
@click.option("--ascii", "ascii_only", is_flag=True, help="No non-ASCII symbols.")
@click.option("--no-color", is_flag=True, help="No ANSI colour (also: NO_COLOR set).")
@click.option("--no-model", is_flag=True, help="Don't prefix the model name from claude's statusLine JSON.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def COMMAND(ctx, ascii_only, no_color, no_model, as_json):
    """Print the active route for Claude Code's status line, with a fallback marker.

    Configure in ~/.claude/settings.json:
    {"statusLine": {"type": "command", "command": "claude-failover-ctl statusline"}}.
    Reads claude's statusLine JSON from stdin when given one; never touches the network.
    """
    from claude_failover.ctl.common import config_path, echo_json

    from claude_failover import usage_state

    payload = read_stdin_json()
    usage = usage_state.read()   # once: the record's comparison, the usage shown, the preferred's limit
    state = route_state(os.environ, config_path(ctx), usage)
    if state["source"] != "predicted":  # claude's figures belong to the route it runs on, not a guess
        usage_state.record_statusline(state["active"], payload, data=usage)   # best effort: never raises for I/O
    windows = usage_state.clean_windows(payload.get("rate_limits"))
    if windows is None and state["active"]:
        windows = usage_state.windows_of(state["active"], data=usage)
    state["usage"] = usage_text(windows or {})
    model = payload.get("model", {}).get("display_name") if isinstance(payload.get("model"), dict) else None
    if as_json:
        echo_json({**state, "model": model})
        return
    color = not no_color and "NO_COLOR" not in os.environ
    # color=True: claude reads a pipe, where click would otherwise strip the ANSI codes
    click.echo(render(state, None if no_model else model, ascii_only, color), color=color)
