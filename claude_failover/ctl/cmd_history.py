"""`ctl history`: the last day of route switches and why, as a compact timeline (reads only)."""

from __future__ import annotations

import time

import click

ARROW = {"fallback": "→", "back": "←", "switch": "→"}


def _clock(at: float) -> str:
    return time.strftime("%H:%M", time.localtime(at))


def render(entries: list[dict], since_words: str, ascii_only: bool = False, now: float | None = None) -> list[str]:
    """Lines of the timeline: a heading per local day, then ``HH:MM  from → to  why``."""
    if not entries:
        return [f"No route switches in the last {since_words}."]
    now = time.time() if now is None else now
    today = time.strftime("%Y-%m-%d", time.localtime(now))
    width = max(len(f"{e.get('from') or '-'} → {e['to']}") for e in entries)
    lines, day = [f"Route switches in the last {since_words} (local time):"], None
    for entry in entries:
        this_day = time.strftime("%Y-%m-%d", time.localtime(entry["at"]))
        if this_day != day:
            day = this_day
            lines.append("today" if day == today else time.strftime("%a %d %b", time.localtime(entry["at"])))
        arrow = "->" if ascii_only else "→"
        move = f"{entry.get('from') or '-'} {arrow} {entry['to']}"
        why = entry.get("why") or ""
        kind = entry.get("kind")
        if kind in ("fallback", "back"):
            why = f"{kind}: {why}" if why else kind
        until = entry.get("until")
        if isinstance(until, (int, float)) and not isinstance(until, bool) and until > entry["at"] \
                and f"until {_clock(until)}" not in why:   # a usage hold's words already say it
            why += f" (retry {entry.get('from') or 'it'} at {_clock(until)})"
        text = f"  {_clock(entry['at'])}  {move.ljust(width)}  {why}".rstrip()
        lines.append(text.encode("ascii", "replace").decode() if ascii_only else text)
    return lines


@click.command("history")
@click.option("--since", "since_text", default="24h", show_default=True, metavar="DURATION",
              help="How far back: 24h, 3d, 90m.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a list of switches).")
@click.option("--ascii", "ascii_only", is_flag=True, help="No non-ASCII symbols.")
def COMMAND(since_text, as_json, ascii_only):
    """Show the recent route switches and why (default: the last day), oldest first.

    Each line is a switch launches made: away from the preferred route (fallback), back to it,
    or between others, with the reason and when the route left behind is tried again.
    """
    from claude_failover import history
    from claude_failover.ctl.common import echo_json
    from claude_failover.errors import UsageError

    try:
        seconds = history.parse_since(since_text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    now = time.time()
    entries = history.read(since=now - seconds)
    if as_json:
        echo_json([{**e, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(e["at"]))} for e in entries])
        return
    words = since_text.strip()
    for line in render(entries, words, ascii_only, now):
        click.echo(line)
