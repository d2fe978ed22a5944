"""The child environment: every competing credential removed, exactly the route's added."""

from __future__ import annotations

from claude_failover import config, environment
from claude_failover.credvars import CREDENTIAL_VARS

PROFILES = """
order = ["sub", "key", "gw", "tok", "br", "ma", "vx", "fo"]
[profiles.sub]
type = "subscription"
config_dir = "/accounts/work"
[profiles.key]
type = "api-key"
model = "claude-opus-4-1"
[profiles.gw]
type = "gateway"
base_url = "https://llm.example.com"
headers = { X-Team = "infra" }
[profiles.tok]
type = "oauth-token"
[profiles.br]
type = "bedrock"
region = "us-east-1"
aws_profile = "claude"
skip_auth = true
base_url = "http://127.0.0.1:1"
[profiles.ma]
type = "mantle"
region = "us-west-2"
secret = "keyring"
[profiles.vx]
type = "vertex"
project_id = "proj"
region = "us-east5"
[profiles.fo]
type = "foundry"
resource = "res"
secret = "keyring"
[profiles.fo.env]
ANTHROPIC_BASE_URL = "http://127.0.0.1:2"
"""
CFG = config.parse(PROFILES)
STALE = {name: "stale" for name in CREDENTIAL_VARS} | {"PATH": "/usr/bin", "AWS_ACCESS_KEY_ID": "AKIDSTALE",
                                                      "CLAUDE_CONFIG_DIR": "/old"}


def build(name, secret=None, base=STALE):
    return environment.build(CFG.profiles[name], secret, dict(base), preferred="sub", pid=42)


def test_subscription_scrubs_a_stale_api_key():
    child = build("sub")
    assert "ANTHROPIC_API_KEY" not in child.env and "ANTHROPIC_AUTH_TOKEN" not in child.env
    assert child.env["CLAUDE_CONFIG_DIR"] == "/accounts/work"
    assert child.env["PATH"] == "/usr/bin"
    assert child.env["CLAUDE_FAILOVER_ACTIVE"] == "sub" and child.env["CLAUDE_FAILOVER_PID"] == "42"
    assert not any(child.env.get(v) == "stale" for v in CREDENTIAL_VARS)


def test_every_route_leaves_no_stale_credential():
    for name in CFG.order:
        child = build(name, secret="s3cret-value-1234")
        assert not any(child.env.get(v) == "stale" for v in CREDENTIAL_VARS), name


def test_api_key_and_model():
    child = build("key", "s3cret-value-1234")
    assert child.set["ANTHROPIC_API_KEY"] == "s3cret-value-1234"
    assert child.env["ANTHROPIC_MODEL"] == "claude-opus-4-1"
    assert "ANTHROPIC_API_KEY" in child.secret_vars
    assert dict(child.display())["ANTHROPIC_API_KEY"] == "****1234"
    assert dict(child.display(reveal=True))["ANTHROPIC_API_KEY"] == "s3cret-value-1234"


def test_gateway_bearer_and_headers():
    child = build("gw", "tok-123456789012")
    assert child.env["ANTHROPIC_BASE_URL"] == "https://llm.example.com"
    assert child.env["ANTHROPIC_AUTH_TOKEN"] == "tok-123456789012"
    assert "ANTHROPIC_API_KEY" not in child.env
    assert child.env["ANTHROPIC_CUSTOM_HEADERS"] == "X-Team: infra"


def test_oauth_token():
    child = build("tok", "oat-secret-9999")
    assert child.env["CLAUDE_CODE_OAUTH_TOKEN"] == "oat-secret-9999"
    assert "ANTHROPIC_API_KEY" not in child.env


def test_bedrock_profile_removes_static_aws_keys():
    child = build("br")
    assert child.env["CLAUDE_CODE_USE_BEDROCK"] == "1" and child.env["AWS_REGION"] == "us-east-1"
    assert child.env["AWS_PROFILE"] == "claude" and "AWS_ACCESS_KEY_ID" not in child.env
    assert child.env["CLAUDE_CODE_SKIP_BEDROCK_AUTH"] == "1"
    assert child.env["ANTHROPIC_BEDROCK_BASE_URL"] == "http://127.0.0.1:1"


def test_mantle_with_bearer_token():
    child = build("ma", "bedrock-api-key-0001")
    assert child.env["CLAUDE_CODE_USE_MANTLE"] == "1"
    assert child.env["AWS_BEARER_TOKEN_BEDROCK"] == "bedrock-api-key-0001"
    assert "AWS_BEARER_TOKEN_BEDROCK" in child.secret_vars


def test_vertex():
    child = build("vx")
    assert child.env["CLAUDE_CODE_USE_VERTEX"] == "1"
    assert child.env["ANTHROPIC_VERTEX_PROJECT_ID"] == "proj" and child.env["CLOUD_ML_REGION"] == "us-east5"


def test_env_table_applied_last_after_scrub():
    child = build("fo", "foundry-key-00001")
    assert child.env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:2"
    assert child.env["ANTHROPIC_FOUNDRY_API_KEY"] == "foundry-key-00001"


def test_config_dir_kept_when_route_does_not_set_one():
    child = build("key", "k" * 20)
    assert child.env["CLAUDE_CONFIG_DIR"] == "/old"


def test_unset_lists_only_removed_caller_vars():
    child = build("key", "k" * 20, base={"ANTHROPIC_AUTH_TOKEN": "x", "PATH": "/bin"})
    assert child.unset == ["ANTHROPIC_AUTH_TOKEN"]
