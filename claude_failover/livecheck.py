"""A live check by claude itself: one minimal turn of the real claude on one route.

For the routes our own HTTP client must not call — a subscription login and a setup-token OAuth
token are authorised for Claude Code only; SigV4 Bedrock, Google ADC Vertex and Entra Foundry need
SDK credential chains we do not implement — the only first-hand evidence that the route works
again is a claude run on it. This module runs one: ``claude -p hi`` on the smallest model, one turn,
no tools, no MCP servers, no slash commands, no session saved, a one-line system prompt, output
capped, claude's own retries off, under a timeout, with exactly that route's environment (the
launcher's :func:`claude_failover.environment.build` plus the settings guard), and classifies
what claude printed with :mod:`claude_failover.run_failure`.

Measured on claude 2.1.328 and 2.1.332 against tests/fakeserver.py (docs/health.md, "Live check"): one
``POST /v1/messages?beta=true`` — model ``claude-haiku-…`` (the ``haiku`` alias), ``max_tokens`` 32,
no tools, a ~2 KB body (the one-line system prompt plus claude's ~1 KB environment block and its
billing header), the prompt ``hi``; nothing else.

:func:`check` runs it and returns a :class:`Result` (the caller decides what to record);
:func:`start_background` starts it detached (double fork, own session, stdio on /dev/null) and
returns at once; the detached process holds a per-route lock (at most one check per route runs)
and is rate-limited to one start per cooldown per route (a stamp file in the state dir), records
the verdict in the health cache and leaves the last result in ``livecheck-<route>.json``.

Whether a check is wanted is :func:`wanted`: routes that have a claude-only credential, only while
the route is in doubt, on by default for subscription and oauth-token routes; a profile's
``live_check`` setting (a bool; the config key comes with the health model of issue 11) turns it on
or off.

Light to import (no json, no subprocess at module level): a launch may call
:func:`start_background` on its warm path, which needs only os.fork.
"""

from __future__ import annotations

import os
import sys
import time

from claude_failover.valueclass import record
from claude_failover.verdict import Verdict, healthy, unhealthy

# Route types whose health only a claude run can show (our client must not or cannot call them).
CLAUDE_ONLY = frozenset({"subscription", "oauth-token", "bedrock", "vertex", "foundry", "anthropic-aws",
                         "anthropic-google-cloud"})
# Route types checked by default while in doubt (the subscription's own quota pays a few tokens).
ON_BY_DEFAULT = frozenset({"subscription", "oauth-token"})

PROMPT = "hi"
SYSTEM_PROMPT = "Reply with one word."
MAX_OUTPUT_TOKENS = "32"
TIMEOUT = 30.0
ARGS = ("-p", PROMPT, "--model", "haiku", "--max-turns", "1", "--tools", "", "--strict-mcp-config",
        "--disable-slash-commands", "--no-session-persistence", "--output-format", "json",
        "--system-prompt", SYSTEM_PROMPT, "--effort", "low")
