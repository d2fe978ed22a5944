"""Secrets: an ordered resolver over the keyring, an environment variable, or a command.

Twine-style: a profile lists its sources in order; the first that yields a value wins and the
winner is named (``source``) so `ctl which`/`env` can say where a secret came from. Values are
never put in an exception message, a log line or argv. ``keyring`` is imported only here, and
only when a keyring source is actually consulted (it costs ~100 ms to import).
"""

from __future__ import annotations

import os

from claude_failover.errors import FailoverError, SecretError
from claude_failover.valueclass import record

SERVICE = "claude-failover"
NO_BACKEND_HINT = ("set `secret_env = \"VAR\"` or `secret_cmd = \"...\"` for the profile, or start a Secret "
                   "Service (e.g. `eval $(dbus-launch --sh-syntax); gnome-keyring-daemon --unlock --components=secrets`)")


CMD_TIMEOUT = 30.0  # seconds a secret_cmd gets when the caller names no deadline (`ctl keys`, `ctl env`)


@record(frozen=True)
class Resolved:
    value: str
    source: str  # "keyring", "env:VAR", "cmd"

    def __repr__(self) -> str:  # a traceback, a debug print or a test failure must not show it
        return f"Resolved(value={mask(self.value)!r}, source={self.source!r})"


def describe(source: tuple[str, str]) -> str:
    kind, arg = source
    return {"keyring": f"keyring ({SERVICE}/{arg})", "env": f"${arg}", "cmd": "secret_cmd"}[kind]


def resolve(name: str, sources, environ=None, timeout: float | None = None) -> Resolved | None:
    """The first secret found in ``sources`` (in order), or None when none has one.

    ``timeout``: seconds a ``secret_cmd`` may take (its whole process group is killed then);
    None: :data:`CMD_TIMEOUT`. Raises SecretError when some source is broken (a command failed,
    no keyring backend) and no source has a value; the message names every source tried, the
    hint fits the sources that failed.
    """
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    failed: list[str] = []
    for kind, arg in sources:
        try:
            value = _read(kind, arg, environ, name, timeout)
        except SecretError as exc:
            problems.append(exc.message if kind == "cmd" else f"{describe((kind, arg))}: {exc.message}")
            failed.append(kind)
            continue
        if value:
            return Resolved(value, "keyring" if kind == "keyring" else f"env:{arg}" if kind == "env" else "cmd")
        problems.append(f"{describe((kind, arg))}: not set")
    if failed:
        raise SecretError(f"profile {name!r} has no secret: {'; '.join(problems)}", hint=failure_hint(name, failed))
    return None


def failure_hint(name: str, kinds) -> str:
    """What fixes a broken source: the Secret Service for the keyring, the command for secret_cmd."""
    if "keyring" in kinds:
        return NO_BACKEND_HINT
    return (f"run the profile's secret_cmd by hand to see what it does, then fix `secret_cmd` in "
            f"[profiles.{name}] (it must print the secret on its first line within probe_timeout)")


def require(name: str, sources, environ=None, timeout: float | None = None) -> Resolved:
    found = resolve(name, sources, environ, timeout)
    if found is None:
        wanted = " or ".join(describe(s) for s in sources)
        raise SecretError(f"profile {name!r} has no secret: nothing in {wanted}", hint=remedy(name, sources))
    return found


def remedy(name: str, sources) -> str:
    """What fixes a missing secret, for the profile's first secret source: ``export VAR=…`` in the
    shell that launches claude, the ``secret_cmd`` to run by hand, or ``keys set`` for the keyring."""
    kind, arg = next(iter(sources), ("keyring", name))
    if kind == "env":
        return f"export {arg}=… in the shell that starts claude"
    if kind == "cmd":
        return f"run its secret_cmd by hand and fix it: {arg}"
    return f"claude-failover-ctl keys set {name}"


set_hint = remedy  # the name the doctor and tests use


def _read(kind: str, arg: str, environ, name: str = "", timeout: float | None = None) -> str | None:
    if kind == "env":
        return environ.get(arg) or None
    if kind == "cmd":
        return _run_command(arg, name, CMD_TIMEOUT if timeout is None else timeout)
    return keyring_get(arg)


