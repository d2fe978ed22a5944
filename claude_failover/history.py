"""The route-switch history: ``history.jsonl`` in the state dir, one JSON object a line, append-only.

Each line is a switch the chooser made: ``{"at": 1796020000.0, "from": "max", "to": "work-key",
"kind": "fallback", "why": "5-hour limit · resets 9:48am (UTC)", "until": 1796032104}`` — ``kind``
is ``fallback`` (away from the preferred route), ``back`` (returned to it) or ``switch``; ``why``
is our own words (never a server's message or a secret); ``until`` (optional) is when the route
left behind will be tried again. ``ctl history`` shows the last day of it.

Writes are best effort and cheap: one ``O_APPEND`` write of one short line (atomic on a local file
system), 0600 in the 0700 state dir; a failure is ignored (a launch never fails for our
bookkeeping). The file is bounded: past ``MAX_BYTES`` the older half is dropped (atomic rewrite
under a lock).
"""

from __future__ import annotations

import os
import time

from claude_failover import paths

FILENAME = "history.jsonl"
MAX_BYTES = 256 * 1024
MAX_WHY = 200
KINDS = ("fallback", "back", "switch")


def history_path() -> str:
    return os.path.join(paths.state_dir(), FILENAME)


def _clean(value, limit: int = 64) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return " ".join(value.split())[:limit]


def append_switch(from_route: str | None, to_route: str | None, why: str = "", kind: str = "switch",
                  until: float | None = None, at: float | None = None, only_if_changed: bool = True,
                  path: str | None = None) -> bool:
    """Record that launches moved from ``from_route`` to ``to_route`` and why. With
    ``only_if_changed`` (the default) nothing is written when the last recorded switch already went
    to ``to_route`` — the chooser may call this on every decision. True when a line was written."""
    import json

    path = path or history_path()
    to_route = _clean(to_route)
    if to_route is None:
        return False
    if only_if_changed:
        last = _last(path)
        if last is not None and last.get("to") == to_route:
            return False
    entry = {"at": round(time.time() if at is None else at, 3), "from": _clean(from_route), "to": to_route,
             "kind": kind if kind in KINDS else "switch", "why": _clean(why, MAX_WHY) or ""}
    if isinstance(until, (int, float)) and not isinstance(until, bool):
        entry["until"] = round(float(until), 3)
    line = (json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    try:
        paths.ensure_private_dir(os.path.dirname(path))
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, line)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size > MAX_BYTES:
            _trim(path)
    except OSError:
        return False
    return True


def _trim(path: str) -> None:
    """Keep the newer half of the file (under the lock, so two trimmers don't interleave)."""
    from claude_failover.cache import _locked

    with _locked(path, 1.0) as got:
        if not got:
            return
        with open(path, "rb") as handle:
            raw = handle.read()
        if len(raw) <= MAX_BYTES:
            return
        keep = raw[-(MAX_BYTES // 2):]
        keep = keep[keep.find(b"\n") + 1:]   # from the first whole line
        paths.atomic_write(path, keep)


def _parse_line(line: bytes) -> dict | None:
    import json

    try:
        entry = json.loads(line)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
        return None
    at = entry.get("at")
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        return None
    return entry


def _last(path: str) -> dict | None:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 4096))
            tail = handle.read()
    except OSError:
        return None
    for line in reversed(tail.splitlines()):
        entry = _parse_line(line)
        if entry is not None:
            return entry
    return None


def read(since: float | None = None, path: str | None = None) -> list[dict]:
    """The recorded switches at or after ``since`` (unix seconds), oldest first; unreadable
    lines are skipped, a missing file is an empty history."""
    try:
        with open(path or history_path(), "rb") as handle:
            raw = handle.read(MAX_BYTES * 2)
    except OSError:
        return []
    entries = [e for e in map(_parse_line, raw.splitlines()) if e is not None]
    if since is not None:
        entries = [e for e in entries if e["at"] >= since]
    return sorted(entries, key=lambda e: e["at"])


def parse_since(text: str) -> float:
    """``"24h"``, ``"3d"``, ``"90m"`` -> seconds (for ``ctl history --since``)."""
    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    text = (text or "").strip().lower()
    try:
        seconds = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text) * 3600
    except (ValueError, KeyError):
        raise ValueError(f"--since: expected a duration like 24h, 3d or 90m, not {text!r}") from None
    if not 0 < seconds <= 400 * 86400:
        raise ValueError(f"--since: expected a duration like 24h, 3d or 90m, not {text!r}")
    return seconds
