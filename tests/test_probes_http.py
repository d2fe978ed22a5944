"""Probes against the fake server on loopback: every answer of the issue, per route type."""

from __future__ import annotations

import json
import time

import pytest

from claude_failover import probes, recording
from tests.fakeserver import barrier, billing, hang, html_error, rate_limited, sequence, slow
from tests.test_health_support import BAD, GOOD, write_config

pytestmark = pytest.mark.usefixtures("isolated_env")

# The deadline of probes that are expected to get their answer: the fake server answers at once,
# but on a busy 2-CPU machine "at once" has taken more than a second. Tests of the deadline itself
# set a short one and compare with a baseline measured in the same test.
PATIENT = 10.0


def api_cfg(isolated_env, srv, monkeypatch, key=GOOD, timeout=PATIENT, extra=""):
    monkeypatch.setenv("KEY", key)
    return write_config(isolated_env, f'''
        [profiles.k]
        type = "api-key"
        base_url = "{srv.url}"
        secret_env = "KEY"
        {extra}''', probe_timeout=timeout)


def probe_one(cfg, name="k", timeout=None):
    return recording.probe_routes(cfg, [name], timeout=timeout)[name]


@pytest.mark.parametrize("behaviour,state,reason,status", [
    ("ok", "healthy", None, 200),
    ("api_key_invalid", "unhealthy", "auth-invalid", 401),
    ("oauth_expired", "unhealthy", "expired", 401),
    ("invalid_bearer", "unhealthy", "auth-invalid", 401),
    ("forbidden", "unhealthy", "permission", 403),
    (billing(402), "unhealthy", "billing", 402),
    (billing(400), "unhealthy", "billing", 400),
    (rate_limited(retry_after=30), "unhealthy", "rate-limited", 429),
    ("overloaded", "unhealthy", "overloaded", 529),
    ("server_error", "unhealthy", "outage", 500),
    (html_error(502), "unhealthy", "outage", 502),
])
def test_api_key_answers(isolated_env, fake_server, monkeypatch, behaviour, state, reason, status):
    fake_server.behave(GOOD, behaviour)
    v = probe_one(api_cfg(isolated_env, fake_server, monkeypatch))
    assert (v.state, v.reason, v.status) == (state, reason, status), v
    (r, *rest) = [r for r in fake_server.requests if r["path"].startswith("/v1/models")]
    assert r["path"] == "/v1/models?limit=1" and r["method"] == "GET"
    assert r["headers"]["x-api-key"] == GOOD and r["headers"]["anthropic-version"] == "2023-06-01"
    assert "authorization" not in r["headers"]
    assert v.latency_ms is not None and v.latency_ms >= 0
    if reason == "rate-limited":
        assert v.retry_after == 30 and "retry in 30s" in v.detail


def test_transient_errors_retried_within_deadline(isolated_env, fake_server, monkeypatch):
    fake_server.behave(GOOD, sequence(["overloaded", "server_error", "ok"]))
    v = probe_one(api_cfg(isolated_env, fake_server, monkeypatch))
    assert v.state == "healthy"
    assert [r["status"] for r in fake_server.requests_for("/v1/models")] == [529, 500, 200]


def test_definite_errors_not_retried(isolated_env, fake_server, monkeypatch):
    fake_server.behave(GOOD, "api_key_invalid")
    probe_one(api_cfg(isolated_env, fake_server, monkeypatch))
    assert len(fake_server.requests_for("/v1/models")) == 1


def test_slow_answer_inside_deadline(isolated_env, fake_server, monkeypatch):
    fake_server.behave(GOOD, slow(0.3))
    v = probe_one(api_cfg(isolated_env, fake_server, monkeypatch))
    assert v.state == "healthy" and v.latency_ms >= 300


def timed_run(cfg, names=("k",)):
    """(results, seconds) of one probes.run over ``names``."""
    t = time.monotonic()
    results, _ = probes.run(cfg, [cfg.profiles[n] for n in names], dict(__import__("os").environ))
    return results, time.monotonic() - t


