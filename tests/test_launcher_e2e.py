"""The launcher end to end: the REAL claude, a fake Anthropic-compatible server on 127.0.0.1.

For each route type, `claude-failover --failover-profile NAME -p hi` must make claude send exactly
that route's credential in the right header and nothing else — also when the caller's shell holds
stale credentials of every other kind.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.conftest import claude_env
from tests.fakeserver import DEFAULT_REPLY
from tests.launch import ctl, failover, write_config

API_KEY = "sk-ant-api03-FAKE-work-1"
GW_TOKEN = "FAKE-gateway-token-1"
OAUTH_TOKEN = "sk-ant-oat01-FAKE-setup-1"
SUB_ACCESS = "sk-ant-oat01-FAKE-sub-1"
BEDROCK_KEY = "FAKE-bedrock-key-1"
FOUNDRY_KEY = "FAKE-foundry-key-1"
AWS_PLATFORM_KEY = "FAKE-aws-platform-key-1"
AWS_WORKSPACE = "wrkspc_FAKE_aws_1"
GOOGLE_WORKSPACE = "wrkspc_FAKE_google_1"
STALE_KEY = "sk-ant-api03-FAKE-STALE"
STALE = {"ANTHROPIC_API_KEY": STALE_KEY, "ANTHROPIC_AUTH_TOKEN": "FAKE-STALE-bearer",
         "CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-FAKE-STALE", "CLAUDE_CODE_USE_VERTEX": "1",
         "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
         # the newer providers' credentials and settings, and static AWS keys (SigV4 must not win over a key)
         "ANTHROPIC_AWS_API_KEY": "FAKE-STALE-aws-platform", "ANTHROPIC_AWS_WORKSPACE_ID": "wrkspc_STALE",
         "ANTHROPIC_AWS_BASE_URL": "http://127.0.0.1:9", "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "wrkspc_STALE",
         "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "http://127.0.0.1:9", "ANTHROPIC_FOUNDRY_API_KEY": "FAKE-STALE-foundry",
         "AWS_BEARER_TOKEN_BEDROCK": "FAKE-STALE-bedrock", "AWS_ACCESS_KEY_ID": "AKIAFAKESTALE",
         "AWS_SECRET_ACCESS_KEY": "FAKE-STALE-secret"}


def config_for(url: str, claude_bin: str) -> str:
    return f"""
