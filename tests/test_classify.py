"""classify(): HTTP status + Anthropic error body + retry-after -> verdict; the status page parser."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

import pytest

from claude_failover import statuspage
from claude_failover.classify import classify, is_transient, parse_retry_after


def body(etype: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_x"}).encode()


@pytest.mark.parametrize("status,payload,state,reason,detail", [
    (200, b'{"data": []}', "healthy", None, ""),
    (401, body("authentication_error", "invalid x-api-key"), "unhealthy", "auth-invalid", "invalid API key"),
    (401, body("authentication_error", "OAuth token has expired. Please obtain a new token or refresh your existing token."),
     "unhealthy", "expired", "expired OAuth login"),
    (401, body("authentication_error", "Invalid bearer token"), "unhealthy", "auth-invalid", "invalid bearer token"),
    (401, body("authentication_error", "OAuth token revoked"), "unhealthy", "auth-invalid", "OAuth token revoked"),
    (401, b"", "unhealthy", "auth-invalid", "invalid credentials"),
    (403, body("permission_error", "no"), "unhealthy", "permission", "permission denied"),
    (402, body("billing_error", "Your credit balance is too low"), "unhealthy", "billing", None),
    (400, body("billing_error", "Your credit balance is too low"), "unhealthy", "billing", None),
    (400, body("invalid_request_error", "Your credit balance is too low to access the API"), "unhealthy", "billing", None),
    (400, body("invalid_request_error", "This credential is only authorized for use with Claude Code"),
     "unhealthy", "permission", "this credential works only inside Claude Code"),
    (402, b"", "unhealthy", "billing", None),
    (404, body("not_found_error", "Not found"), "unhealthy", "misconfigured", None),
    (429, body("rate_limit_error", "slow down"), "unhealthy", "rate-limited", "rate limited"),
    (500, body("api_error", "Internal server error"), "unhealthy", "outage", "server error"),
    (503, b"", "unhealthy", "overloaded", None),
    (529, body("overloaded_error", "Overloaded"), "unhealthy", "overloaded", "overloaded"),
    (302, b"", "unhealthy", "misconfigured", None),
    (418, b"", "unhealthy", "unknown", "unexpected HTTP 418"),
])
def test_status_and_body(status, payload, state, reason, detail):
    v = classify(status, payload)
    assert (v.state, v.reason, v.status) == (state, reason, status)
    if detail is not None:
        assert v.detail == detail


def test_server_message_is_never_quoted():
    v = classify(401, body("authentication_error", "key sk-ant-api03-FAKE-echoed is wrong"))
    assert "FAKE-echoed" not in v.detail and "FAKE-echoed" not in v.line()


@pytest.mark.parametrize("status", [502, 503, 504, 500])
def test_html_error_pages(status):
    page = f"<!DOCTYPE html><html><head><title>{status}</title></head><body>oops</body></html>"
    v = classify(status, page, {"content-type": "text/html; charset=utf-8"})
    assert v.state == "unhealthy" and v.reason in ("outage", "overloaded", "timeout")
    assert "HTML error page" in v.detail and "<" not in v.detail


def test_html_page_with_200_is_not_the_api():
    v = classify(200, "<html><body>Welcome to the hotel wifi</body></html>")
    assert v.state == "unhealthy" and v.reason == "unreachable" and "HTML" in v.detail


def test_bedrock_error_header():
    v = classify(403, b'{"message": "denied"}', {"x-amzn-errortype": "AccessDeniedException:http://internal"})
    assert v.reason == "permission"
    assert classify(400, b'{"message":"x"}', {"x-amzn-ErrorType": "ExpiredTokenException"}).reason == "expired"


def test_retry_after_seconds_and_line():
    v = classify(429, body("rate_limit_error", "x"), {"retry-after": "30"})
    assert v.retry_after == 30.0 and v.line() == "rate limited (retry in 30s) (429)"


def test_retry_after_forms():
    now = time.time()
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    date = formatdate(now + 120, usegmt=True)
    assert 100 < parse_retry_after({"retry-after": date}, now=now) <= 121
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-3"}) is None
    assert parse_retry_after({}) is None


def test_transient():
    assert is_transient(classify(529, body("overloaded_error", "x")))
    assert is_transient(classify(500, b""))
    assert not is_transient(classify(401, b""))
    assert not is_transient(classify(429, b""))
    assert not is_transient(classify(200, b"{}"))


# --- status page ------------------------------------------------------------------------------

def summary(components: dict[str, str], indicator="none", incidents=()):
    comps = [{"id": f"c{i}", "name": n, "status": s} for i, (n, s) in enumerate(components.items())]
    return {"status": {"indicator": indicator}, "components": comps, "incidents": list(incidents)}


OPERATIONAL = {"Claude Code": "operational", "claude.ai": "operational", "Claude API (api.anthropic.com)": "operational"}


def test_statuspage_operational():
    v = statuspage.parse(json.dumps(summary(OPERATIONAL)))
    assert v.state == "healthy" and v.source == "status-page"


@pytest.mark.parametrize("status,state,reason", [
    ("degraded_performance", "degraded", "overloaded"),
    ("partial_outage", "degraded", "outage"),
    ("under_maintenance", "degraded", "outage"),
    ("major_outage", "unhealthy", "outage"),
])
def test_statuspage_component_states(status, state, reason):
    v = statuspage.parse(summary({**OPERATIONAL, "Claude Code": status}))
    assert (v.state, v.reason) == (state, reason)
    assert "Claude Code" in v.detail


def test_statuspage_worst_component_and_incident():
    doc = summary({**OPERATIONAL, "claude.ai": "partial_outage", "Claude API (api.anthropic.com)": "major_outage"},
                  incidents=[{"name": "Elevated errors on OAuth", "status": "investigating", "components": [{"id": "c1"}]}])
    v = statuspage.parse(doc)
    assert v.state == "unhealthy" and "Claude API" in v.detail and "Elevated errors on OAuth" in v.detail


def test_statuspage_open_incident_only_warns():
    doc = summary(OPERATIONAL, incidents=[{"name": "Login issues", "status": "identified", "components": []}])
    assert statuspage.parse(doc).state == "degraded"
    resolved = summary(OPERATIONAL, incidents=[{"name": "Old", "status": "resolved"}])
    assert statuspage.parse(resolved).state == "healthy"
    other = summary({**OPERATIONAL, "Console": "operational"},
                    incidents=[{"name": "Console slow", "status": "investigating", "components": [{"id": "c3"}]}])
    assert statuspage.parse(other).state == "healthy"


def test_statuspage_indicator_fallback_and_garbage():
    assert statuspage.parse(summary({}, indicator="critical")).state == "unhealthy"
    assert statuspage.parse(summary({}, indicator="minor")).state == "degraded"
    assert statuspage.parse("<html>nope</html>") is None
    assert statuspage.parse("[1, 2]") is None
    assert statuspage.parse(summary({}, indicator="weird")) is None
