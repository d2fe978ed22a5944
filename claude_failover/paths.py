"""Where our files live, and the one way we write them (0600 files, 0700 dirs, atomic replace).

``CLAUDE_FAILOVER_CONFIG`` overrides the config file and ``CLAUDE_FAILOVER_STATE_DIR`` the
state directory (health cache, logs), the way llm's ``LLM_USER_PATH`` does. Otherwise the
platform's directories: ``$XDG_CONFIG_HOME/claude-failover/config.toml`` and
``$XDG_STATE_HOME/claude-failover`` on Linux (computed here without importing platformdirs,
which the warm path does not need on Linux).
"""

from __future__ import annotations

import os
import sys

APP = "claude-failover"


def _xdg(var: str, default: str) -> str:
    value = os.environ.get(var)
    if value and os.path.isabs(value):
        return value
    return os.path.join(os.path.expanduser("~"), default)


def config_dir() -> str:
    if sys.platform.startswith("linux"):
        return os.path.join(_xdg("XDG_CONFIG_HOME", ".config"), APP)
    import platformdirs  # macOS/Windows conventions are not worth re-implementing

    return platformdirs.user_config_dir(APP, appauthor=False)


def config_path(explicit: str | None = None) -> str:
    path = explicit or os.environ.get("CLAUDE_FAILOVER_CONFIG")
    if path:
        return os.path.abspath(os.path.expanduser(path))
    return os.path.join(config_dir(), "config.toml")


def state_dir() -> str:
    override = os.environ.get("CLAUDE_FAILOVER_STATE_DIR")
    if override:
        return os.path.abspath(os.path.expanduser(override))
    if sys.platform.startswith("linux"):
        return os.path.join(_xdg("XDG_STATE_HOME", ".local/state"), APP)
    import platformdirs

    return platformdirs.user_state_dir(APP, appauthor=False)


def ensure_private_dir(path: str) -> str:
    """Create ``path`` (and parents) with mode 0700; tighten an existing dir we own."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def atomic_write(path: str, data: str | bytes, mode: int = 0o600, private_dir: bool = True) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same dir, fsync, rename.

    ``private_dir=False`` is for files that live in a shared directory (a ``claude`` shim in
    ~/.local/bin, systemd units): the directory is created if missing but never chmod-ed.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if private_dir:
        ensure_private_dir(directory)
    else:
        os.makedirs(directory, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # a unique name created exclusively (tempfile costs ~12 ms to import on the warm path)
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        os.fchmod(fd, mode) if hasattr(os, "fchmod") else None  # umask-proof
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