claude = "{claude_bin}"
order = ["max", "key", "gw", "tok", "aws", "mantle", "vx", "fo", "pa", "gc"]
[profiles.max]
type = "subscription"
base_url = "{url}"
[profiles.key]
type = "api-key"
base_url = "{url}"
secret_env = "TEST_WORK_KEY"
[profiles.gw]
type = "gateway"
base_url = "{url}"
secret_env = "TEST_GW_TOKEN"
[profiles.tok]
type = "oauth-token"
base_url = "{url}"
secret_env = "TEST_OAUTH_TOKEN"
[profiles.aws]
type = "bedrock"
region = "us-east-1"
base_url = "{url}"
skip_auth = true
[profiles.mantle]
type = "mantle"
region = "us-east-1"
base_url = "{url}"
skip_auth = true
secret_env = "TEST_BEDROCK_KEY"
[profiles.vx]
type = "vertex"
project_id = "fake-project"
region = "us-east5"
base_url = "{url}/v1"
skip_auth = true
[profiles.fo]
type = "foundry"
base_url = "{url}/anthropic"
secret_env = "TEST_FOUNDRY_KEY"
[profiles.pa]
type = "anthropic-aws"
region = "us-east-1"
workspace_id = "{AWS_WORKSPACE}"
base_url = "{url}"
secret_env = "TEST_AWS_PLATFORM_KEY"
[profiles.gc]
type = "anthropic-google-cloud"
project_id = "fake-project"
region = "us-east5"
workspace_id = "{GOOGLE_WORKSPACE}"
base_url = "{url}"
skip_auth = true
"""


@pytest.fixture
def setup(isolated_env, fake_server, claude_bin):
    return prepare(isolated_env, fake_server, claude_bin)


def prepare(isolated_env, fake_server, claude_bin):
    """Config with one profile per route type, and a live subscription login (also test_oldest_claude)."""
    write_config(isolated_env.config_file, config_for(fake_server.url, claude_bin))
    creds = isolated_env.claude_dir / ".credentials.json"
    creds.parent.mkdir(parents=True, exist_ok=True)
    creds.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": SUB_ACCESS, "refreshToken": "sk-ant-ort01-FAKE-sub-1",
        "expiresAt": int((time.time() + 3600) * 1000), "scopes": ["user:inference"], "subscriptionType": "max"}}))
    creds.chmod(0o600)
    return fake_server


def launch(profile: str, **extra):
    env = claude_env(TEST_WORK_KEY=API_KEY, TEST_GW_TOKEN=GW_TOKEN, TEST_OAUTH_TOKEN=OAUTH_TOKEN,
                     TEST_BEDROCK_KEY=BEDROCK_KEY, TEST_FOUNDRY_KEY=FOUNDRY_KEY, TEST_AWS_PLATFORM_KEY=AWS_PLATFORM_KEY,
                     CLAUDE_CODE_MAX_RETRIES="0",
                     **STALE, **extra)
    proc = failover(["--failover-profile", profile, "-p", "hi"], env=env, timeout=90)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert DEFAULT_REPLY in proc.stdout
    return proc


def model_requests(srv):
    return [r for r in srv.requests if r["method"] == "POST"]


def only_credential(srv, expected: str | None):
    seen = {r["credential"] for r in model_requests(srv)}
    assert seen == {expected}, seen
    for r in srv.requests:
        for value in r["headers"].values():
            assert "STALE" not in value, r


@pytest.mark.e2e
def test_subscription_beats_a_stale_api_key_in_the_shell(setup):
    launch("max")
    only_credential(setup, SUB_ACCESS)
    (req, *_) = model_requests(setup)
    assert req["headers"]["authorization"] == f"Bearer {SUB_ACCESS}" and "x-api-key" not in req["headers"]
    assert "oauth-2025-04-20" in req["headers"].get("anthropic-beta", "")


# Measured on 2.1.332: each of these alone makes a subscription launch print "Not logged in" (exit 1).
@pytest.mark.e2e
@pytest.mark.parametrize("name,value", [("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1"), ("CLAUDE_CODE_SIMPLE", "1"),
                                        ("CLAUDE_SECURESTORAGE_CONFIG_DIR", "EMPTY_DIR")])
def test_subscription_survives_a_stale_login_switch_in_the_shell(setup, isolated_env, name, value):
    if value == "EMPTY_DIR":
        value = str(isolated_env.tmp / "stale-store")
        os.makedirs(value)
    launch("max", **{name: value, "CLAUDE_CODE_GATEWAY_TOKEN": "FAKE-STALE-gw",
                     "CLAUDE_CODE_SESSION_ACCESS_TOKEN": "FAKE-STALE-session", "ANTHROPIC_FEDERATION_RULE_ID": "STALE"})
    only_credential(setup, SUB_ACCESS)


@pytest.mark.e2e
def test_api_key_route_sends_x_api_key(setup):
    launch("key")
    only_credential(setup, API_KEY)
    req = model_requests(setup)[0]
    assert req["headers"]["x-api-key"] == API_KEY and "authorization" not in req["headers"]


@pytest.mark.e2e
def test_gateway_route_sends_bearer(setup):
    launch("gw")
    only_credential(setup, GW_TOKEN)
    req = model_requests(setup)[0]
    assert req["headers"]["authorization"] == f"Bearer {GW_TOKEN}" and "x-api-key" not in req["headers"]


@pytest.mark.e2e
def test_oauth_token_route(setup):
    launch("tok")
    only_credential(setup, OAUTH_TOKEN)
    req = model_requests(setup)[0]
    assert req["headers"]["authorization"] == f"Bearer {OAUTH_TOKEN}"
    assert "oauth-2025-04-20" in req["headers"].get("anthropic-beta", "")


@pytest.mark.e2e
def test_bedrock_route_through_its_base_url(setup):
    launch("aws")
    posts = model_requests(setup)
    assert posts and all(r["path"].startswith("/model/") for r in posts)
    assert all("x-api-key" not in r["headers"] for r in posts)
    only_credential(setup, None)


@pytest.mark.e2e
def test_mantle_route_sends_bedrock_bearer(setup):
    launch("mantle")
    posts = model_requests(setup)
    assert posts and all("/v1/messages" in r["path"] for r in posts)
    only_credential(setup, BEDROCK_KEY)


@pytest.mark.e2e
def test_vertex_route(setup):
    launch("vx")
    posts = model_requests(setup)
    assert posts and all(":streamRawPredict" in r["path"] or ":rawPredict" in r["path"] for r in posts)
    assert all("x-api-key" not in r["headers"] for r in posts)


@pytest.mark.e2e
def test_foundry_route(setup):
    launch("fo")
    posts = model_requests(setup)
    assert posts and all(r["path"].startswith("/anthropic/v1/messages") for r in posts)
    assert {r["headers"].get("x-api-key") for r in posts} == {FOUNDRY_KEY}


@pytest.mark.e2e
def test_anthropic_aws_route_sends_its_key_and_workspace(setup):
    """Claude Platform on AWS: x-api-key and anthropic-workspace-id, nothing else, though the shell holds a
    stale platform key, workspace and base URL and static AWS keys (which would sign with SigV4)."""
    launch("pa")
    posts = model_requests(setup)
    assert posts and all(r["path"].startswith("/v1/messages") for r in posts)
    for r in posts:
        assert r["headers"]["x-api-key"] == AWS_PLATFORM_KEY and "authorization" not in r["headers"]
        assert r["headers"]["anthropic-workspace-id"] == AWS_WORKSPACE
    only_credential(setup, AWS_PLATFORM_KEY)
    # our probe sends what claude sends: the same key and workspace headers, the same base
    probed = ctl(["probe", "pa"], env=claude_env(TEST_AWS_PLATFORM_KEY=AWS_PLATFORM_KEY, **STALE))
    assert probed.returncode == 0, probed.stdout + probed.stderr
    (probe,) = [r for r in setup.requests if r["method"] == "GET"]
    assert probe["path"] == "/v1/models?limit=1"
    wanted = ("x-api-key", "anthropic-workspace-id", "anthropic-version", "authorization")
    assert {k: probe["headers"].get(k) for k in wanted} == {k: posts[0]["headers"].get(k) for k in wanted}


@pytest.mark.e2e
def test_anthropic_google_cloud_route_with_auth_skipped(setup):
    """Claude Platform on Google Cloud behind a base URL with skip_auth: no credential header at all (claude
    also drops the workspace header then), though the shell holds stale credentials of every kind."""
    launch("gc")
    posts = model_requests(setup)
    assert posts and all(r["path"].startswith("/v1/messages") for r in posts)
    for r in posts:
        assert not {"x-api-key", "authorization", "anthropic-workspace-id"} & set(r["headers"]), r["headers"]
    only_credential(setup, None)


@pytest.mark.e2e
def test_secret_never_in_claude_argv_or_dry_run(setup):
    env = claude_env(TEST_WORK_KEY=API_KEY, **STALE)
    proc = failover(["--failover-profile", "key", "--failover-dry-run", "-p", "hi"], env=env)
    assert proc.returncode == 0 and API_KEY not in proc.stdout + proc.stderr
    assert "ANTHROPIC_API_KEY=****ek-1" in proc.stdout or "ANTHROPIC_API_KEY=****" in proc.stdout
    assert "unset:   ANTHROPIC_AUTH_TOKEN" in proc.stdout
    assert not setup.requests  # a dry run runs nothing


@pytest.mark.e2e
def test_keyring_secret_set_then_launch(isolated_env, fake_server, claude_bin, keyring_backend):
    write_config(isolated_env.config_file, f"""
