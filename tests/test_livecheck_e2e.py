"""The live check by claude itself (livecheck.py): the REAL claude, one minimal turn, on the fake server."""

from __future__ import annotations

import json
import time

import pytest

from claude_failover import cache, livecheck
from tests.fakeserver import invalid_bearer, slow
from tests.test_health_support import write_config

SUB_TOKEN = "sk-ant-oat01-FAKE-livecheck-sub"
TOK = "sk-ant-oat01-FAKE-livecheck-tok"


def login(isolated_env) -> None:
    isolated_env.claude_dir.mkdir(mode=0o700, exist_ok=True)
    store = isolated_env.claude_dir / ".credentials.json"
    store.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": SUB_TOKEN, "refreshToken": "sk-ant-ort01-FAKE-livecheck",
        "expiresAt": int((time.time() + 86400) * 1000), "scopes": ["user:inference"], "subscriptionType": "max"}}))
    store.chmod(0o600)


def setup(isolated_env, srv, claude_bin, monkeypatch, **settings):
    login(isolated_env)
    monkeypatch.setenv("LIVECHECK_TOK", TOK)
    return write_config(isolated_env, f'''
        claude = "{claude_bin}"
        order = ["sub", "tok"]
        [profiles.sub]
        type = "subscription"
        base_url = "{srv.url}"
        [profiles.tok]
        type = "oauth-token"
        base_url = "{srv.url}"
        secret_env = "LIVECHECK_TOK"''', **settings)


def messages(srv) -> list[dict]:
    return [r for r in srv.requests if r["method"] == "POST" and "/messages" in r["path"]]


@pytest.mark.e2e
def test_healthy_route_passes_with_one_minimal_request(isolated_env, fake_server, claude_bin, monkeypatch):
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch)
    result = livecheck.check(cfg, cfg.profiles["sub"])
    assert result.verdict is not None and result.verdict.state == "healthy", result
    assert result.verdict.source == "live-check" and result.exit_code == 0
    sent = messages(fake_server)
    assert len(sent) == 1 and sent[0]["credential"] == SUB_TOKEN          # the subscription's own token
    body = sent[0]["body"]
    assert "haiku" in body["model"] and body["max_tokens"] == int(livecheck.MAX_OUTPUT_TOKENS)
    assert not body.get("tools")
    assert [m for m in body["messages"] if m["role"] == "user"] == [{"role": "user", "content": "hi"}]
    print(f"live check request: model {body['model']}, max_tokens {body['max_tokens']}, "
          f"{len(json.dumps(body))} bytes, system {len(json.dumps(body.get('system')))} chars, "
          f"{len(body['messages'])} messages, {result.seconds:.2f} s")


@pytest.mark.e2e
@pytest.mark.parametrize("route, credential", [("sub", SUB_TOKEN), ("tok", TOK)])
def test_401_is_auth_invalid(isolated_env, fake_server, claude_bin, monkeypatch, route, credential):
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch)
    fake_server.behave(credential, invalid_bearer())
    result = livecheck.check(cfg, cfg.profiles[route])
    assert result.verdict is not None and result.verdict.reason == "auth-invalid", result
    assert result.verdict.status == 401 and result.verdict.source == "live-check"
    sent = [r["credential"] for r in messages(fake_server)]
    # claude's retries are off; an OAuth 401 is still tried once more (measured: 2 requests for sub)
    assert set(sent) == {credential} and len(sent) <= 2, sent
    assert "sk-ant" not in result.verdict.detail


@pytest.mark.e2e
def test_black_hole_times_out(isolated_env, fake_server, claude_bin, monkeypatch):
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch)
    fake_server.behave(SUB_TOKEN, "hang")
    result = livecheck.check(cfg, cfg.profiles["sub"], timeout=4.0)
    assert result.verdict is not None and result.verdict.reason == "timeout", result