ENV = {"CLAUDE_CODE_MAX_RETRIES": "0", "CLAUDE_CODE_MAX_OUTPUT_TOKENS": MAX_OUTPUT_TOKENS,
       "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
SOURCE = "live-check"


@record
class Result:
    verdict: Verdict | None   # None: inconclusive (claude failed for a reason that is not the route's)
    seconds: float
    exit_code: int | None     # None: killed at the timeout
    detail: str = ""          # our words, never claude's output or a secret

    def to_dict(self) -> dict:
        return {"verdict": self.verdict.to_dict() if self.verdict else None, "seconds": round(self.seconds, 2),
                "exit_code": self.exit_code, "detail": self.detail}


def enabled(profile, setting: bool | None = None) -> bool:
    """Whether live checks may run for ``profile``: its ``live_check`` setting when given, else on
    for subscription and oauth-token routes. Never for a route our own probe can check."""
    if profile.type not in CLAUDE_ONLY:
        return False
    return profile.type in ON_BY_DEFAULT if setting is None else bool(setting)


def wanted(profile, in_doubt: bool, setting: bool | None = None) -> bool:
    """A live check is wanted only while the route is in doubt (failed in a claude run, not yet
    re-admitted) and live checks are enabled for it."""
    return in_doubt and enabled(profile, setting)


def command(claude_path: str) -> list[str]:
    return [claude_path, *ARGS]


def child_environment(profile, environ: dict[str, str]):
    """The route's environment, as the launcher builds it, plus the check's limits."""
    from claude_failover import environment, secret
    from claude_failover.prepare import SUPERVISED_VAR

    found = secret.resolve(profile.name, profile.secret_sources, environ) if profile.secret_sources else None
    if found is None and profile.route.secret == "required":
        from claude_failover.errors import SecretError

        raise SecretError(f"profile {profile.name!r} has no secret in this environment")
    child = environment.build(profile, found.value if found else None, environ)
    child.env.update(ENV)
    child.env[SUPERVISED_VAR] = "1"   # its hooks need not report: we record the verdict ourselves
    return child


def classify(code: int | None, stdout: bytes | str, seconds: float, timeout: float, route=None) -> Result:
    """A verdict from one check run's exit status and JSON output (claude's words read as ``route``
    means them: RouteType.read_run_failure)."""
    from claude_failover import run_failure
    from claude_failover.config.durations import say

    def reading(found: Verdict) -> Verdict:
        return route.read_run_failure(found) if route is not None else found

    if code is None:
        return Result(unhealthy("timeout", f"live check: no answer within {say(timeout)}", source=SOURCE),
                      seconds, None, "timed out")
    data = stdout.encode() if isinstance(stdout, str) else stdout
    obj = run_failure.parse_json_output(data)
    if obj is not None and obj.get("type") == "result":
        if obj.get("is_error") is not True and code == 0:
            return Result(healthy(source=SOURCE, detail="live check by claude passed",
                                  latency_ms=round(seconds * 1000, 1)), seconds, code, "passed")
        found = run_failure.from_result(obj)
        if found is not None:
            return Result(_as_check(reading(found)), seconds, code, "route failure")
        return Result(None, seconds, code, "claude failed for a reason that is not the route's")
    found = run_failure.from_exit(code, data.decode("utf-8", "replace")) if code else None
    if found is not None:
        return Result(_as_check(reading(found)), seconds, code, "route failure")
    return Result(None, seconds, code, f"no result from claude (exit {code})")


def _as_check(v: Verdict) -> Verdict:
    return Verdict(v.state, v.reason, f"live check: {v.detail}" if v.detail else "live check failed",
                   status=v.status, retry_after=v.retry_after, source=SOURCE)


def check(cfg, profile, environ: dict[str, str] | None = None, claude_path: str | None = None,
          timeout: float = TIMEOUT, cwd: str | None = None) -> Result:
    """Run the live check for ``profile`` now (blocking, at most ``timeout`` seconds).

    A problem of this process's own (no secret here, no claude, a settings conflict, a state dir
    we cannot write) is not a verdict on the route: the result is inconclusive and says why."""
    import subprocess

    from claude_failover import binary, paths, settings_guard
    from claude_failover.errors import FailoverError

    environ = dict(os.environ if environ is None else environ)
    try:
        claude_path = claude_path or binary.find_claude(cfg.claude, environ, cfg.path)
        child = child_environment(profile, environ)
        child.env["API_TIMEOUT_MS"] = str(int(timeout * 1000))
        where = cwd or paths.ensure_private_dir(os.path.join(paths.state_dir(), "livecheck"))
        argv = command(claude_path)
        argv += settings_guard.guard_args(child.env, argv[1:], environ, where, profile.route)
    except FailoverError as exc:
        return Result(None, 0.0, None, f"not run: {exc.message}")
    except OSError as exc:
        return Result(None, 0.0, None, f"not run: {exc.strerror or exc}")
    started = time.monotonic()
    try:
        proc = subprocess.Popen(argv, env=child.env, cwd=where, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        return Result(None, 0.0, None, f"not run: cannot start claude ({exc.strerror or exc})")
    try:
        out, _ = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, code = b"", None
    return classify(code, out, time.monotonic() - started, timeout, profile.route)


def _kill_group(proc) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.communicate()


# --- detached ------------------------------------------------------------------------------------

def _files(name: str) -> tuple[str, str, str]:
    from claude_failover import paths

    base = os.path.join(paths.state_dir(), f"livecheck-{name}")
    return base + ".lock", base + ".stamp", base + ".json"


def recently_started(name: str, cooldown: float, now: float | None = None) -> bool:
    _, stamp, _ = _files(name)
    try:
        return (time.time() if now is None else now) - os.stat(stamp).st_mtime < cooldown
    except OSError:
        return False


def claim(name: str, cooldown: float) -> bool:
    """Take this cooldown's one check of route ``name`` (stamp it); False when one was started less
    than ``cooldown`` ago or the stamp cannot be written."""
    if recently_started(name, cooldown):
        return False
    from claude_failover import paths

    try:
        paths.atomic_write(_files(name)[1], f"{time.time():.3f}\n")
    except OSError:
        return False
    return True


def check_and_record(cfg, profile, environ: dict[str, str]) -> Result:
    """Run the check now (blocking) and record a conclusive verdict (`ctl probe`)."""
    result = check(cfg, profile, environ)
    if result.verdict is not None:
        from claude_failover.recording import record_verdicts

        record_verdicts(cfg, {profile.name: result.verdict}, environ, lock_timeout=10.0)
    return result


def start_background(cfg, profile, environ: dict[str, str] | None = None, enabled: bool = True,
                     cooldown: float | None = None) -> bool:
    """Start the live check for ``profile`` detached; never waits for it. False when not started
    (disabled, one was started less than a cooldown ago, or the state dir is not writable). The
    start is stamped before the spawn (rate limit). The detached process takes the
    route's lock (a second one exits at once), records the verdict and writes the result file."""
    if not enabled:
        return False
    cooldown = cfg.cooldown if cooldown is None else cooldown
    if recently_started(profile.name, cooldown):
        return False
    argv = [sys.executable, "-m", "claude_failover.livecheck", "--config", cfg.path, "--profile", profile.name,
            "--cooldown", repr(float(cooldown))]
    env = dict(os.environ if environ is None else environ)
    from claude_failover import paths

    try:
        paths.atomic_write(_files(profile.name)[1], f"{time.time():.3f}\n")   # the start counts
        _spawn_detached(argv, env)
    except OSError:
        return False   # our bookkeeping must never fail the caller
    return True


def _spawn_detached(argv: list[str], env: dict[str, str]) -> None:
    if os.name != "posix":
        import subprocess

        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, creationflags=flags, close_fds=True)
        return
    pid = os.fork()
    if pid:                       # the caller: reap the intermediate child (it exits at once)
        os.waitpid(pid, 0)
        return
    try:                          # the intermediate: new session, fork the worker, leave
        os.setsid()
        if os.fork():
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.execve(argv[0], argv, env)
    finally:
        os._exit(127)


def _run_detached(config_path: str, name: str, cooldown: float) -> int:
    """The detached worker: lock (the caller wrote the rate-limit stamp), check, record, write the
    result file. ``cooldown`` is kept for the command line's sake (ps shows what started it)."""
    import fcntl
    import json

    from claude_failover import config as config_mod, paths

    lock_path, _, result_path = _files(name)
    paths.ensure_private_dir(os.path.dirname(lock_path))
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0                  # a check of this route is running
    from claude_failover.errors import FailoverError

    try:
        try:
            cfg = config_mod.load(config_path)
            profile = cfg.profiles[name]
        except (FailoverError, KeyError) as exc:   # the config changed since the launch
            result = Result(None, 0.0, None, f"not run: {getattr(exc, 'message', f'no profile {name!r}')}")
            paths.atomic_write(result_path, json.dumps({**result.to_dict(), "at": time.time(), "profile": name}))
            return 0
        result = check(cfg, profile, dict(os.environ))
        if result.verdict is not None:
            from claude_failover.recording import record_verdicts

            record_verdicts(cfg, {name: result.verdict}, dict(os.environ), lock_timeout=10.0)
        paths.atomic_write(result_path, json.dumps({**result.to_dict(), "at": time.time(), "profile": name}))
        return 0
    finally:
        os.close(fd)


def last_result(name: str) -> dict | None:
    """The last detached check's result for route ``name`` (None before the first)."""
    import json

    _, _, result_path = _files(name)
    try:
        with open(result_path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m claude_failover.livecheck",
                                 description="the detached live check of one route (started by claude-failover)")
    ap.add_argument("--config", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--cooldown", type=float, required=True)
    a = ap.parse_args(argv)
    return _run_detached(a.config, a.profile, a.cooldown)


if __name__ == "__main__":
    sys.exit(main())