def _run_command(command: str, name: str, timeout: float) -> str | None:
    """The first line ``command`` prints; it gets ``timeout`` seconds, then its process group is killed."""
    import signal
    import subprocess

    from claude_failover.config.durations import say

    what = f"secret_cmd for {name}" if name else "secret_cmd"
    posix = os.name == "posix"
    try:
        child = subprocess.Popen(command, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, start_new_session=posix)
    except OSError as exc:
        raise SecretError(f"{what} could not run: {exc.strerror}") from None
    try:
        out, _ = child.communicate(timeout=max(0.0, timeout))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(child.pid, signal.SIGKILL) if posix else child.kill()
        except OSError:
            pass  # it ended just now
        try:
            child.communicate(timeout=1)
        except subprocess.TimeoutExpired:  # a grandchild in its own session holds the pipe: leave it
            pass
        raise SecretError(f"{what} did not finish within {say(timeout)}") from None
    if child.returncode != 0:
        raise SecretError(f"{what} exited with status {child.returncode}")
    try:  # decoded here, not by subprocess: its UnicodeDecodeError would quote the bytes
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"{what} printed something that is not UTF-8 text") from None
    first = text.splitlines()[0].strip() if text.strip() else ""
    return first or None


# --- keyring --------------------------------------------------------------------------------

def _backend():
    try:
        import keyring
        from keyring.backends import fail
    except Exception as exc:  # a broken install
        from claude_failover.log import debug_traceback

        debug_traceback("importing keyring failed")
        raise SecretError(f"the keyring library cannot load: {type(exc).__name__}", hint=NO_BACKEND_HINT) from None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__ or "null" in type(backend).__module__:
        raise SecretError("no usable keyring backend on this machine", hint=NO_BACKEND_HINT)
    return keyring


def backend_name() -> str:
    """A human name of the keyring backend in use (raises SecretError when there is none)."""
    backend = _backend().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _call(action: str, fn, *args):
    try:
        return fn(*args)
    except FailoverError:
        raise
    except Exception as exc:  # keyring errors carry backend text, never the secret
        from claude_failover.log import debug_traceback

        debug_traceback(f"keyring {action} failed")
        text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise SecretError(f"keyring {action} failed: {text}", hint=NO_BACKEND_HINT) from None


def keyring_get(name: str) -> str | None:
    found = _secret_service_get(name)
    if found is not None:
        return found
    keyring = _backend()
    return _call("read", keyring.get_password, SERVICE, name)


def _secret_service_get(name: str) -> str | None:
    """Linux fast path: read straight from the Secret Service with ``secretstorage``.

    It is the library keyring's own SecretService backend uses, with the same collection (the
    default one) and the same attributes (``service``, ``username``), but it skips importing
    keyring (~150 ms: backend discovery, jaraco, urllib). Taken only where keyring would pick the
    Secret Service anyway: no ``PYTHON_KEYRING_BACKEND``, no ``keyringrc.cfg``, a session bus
    whose Secret Service is already running (never D-Bus-activated from here), and not a KDE
    session (KWallet wins there). Anything else — locked, not found, any error — returns None and
    the full keyring path decides.
    """
    import sys

    if not sys.platform.startswith("linux") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return None
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        return None
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    if os.path.exists(os.path.join(config_home, "python_keyring", "keyringrc.cfg")):
        return None
    try:
        import secretstorage
        from jeepney import DBusAddress, new_method_call

        connection = secretstorage.dbus_init()
        try:
            # only a service that is already running: never D-Bus-activate a keyring daemon from a launch
            bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
            owned = connection.send_and_get_reply(
                new_method_call(bus, "NameHasOwner", "s", ("org.freedesktop.secrets",)), timeout=1)
            if not owned.body[0]:
                return None
            collection = secretstorage.get_default_collection(connection)
            if collection.is_locked():
                return None
            for item in collection.search_items({"service": SERVICE, "username": name}):
                return None if item.is_locked() else item.get_secret().decode("utf-8")
        finally:
            connection.close()
    except Exception:  # any trouble: let keyring itself decide (and explain)
        from claude_failover.log import debug_traceback

        debug_traceback("the direct Secret Service read failed; asking keyring")
        return None
    return None


def keyring_set(name: str, value: str) -> None:
    keyring = _backend()
    _call("write", keyring.set_password, SERVICE, name, value)


def keyring_delete(name: str) -> bool:
    keyring = _backend()
    from keyring.errors import PasswordDeleteError

    def delete() -> bool:
        try:
            keyring.delete_password(SERVICE, name)
        except PasswordDeleteError:
            return False
        return True

    return _call("delete", delete)


# --- display --------------------------------------------------------------------------------

def mask(value: str | None) -> str:
    """``****wxyz``: the last 4 characters of a long secret, nothing of a short one."""
    if not value:
        return "(empty)"
    if len(value) < 12:
        return "****"
    return "****" + value[-4:]