claude = "{claude_bin}"
[profiles.work]
type = "api-key"
base_url = "{fake_server.url}"
""")
    stored = ctl(["keys", "set", "work"], input=API_KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    assert API_KEY not in stored.stdout + stored.stderr and "****rk-1" in stored.stdout
    listed = ctl(["keys", "list"])
    assert "work" in listed.stdout and "****rk-1" in listed.stdout and API_KEY not in listed.stdout
    proc = failover(["-p", "hi"], env=claude_env(ANTHROPIC_API_KEY=STALE_KEY), timeout=90)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {r["credential"] for r in model_requests(fake_server)} == {API_KEY}
    assert not any(f.name.endswith(".toml") and API_KEY in f.read_text() for f in isolated_env.tmp.rglob("*") if f.is_file() and f.suffix == ".toml")
    removed = ctl(["keys", "rm", "work"])
    assert removed.returncode == 0 and "removed" in removed.stdout
    gone = failover(["-p", "hi"], timeout=30)
    assert gone.returncode == 69 and "keys set work" in gone.stderr


@pytest.mark.e2e
def test_claude_shim_first_on_path_runs_the_real_binary(isolated_env, fake_server, claude_bin, tmp_path):
    """A `claude` symlink to claude-failover first on PATH: no loop, the real claude answers."""
    from tests.launch import LAUNCHER

    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    (shim_dir / "claude").symlink_to(LAUNCHER)
    write_config(isolated_env.config_file, f"""
