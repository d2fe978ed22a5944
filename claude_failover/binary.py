"""Finding the real `claude`: the configured path, else PATH, never ourselves.

`alias claude=claude-failover`, a `claude` shim and a hand-written wrapper script first on PATH
(``exec claude-failover "$@"``) all work because every PATH candidate is compared (after resolving
symlinks) with our own executables, and files that are our shims, our console scripts or scripts
that run claude-failover are skipped.
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
WRAPPER_MARKER = b"claude-failover"  # in a script's first 2 KB: it runs us


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _own_paths() -> set[str]:
    own = {os.path.realpath(sys.argv[0])} if sys.argv and sys.argv[0] else set()
    own.add(os.path.realpath(sys.executable))
    return own


def leads_to_us(path: str, own: set[str] | None = None, wrappers: bool = True) -> bool:
    """True for our own executable, a symlink to it, our shim, a console script of ours, or (with
    ``wrappers``) a script (``#!``) that runs claude-failover: a user's own ``exec claude-failover "$@"``."""
    own = _own_paths() if own is None else own
    if os.path.realpath(path) in own:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return any(marker in head for marker in _OWN_MARKERS) or (wrappers and _runs_us(head))


def _runs_us(head: bytes) -> bool:
    """A script (``#!``) naming the command claude-failover (a word, maybe a path's last part; not
    claude-failover-ctl). No `re`: this runs on the warm path for each `claude` on PATH."""
    if not head.startswith(b"#!"):
        return False
    start = head.find(WRAPPER_MARKER)
    while start >= 0:
        end = start + len(WRAPPER_MARKER)
        before = head[start - 1:start] if start else b" "
        after = head[end:end + 1] or b" "
        if before in b" \t\n/;&|(\"'=" and after in b" \t\n;&|)\"'":
            return True
        start = head.find(WRAPPER_MARKER, end)
    return False


def is_wrapper(path: str) -> bool:
    """A script of the user's own that runs claude-failover (not our shim or console script)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return _runs_us(head) and not any(m in head for m in _OWN_MARKERS)


def find_claude(configured: str | None = None, environ: Mapping[str, str] | None = None,
                config_path: str | None = None) -> str:
    environ = os.environ if environ is None else environ
    if configured:
        path = os.path.abspath(os.path.expanduser(configured))
        if not _is_executable(path):
            raise ClaudeNotFoundError(f"the configured claude ({path}) is not an executable file",
                                      hint=f"fix `claude = ...` in {config_path or 'the config'}")
        if leads_to_us(path, wrappers=False):  # named on purpose: only the recursion guard judges a script
            raise ClaudeNotFoundError(f"the configured claude ({path}) is claude-failover itself",
                                      hint="point `claude = ...` at the real Claude Code binary")
        return path
    own = _own_paths()
    names = ["claude"] + ([f"claude{ext}" for ext in (".exe", ".cmd")] if os.name == "nt" else [])
    ours = []
    for directory in environ.get("PATH", os.defpath).split(os.pathsep):
        for name in names:
            candidate = os.path.join(directory or ".", name)
            if not _is_executable(candidate):
                continue
            if not leads_to_us(candidate, own):
                return candidate
            ours.append(candidate)
    only = f" (only claude-failover itself: {', '.join(ours)})" if ours else ""
    raise ClaudeNotFoundError(
        f"the real `claude` was not found on PATH{only}",
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
