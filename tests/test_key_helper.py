"""key_helper: the apiKeyHelper of interactive API-key launches hands out the launch's key, and after
a 401 the next key route's on the same endpoint (issue 13, item 3). The helper runs as claude runs it:
a subprocess with claude's environment; the fake server answers the probes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from claude_failover import key_helper
from tests.conftest import claude_env
from tests.launch import write_config

K1 = "sk-ant-api03-FAKE-helper-one-0123456789"
K2 = "sk-ant-api03-FAKE-helper-two-0123456789"
K3 = "sk-ant-api03-FAKE-helper-three-01234567"


@pytest.fixture
def keys(isolated_env, fake_server):
    write_config(isolated_env.config_file, (
        'order = ["one", "sub", "other-endpoint", "two", "three"]\n'
        f'[profiles.one]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_K1"\n'
        '[profiles.sub]\ntype = "subscription"\n'
        '[profiles.other-endpoint]\ntype = "api-key"\nbase_url = "http://127.0.0.1:9"\nsecret_env = "T_K1"\n'
        f'[profiles.two]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_K2"\n'
        f'[profiles.three]\ntype = "gateway"\nauth = "x-api-key"\nbase_url = "{fake_server.url}"\n'
        'secret_env = "T_K3"\n'))
    return fake_server


def helper(session: str = "4242", active: str = "one", key: str = K1, pid: str | None = None):
    env = claude_env(T_K1=K1, T_K2=K2, T_K3=K3, CLAUDE_FAILOVER_KEY=key, CLAUDE_FAILOVER_ACTIVE=active,
                     CLAUDE_FAILOVER_HELPER_SESSION=session, CLAUDE_FAILOVER_PID=pid or str(os.getpid()))
    p = subprocess.run([sys.executable, "-m", "claude_failover.key_helper"], env=env, capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.strip(), p.stderr


def models(server):
    return [r for r in server.requests if r["path"].startswith("/v1/models")]


def test_first_call_prints_the_launch_key_without_a_request(keys, isolated_env):
    assert helper()[:2] == (0, K1)
    assert keys.requests == []
    state = (isolated_env.state_dir / "key-helper" / "4242.json").read_text()
    assert json.loads(state) == {"route": "one", "pid": str(os.getpid())} and K1 not in state


def test_later_call_with_a_good_key_keeps_it(keys):
    helper()
    assert helper()[:2] == (0, K1)
    assert [r["credential"] for r in models(keys)] == [K1]


def test_after_a_401_the_next_key_on_the_same_endpoint(keys, isolated_env):
    helper()
    keys.behave(K1, "api_key_invalid")
    assert helper()[:2] == (0, K2)          # skips the subscription and the other endpoint
    health = json.loads((isolated_env.state_dir / "health.json").read_text())["routes"]
    assert health["one"]["verdict"]["state"] == "unhealthy"
    keys.behave(K2, "api_key_invalid")
    assert helper()[:2] == (0, K3)          # an x-api-key gateway on the same URL counts
    keys.behave(K3, "api_key_invalid")
    assert helper()[:2] == (0, K3)          # nothing left: the same key, claude shows its error


def test_an_unreachable_probe_keeps_the_key(keys):
    helper()
    keys.behave(K1, "disconnect")
    assert helper()[:2] == (0, K1)


def test_sessions_are_separate(keys):
    helper(session="1001")
    keys.behave(K1, "api_key_invalid")
    assert helper(session="1001")[1] == K2
    assert helper(session="1002")[1] == K1   # a new session's first call: its launch's key


def test_no_key_no_output(keys):
    assert helper(key="")[:2] == (1, "")


def test_dead_sessions_are_forgotten(keys, isolated_env):
    directory = isolated_env.state_dir / "key-helper"
    directory.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (directory / "dead.json").write_text(json.dumps({"route": "one", "pid": str(dead.pid)}))
    (directory / "alive.json").write_text(json.dumps({"route": "one", "pid": str(os.getpid())}))
    helper(session="77")
    assert not (directory / "dead.json").exists() and (directory / "alive.json").exists()


def test_the_helper_imports_nothing_heavy_on_its_first_call(keys):
    code = ("import sys, runpy; sys.argv=['x']\n"
            "try:\n    runpy.run_module('claude_failover.key_helper', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print(sorted(m for m in ('httpx', 'click', 'keyring', 'tenacity') if m in sys.modules))")
    env = claude_env(CLAUDE_FAILOVER_KEY=K1, CLAUDE_FAILOVER_ACTIVE="one", CLAUDE_FAILOVER_HELPER_SESSION="5")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip().splitlines()[-1] == "[]", p.stdout + p.stderr


def test_command_is_this_python():
    assert key_helper.command().startswith(sys.executable)


def test_after_a_rotation_the_hook_and_the_status_line_name_the_new_route(keys, isolated_env):
    from claude_failover.ctl.cmd_statusline import route_state
    from tests.launch import ctl

    helper(session="9001")
    env = claude_env(T_K1=K1, T_K2=K2, CLAUDE_FAILOVER_KEY=K1, CLAUDE_FAILOVER_ACTIVE="one",
                     CLAUDE_FAILOVER_HELPER_SESSION="9001")
    assert key_helper.active_route(env) == "one"
    keys.behave(K1, "api_key_invalid")
    helper(session="9001")
    assert key_helper.active_route(env) == "two"
    assert route_state(env, str(isolated_env.config_file))["active"] == "two"
    p = ctl(["report", "--from-hook"], env=env, input=json.dumps({"error": "authentication_failed"}))
    assert p.returncode == 0, p.stderr
    health = json.loads((isolated_env.state_dir / "health.json").read_text())["routes"]
    assert health["two"]["verdict"]["source"] == "run"
    # a session without our helper (no CLAUDE_FAILOVER_KEY): the launch's route
    assert key_helper.active_route({**env, "CLAUDE_FAILOVER_KEY": ""}) == "one"
