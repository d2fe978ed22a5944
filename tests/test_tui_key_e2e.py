"""Issue 13, item 1, in the real terminal UI (tmux): the chosen API-key route is the one claude uses,
with no "Detected a custom API key" question, on a first launch and after an earlier "No".

Setup as a user has it: order ["max", "work-key"], a subscription login in the throwaway HOME whose
token the fake server answers with 401, max marked failed, so the launcher falls back to work-key.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import claude_env
from tests.launch import LAUNCHER, ctl, failover, write_config
from tests.tui import subscription_login, trust_folder

SUB = "sk-ant-oat01-FAKE-tui-subscription"
KEY = "sk-ant-api03-FAKE-tui-workkey-0123456789abcdef"
PROMPT = "Detected a custom API key"
REPLY = "hello from fake"

pytestmark = pytest.mark.e2e


def config(url: str, claude_bin: str, key_route: str) -> str:
    return (f'claude = "{claude_bin}"\norder = ["max", "work-key"]\n'
            f'[profiles.max]\ntype = "subscription"\n'
            f'[profiles.work-key]\n{key_route}\nsecret_env = "T_KEY"\n').replace("URL", url)


API_KEY = 'type = "api-key"\nbase_url = "URL"'
GATEWAY_X_API_KEY = 'type = "gateway"\nbase_url = "URL"\nauth = "x-api-key"'


@pytest.fixture
def world(isolated_env, fake_server, claude_bin, request):
    key_route = getattr(request, "param", API_KEY)
    write_config(isolated_env.config_file, config(fake_server.url, claude_bin, key_route))
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    trust_folder(isolated_env.claude_json, cwd)
    subscription_login(isolated_env.claude_dir, SUB)
    fake_server.behave(SUB, "oauth_expired")
    env = claude_env(T_KEY=KEY, CLAUDE_CODE_MAX_RETRIES="0",
                     PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    p = ctl(["report", "max", "--reason", "auth-invalid", "--detail", "OAuth 401"], env=env)
    assert p.returncode == 0, p.stderr
    return env, cwd


def reject(isolated_env, key: str = KEY) -> None:
    """What claude stores after a "No" to the custom-key question."""
    state = json.loads(isolated_env.claude_json.read_text())
    state["customApiKeyResponses"] = {"approved": [], "rejected": [key[-20:]]}
    isolated_env.claude_json.write_text(json.dumps(state))


def posts(server):
    return [r for r in server.requests if r["method"] == "POST" and r["path"].startswith("/v1/messages")]


def converse(session) -> str:
    screen = session.wait_for("❯", PROMPT)
    assert PROMPT not in screen, screen
    session.submit("hi")
    return session.wait_for(REPLY, "401", "Invalid API key")


@pytest.mark.parametrize("world", [API_KEY, GATEWAY_X_API_KEY], indirect=True, ids=["api-key", "gateway-x-api-key"])
@pytest.mark.parametrize("earlier_no", [False, True], ids=["first-launch", "after-no"])
def test_fallback_to_key_asks_nothing_and_sends_the_key(world, isolated_env, fake_server, tui, earlier_no):
    env, cwd = world
    if earlier_no:
        reject(isolated_env)
    session = tui([LAUNCHER], env=env, cwd=cwd)
    screen = converse(session)
    assert REPLY in screen, screen
    sent = posts(fake_server)
    assert sent and all(r["credential"] == KEY for r in sent), [r["credential"] for r in sent]
    assert all(r["headers"].get("x-api-key") == KEY for r in sent)
    assert SUB not in fake_server.credentials_seen()
    answers = json.loads(isolated_env.claude_json.read_text()).get("customApiKeyResponses")
    assert answers == ({"approved": [], "rejected": [KEY[-20:]]} if earlier_no else None)   # we never touch it


def test_forced_profile_after_no(world, isolated_env, fake_server, tui):
    """`--failover-profile work-key` after a "No" still sends the key (the issue saw the subscription)."""
    env, cwd = world
    reject(isolated_env)
    session = tui([LAUNCHER, "--failover-profile", "work-key"], env=env, cwd=cwd)
    assert REPLY in converse(session)
    assert fake_server.credentials_seen() == [KEY]


def test_doctor_reports_the_earlier_no(world, isolated_env):
    env, _ = world
    reject(isolated_env)
    p = ctl(["doctor", "--json"], env=env)
    found = [f for f in json.loads(p.stdout)["findings"] if f["id"] == "api-key-rejected"]
    assert len(found) == 1 and "work-key" in found[0]["saw"], p.stdout
    assert KEY not in p.stdout and KEY[-20:] not in p.stdout


def test_print_mode_keeps_the_variable_and_the_key_wins(world, isolated_env, fake_server):
    """-p never asks, and a rejected key is still used there: -p keeps plain ANTHROPIC_API_KEY."""
    env, cwd = world
    reject(isolated_env)
    p = failover(["-p", "hi"], env=env, cwd=cwd)
    assert p.returncode == 0 and REPLY in p.stdout, p.stdout + p.stderr
    (sent,) = posts(fake_server)
    assert sent["headers"].get("x-api-key") == KEY and "authorization" not in sent["headers"]


@pytest.mark.parametrize("earlier_no", [False, True], ids=["asks", "after-no"])
def test_plain_claude_with_the_variable_falls_to_the_subscription(world, isolated_env, fake_server, tui,
                                                                  claude_bin, earlier_no):
    """What our delivery avoids, pinned on the real claude: ANTHROPIC_API_KEY in the environment of an
    interactive claude with a subscription login -> the question, default "No" -> the subscription's
    token; after that "No" no question and still the subscription."""
    env, cwd = world
    if earlier_no:
        reject(isolated_env)
    env = {**env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake_server.url}
    session = tui([claude_bin], env=env, cwd=cwd)
    if earlier_no:
        assert PROMPT not in session.wait_for("❯")
    else:
        session.wait_for(PROMPT)
        session.press("Enter")                                       # the default: No (recommended)
        session.wait_for(PROMPT, gone=True)
        session.wait_for("❯")
    session.submit("hi")
    session.wait_for("401")
    assert fake_server.credentials_seen() == [SUB]
    assert json.loads(isolated_env.claude_json.read_text())["customApiKeyResponses"]["rejected"] == [KEY[-20:]]


def test_key_rotates_mid_session_after_a_401(isolated_env, fake_server, claude_bin, tui):
    """Item 3: two keys on one endpoint; the first turns 401 mid-session; claude re-runs our helper,
    gets the second key and retries: the person sees the answer, no restart."""
    k1, k2 = KEY, KEY.replace("workkey", "nextkey")
    write_config(isolated_env.config_file, (
        f'claude = "{claude_bin}"\norder = ["one", "two"]\n'
        f'[profiles.one]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_K1"\n'
        f'[profiles.two]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_K2"\n'))
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    trust_folder(isolated_env.claude_json, cwd)
    subscription_login(isolated_env.claude_dir, SUB)
    env = claude_env(T_K1=k1, T_K2=k2, CLAUDE_CODE_MAX_RETRIES="0")
    session = tui([LAUNCHER], env=env, cwd=cwd)
    assert REPLY in converse(session)
    fake_server.behave(k1, "api_key_invalid")
    fake_server.clear_requests()
    session.submit("again")
    fake_server.wait_for_requests(2, "/v1/messages", timeout=60)
    screen = session.wait_for("esc to interrupt", gone=True)   # the turn ended
    sent = posts(fake_server)
    assert [(r["credential"], r["status"]) for r in sent] == [(k1, 401), (k2, 200)], screen
    assert "Invalid API key" not in screen and screen.count(REPLY) == 2, screen
    health = json.loads((isolated_env.state_dir / "health.json").read_text())["routes"]
    assert health["one"]["verdict"]["state"] == "unhealthy"


def test_key_route_without_any_login_asks_nothing(isolated_env, fake_server, claude_bin, tui):
    """claude asks about ANTHROPIC_API_KEY even with no login at all (default No -> "Not logged in");
    through our helper it asks nothing."""
    write_config(isolated_env.config_file, (
        f'claude = "{claude_bin}"\n'
        f'[profiles.work-key]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY"\n'))
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    trust_folder(isolated_env.claude_json, cwd)
    session = tui([LAUNCHER], env=claude_env(T_KEY=KEY, CLAUDE_CODE_MAX_RETRIES="0"), cwd=cwd)
    assert REPLY in converse(session)
    assert fake_server.credentials_seen() == [KEY]
