"""The `claude` shim: a tiny sh script first on PATH that runs the launcher.

Aliases only apply to interactive shells; cron, editors, scripts and ``sh -c`` look ``claude`` up on
PATH. The shim makes them go through claude-failover too. It carries :data:`binary.SHIM_MARKER`, so
``binary.find_claude`` skips it when looking for the real claude (no loop), and so install and
uninstall can tell our shim from a real ``claude`` (which they never overwrite or remove).
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field

from claude_failover.binary import SHIM_MARKER, find_claude
from claude_failover.errors import ClaudeNotFoundError, FailoverError, UsageError

DEFAULT_DIR = "~/.local/bin"
NAME = "claude"
# Where to put the shim when ~/.local/bin already holds the real claude (the native installer's place).
ALTERNATIVE_DIR = "~/.local/share/claude-failover/bin"


_FALLBACK = {"claude-failover": ["-m", "claude_failover"],
             "claude-failover-ctl": ["-c", "from claude_failover.ctl import main; raise SystemExit(main())"]}


def launcher_command(name: str = "claude-failover") -> list[str]:
    """The absolute command that runs our console script ``name``: the one next to this Python
    (a venv/pipx bin dir), else next to the running script, else on PATH, else ``python -m``."""
    import shutil

    candidates = [os.path.join(os.path.dirname(sys.executable), name)]
    if sys.argv and sys.argv[0]:
        candidates.append(os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), name))
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return [os.path.abspath(path)]
    return [os.path.abspath(sys.executable), *_FALLBACK[name]]


def render(command: list[str]) -> str:
    """The shim's text. Keep the marker in the first lines (``binary.leads_to_us`` reads 2 KiB)."""
    return (
        "#!/bin/sh\n"
        f"# {SHIM_MARKER.decode()}: runs Claude Code through claude-failover, which picks a healthy route\n"
        "# and execs the real claude. Installed by `claude-failover-ctl install-shim`;\n"
        "# remove it with `claude-failover-ctl uninstall-shim`.\n"
        f"exec {shlex.join(command)} \"$@\"\n"
    )


def is_shim(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return SHIM_MARKER in handle.read(2048)
    except OSError:
        return False


def _same_dir(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def path_advice(directory: str, environ: dict[str, str]) -> list[str]:
    """Why the shim in ``directory`` would not be the ``claude`` a shell finds (empty = it will be)."""
    entries = [d for d in environ.get("PATH", os.defpath).split(os.pathsep) if d]
    position = next((i for i, d in enumerate(entries) if _same_dir(d, directory)), None)
    export = f'export PATH="{directory}:$PATH"'
    if position is None:
        return [f"{directory} is not on PATH: add `{export}` to your shell profile "
                "(~/.profile, ~/.bashrc, ~/.zshrc) so scripts and cron find the shim"]
    try:
        real = find_claude(None, environ)
    except ClaudeNotFoundError:
        return []
    real_dir = os.path.dirname(real)
    real_position = next((i for i, d in enumerate(entries) if _same_dir(d, real_dir)), None)
    if real_position is not None and real_position < position:
        return [f"{directory} comes after {real_dir} (the real claude: {real}) on PATH, so `claude` "
                f"still runs Claude Code directly: put `{export}` at the end of your shell profile"]
    return []


@dataclass
class Result:
    path: str
    command: list[str]
    replaced: bool = False
    advice: list[str] = field(default_factory=list)


def install(directory: str = DEFAULT_DIR, command: list[str] | None = None,
            environ: dict[str, str] | None = None) -> Result:
    """Write the shim to ``directory``/claude (0755, atomically); never over a real claude."""
    from claude_failover import paths

    if os.name == "nt":
        raise UsageError("the shim is a POSIX sh script",
                         hint="on Windows use the PowerShell function in contrib/shell/claude-failover.ps1")
    environ = dict(os.environ if environ is None else environ)
    directory = os.path.abspath(os.path.expanduser(directory))
    target = os.path.join(directory, NAME)
    command = command or launcher_command()
    replaced = os.path.lexists(target)
    if replaced and not is_shim(target):
        what = f"a symlink to {os.path.realpath(target)}" if os.path.islink(target) else "not a claude-failover shim"
        raise FailoverError(
            f"{target} exists and is {what} (the real Claude Code?); not overwriting it",
            hint=f"install the shim elsewhere, e.g. `claude-failover-ctl install-shim --dir {ALTERNATIVE_DIR}`, "
                 "and put that dir first on PATH")
    if os.path.isdir(target):
        raise UsageError(f"{target} is a directory")
    paths.atomic_write(target, render(command), mode=0o755, private_dir=False)
    return Result(target, command, replaced, path_advice(directory, environ))


def uninstall(directory: str = DEFAULT_DIR) -> str | None:
    """Remove our shim from ``directory``; returns its path, or None when there was none."""
    directory = os.path.abspath(os.path.expanduser(directory))
    target = os.path.join(directory, NAME)
    if not os.path.lexists(target):
        return None
    if not is_shim(target):
        raise FailoverError(f"{target} is not a claude-failover shim; not removing it",
                            hint="uninstall-shim only removes the shim that install-shim wrote")
    os.unlink(target)
    return target
