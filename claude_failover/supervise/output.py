"""A supervised run's output: claude's stderr streams through live; its stdout is kept per attempt
(text, json) or passed through line by line (stream-json, holding back a failed attempt's
``result`` event); the ``failover_retry`` event that replaces it."""

from __future__ import annotations

import json
import sys
import time

from claude_failover import run_failure
from claude_failover.verdict import Verdict


def write_out(data: bytes) -> None:
    if not data:
        return
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (BrokenPipeError, ValueError):
        pass


def pump_stderr(pipe, clock: list[float]) -> None:
    for chunk in iter(lambda: pipe.read1(65536), b""):
        clock[0] = time.monotonic()
        try:
            sys.stderr.buffer.write(chunk)
            sys.stderr.buffer.flush()
        except (BrokenPipeError, ValueError):
            pass


def pump_buffer(pipe, sink: list[bytes], clock: list[float]) -> None:
    for chunk in iter(lambda: pipe.read1(65536), b""):
        clock[0] = time.monotonic()
        sink.append(chunk)


def pump_stream(pipe, watch: run_failure.StreamWatch, held: list[bytes], clock: list[float]) -> None:
    for line in iter(pipe.readline, b""):
        clock[0] = time.monotonic()
        event = watch.feed(line)
        if event is not None and event.get("type") == "result":
            held.append(line)       # released only when this attempt is the last one
        else:
            write_out(line)


def retry_event(failed: str, verdict: Verdict, nxt: str, resume: bool, session_id: str | None) -> bytes:
    event = {"type": "system", "subtype": "failover_retry", "failed_profile": failed,
             "reason": verdict.reason, "detail": verdict.detail, "status": verdict.status,
             "profile": nxt, "resume": resume, "session_id": session_id if resume else None}
    return (json.dumps(event) + "\n").encode()
