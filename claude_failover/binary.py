"""Finding the real `claude`: the configured path, else PATH, never ourselves.

`alias claude=claude-failover` and a `claude` shim first on PATH both work because every PATH
candidate is compared (after resolving symlinks) with our own executables, and files that are
our shims or our console scripts are skipped.
"""

from __future__ import annotations

import os
import sys

from claude_failover.errors import ClaudeNotFoundError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Mapping

SHIM_MARKER = b"claude-failover shim"
_OWN_MARKERS = (SHIM_MARKER, b"claude_failover")


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _own_paths() -> set[str]:
    own = {os.path.realpath(sys.argv[0])} if sys.argv and sys.argv[0] else set()
    own.add(os.path.realpath(sys.executable))
    return own


def leads_to_us(path: str, own: set[str] | None = None) -> bool:
    """True for our own executable, a symlink to it, our shim, or a console script of ours."""
    own = _own_paths() if own is None else own
    if os.path.realpath(path) in own:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return any(marker in head for marker in _OWN_MARKERS)


def find_claude(configured: str | None = None, environ: Mapping[str, str] | None = None,
                config_path: str | None = None) -> str:
    environ = os.environ if environ is None else environ
    if configured:
        path = os.path.abspath(os.path.expanduser(configured))
        if not _is_executable(path):
            raise ClaudeNotFoundError(f"the configured claude ({path}) is not an executable file",
                                      hint=f"fix `claude = ...` in {config_path or 'the config'}")
        if leads_to_us(path):
            raise ClaudeNotFoundError(f"the configured claude ({path}) is claude-failover itself",
                                      hint="point `claude = ...` at the real Claude Code binary")
        return path
    own = _own_paths()
    names = ["claude"] + ([f"claude{ext}" for ext in (".exe", ".cmd")] if os.name == "nt" else [])
    for directory in environ.get("PATH", os.defpath).split(os.pathsep):
        for name in names:
            candidate = os.path.join(directory or ".", name)
            if _is_executable(candidate) and not leads_to_us(candidate, own):
                return candidate
    raise ClaudeNotFoundError(
        "the real `claude` was not found on PATH (only claude-failover itself)",
        hint="install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set `claude = \"/path/to/claude\"` in the config")


def claude_version(path: str, timeout: float = 10.0) -> tuple[int, ...] | None:
    """``claude --version`` as a tuple (2, 1, 328), or None when it cannot be read."""
    import re
    import subprocess

    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", done.stdout)
    return tuple(int(x) for x in match.groups()) if match else None
