"""Supervised (headless) runs of claude: watch for a broken route, retry on the next.

Contract used by the launcher (which asks ``print_args.wants_supervision(split)`` first):

    supervise(cfg, decision, child, claude_path, claude_args, environ, split) -> int (exit code)

claude runs as a child (never exec'd): its stderr streams through live; its stdout is kept per
attempt (``text``, ``json``: only the final attempt's reaches the caller) or passed through live
(``stream-json``: each line as it comes, except a failed attempt's ``result`` event, which is
replaced by a ``{"type":"system","subtype":"failover_retry",…}`` event when a retry follows).
A route failure (see :mod:`claude_failover.run_failure`) is recorded in the health cache and the
run is retried once on each next healthy route — resuming the session when the failed attempt had
already done work. Signals go to the child; Ctrl-C ends the run with 130.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass

from claude_failover import print_args, run_failure
from claude_failover.credvars import PID_VAR
from claude_failover.errors import NoRouteError, UsageError
from claude_failover.log import emit
from claude_failover.verdict import HEALTHY, Verdict, healthy, unhealthy

SUPERVISED_VAR = "CLAUDE_FAILOVER_SUPERVISED"   # set in the child: its hooks need not report again
DEFAULT_MAX_RETRIES = "2"     # claude's own retries on a supervised run (its default, 10, costs > 60 s)
STDIN_GRACE = 3.0             # as claude: no stdin data within 3 s = none
KILL_GRACE = 3.0              # SIGTERM, then SIGKILL after this long
INTERRUPT_GRACE = 5.0
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP")


# --- one attempt --------------------------------------------------------------------------------

@dataclass
class Attempt:
    code: int
    out: bytes                  # text/json: all stdout; stream-json: the held `result` line
    failure: Verdict | None
    session_id: str | None
    did_work: bool


class _Signals:
    """Forwards SIGINT/SIGTERM/SIGHUP to the running child and remembers the first one."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.at = 0.0
        self.proc: subprocess.Popen | None = None
        self._old: dict[int, object] = {}

    def install(self) -> None:
        for name in FORWARDED:
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except (ValueError, OSError):  # not the main thread
                pass

    def restore(self) -> None:
        for sig, old in self._old.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError, TypeError):
                pass

    def _handle(self, signum, frame) -> None:
        if self.received is None or signum == signal.SIGINT:
            self.received, self.at = signum, time.monotonic()
        self.forward(signum)

    def forward(self, signum: int) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signum)
            except OSError:
                pass


def _write_out(data: bytes) -> None:
    if not data:
        return
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (BrokenPipeError, ValueError):
        pass


def _pump_stderr(pipe, clock: list[float]) -> None:
    for chunk in iter(lambda: pipe.read1(65536), b""):
        clock[0] = time.monotonic()
        try:
            sys.stderr.buffer.write(chunk)
            sys.stderr.buffer.flush()
        except (BrokenPipeError, ValueError):
            pass


def _pump_buffer(pipe, sink: list[bytes], clock: list[float]) -> None:
    for chunk in iter(lambda: pipe.read1(65536), b""):
        clock[0] = time.monotonic()
        sink.append(chunk)


def _pump_stream(pipe, watch: run_failure.StreamWatch, held: list[bytes], clock: list[float]) -> None:
    for line in iter(pipe.readline, b""):
        clock[0] = time.monotonic()
        event = watch.feed(line)
        if event is not None and event.get("type") == "result":
            held.append(line)       # released only when this attempt is the last one
        else:
            _write_out(line)


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
                stall_timeout: float, known_bad: bool, signals: _Signals) -> Attempt:
    """Run claude once; ``stdin`` None = inherit ours, bytes = feed them (b"" = nothing)."""
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
    threads = [threading.Thread(target=_pump_stderr, args=(proc.stderr, clock), daemon=True)]
    if watch is not None:
        threads.append(threading.Thread(target=_pump_stream, args=(proc.stdout, watch, out, clock), daemon=True))
    else:
        threads.append(threading.Thread(target=_pump_buffer, args=(proc.stdout, out, clock), daemon=True))
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

    session_id, did_work, failure = None, False, None
    if stalled:
        failure = unhealthy("timeout", f"no output for {stall_timeout:g} s while the route was failing",
                            source="run")
    elif watch is not None:
        session_id, did_work = watch.session_id, watch.did_work
        if code != 0 or stopped:
            failure = watch.failure
    elif fmt == "json":
        obj = run_failure.parse_json_output(data)
        if obj is not None:
            session_id = obj.get("session_id") if isinstance(obj.get("session_id"), str) else None
            did_work = run_failure.json_did_work(obj)
            failure = run_failure.from_result(obj) if code != 0 or obj.get("is_error") is True else None
        elif code != 0:
            failure = run_failure.from_exit(code, data.decode("utf-8", "replace"))
    else:
        failure = run_failure.from_exit(code, data.decode("utf-8", "replace"))
    if signals.received is not None:
        failure = None  # the caller stopped it: not the route's fault
    return Attempt(code, data, failure, session_id, did_work)


