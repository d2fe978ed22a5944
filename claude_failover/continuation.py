"""A route failure seen in one interactive run of claude: written by its hook, read by its launcher
and its status line (issue 13: continue the conversation on the next route).

When the launcher stays as claude's parent (``interactive = "continue"``, :mod:`.interactive`) it
names each run of claude in ``$CLAUDE_FAILOVER_LAUNCH`` (random, per run). claude's exit status
says nothing about a failed turn (it exits 0 after a 401, measured), but its ``StopFailure`` hook
(``claude-failover-ctl report --from-hook``) runs inside claude with claude's environment and gets
the turn's ``session_id``; besides recording the route's failure in the health cache it writes

    <state dir>/launches/<launch name>.json
    {"route": "max", "words": "authentication failed", "status": 401,
     "session_id": "…", "next": "work-key", "at": 1764490000.0}

(no secret; ``next`` is the route a launch would take now, predicted). The parent tries to open it
when claude exits — one failing ``open`` when nothing failed — and the status line shows it while
claude runs. The latest failure of the run wins; the parent removes the file.
"""

from __future__ import annotations

import os

from claude_failover.credvars import LAUNCH_VAR

DIRECTORY = "launches"
KEEP = 7 * 24 * 3600       # a record whose parent was killed is removed by a later hook after this


def path_of(environ) -> str | None:
    """The record's path for the run ``environ`` belongs to (None: not a run of a staying launcher)."""
    name = environ.get(LAUNCH_VAR, "")
    if not name or name.strip("0123456789abcdef"):   # our own random hex, nothing else names a file
        return None
    from claude_failover import paths

    return os.path.join(paths.state_dir(), DIRECTORY, f"{name}.json")


def status_in(text: str) -> int | None:
    """The HTTP status in claude's error line ("API Error: 401 …"), if it names one."""
    marker = "API Error: "
    at = text.find(marker) if isinstance(text, str) else -1
    digits = text[at + len(marker):at + len(marker) + 3] if at >= 0 else ""
    return int(digits) if len(digits) == 3 and digits.isdigit() else None


def note(environ, route: str, words: str, event: dict, next_route: str | None) -> bool:
    """Write the run's failure record (best effort: False when there is no run name or it failed)."""
    import json
    import time

    from claude_failover import paths

    path = path_of(environ)
    session = event.get("session_id")
    if path is None or not isinstance(session, str) or not session:
        return False
    record = {"route": route, "words": words, "status": status_in(event.get("last_assistant_message") or ""),
              "session_id": session, "next": next_route, "at": time.time()}
    try:
        paths.ensure_private_dir(os.path.dirname(path))
        _prune(os.path.dirname(path), time.time())
        paths.atomic_write(path, json.dumps(record))
    except OSError:
        from claude_failover.log import debug_traceback

        debug_traceback("writing the run's failure record")
        return False
    return True


def _prune(directory: str, now: float) -> None:
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            if now - os.stat(path).st_mtime > KEEP:
                os.unlink(path)
        except OSError:
            pass


def read(environ, remove: bool = False) -> dict | None:
    """The run's failure record, or None (nothing failed; not a run of a staying launcher)."""
    path = path_of(environ)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(64 * 1024)
    except OSError:
        return None
    if remove:
        try:
            os.unlink(path)
        except OSError:
            pass
    import json

    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("route"), str) \
            or not isinstance(record.get("session_id"), str):
        return None
    return record


def failed_line(record: dict) -> str:
    """``max failed (authentication failed, 401)``."""
    words = record.get("words") if isinstance(record.get("words"), str) else ""
    status = record.get("status")
    why = ", ".join(x for x in (words, str(status) if isinstance(status, int) else "") if x)
    return f"{record['route']} failed" + (f" ({why})" if why else "")