@pytest.mark.e2e
def test_detached_returns_at_once_and_its_result_lands(isolated_env, fake_server, claude_bin, monkeypatch):
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch, cooldown=60)
    fake_server.behave(SUB_TOKEN, slow(4))        # the check's request takes 4 s to answer
    profile = cfg.profiles["sub"]

    assert livecheck.start_background(cfg, profile) is True
    # back before claude's request was even answered: nothing recorded yet
    assert livecheck.last_result("sub") is None
    assert livecheck.start_background(cfg, profile) is False          # rate-limited: once per cooldown
    assert livecheck.start_background(cfg, profile, enabled=False) is False

    deadline = time.monotonic() + 90
    while livecheck.last_result("sub") is None and time.monotonic() < deadline:
        time.sleep(0.2)
    landed = livecheck.last_result("sub")
    assert landed is not None and landed["verdict"]["state"] == "healthy", landed
    item = cache.entry(cache.read(), "sub", profile.fingerprint())
    assert cache.verdict_of(item).source == "live-check"
    assert len(messages(fake_server)) == 1


@pytest.mark.e2e
def test_detached_lock_allows_one_check_per_route(isolated_env, fake_server, claude_bin, monkeypatch):
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch, cooldown=60)
    fake_server.behave(SUB_TOKEN, slow(4))
    profile = cfg.profiles["sub"]
    assert livecheck.start_background(cfg, profile) is True
    fake_server.wait_for_requests(1, "/v1/messages", timeout=60)
    # a caller that sees no stamp (cooldown 0) still cannot start a second check while one runs
    assert livecheck.start_background(cfg, profile, cooldown=0) is True
    deadline = time.monotonic() + 90
    while livecheck.last_result("sub") is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    assert len(messages(fake_server)) == 1


def test_enabled_and_wanted(isolated_env, monkeypatch):
    cfg = write_config(isolated_env, '''
        order = ["sub", "tok", "key", "br"]
        [profiles.sub]
        type = "subscription"
        [profiles.tok]
        type = "oauth-token"
        secret_env = "T"
        [profiles.key]
        type = "api-key"
        secret_env = "K"
        [profiles.br]
        type = "bedrock"
        region = "us-east-1"''')
    sub, tok, key, br = (cfg.profiles[n] for n in ("sub", "tok", "key", "br"))
    assert livecheck.enabled(sub) and livecheck.enabled(tok)
    assert not livecheck.enabled(sub, False)                   # live_check = false
    assert not livecheck.enabled(key) and not livecheck.enabled(key, True)   # we probe it ourselves
    assert not livecheck.enabled(br) and livecheck.enabled(br, True)         # opt-in for SigV4 Bedrock
    assert livecheck.wanted(sub, in_doubt=True) and not livecheck.wanted(sub, in_doubt=False)


def test_classify_without_claude():
    assert livecheck.classify(None, b"", 30.0, 30.0).verdict.reason == "timeout"
    ok = json.dumps({"type": "result", "subtype": "success", "is_error": False, "result": "Hi"})
    passed = livecheck.classify(0, ok.encode(), 1.0, 30.0).verdict
    assert passed.state == "healthy" and passed.source == "live-check" and passed.latency_ms == 1000.0
    bad = json.dumps({"type": "result", "is_error": True, "api_error_status": 401, "terminal_reason": "api_error",
                      "result": "Failed to authenticate. API Error: 401 Invalid bearer token"})
    assert livecheck.classify(1, bad.encode(), 1.0, 30.0).verdict.reason == "auth-invalid"
    other = json.dumps({"type": "result", "is_error": True, "result": "Error: max turns reached"})
    assert livecheck.classify(1, other.encode(), 1.0, 30.0).verdict is None      # not the route's fault
    # Claude Platform on AWS answers a refused key with "Not logged in" (measured on 2.1.332): its route reads it
    refused = json.dumps({"type": "result", "is_error": True, "api_error_status": 401, "terminal_reason": "api_error",
                          "api_error_type": "authentication_error", "result": "Not logged in · Please run /login"})
    assert livecheck.classify(1, refused.encode(), 1.0, 30.0).verdict.reason == "misconfigured"
    from claude_failover import routes

    read = livecheck.classify(1, refused.encode(), 1.0, 30.0, routes.get("anthropic-aws")).verdict
    assert (read.reason, read.source) == ("auth-invalid", "live-check")


def test_missing_secret_is_not_a_verdict(isolated_env, fake_server, claude_bin, monkeypatch):
    """No secret in *this* environment says nothing about the route: nothing runs, nothing is recorded."""
    cfg = setup(isolated_env, fake_server, claude_bin, monkeypatch)
    monkeypatch.delenv("LIVECHECK_TOK")
    result = livecheck.check(cfg, cfg.profiles["tok"])
    assert result.verdict is None and result.exit_code is None and "no secret" in result.detail
    assert messages(fake_server) == []