@pytest.mark.parametrize("behaviour", [hang(), slow(30)])
def test_never_answering_respects_deadline(isolated_env, fake_server, monkeypatch, behaviour):
    cfg = api_cfg(isolated_env, fake_server, monkeypatch, timeout=0.5)
    _, baseline = timed_run(cfg)                 # the same probe answered at once: this machine's overhead
    fake_server.behave(GOOD, behaviour)
    results, elapsed = timed_run(cfg)
    v = results["k"][0]
    assert v.state == "unhealthy" and v.reason == "timeout"
    # waiting for the answer would take 30 s (or forever); the deadline plus the overhead is ~0.5 s
    assert elapsed < 0.5 + baseline + 2.0, (elapsed, baseline)


def test_connection_refused_is_unreachable(isolated_env, monkeypatch):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    monkeypatch.setenv("KEY", GOOD)
    cfg = write_config(isolated_env, f'[profiles.k]\ntype = "api-key"\nbase_url = "http://127.0.0.1:{port}"\n'
                                     'secret_env = "KEY"\n', probe_timeout=PATIENT)
    v = probe_one(cfg)
    assert (v.state, v.reason, v.detail) == ("unhealthy", "unreachable", "connection refused")
    assert not v.definite


def test_missing_secret_is_misconfigured(isolated_env, fake_server, monkeypatch):
    cfg = api_cfg(isolated_env, fake_server, monkeypatch)
    monkeypatch.delenv("KEY")
    v = probe_one(cfg)
    assert v.reason == "misconfigured" and "$KEY" in v.detail
    assert not fake_server.requests


def test_probe_false_makes_no_request(isolated_env, fake_server, monkeypatch):
    cfg = api_cfg(isolated_env, fake_server, monkeypatch, extra="probe = false")
    v = probe_one(cfg)
    assert v.state == "healthy" and v.source == "local" and "probe = false" in v.detail
    assert not fake_server.requests


@pytest.mark.parametrize("auth,header,value", [
    ("bearer", "authorization", "Bearer fake-gateway-token"),
    ("x-api-key", "x-api-key", "fake-gateway-token"),
])
def test_gateway_auth_modes_and_probe_path(isolated_env, fake_server, monkeypatch, auth, header, value):
    monkeypatch.setenv("GW", "fake-gateway-token")
    cfg = write_config(isolated_env, f'''
        [profiles.gw]
        type = "gateway"
        base_url = "{fake_server.url}"
        auth = "{auth}"
        probe_path = "/v1/models?limit=2"
        secret_env = "GW"
        headers = {{ "x-team" = "blue" }}''', probe_timeout=PATIENT)
    v = probe_one(cfg, "gw")
    assert v.state == "healthy"
    (r,) = fake_server.requests
    assert r["path"] == "/v1/models?limit=2" and r["headers"][header] == value and r["headers"]["x-team"] == "blue"


