"""Our ``apiKeyHelper`` for interactive launches of API-key routes (issue 13).

claude runs its ``apiKeyHelper`` when it first needs a key and again after a 401 (measured on
2.1.328: it re-runs the helper and retries the same request at once, even with
``CLAUDE_CODE_MAX_RETRIES=0``). The launcher sets ``CLAUDE_CODE_API_KEY_HELPER_TTL_MS`` long
(unless the user set it), so a later call almost always means a 401:

- first call of this session: print the launch's key (``CLAUDE_FAILOVER_KEY``) and remember which
  route handed it out (``key-helper/<session>.json`` in the state dir, named by a random id the
  launcher sets per launch, holding the route's name and claude's pid, no secret);
- a later call: probe the route last handed out (``GET /v1/models``, no tokens). Still good, or the
  probe is inconclusive: print its key again. Refused: record it in the health cache (the next
  launch skips it) and print the key of the next route in ``order`` that delivers its key the same
  way to the same endpoint and is not cooling down. Nothing left: the same key (claude shows its
  error and the StopFailure hook records it).

A subscription cannot be swapped in or out of a running claude this way: claude reads its login
once, and the helper's key beats it. Run as ``python -m claude_failover.key_helper``; exit 1 with
nothing on stdout when there is no key to give (claude then reports the helper's failure).
"""

from __future__ import annotations

import os
import sys

from claude_failover.credvars import ACTIVE_VAR, HELPER_VARS, PID_VAR

# the key, and one random name per launch (a pid can be reused by a later session; this cannot)
KEY_VAR, SESSION_VAR = HELPER_VARS
TTL_VAR = "CLAUDE_CODE_API_KEY_HELPER_TTL_MS"
TTL_MS = str(24 * 3600 * 1000)
DELIVERED = "ANTHROPIC_API_KEY"


def command() -> str:
    """The helper as a shell command (claude runs it with a shell)."""
    return module_command("claude_failover.key_helper")


def module_command(module: str) -> str:
    """``<this python> -m <module>`` as a shell command, the interpreter quoted when it must be
    (shlex would import re)."""
    exe = sys.executable
    if any(c in exe for c in " '\"$`\\!*?[]{}()<>|&;#~\t\n"):
        exe = "'" + exe.replace("'", "'\\''") + "'"
    return f"{exe} -m {module}"


def new_session() -> str:
    return os.urandom(8).hex()


def _session_file(environ) -> str | None:
    from claude_failover import paths

    session = "".join(c for c in environ.get(SESSION_VAR, "") if c in "0123456789abcdef")
    return os.path.join(paths.state_dir(), "key-helper", f"{session}.json") if session else None


def _forget_dead_sessions(directory: str) -> None:
    """Remove the files of sessions whose claude has ended (the pid the launcher recorded)."""
    import json

    try:
        names = [n for n in os.listdir(directory) if n.endswith(".json")]
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as fh:
                pid = int("".join(c for c in str(json.load(fh).get("pid", "")) if c.isdigit()))
            os.kill(pid, 0)
        except ProcessLookupError:
            try:
                os.unlink(path)
            except OSError:
                pass
        except (OSError, ValueError, AttributeError, OverflowError):
            pass   # unreadable, no pid, or alive under another user: leave it


def active_route(environ) -> str | None:
    """The route this claude session runs on now: the one our helper last handed a key out for
    (after a rotation), else ``$CLAUDE_FAILOVER_ACTIVE``. For the status line and the hook."""
    import json

    path = _session_file(environ)
    if path is not None and environ.get(KEY_VAR):
        try:
            with open(path, encoding="utf-8") as fh:
                route = json.load(fh).get("route")
        except (OSError, ValueError, AttributeError):
            route = None
        if isinstance(route, str) and route:
            return route
    return environ.get(ACTIVE_VAR) or None


def _remember(path: str | None, route: str, environ) -> None:
    if path is None:
        return
    import json

    from claude_failover import paths

    try:
        paths.atomic_write(path, json.dumps({"route": route, "pid": environ.get(PID_VAR, "")}))
    except OSError:
        pass    # bookkeeping: the key still goes out


def _endpoint(profile) -> str | None:
    """The URL a route sends its ``x-api-key`` to (None: it sends none)."""
    env = profile.route.child_env(profile, "x")
    if DELIVERED not in env:
        return None
    return (env.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com").rstrip("/")


def rotate(current: str, environ) -> tuple[str, str] | None:
    """(route, key) to hand out after a later call, or None to keep the current key."""
    from claude_failover import admission, cache, config as config_mod, paths, recording, secret
    from claude_failover.errors import FailoverError

    try:
        cfg = config_mod.load(paths.config_path())
    except FailoverError:
        return None
    profile = cfg.profiles.get(current)
    if profile is None or _endpoint(profile) is None:
        return None
    try:
        verdict = recording.probe_routes(cfg, [current], environ)[current]
    except FailoverError:
        return None
    if not verdict.definite:
        return None
    data = cache.read()
    order = list(cfg.order)
    later = order[order.index(current) + 1:] if current in order else []
    for name in later:
        other = cfg.profiles[name]
        if _endpoint(other) != _endpoint(profile):
            continue
        if admission.classify(cfg, data, name, environ).kind == admission.COOLING:
            continue
        try:
            found = secret.resolve(name, other.secret_sources, environ)
        except FailoverError:
            continue
        if found is not None:
            return name, found.value
    return None


def main() -> int:
    import json

    environ = dict(os.environ)
    key = environ.get(KEY_VAR, "")
    path = _session_file(environ)
    current = environ.get(ACTIVE_VAR, "")
    state = None
    if path is not None:
        try:
            with open(path, encoding="utf-8") as fh:
                state = json.load(fh)
        except (OSError, ValueError):
            state = None
    if not isinstance(state, dict) or not isinstance(state.get("route"), str):
        if path is not None:
            _forget_dead_sessions(os.path.dirname(path))
        _remember(path, current, environ)
    else:
        current = state["route"]
        if current != environ.get(ACTIVE_VAR):
            key = _resolve(current, environ) or key
        chosen = rotate(current, environ)
        if chosen is not None:
            current, key = chosen
            _remember(path, current, environ)
    if not key:
        return 1
    sys.stdout.write(key + "\n")
    return 0


def _resolve(name: str, environ) -> str | None:
    from claude_failover import config as config_mod, paths, secret
    from claude_failover.errors import FailoverError

    try:
        cfg = config_mod.load(paths.config_path())
        found = secret.resolve(name, cfg.profiles[name].secret_sources, environ)
    except (FailoverError, KeyError):
        return None
    return found.value if found else None


if __name__ == "__main__":
    sys.exit(main())