# --- the supervisor -----------------------------------------------------------------------------

def supervise(cfg, decision, child, claude_path, claude_args, environ, split) -> int:
    base_args = split.claude_args if claude_args[:len(split.claude_args)] == split.claude_args else claude_args
    fmt = print_args.output_format(base_args)
    stream_input = print_args.input_format(base_args) == "stream-json"
    no_persistence = print_args.has_option(base_args, "--no-session-persistence")
    name_session = fmt == "text" and not print_args.controls_session(base_args)
    retry_off = ("--failover-no-retry" if split.get("no-retry") else
                 "--input-format stream-json cannot be replayed" if stream_input else
                 f"the route was chosen by {decision.why}" if decision.forced else None)
    stdin = _capture_stdin(stream_input)

    signals = _Signals()
    signals.install()
    try:
        failed: dict[str, Verdict] = {}
        current, env = decision, child.env
        args, feed = list(claude_args), stdin
        text_sid = None
        if name_session:
            text_sid = str(uuid.uuid4())
            args = print_args.with_session_id(args, text_sid)
        while True:
            profile = current.profile
            attempt = run_attempt(claude_path, args, _supervised_env(env, cfg), feed, fmt,
                                  float(cfg.stall_timeout), _known_bad(current), signals)
            if signals.received is not None:
                _write_out(attempt.out)
                return 130 if signals.received == signal.SIGINT else attempt.code
            if attempt.failure is None:
                if attempt.code == 0:
                    _record(cfg, profile, healthy(detail="a supervised run succeeded", source="run"), environ)
                _write_out(attempt.out)
                return attempt.code
            verdict = attempt.failure
            _record(cfg, profile, verdict, environ)
            emit("warning", f"claude-failover: {profile.name}: {verdict.line()} — the run failed on this route",
                 event="route_failed", profile=profile.name, reason=verdict.reason, status=verdict.status)
            if retry_off:
                emit("info", f"claude-failover: not retrying ({retry_off})", event="no_retry")
                _write_out(attempt.out)
                return attempt.code
            failed[profile.name] = verdict
            nxt = _next_decision(cfg, environ, split, failed)
            if nxt is None:
                if fmt == "stream-json":
                    _write_out(attempt.out)
                raise _all_failed(failed, None)
            session_id = attempt.session_id or (text_sid if fmt == "text" else None)
            if fmt == "text" and session_id and not attempt.did_work:
                attempt.did_work = _transcript_has_work(env, session_id)
            resume = bool(session_id and attempt.did_work and not no_persistence)
            current, env, args, feed, text_sid = _next_attempt(
                nxt, environ, base_args, resume, session_id, stdin, name_session)
            emit("warning", f"claude-failover: retrying on {current.profile.name} ({current.profile.type})"
                 + (f", resuming session {session_id}" if resume else ""),
                 event="failover_retry", profile=current.profile.name, failed=profile.name,
                 resume=resume, session_id=session_id if resume else None)
            if fmt == "stream-json":
                _write_out(_retry_event(profile.name, verdict, current.profile.name, resume, session_id))
            from claude_failover.health import notify_change

            notify_change(profile.name, current.profile.name, current.preferred, verdict.line(), cfg)
    finally:
        signals.restore()


