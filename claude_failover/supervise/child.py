"""One attempt of a supervised run: claude as a child process, its pipes, its end.

A child that stops answering while its route is known to be failing (``stall_timeout``), or whose
stream says it gave up, is ended (SIGTERM, then SIGKILL); what the attempt did (exit code,
output, the route failure it showed, its session, whether it did work) comes back as an
:class:`Attempt`.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass

from claude_failover import run_failure
from claude_failover.supervise import output
from claude_failover.supervise.signals import Signals
from claude_failover.verdict import Verdict, unhealthy

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from claude_failover.limits import Limit

KILL_GRACE = 3.0              # SIGTERM, then SIGKILL after this long
INTERRUPT_GRACE = 5.0


@dataclass
class Attempt:
    code: int
    out: bytes                  # text/json: all stdout; stream-json: the held `result` line
    failure: Verdict | None
    session_id: str | None
    did_work: bool
    limit: Limit | None = None  # the usage limit the failure was (any output format)
    cost: float | None = None   # claude's total_cost_usd for this attempt (json, stream-json)
    windows: dict | None = None  # plan windows from stream-json rate_limit_events


def _feed_stdin(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def run_attempt(claude_path: str, args: list[str], env: dict[str, str], stdin: bytes | None, fmt: str,
                stall_timeout: float, known_bad: bool, signals: Signals) -> Attempt:
    """Run claude once; ``stdin`` None = inherit ours, bytes = feed them (b"" = nothing)."""
    from claude_failover.config.durations import say

    stdin_arg = None if stdin is None else (subprocess.PIPE if stdin else subprocess.DEVNULL)
    try:
        proc = subprocess.Popen([claude_path, *args], env=env, stdin=stdin_arg, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as exc:
        from claude_failover.execute import cannot_run

        raise cannot_run(claude_path, exc) from None
    signals.proc = proc
    if signals.received is not None:
        signals.forward(signals.received)
    clock = [time.monotonic()]
    out: list[bytes] = []
    watch = run_failure.StreamWatch() if fmt == "stream-json" else None
    threads = [threading.Thread(target=output.pump_stderr, args=(proc.stderr, clock), daemon=True)]
    if watch is not None:
        threads.append(threading.Thread(target=output.pump_stream, args=(proc.stdout, watch, out, clock), daemon=True))
    else:
        threads.append(threading.Thread(target=output.pump_buffer, args=(proc.stdout, out, clock), daemon=True))
    if stdin:
        threads.append(threading.Thread(target=_feed_stdin, args=(proc.stdin, stdin), daemon=True))
    for thread in threads:
        thread.start()

    stalled = stopped = False
    kill_at: float | None = None
    while True:
        try:
            code = proc.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if kill_at is not None:
            if now >= kill_at:
                proc.kill()
            continue
        if signals.received is not None:
            kill_at = signals.at + INTERRUPT_GRACE
        elif watch is not None and watch.stop:
            stopped = True
        elif (known_bad or (watch is not None and watch.retrying)) and now - clock[0] >= stall_timeout:
            stalled = True
        if stalled or stopped:
            proc.terminate()
            kill_at = now + KILL_GRACE
    for thread in threads:
        thread.join(timeout=5)
    signals.proc = None
    code = 128 - code if code < 0 else code
    data = b"".join(out)

    session_id, did_work, failure, limit, cost, windows = None, False, None, None, None, None
    if stalled:
        failure = unhealthy("timeout", f"no output for {say(stall_timeout)} while the route was failing",
                            source="run")
    elif watch is not None:
        session_id, did_work = watch.session_id, watch.did_work
        limit, cost, windows = watch.limit, watch.cost, watch.windows or None
        if code != 0 or stopped:
            failure = watch.failure
    elif fmt == "json":
        obj = run_failure.parse_json_output(data)
        if obj is not None:
            session_id = obj.get("session_id") if isinstance(obj.get("session_id"), str) else None
            did_work = run_failure.json_did_work(obj)
            failure = run_failure.from_result(obj) if code != 0 or obj.get("is_error") is True else None
            cost = obj.get("total_cost_usd")
        elif code != 0:
            failure = run_failure.from_exit(code, data.decode("utf-8", "replace"))
    else:
        failure = run_failure.from_exit(code, data.decode("utf-8", "replace"))
    if signals.received is not None:
        failure = None  # the caller stopped it: not the route's fault
    if failure is None or failure.reason != "rate-limited":
        limit = None
    elif limit is None or not getattr(limit, "exact", False):
        from claude_failover import limits

        limit = limits.best(limit, limits.from_run(data, "text" if fmt == "text" else fmt))
    return Attempt(code, data, failure, session_id, did_work, limit, cost, windows)