[profiles.key]
type = "api-key"
base_url = "{fake_server.url}"
secret_env = "TEST_WORK_KEY"
""")
    path = os.pathsep.join([str(shim_dir), os.path.dirname(claude_bin), os.environ["PATH"]])
    from tests.launch import run

    proc = run(str(shim_dir / "claude"), ["-p", "hi"], env=claude_env(PATH=path, TEST_WORK_KEY=API_KEY), timeout=90)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert DEFAULT_REPLY in proc.stdout
    assert {r["credential"] for r in model_requests(fake_server)} == {API_KEY}


@pytest.mark.parametrize("args", [[], ["-p", "hi"]], ids=["exec", "supervised"])
def test_a_claude_that_cannot_start_is_one_error_line(isolated_env, tmp_path, args):
    """An executable whose interpreter is missing: exit 127 with a message, not an OSError traceback."""
    broken = tmp_path / "claude"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    write_config(isolated_env.config_file,
                 f'claude = "{broken}"\n[profiles.key]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    proc = failover(args, env={**os.environ, "K": "x"}, timeout=30)
    assert proc.returncode == 127 and "cannot run the real claude" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.e2e
def test_loop_is_stopped_with_a_clear_message(isolated_env, tmp_path):
    """A configured `claude` that execs claude-failover again is caught by the recursion guard."""
    from tests.launch import LAUNCHER

    sneaky = tmp_path / "sneaky-claude"
    sneaky.write_text(f"#!/bin/sh\nexec {LAUNCHER} \"$@\"\n")  # no marker: only the guard can catch it
    sneaky.chmod(0o755)
    write_config(isolated_env.config_file, f'claude = "{sneaky}"\n[profiles.key]\ntype = "api-key"\nsecret_env = "K"\n')
    proc = failover(["-p", "hi"], env=claude_env(K=API_KEY), timeout=30)
    assert proc.returncode == 1 and "loop" in proc.stderr and "Traceback" not in proc.stderr


def test_claude_started_by_an_execd_claude_is_not_a_loop(isolated_env, tmp_path):
    """The exec'd claude runs `claude` itself (a hook through `sh -c`): its child's parent is the
    exec'd pid, and that is not a loop."""
    from tests.launch import LAUNCHER

    outer = tmp_path / "claude"
    outer.write_text(f'#!/bin/sh\n{LAUNCHER} --failover-dry-run; echo "inner exit $?"\n')
    outer.chmod(0o755)
    write_config(isolated_env.config_file,
                 f'claude = "{outer}"\n[profiles.key]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    proc = failover([], env={**os.environ, "K": "x"}, timeout=30)
    assert proc.returncode == 0 and "inner exit 0" in proc.stdout, proc.stdout + proc.stderr
    assert "loop" not in proc.stderr


@pytest.mark.e2e
def test_passthrough_commands_work_with_no_route(isolated_env, claude_bin):
    """`claude --version` through the launcher works even when no route is usable."""
    write_config(isolated_env.config_file, f'claude = "{claude_bin}"\n[profiles.key]\ntype = "api-key"\nsecret_env = "NOPE"\n')
    proc = failover(["--version"])
    assert proc.returncode == 0 and "Claude Code" in proc.stdout
