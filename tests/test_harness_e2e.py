"""Proves the harness itself with the REAL claude (no claude_failover code): every auth route reaches the
fake server with the expected header, the fake's error behaviours reach claude, and the keyring fixture
is a working Secret Service."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import CLAUDE_VERSION, claude_env, run_claude
from tests.fakeserver import (DEFAULT_REPLY, FakeServer, after_tool, decode_event_stream, hang, html_error,
                              invalid_bearer, ok, rate_limited, sequence, slow, tool_use)

# Obviously fake tokens: short, with a FAKE marker, never matching sk-ant-(api|oat|ort)NN-[A-Za-z0-9_-]{40,}.
API_KEY = "sk-ant-api03-FAKE-test-key"
AUTH_TOKEN = "fake-gateway-token"
OAUTH_TOKEN = "sk-ant-oat01-FAKE-setup-token"
SUB_ACCESS = "sk-ant-oat01-FAKE-sub-access"
SUB_REFRESH = "sk-ant-ort01-FAKE-sub-refresh"
BEDROCK_KEY = "FAKE-bedrock-api-key"
FOUNDRY_KEY = "FAKE-foundry-key"

OAUTH_BETA = "oauth-2025-04-20"


def messages(srv: FakeServer) -> list[dict]:
    return [r for r in srv.requests if r["method"] == "POST" and r["path"].split("?")[0].endswith("/v1/messages")]


def assert_ok(proc: subprocess.CompletedProcess, text: str = DEFAULT_REPLY) -> None:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert text in proc.stdout


def common_headers(r: dict) -> None:
    assert r["headers"].get("anthropic-version") == "2023-06-01"
    assert r["headers"].get("x-app") == "cli"
    assert r["headers"].get("user-agent", "").startswith(f"claude-cli/{CLAUDE_VERSION} ")


# ---------------------------------------------------------------------------------------------------
# first-party routes
# ---------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_api_key_sends_x_api_key(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(ANTHROPIC_API_KEY=API_KEY, ANTHROPIC_BASE_URL=fake_server.url))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["path"] == "/v1/messages?beta=true"
    assert r["headers"]["x-api-key"] == API_KEY and "authorization" not in r["headers"]
    assert r["body"]["stream"] is True
    common_headers(r)
    assert fake_server.credentials_seen() == [API_KEY]


@pytest.mark.e2e
def test_auth_token_sends_bearer(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"],
                   claude_env(ANTHROPIC_AUTH_TOKEN=AUTH_TOKEN, ANTHROPIC_BASE_URL=fake_server.url))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["headers"]["authorization"] == f"Bearer {AUTH_TOKEN}" and "x-api-key" not in r["headers"]
    assert OAUTH_BETA not in r["headers"].get("anthropic-beta", "")
    assert r["credential"] == AUTH_TOKEN


@pytest.mark.e2e
def test_oauth_token_sends_bearer_and_oauth_beta(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"],
                   claude_env(CLAUDE_CODE_OAUTH_TOKEN=OAUTH_TOKEN, ANTHROPIC_BASE_URL=fake_server.url))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["headers"]["authorization"] == f"Bearer {OAUTH_TOKEN}"
    assert OAUTH_BETA in r["headers"]["anthropic-beta"].split(",")


def write_subscription(claude_dir, access=SUB_ACCESS, expires_in_s=3600):
    claude_dir.mkdir(parents=True, exist_ok=True)
    f = claude_dir / ".credentials.json"
    f.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": access, "refreshToken": SUB_REFRESH,
        "expiresAt": int((time.time() + expires_in_s) * 1000),
        "scopes": ["user:inference", "user:profile"], "subscriptionType": "max"}}))
    f.chmod(0o600)
    return f


@pytest.mark.e2e
def test_subscription_credentials_file(claude_bin, fake_server, isolated_env):
    creds = write_subscription(isolated_env.claude_dir)
    before = creds.read_text()
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(ANTHROPIC_BASE_URL=fake_server.url))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["headers"]["authorization"] == f"Bearer {SUB_ACCESS}"
    assert OAUTH_BETA in r["headers"]["anthropic-beta"].split(",")
    assert json.loads(creds.read_text()) == json.loads(before), "claude must not rewrite a valid login"


@pytest.mark.e2e
def test_stale_api_key_beats_subscription(claude_bin, fake_server, isolated_env):
    """Pitfall 1 of the facts file, reproduced with the harness."""
    write_subscription(isolated_env.claude_dir)
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(ANTHROPIC_API_KEY=API_KEY, ANTHROPIC_BASE_URL=fake_server.url))
    assert_ok(p)
    assert fake_server.credentials_seen() == [API_KEY]


# ---------------------------------------------------------------------------------------------------
# cloud routes
# ---------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_bedrock_skip_auth_event_stream(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_BASE_URL=fake_server.url,
        CLAUDE_CODE_SKIP_BEDROCK_AUTH="1"))
    assert_ok(p)
    paths = [r["path"] for r in fake_server.requests]
    assert any(x.startswith("/inference-profiles") for x in paths), paths
    streams = [r for r in fake_server.requests if r["path"].endswith("/invoke-with-response-stream")]
    assert len(streams) == 1 and streams[0]["path"].startswith("/model/")
    assert streams[0]["credential"] is None
    assert not messages(fake_server)


@pytest.mark.e2e
def test_bedrock_api_key_bearer(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_BASE_URL=fake_server.url,
        AWS_BEARER_TOKEN_BEDROCK=BEDROCK_KEY))
    assert_ok(p)
    assert fake_server.credentials_seen() == [BEDROCK_KEY]
    bedrock = fake_server.requests_for("/model/")
    assert bedrock[-1]["path"].endswith("/invoke-with-response-stream")
    assert all(r["headers"]["authorization"] == f"Bearer {BEDROCK_KEY}" for r in bedrock)


@pytest.mark.e2e
def test_mantle_skip_auth(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_MANTLE="1", AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_MANTLE_BASE_URL=fake_server.url,
        CLAUDE_CODE_SKIP_MANTLE_AUTH="1"))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["path"] == "/v1/messages?beta=true" and r["credential"] is None
    assert r["body"]["model"].startswith("anthropic.")


@pytest.mark.e2e
def test_mantle_bearer_token(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_MANTLE="1", AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_MANTLE_BASE_URL=fake_server.url,
        AWS_BEARER_TOKEN_BEDROCK=BEDROCK_KEY))
    assert_ok(p)
    msgs = messages(fake_server)
    assert msgs and all(r["headers"]["authorization"] == f"Bearer {BEDROCK_KEY}" for r in msgs)
    assert msgs[-1]["body"]["stream"] is True


@pytest.mark.e2e
def test_vertex_skip_auth(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_VERTEX="1", CLOUD_ML_REGION="us-east5", ANTHROPIC_VERTEX_PROJECT_ID="fake-proj",
        ANTHROPIC_VERTEX_BASE_URL=fake_server.url + "/v1", CLAUDE_CODE_SKIP_VERTEX_AUTH="1"))
    assert_ok(p)
    (r,) = [r for r in fake_server.requests if r["method"] == "POST"]
    assert r["path"].startswith("/v1/projects/fake-proj/locations/us-east5/publishers/anthropic/models/")
    assert r["path"].endswith(":streamRawPredict")
    assert r["credential"] is None


@pytest.mark.e2e
def test_foundry_api_key(claude_bin, fake_server):
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_FOUNDRY="1", ANTHROPIC_FOUNDRY_BASE_URL=fake_server.url + "/anthropic",
        ANTHROPIC_FOUNDRY_API_KEY=FOUNDRY_KEY))
    assert_ok(p)
    (r,) = messages(fake_server)
    assert r["path"] == "/anthropic/v1/messages?beta=true"
    assert r["headers"]["x-api-key"] == FOUNDRY_KEY


# ---------------------------------------------------------------------------------------------------
# behaviours seen through the real claude
# ---------------------------------------------------------------------------------------------------
def api_env(srv, **extra):
    return claude_env(**{"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": srv.url,
                         "CLAUDE_CODE_MAX_RETRIES": "0", **extra})


@pytest.mark.e2e
def test_invalid_api_key_fails_fast(claude_bin, fake_server):
    fake_server.behave(API_KEY, "api_key_invalid")
    p = run_claude(claude_bin, ["-p", "hi"], api_env(fake_server))
    assert p.returncode == 1 and "Invalid API key" in p.stdout
    assert len(fake_server.requests_for("/v1/messages")) == 1  # fast: asked once, no retries


@pytest.mark.e2e
def test_oauth_expired_json_output(claude_bin, fake_server):
    fake_server.behave(OAUTH_TOKEN, "oauth_expired")
    p = run_claude(claude_bin, ["-p", "hi", "--output-format", "json"], claude_env(
        CLAUDE_CODE_OAUTH_TOKEN=OAUTH_TOKEN, ANTHROPIC_BASE_URL=fake_server.url, CLAUDE_CODE_MAX_RETRIES="0"))
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert out["is_error"] is True and out["api_error_status"] == 401
    assert "OAuth token has expired" in out["result"]


@pytest.mark.e2e
@pytest.mark.parametrize("behaviour,needle", [
    ("billing", "Credit balance is too low"),
    (rate_limited(retry_after=1), "429"),
    (html_error(502), "502"),
])
def test_error_behaviours_reach_claude(claude_bin, fake_server, behaviour, needle):
    fake_server.default_behaviour = behaviour
    p = run_claude(claude_bin, ["-p", "hi"], api_env(fake_server))
    assert p.returncode == 1 and needle in p.stdout, p.stdout


@pytest.mark.e2e
def test_sequence_recovers_with_one_retry(claude_bin, fake_server):
    fake_server.behave(API_KEY, sequence(["overloaded", ok("second time lucky")]))
    p = run_claude(claude_bin, ["-p", "hi"], api_env(fake_server, CLAUDE_CODE_MAX_RETRIES="1"))
    assert_ok(p, "second time lucky")
    assert [r["status"] for r in messages(fake_server)] == [529, 200]


@pytest.mark.e2e
def test_after_tool_runs_the_tool_once_then_answers(claude_bin, fake_server, isolated_env):
    """after_tool: the agent asks for one Bash call, claude runs it, the answer comes with its result."""
    log = isolated_env.home / "work.log"
    fake_server.behave(API_KEY, after_tool(tool_use("Bash", {"command": f"echo x >> {log}"}), ok("done")))
    p = run_claude(claude_bin, ["-p", "do it", "--allowedTools", "Bash"], api_env(fake_server))
    assert_ok(p, "done")
    assert log.read_text() == "x\n"
    assert [r["behaviour"] for r in messages(fake_server)] == ["tool_use", "ok"]


@pytest.mark.e2e
def test_after_tool_route_dies_after_the_tool_call(claude_bin, fake_server, isolated_env):
    log = isolated_env.home / "work.log"
    fake_server.behave(API_KEY, after_tool(tool_use("Bash", {"command": f"echo x >> {log}"}), invalid_bearer()))
    p = run_claude(claude_bin, ["-p", "do it", "--allowedTools", "Bash"],
                   api_env(fake_server, CLAUDE_CODE_MAX_RETRIES="0"))
    assert p.returncode == 1 and log.read_text() == "x\n"
    assert [r["status"] for r in messages(fake_server)][:2] == [200, 401]


@pytest.mark.e2e
def test_bedrock_error_is_reported(claude_bin, fake_server):
    fake_server.default_behaviour = rate_limited(retry_after=1)
    p = run_claude(claude_bin, ["-p", "hi"], claude_env(
        CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_BASE_URL=fake_server.url,
        CLAUDE_CODE_SKIP_BEDROCK_AUTH="1", CLAUDE_CODE_MAX_RETRIES="0"))
    assert p.returncode == 1 and "429" in p.stdout


# ---------------------------------------------------------------------------------------------------
# fake server on its own (no claude)
# ---------------------------------------------------------------------------------------------------
def http(url, method="GET", body=None, headers=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json",
                                                                         **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_models_and_per_path_override(fake_server):
    st, _, body = http(fake_server.url + "/v1/models?limit=1", headers={"x-api-key": "good"})
    assert st == 200 and json.loads(body)["data"][0]["id"] == "claude-sonnet-4-5"
    fake_server.behave("bad", "api_key_invalid")
    st, _, body = http(fake_server.url + "/v1/models?limit=1", headers={"x-api-key": "bad"})
    assert st == 401 and json.loads(body)["error"]["type"] == "authentication_error"
    fake_server.behave("*", slow(0.3), path_prefix="/v1/models")
    t = time.monotonic()
    st, _, _ = http(fake_server.url + "/v1/models?limit=1", headers={"authorization": "Bearer good"})
    assert st == 200 and time.monotonic() - t >= 0.3
    st, _, _ = http(fake_server.url + "/v1/models?limit=1", headers={"x-api-key": "bad"})
    assert st == 200  # path rule beats the credential rule
    st, _, body = http(fake_server.url + "/v1/messages", "POST", {"model": "x", "messages": []},
                       headers={"x-api-key": "bad"})
    assert st == 401
    assert fake_server.credentials_seen() == ["good", "bad"]


def test_sse_order_and_status_page(fake_server):
    st, h, body = http(fake_server.url + "/v1/messages?beta=true", "POST", {"model": "m", "stream": True})
    events = [line.split(": ", 1)[1] for line in body.decode().splitlines() if line.startswith("event: ")]
    assert events == ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
                      "message_delta", "message_stop"]
    fake_server.set_status("major", {"Claude Code": "major_outage"}, [{"name": "Elevated errors"}])
    st, _, body = http(fake_server.url + "/api/v2/summary.json")
    s = json.loads(body)
    assert s["status"]["indicator"] == "major" and s["components"][0]["status"] == "major_outage"
    assert s["incidents"][0]["name"] == "Elevated errors"
    assert http(fake_server.url + "/api/claude_code/policy_limits")[0] == 200


def test_bedrock_event_stream_framing(fake_server):
    st, h, body = http(fake_server.url + "/model/us.anthropic.claude-x/invoke-with-response-stream", "POST",
                       {"max_tokens": 10})
    assert st == 200 and h["content-type"] == "application/vnd.amazon.eventstream"
    import base64
    msgs = decode_event_stream(body)
    assert all(hd == {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
               for hd, _ in msgs)
    types = [json.loads(base64.b64decode(json.loads(p)["bytes"]))["type"] for _, p in msgs]
    assert types[0] == "message_start" and types[-1] == "message_stop"


def test_hang_released_by_stop():
    srv = FakeServer().start()
    srv.default_behaviour = hang()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    srv.wait_for_requests(1)
    s.settimeout(0.3)
    with pytest.raises(socket.timeout):
        s.recv(1)
    srv.stop()
    s.settimeout(5)
    assert s.recv(1) == b""  # closed (within the 5 s timeout, not when the hang would end), without an answer
    s.close()


def test_standalone_module_prints_url(tmp_path):
    import sys
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakeserver", "--port", "0"], cwd=repo,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert http(url + "/v1/models")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------
# keyring
# ---------------------------------------------------------------------------------------------------
def test_keyring_round_trip(keyring_backend, isolated_env):
    import keyring
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring
    assert isinstance(keyring.get_keyring(), SecretServiceKeyring)
    keyring.set_password("claude-failover-test", "route-a", "FAKE-secret-1")
    assert keyring.get_password("claude-failover-test", "route-a") == "FAKE-secret-1"
    # the same item through libsecret's CLI, as another process on the private bus
    env = claude_env(**keyring_backend.env)
    out = subprocess.run(["secret-tool", "lookup", "service", "claude-failover-test", "username", "route-a"],
                         env=env, capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and out.stdout == "FAKE-secret-1"
    subprocess.run(["secret-tool", "store", "--label=t", "service", "cli-test", "username", "u"],
                   input="FAKE-secret-2", env=env, check=True, timeout=10, text=True)
    assert keyring.get_password("cli-test", "u") == "FAKE-secret-2"
    # stored under the test's keyring dir, never the real one
    assert (keyring_backend.data_dir / "keyrings" / "login.keyring").exists()
    assert str(keyring_backend.data_dir).startswith(str(isolated_env.tmp.parent))


def test_keyring_is_empty_per_test(keyring_backend):
    import keyring
    assert keyring.get_password("claude-failover-test", "route-a") is None