def test_gateway_wrong_probe_path_is_misconfigured(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("GW", "fake-gateway-token")
    cfg = write_config(isolated_env, f'[profiles.gw]\ntype = "gateway"\nbase_url = "{fake_server.url}"\n'
                                     'probe_path = "/nope"\nsecret_env = "GW"\n', probe_timeout=PATIENT)
    v = probe_one(cfg, "gw")
    assert v.reason == "misconfigured" and v.status == 404


def test_mantle_bearer_probe(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("BR", "FAKE-bedrock-api-key")
    cfg = write_config(isolated_env, f'[profiles.m]\ntype = "mantle"\nregion = "us-east-1"\n'
                                     f'base_url = "{fake_server.url}"\nsecret_env = "BR"\n', probe_timeout=PATIENT)
    fake_server.behave("FAKE-bedrock-api-key", "forbidden")
    v = probe_one(cfg, "m")
    assert v.reason == "permission"
    (r,) = fake_server.requests
    assert r["path"] == "/v1/models" and r["headers"]["authorization"] == "Bearer FAKE-bedrock-api-key"


def test_bedrock_probe_with_gateway_base_url(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("BR", "FAKE-bedrock-api-key")
    cfg = write_config(isolated_env, f'[profiles.b]\ntype = "bedrock"\nregion = "us-east-1"\n'
                                     f'base_url = "{fake_server.url}"\nsecret_env = "BR"\n', probe_timeout=PATIENT)
    fake_server.behave("FAKE-bedrock-api-key", rate_limited(retry_after=5), path_prefix="/inference-profiles")
    v = probe_one(cfg, "b")
    assert v.reason == "rate-limited" and v.retry_after == 5


def test_bedrock_aws_profile_local_check(isolated_env, monkeypatch):
    cfg = write_config(isolated_env, '[profiles.b]\ntype = "bedrock"\nregion = "us-east-1"\naws_profile = "work"\n',
                       probe_timeout=PATIENT)
    v = probe_one(cfg, "b")
    assert v.reason == "misconfigured" and "'work'" in v.detail
    aws = isolated_env.home / ".aws"
    aws.mkdir()
    (aws / "config").write_text("[profile work]\nregion = us-east-1\n")
    v = probe_one(cfg, "b")
    assert v.state == "healthy" and v.source == "local"


def test_foundry_key_probe(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("FK", "FAKE-foundry-key")
    cfg = write_config(isolated_env, f'[profiles.f]\ntype = "foundry"\nbase_url = "{fake_server.url}/anthropic"\n'
                                     'secret_env = "FK"\n', probe_timeout=PATIENT)
    fake_server.behave("FAKE-foundry-key", "api_key_invalid")
    v = probe_one(cfg, "f")
    assert v.reason == "auth-invalid"
    assert fake_server.requests[0]["path"] == "/anthropic/v1/models?limit=1"


@pytest.mark.parametrize("behaviour,state,reason", [
    ("ok", "healthy", None), ("api_key_invalid", "unhealthy", "auth-invalid"),
    ("forbidden", "unhealthy", "permission"), ("overloaded", "unhealthy", "overloaded"),
])
def test_anthropic_aws_key_probe(isolated_env, fake_server, monkeypatch, behaviour, state, reason):
    """The request claude sends to Claude Platform on AWS, as a model list: x-api-key + anthropic-workspace-id."""
    monkeypatch.setenv("PK", "FAKE-aws-platform-key")
    cfg = write_config(isolated_env, f'[profiles.pa]\ntype = "anthropic-aws"\nregion = "us-east-1"\n'
                                     f'workspace_id = "wrkspc_P"\nbase_url = "{fake_server.url}"\nsecret_env = "PK"\n',
                       probe_timeout=10.0)
    fake_server.behave("FAKE-aws-platform-key", behaviour)
    v = probe_one(cfg, "pa")
    assert (v.state, v.reason) == (state, reason), v
    r = fake_server.requests[0]   # an overload is retried inside the deadline
    assert r["method"] == "GET" and r["path"] == "/v1/models?limit=1"
    assert r["headers"]["x-api-key"] == "FAKE-aws-platform-key" and r["headers"]["anthropic-workspace-id"] == "wrkspc_P"
    assert r["headers"]["anthropic-version"] == "2023-06-01" and "authorization" not in r["headers"]


def test_anthropic_aws_probe_without_a_model_list_leaves_the_key_unverified(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("PK", "FAKE-aws-platform-key")
    cfg = write_config(isolated_env, f'[profiles.pa]\ntype = "anthropic-aws"\nregion = "us-east-1"\n'
                                     f'workspace_id = "w"\nbase_url = "{fake_server.url}"\nsecret_env = "PK"\n',
                       probe_timeout=10.0)
    from tests.fakeserver import error

    fake_server.behave("FAKE-aws-platform-key", error(404, "not_found_error", "no such path"))
    v = probe_one(cfg, "pa")
    assert v.state == "healthy" and v.source == "local" and "not verified" in v.detail


def test_anthropic_aws_sigv4_and_google_cloud_are_local_only(isolated_env, fake_server):
    cfg = write_config(isolated_env, f'[profiles.pa]\ntype = "anthropic-aws"\nregion = "us-east-1"\nworkspace_id = "w"\n'
                                     f'base_url = "{fake_server.url}"\n'
                                     f'[profiles.gc]\ntype = "anthropic-google-cloud"\nworkspace_id = "w"\n'
                                     f'base_url = "{fake_server.url}"\nskip_auth = true\n', probe_timeout=1.0)
    assert probe_one(cfg, "gc").source == "local" and probe_one(cfg, "pa").source == "local"
    assert not fake_server.requests


def test_vertex_local_only(isolated_env, fake_server):
    cfg = write_config(isolated_env, f'[profiles.v]\ntype = "vertex"\nproject_id = "p"\nregion = "us-east5"\n'
                                     f'base_url = "{fake_server.url}/v1"\nskip_auth = true\n', probe_timeout=PATIENT)
    v = probe_one(cfg, "v")
    assert v.state == "healthy" and v.source == "local" and not fake_server.requests


# --- subscription and oauth-token: the token is never sent ----------------------------------------

def write_login(claude_dir, expires_in=3600, refresh=True, refresh_expires_in=None, raw=None):
    claude_dir.mkdir(parents=True, exist_ok=True)
    f = claude_dir / ".credentials.json"
    oauth = {"accessToken": "sk-ant-oat01-FAKE-sub", "expiresAt": int((time.time() + expires_in) * 1000),
             "scopes": ["user:inference"], "subscriptionType": "max"}
    if refresh:
        oauth["refreshToken"] = "sk-ant-ort01-FAKE-sub"
    if refresh_expires_in is not None:
        oauth["refreshTokenExpiresAt"] = int((time.time() + refresh_expires_in) * 1000)
    f.write_text(raw if raw is not None else json.dumps({"claudeAiOauth": oauth}))
    f.chmod(0o600)
    return f


def sub_cfg(isolated_env, srv):
    return write_config(isolated_env, '[profiles.max]\ntype = "subscription"\n', probe_timeout=PATIENT,
                        status_url=f"{srv.url}/api/v2/summary.json")


@pytest.mark.parametrize("login,state,reason", [
    (dict(), "healthy", None),
    (dict(expires_in=-60), "healthy", None),                                # claude refreshes it
    (dict(expires_in=-60, refresh=False), "unhealthy", "expired"),
    (dict(expires_in=-60, refresh_expires_in=-10), "unhealthy", "expired"),
    (dict(raw='{"claudeAiOauth": {"accessToken": '), "unhealthy", "misconfigured"),
])
def test_subscription_login_states(isolated_env, fake_server, login, state, reason):
    write_login(isolated_env.claude_dir, **login)
    v = probe_one(sub_cfg(isolated_env, fake_server), "max")
    assert (v.state, v.reason) == (state, reason), v
    if reason == "misconfigured":
        assert "remove it and run `claude auth login`" in v.detail
    assert all(r["path"] == "/api/v2/summary.json" for r in fake_server.requests)
    assert all(r["credential"] is None for r in fake_server.requests)


def test_subscription_status_page_outage(isolated_env, fake_server):
    write_login(isolated_env.claude_dir)
    fake_server.set_status("major", {"Claude Code": "major_outage", "claude.ai": "operational"},
                           [{"name": "Elevated OAuth errors"}])
    v = probe_one(sub_cfg(isolated_env, fake_server), "max")
    assert v.state == "unhealthy" and v.reason == "outage" and "Elevated OAuth errors" in v.detail
    fake_server.set_status("minor", {"Claude Code": "degraded_performance"})
    assert probe_one(sub_cfg(isolated_env, fake_server), "max").state == "degraded"


def test_status_page_unreachable_says_nothing(isolated_env, fake_server):
    write_login(isolated_env.claude_dir)
    cfg = write_config(isolated_env, '[profiles.max]\ntype = "subscription"\n', probe_timeout=1.0,
                       status_url=f"{fake_server.url}/api/v2/summary.json?baseline")
    t = time.monotonic()
    assert probe_one(cfg, "max").state == "healthy"  # a page that answers: this machine's overhead
    baseline = time.monotonic() - t
    fake_server.behave("*", hang(), path_prefix="/api/v2/summary.json")
    cfg = write_config(isolated_env, '[profiles.max]\ntype = "subscription"\n', probe_timeout=1.0,
                       status_url=f"{fake_server.url}/api/v2/summary.json")
    t = time.monotonic()
    v = probe_one(cfg, "max")
    elapsed = time.monotonic() - t
    # the page is given up a little before the deadline, so the route does not time out; waiting
    # for the page would never end
    assert v.state == "healthy", v
    assert elapsed < 1.0 + baseline + 2.0, (elapsed, baseline)


def test_oauth_token_never_sent(isolated_env, fake_server, monkeypatch):
    monkeypatch.setenv("OT", "sk-ant-oat01-FAKE-setup-token")
    cfg = write_config(isolated_env, f'[profiles.ot]\ntype = "oauth-token"\nbase_url = "{fake_server.url}"\n'
                                     'secret_env = "OT"\n', probe_timeout=PATIENT,
                       status_url=f"{fake_server.url}/api/v2/summary.json")
    v = probe_one(cfg, "ot")
    assert v.state == "healthy"
    assert [r["path"] for r in fake_server.requests] == ["/api/v2/summary.json"]
    assert all(r["credential"] is None and "FAKE-setup" not in json.dumps(r["headers"]) for r in fake_server.requests)
    monkeypatch.setenv("OT", "not-a-setup-token")
    assert probe_one(cfg, "ot").state == "degraded"


def test_status_page_fetched_once_and_cached(isolated_env, fake_server):
    write_login(isolated_env.claude_dir)
    write_login(isolated_env.tmp / "other")
    cfg = write_config(isolated_env, f'''
        [profiles.a]
        type = "subscription"
        [profiles.b]
        type = "subscription"
        config_dir = "{isolated_env.tmp / 'other'}"''', probe_timeout=PATIENT,
                       status_url=f"{fake_server.url}/api/v2/summary.json")
    from tests.test_health_support import decide
    decide(cfg)
    assert len(fake_server.requests) == 1
    from claude_failover import cache
    assert f"{fake_server.url}/api/v2/summary.json" in cache.read()["status_pages"]


def five_routes(isolated_env, srv, monkeypatch, behaviour, timeout):
    names = [f"r{i}" for i in range(5)]
    body = 'order = [' + ", ".join(f'"{n}"' for n in names) + ']\n'
    for n in names:
        monkeypatch.setenv(f"K_{n}", f"sk-ant-api03-FAKE-{n}")
        srv.behave(f"sk-ant-api03-FAKE-{n}", behaviour)  # one behaviour object shared by all five
        body += f'[profiles.{n}]\ntype = "api-key"\nbase_url = "{srv.url}"\nsecret_env = "K_{n}"\n'
    return write_config(isolated_env, body, probe_timeout=timeout), names


def test_parallel_probes_share_one_deadline(isolated_env, fake_server, monkeypatch):
    # in parallel: the server answers none of the five until all five are waiting for it (one at a
    # time, the first would wait alone until the deadline)
    cfg, names = five_routes(isolated_env, fake_server, monkeypatch, barrier(5), PATIENT)
    results, _ = timed_run(cfg, names)
    assert [results[n][0].state for n in names] == ["healthy"] * 5, results
    # one deadline for all: five black holes cost one deadline, not five
    fake_server.reset_behaviours()
    cfg, names = five_routes(isolated_env, fake_server, monkeypatch, hang(), 1.0)
    results, elapsed = timed_run(cfg, names)
    assert [results[n][0].reason for n in names] == ["timeout"] * 5
    assert elapsed < 5 * 1.0, elapsed
