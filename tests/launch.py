"""Running our own commands in tests: the venv's console scripts, with stdin closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
LAUNCHER = str(BIN / "claude-failover")
CTL = str(BIN / "claude-failover-ctl")


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(cmd: str, args, env: dict | None = None, timeout: float = 60, input: str | None = None,
        cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([cmd, *args], env=dict(os.environ) if env is None else env, capture_output=True,
                          text=True, timeout=timeout, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          cwd=cwd if cwd is not None else os.environ.get("HOME"))


def failover(args, **kw) -> subprocess.CompletedProcess:
    return run(LAUNCHER, args, **kw)


def ctl(args, **kw) -> subprocess.CompletedProcess:
    return run(CTL, args, **kw)
