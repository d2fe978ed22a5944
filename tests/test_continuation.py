"""Issue 13 item 2 and 4, unit level: the run's failure record (continuation.py), the status line's text,
the dry run of an interactive launch, and the thin parent (foreground.py) with a stand-in claude.
tests/test_tui_continue_e2e.py shows the real claude in tmux."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from claude_failover import continuation
from claude_failover.credvars import LAUNCH_VAR
from claude_failover.ctl.cmd_statusline import render
from tests.conftest import REPO, claude_env
from tests.launch import LAUNCHER, failover, write_config

EVENT = {"session_id": "3f0c0000-0000-4000-8000-000000000001", "error": "authentication_failed",
         "last_assistant_message": "Please run /login · API Error: 401 OAuth token has expired."}


def test_the_record_is_per_run_and_names_what_to_do(isolated_env):
    run = {LAUNCH_VAR: "00aa11bb22cc33dd"}
    assert continuation.read(run) is None                       # nothing failed: nothing to read
    assert continuation.note(run, "max", "authentication failed", EVENT, "work-key")
    assert continuation.read({LAUNCH_VAR: "ffffffffffffffff"}) is None   # another run
    assert continuation.read({}) is None                        # not a run of a staying launcher
    record = continuation.read(run)
    assert record["session_id"] == EVENT["session_id"] and record["next"] == "work-key"
    assert continuation.failed_line(record) == "max failed (authentication failed, 401)"
    path = continuation.path_of(run)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert continuation.read(run, remove=True) is not None and not os.path.exists(path)


def test_no_record_without_a_run_name_or_a_session(isolated_env):
    assert not continuation.note({}, "max", "x", EVENT, None)
    assert not continuation.note({LAUNCH_VAR: "00aa"}, "max", "x", {"error": "rate_limit"}, None)
    assert continuation.path_of({LAUNCH_VAR: "../../etc"}) is None


@pytest.mark.parametrize("text,status", [("API Error: 529 overloaded", 529), ("no status here", None),
                                         ("API Error: 4", None)])
def test_status_in_claudes_error_line(text, status):
    assert continuation.status_in(text) == status


def state(failed=None):
    return {"active": "max", "preferred": "max", "fallback": False, "preferred_reason": None,
            "active_reason": "invalid credentials", "failed": failed}


def test_statusline_says_what_to_do():
    shown = render(state({"route": "max", "next": "work-key", "line": "max failed"}), color=False)
    assert shown == "route: max (invalid credentials) ⚠ max failed — /exit, then Enter to continue on work-key"
    none = render(state({"route": "max", "next": None, "line": "max failed"}), ascii_only=True, color=False)
    assert none.endswith("! max failed - no other route now (claude-failover-ctl status)")
    assert "failed" not in render(state(), color=False)


KEY = "sk-ant-api03-FAKE-dryrun-0123456789abcdef"


def test_dry_run_shows_the_key_going_through_the_helper(isolated_env):
    write_config(isolated_env.config_file, (
        'claude = "/bin/true"\n[profiles.work-key]\ntype = "api-key"\nbase_url = "http://127.0.0.1:9"\n'
        'secret_env = "T_KEY"\nprobe = false\n'))
    env = claude_env(T_KEY=KEY)
    shown = failover(["--failover-dry-run"], env=env).stdout
    assert "set:     CLAUDE_FAILOVER_KEY=****cdef" in shown and "ANTHROPIC_API_KEY" not in shown, shown
    assert "CLAUDE_FAILOVER_HELPER_SESSION=" in shown and "CLAUDE_CODE_API_KEY_HELPER_TTL_MS=" in shown
    assert "--settings" in shown and "apiKeyHelper" in shown and KEY not in shown
    printed = failover(["--failover-dry-run", "-p", "hi"], env=env).stdout
    assert "set:     ANTHROPIC_API_KEY=****cdef" in printed and "CLAUDE_FAILOVER_KEY" not in printed, printed
    assert "set:     CLAUDE_CODE_MAX_RETRIES=2" in printed     # a supervised run's bounds are shown too


def test_dry_run_on_a_terminal_shows_the_stop_failure_hook(isolated_env):
    """A launch that stays as claude's parent gives claude our StopFailure hook; the dry run shows it."""
    write_config(isolated_env.config_file, (
        'claude = "/bin/true"\n[profiles.work-key]\ntype = "api-key"\nbase_url = "http://127.0.0.1:9"\n'
        'secret_env = "T_KEY"\nprobe = false\n'))
    master, slave = os.openpty()
    try:
        shown = subprocess.run([LAUNCHER, "--failover-dry-run"], stdin=slave, capture_output=True, text=True,
                               env=claude_env(T_KEY=KEY), timeout=60).stdout
    finally:
        os.close(master)
        os.close(slave)
    assert "CLAUDE_FAILOVER_LAUNCH=" in shown, shown
    assert f"{sys.executable} -m claude_failover.ctl report --from-hook" in shown and KEY not in shown, shown
    assert "claude_failover.ctl" not in failover(["--failover-dry-run"], env=claude_env(T_KEY=KEY)).stdout


def test_interactive_mode_is_validated(isolated_env):
    write_config(isolated_env.config_file, 'interactive = "sometimes"\n[profiles.a]\ntype = "api-key"\n')
    p = failover(["--failover-dry-run"])
    assert p.returncode == 78 and "'interactive' must be one of 'continue', 'exec'" in p.stderr, p.stderr


# ---- the thin parent, with a stand-in claude ----------------------------------------------------

PARENT = """
import sys
from claude_failover import foreground
sys.exit(foreground.end_like(foreground.run(sys.argv[1], sys.argv[2:], dict(__import__('os').environ))))
"""


def parent(tmp_path, script: str, **kw) -> subprocess.CompletedProcess:
    stand_in = tmp_path / "claude"
    stand_in.write_text("#!/bin/sh\n" + script)
    stand_in.chmod(0o755)
    return subprocess.run([sys.executable, "-c", PARENT, str(stand_in)], capture_output=True, text=True,
                          cwd=REPO, timeout=30, **kw)


def test_exit_status_passes_through(tmp_path):
    assert parent(tmp_path, "exit 7").returncode == 7


def test_death_by_signal_is_repeated(tmp_path):
    assert parent(tmp_path, "kill -TERM $$").returncode == -signal.SIGTERM


def test_claude_gets_the_signals_at_their_defaults(tmp_path):
    """The parent ignores SIGINT, SIGQUIT and SIGTSTP while claude runs; claude must not inherit that."""
    out = parent(tmp_path, "grep SigIgn /proc/$$/status").stdout
    ignored = int(out.split()[-1], 16)
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        assert not ignored & (1 << (signum - 1)), (signum, out)


def test_sigterm_to_the_parent_reaches_claude(tmp_path):
    stand_in = tmp_path / "claude"
    stand_in.write_text("#!/bin/sh\ntrap 'echo got-term; exit 5' TERM\necho ready\nwhile :; do sleep 0.1; done\n")
    stand_in.chmod(0o755)
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(stand_in)], stdout=subprocess.PIPE, text=True,
                            cwd=REPO)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 5 and "got-term" in proc.stdout.read()
