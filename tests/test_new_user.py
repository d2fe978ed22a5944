"""What a new user tripped over (issue 14): each test runs our real commands where the issue
describes command behaviour, and failed before its fix."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import claude_env
from tests.launch import ctl, failover, write_config

KEY = "sk-ant-api03-FAKE-new-user-0001"


@pytest.fixture
def stub_claude(tmp_path) -> str:
    """A stand-in for claude that prints its argv (for launches that need no API)."""
    path = tmp_path / "stub" / "claude"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\nimport sys\nprint('claude got:', sys.argv[1:])\n")
    path.chmod(0o755)
    return str(path)


def _processes_with(arg: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if arg.encode() in cmdline:
                found.append(int(entry.name))
    return found


# --- 3: a secret command obeys its deadline ------------------------------------------------------

def test_a_slow_secret_cmd_is_killed_at_the_deadline_and_says_so(isolated_env, stub_claude):
    write_config(isolated_env.config_file,
                 f'claude = "{stub_claude}"\nprobe_timeout = "2s"\n[profiles.work-key]\ntype = "api-key"\n'
                 'base_url = "http://127.0.0.1:9"\nsecret_cmd = "sleep 97.25; echo x"\n')
    start = time.monotonic()
    done = failover(["-p", "hi"], env=claude_env())
    took = time.monotonic() - start
    assert done.returncode == 69, done.stderr
    assert "secret_cmd for work-key did not finish within 2 s" in done.stderr
    assert "1.9" not in done.stderr and "Secret Service" not in done.stderr
    assert took < 20, took  # it took 32 s: the probe's 2 s, then a 30 s second try
    time.sleep(0.2)
    assert _processes_with("97.25") == []  # the command's whole process group is gone