def _capture_stdin(stream_input: bool) -> bytes | None:
    """Our stdin, read once so every attempt gets it; None = a terminal or a live stream (inherit)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return b""
    if stream_input or os.isatty(fd):
        return None
    import select

    try:
        ready, _, _ = select.select([fd], [], [], STDIN_GRACE)
    except (OSError, ValueError):
        return b""
    if not ready:
        return b""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _supervised_env(env: dict[str, str], cfg) -> dict[str, str]:
    """Bound claude's own retries and request wait unless the user chose them."""
    env = dict(env)
    env.setdefault("CLAUDE_CODE_MAX_RETRIES", DEFAULT_MAX_RETRIES)
    env.setdefault("API_TIMEOUT_MS", str(max(1000, int(float(cfg.stall_timeout) * 1000))))
    env[SUPERVISED_VAR] = "1"
    env[PID_VAR] = f"parent:{os.getpid()}"  # claude is our child: see credvars.PID_VAR
    return env


def _known_bad(decision) -> bool:
    """The route already has a failure on record (cache or this launch's verdicts)."""
    from claude_failover import cache

    profile = decision.profile
    seen = decision.verdicts.get(profile.name)
    if seen is not None and seen.state != HEALTHY:
        return True
    item = cache.entry(cache.read(), profile.name, profile.fingerprint())
    verdict = cache.verdict_of(item)
    return (verdict is not None and not verdict.usable) or cache.cooldown_left(item) > 0


def _record(cfg, profile, verdict: Verdict, environ) -> None:
    from claude_failover.health import record_verdicts

    try:
        record_verdicts(cfg, {profile.name: verdict}, environ, lock_timeout=10.0)  # a run failure must not be lost
    except OSError as exc:
        emit("warning", f"claude-failover: could not update the health cache: {exc.strerror or exc}")


def _next_decision(cfg, environ, split, failed: dict[str, Verdict]):
    from claude_failover.health import decide_launch

    try:
        nxt = decide_launch(cfg, environ, split, False, exclude=frozenset(failed))
    except NoRouteError as exc:
        raise _all_failed(failed, exc) from None
    if nxt.profile.name in failed:
        return None
    return nxt


def _next_attempt(nxt, environ, base_args, resume, session_id, stdin, name_session):
    from claude_failover import environment, settings_guard

    child = environment.build(nxt.profile, nxt.secret.value if nxt.secret else None, environ,
                              preferred=nxt.preferred)
    guard = settings_guard.guard_args(child.env, base_args, environ, os.getcwd(), nxt.profile.route)
    text_sid = None
    if resume:
        args, feed = print_args.resume_args(base_args, session_id) + guard, b""
    else:
        args, feed = list(base_args) + guard, stdin
        if name_session:
            text_sid = str(uuid.uuid4())
            args = print_args.with_session_id(args, text_sid)
    return nxt, child.env, args, feed, text_sid


def _all_failed(failed: dict[str, Verdict], exc: NoRouteError | None) -> NoRouteError:
    rows = [f"  {name:<16} {verdict.line()}" for name, verdict in failed.items()]
    if exc is not None:
        rows += [line for line in exc.message.splitlines()[1:] if not line.split() or line.split()[0] not in failed]
    return NoRouteError("every route failed for this run:\n" + "\n".join(rows),
                        hint="claude-failover-ctl status (or doctor) shows details")


def _retry_event(failed: str, verdict: Verdict, nxt: str, resume: bool, session_id: str | None) -> bytes:
    event = {"type": "system", "subtype": "failover_retry", "failed_profile": failed,
             "reason": verdict.reason, "detail": verdict.detail, "status": verdict.status,
             "profile": nxt, "resume": resume, "session_id": session_id if resume else None}
    return (json.dumps(event) + "\n").encode()


def _transcript_has_work(env: dict[str, str], session_id: str) -> bool:
    """A text-mode run's session transcript shows a tool call (claude stores it per project)."""
    from claude_failover.claude_state import config_dir

    root = config_dir(env)
    for path in glob.glob(os.path.join(glob.escape(root), "projects", "*", f"{session_id}.jsonl")):
        try:
            with open(path, "rb") as handle:
                if b'"tool_use"' in handle.read(32 * 1024 * 1024):
                    return True
        except OSError:
            continue
    return False
