"""contrib/stop-failure-hook.json with the REAL claude: a failure seen inside a claude session marks
the route in the health cache, so the next launch falls back.

Measured on 2.1.328, holds on 2.1.332: StopFailure fires both in interactive sessions and in `-p` runs, and the hook
command sees claude's environment (so $CLAUDE_FAILOVER_ACTIVE names the route). The interactive
test drives `claude-failover` (exec mode) in a detached tmux session.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, claude_env, run_claude
from tests.launch import LAUNCHER, failover, write_config
from tests.tui import trust_folder

TOK1 = "sk-ant-oat01-FAKE-hook1"
KEY2 = "sk-ant-api03-FAKE-hook2"
HOOK = REPO / "contrib" / "stop-failure-hook.json"


def config(url: str, claude_bin: str) -> str:
    return (f'claude = "{claude_bin}"\norder = ["first", "second"]\nprobe_timeout = 10\n'
            f'[profiles.first]\ntype = "oauth-token"\nbase_url = "{url}"\nsecret_env = "T_TOK1"\n'
            f'[profiles.second]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "T_KEY2"\n')


@pytest.fixture
def hooked(isolated_env, fake_server, claude_bin):
    write_config(isolated_env.config_file, config(fake_server.url, claude_bin))
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(HOOK, isolated_env.claude_dir / "settings.json")
    fake_server.behave(TOK1, "oauth_expired", path_prefix="/v1/messages")
    return fake_server


def env(**extra):
    # the hook runs `claude-failover-ctl` from PATH, as it would for a user
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return claude_env(T_TOK1=TOK1, T_KEY2=KEY2, CLAUDE_CODE_MAX_RETRIES="0", PATH=path, **extra)


def routes(isolated_env) -> dict:
    path = isolated_env.state_dir / "health.json"
    return json.loads(path.read_text())["routes"] if path.exists() else {}


def wait_for_mark(isolated_env, name: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry = routes(isolated_env).get(name)
        if entry and entry["verdict"]["state"] == "unhealthy":
            return entry
        time.sleep(0.2)
    raise AssertionError(f"route {name} not marked: {routes(isolated_env)}")


def test_hook_file_is_valid_settings():
    data = json.loads(HOOK.read_text())
    (group,) = data["hooks"]["StopFailure"]
    (hook,) = group["hooks"]
    assert hook["type"] == "command" and "claude-failover-ctl report --from-hook" in hook["command"]


@pytest.mark.e2e
def test_interactive_session_failure_marks_the_route(hooked, isolated_env, tui):
    """`claude-failover` (exec, interactive) in tmux; the prompt fails with 401 -> the cache marks it."""
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    trust_folder(isolated_env.claude_json, cwd)
    session = tui([LAUNCHER], env=env(), cwd=cwd)
    session.wait_for("❯")
    session.submit("hi")
    entry = wait_for_mark(isolated_env, "first")
    assert entry["verdict"]["reason"] == "auth-invalid" and entry["verdict"]["source"] == "run"
    assert entry["cooldown_until"] > time.time()
    assert [r["credential"] for r in hooked.requests if r["method"] == "POST"][0] == TOK1
    # the next launch falls back
    p = failover(["--failover-dry-run"], env=env())
    assert p.returncode == 0 and p.stdout.startswith("route:   second"), p.stdout + p.stderr


@pytest.mark.e2e
def test_print_mode_hook_marks_the_route(hooked, isolated_env, claude_bin):
    """StopFailure fires in `-p` too: claude as the launcher execs it (CLAUDE_FAILOVER_ACTIVE set)."""
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    p = run_claude(claude_bin, ["-p", "hi"], env(CLAUDE_CODE_OAUTH_TOKEN=TOK1, ANTHROPIC_BASE_URL=hooked.url,
                                                 CLAUDE_FAILOVER_ACTIVE="first"), cwd=cwd)
    assert p.returncode == 1, p.stdout + p.stderr
    entry = wait_for_mark(isolated_env, "first")
    assert entry["failures"] == 1 and entry["verdict"]["source"] == "run"


@pytest.mark.e2e
def test_supervised_run_is_recorded_once(hooked, isolated_env):
    """Under the supervisor the hook stays quiet ($CLAUDE_FAILOVER_SUPERVISED): one failure, not two."""
    p = failover(["-p", "hi"], env=env())
    assert p.returncode == 0 and "retrying on second" in p.stderr, p.stderr
    time.sleep(1)
    entry = routes(isolated_env)["first"]
    assert entry["failures"] == 1, entry
