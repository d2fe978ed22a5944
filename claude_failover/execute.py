"""Handing over to claude: exec on POSIX (signals and the TTY belong to claude), a child on Windows."""

from __future__ import annotations

import os
import sys


def exec_claude(path: str, args: list[str], env: dict[str, str]) -> int:
    argv = [path, *args]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        if os.name == "posix":
            os.execve(path, argv, env)  # does not return
        import subprocess

        from claude_failover.credvars import PID_VAR

        return subprocess.call(argv, env={**env, PID_VAR: f"parent:{os.getpid()}"})  # a child: see PID_VAR
    except OSError as exc:
        raise cannot_run(path, exc) from None


def cannot_run(path: str, exc: OSError):
    """The error for a claude that exists but will not start (a missing interpreter, no permission)."""
    from claude_failover.errors import ClaudeNotFoundError

    return ClaudeNotFoundError(f"cannot run the real claude ({path}): {exc.strerror or exc}",
                               hint="check its #! line and permissions, or set `claude = \"/path/to/claude\"` in the config")
