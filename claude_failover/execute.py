"""Handing over to claude: exec on POSIX (signals and the TTY belong to claude), a child on Windows."""

from __future__ import annotations

import os
import sys


def exec_claude(path: str, args: list[str], env: dict[str, str]) -> int:
    argv = [path, *args]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(path, argv, env)  # does not return
    import subprocess

    return subprocess.call(argv, env=env)
