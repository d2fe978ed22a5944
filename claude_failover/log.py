"""Our own stderr lines: plain text, or JSON objects with CLAUDE_FAILOVER_LOG=json.

Nothing here ever receives a secret: callers pass messages built from names and reasons.
"""

from __future__ import annotations

import os
import sys
import time


def _json_mode() -> bool:
    return os.environ.get("CLAUDE_FAILOVER_LOG", "").lower() == "json"


def emit(level: str, message: str, **fields) -> None:
    if _json_mode():
        import json

        record = {"ts": round(time.time(), 3), "level": level, "msg": message.removeprefix("claude-failover: ")}
        record.update({k: v for k, v in fields.items() if v is not None})
        sys.stderr.write(json.dumps(record) + "\n")
    else:
        sys.stderr.write(message + "\n")
    sys.stderr.flush()


def emit_error(exc) -> None:
    if _json_mode():
        emit("error", exc.message, hint=exc.hint, exit_code=exc.exit_code)
    else:
        sys.stderr.write(exc.render() + "\n")


def emit_notice(message: str, decision=None) -> None:
    fields = {}
    if decision is not None:
        fields = {"event": "fallback", "profile": decision.profile.name, "preferred": decision.preferred}
    emit("warning", message, **fields)


def debug_traceback(context: str) -> None:
    """With CLAUDE_FAILOVER_DEBUG=1, print the traceback being handled: our own bug, caught broadly."""
    if os.environ.get("CLAUDE_FAILOVER_DEBUG") not in ("1", "true", "yes"):
        return
    import traceback

    sys.stderr.write(f"claude-failover: debug: {context}\n")
    traceback.print_exc(file=sys.stderr)
