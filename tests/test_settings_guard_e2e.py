"""The chosen route wins over Claude Code's settings files — the launcher with the REAL claude
against the fake server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.conftest import claude_env
from tests.fakeserver import DEFAULT_REPLY
from tests.launch import failover, write_config

GOOD_GW = "FAKE-gw-token-guard-1"
GOOD_OAUTH = "sk-ant-oat01-FAKE-guard-1"
BAD_KEY = "sk-ant-api03-FAKE-settings-BAD"
BAD_BEARER = "FAKE-settings-BAD-bearer"


def config(isolated_env, claude_bin, url):
    write_config(isolated_env.config_file, f"""
claude = "{claude_bin}"
order = ["gw", "tok"]
[profiles.gw]
type = "gateway"
base_url = "{url}"
secret_env = "TEST_GUARD_GW"
[profiles.tok]
type = "oauth-token"
base_url = "{url}"
secret_env = "TEST_GUARD_OAUTH"
""")


def settings(isolated_env, data):
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps(data))


def launch(profile):
    return failover(["--failover-profile", profile, "-p", "hi"],
                    env=claude_env(TEST_GUARD_GW=GOOD_GW, TEST_GUARD_OAUTH=GOOD_OAUTH, CLAUDE_CODE_MAX_RETRIES="0"))


def assert_only(fake_server, proc, credential):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert DEFAULT_REPLY in proc.stdout
    seen = [r for r in fake_server.requests if r["path"].split("?")[0].endswith("/v1/messages")]
    assert seen
    for r in seen:
        headers = r["headers"]
        sent = {headers.get("x-api-key"), (headers.get("authorization") or "").removeprefix("Bearer ") or None} - {None}
        assert sent == {credential}, sent


@pytest.mark.e2e
@pytest.mark.parametrize("profile,credential", [("gw", GOOD_GW), ("tok", GOOD_OAUTH)])
def test_settings_env_api_key_does_not_reach_the_server(claude_bin, fake_server, isolated_env, profile, credential):
    config(isolated_env, claude_bin, fake_server.url)
    settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD_KEY}})
    proc = launch(profile)
    assert_only(fake_server, proc, credential)
    assert BAD_KEY not in fake_server.credentials_seen()


@pytest.mark.e2e
def test_settings_api_key_helper_does_not_reach_the_server(claude_bin, fake_server, isolated_env):
    config(isolated_env, claude_bin, fake_server.url)
    settings(isolated_env, {"apiKeyHelper": f"echo {BAD_KEY}"})
    assert_only(fake_server, launch("gw"), GOOD_GW)


@pytest.mark.e2e
def test_settings_env_same_variable_as_route(claude_bin, fake_server, isolated_env):
    """Settings set ANTHROPIC_AUTH_TOKEN itself: the route's token reaches claude through the
    apiKeyHelper (`printenv CLAUDE_FAILOVER_KEY`), never through argv."""
    config(isolated_env, claude_bin, fake_server.url)
    settings(isolated_env, {"env": {"ANTHROPIC_AUTH_TOKEN": BAD_BEARER, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}})
    assert_only(fake_server, launch("gw"), GOOD_GW)


@pytest.mark.e2e
def test_oauth_token_in_settings_refuses_oauth_route(claude_bin, fake_server, isolated_env):
    config(isolated_env, claude_bin, fake_server.url)
    settings(isolated_env, {"env": {"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-FAKE-settings-BAD"}})
    proc = launch("tok")
    assert proc.returncode == 78, proc.stderr
    assert "CLAUDE_CODE_OAUTH_TOKEN" in proc.stderr and "settings.json" in proc.stderr
    assert GOOD_OAUTH not in proc.stderr and "FAKE-settings-BAD" not in proc.stderr
    assert not fake_server.credentials_seen()


@pytest.mark.e2e
@pytest.mark.parametrize("args", [["plugins", "list"], ["plugin", "list"]])
def test_subcommands_and_aliases_pass_through_with_a_credential_in_settings(claude_bin, fake_server, isolated_env, args):
    """A subcommand (or alias) takes no --settings: with a credential variable in settings.json the
    launcher must not add its override (claude 2.1.332: "error: unknown option '--settings'")."""
    config(isolated_env, claude_bin, fake_server.url)
    settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD_KEY}})
    proc = failover(args, env=claude_env(TEST_GUARD_GW=GOOD_GW, TEST_GUARD_OAUTH=GOOD_OAUTH))
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert "unknown option" not in proc.stdout + proc.stderr
