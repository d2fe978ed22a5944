"""ctl status / probe / report / pin / unpin on the health cache."""

from __future__ import annotations

import io
import json
import time

import pytest

from claude_failover import cache
from claude_failover.ctl import main
from tests.test_health_support import BAD, route, three_keys


def ctl(capsys, *args, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_probe_and_status_json(isolated_env, fake_server, monkeypatch, capsys):
    three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    code, out, _ = ctl(capsys, "probe")
    assert code == 0 and "→ b" in out and "invalid API key (401)" in out
    code, out, _ = ctl(capsys, "status", "--json")
    data = json.loads(out)
    assert data["version"] == 1 and data["would_launch"] == "b" and data["preferred"] == "a"
    a, b, c = data["routes"]
    assert (a["name"], a["state"], a["reason"], a["status"], a["failures"]) == ("a", "unhealthy", "auth-invalid", 401, 1)
    assert a["cooldown_s"] > 0 and b["fresh"] and b["latency_ms"] >= 0 and c["state"] == "healthy"
    assert set(a) >= {"line", "detail", "age_s", "checked_at", "source", "needs_probe", "summary", "type"}


def test_probe_named_and_exit_69(isolated_env, fake_server, monkeypatch, capsys):
    three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    code, _, err = ctl(capsys, "probe", "a")
    assert code == 69 and "a: invalid API key (401)" in err
    assert [r["credential"] for r in fake_server.requests] == [BAD]
    code, _, err = ctl(capsys, "probe", "nope")
    assert code == 64 and "no profile named 'nope'" in err


def test_probe_notify(isolated_env, fake_server, monkeypatch, capsys):
    from claude_failover import notify
    seen = []
    monkeypatch.setattr(notify, "route_changed", lambda *a, cfg=None: seen.append(a))
    three_keys(isolated_env, fake_server, monkeypatch)
    cache.update(lambda d: d.__setitem__("last", {"profile": "a"}))
    fake_server.behave(BAD, "api_key_invalid")
    assert ctl(capsys, "probe", "--notify")[0] == 0
    assert seen == [("a", "b", "a", "a: invalid API key (401)")]
    assert cache.read()["last"]["profile"] == "b"
    assert ctl(capsys, "probe", "--notify")[0] == 0 and len(seen) == 1  # no change, no notification


def test_report_and_from_hook(isolated_env, fake_server, monkeypatch, capsys):
    three_keys(isolated_env, fake_server, monkeypatch)
    code, out, _ = ctl(capsys, "report", "b", "--reason", "billing", "--detail", "card declined", "--status", "402")
    assert code == 0 and "card declined (402)" in out
    assert route("b")["verdict"]["source"] == "report" and route("b")["failures"] == 1
    monkeypatch.setenv("CLAUDE_FAILOVER_ACTIVE", "a")
    hook = {"hook_event_name": "StopFailure", "session_id": "s", "error": "authentication_failed"}
    assert ctl(capsys, "report", "--from-hook", stdin=json.dumps(hook), monkeypatch=monkeypatch)[0] == 0
    assert route("a")["verdict"]["reason"] == "auth-invalid" and route("a")["verdict"]["source"] == "run"
    for ignored in ("invalid_request", "max_output_tokens", "unknown", "something_new"):
        hook["error"] = ignored
        assert ctl(capsys, "report", "--from-hook", stdin=json.dumps(hook), monkeypatch=monkeypatch)[0] == 0
    assert route("a")["failures"] == 1
    code, _, err = ctl(capsys, "report", "--from-hook", stdin="not json", monkeypatch=monkeypatch)
    assert code == 64 and "not JSON" in err
    monkeypatch.delenv("CLAUDE_FAILOVER_ACTIVE")
    hook["error"] = "rate_limit"
    code, _, err = ctl(capsys, "report", "--from-hook", stdin=json.dumps(hook), monkeypatch=monkeypatch)
    assert code == 0 and "CLAUDE_FAILOVER_ACTIVE is not set" in err
    assert ctl(capsys, "report", "a", "--reason", "bogus")[0] == 64
    assert ctl(capsys, "report", "a")[0] == 64


@pytest.mark.parametrize("error,reason", [
    ("billing_error", "billing"), ("rate_limit", "rate-limited"), ("overloaded", "overloaded"),
    ("server_error", "outage"), ("oauth_org_not_allowed", "permission"), ("account_on_hold", "permission"),
    ("verification_required", "permission"), ("cloud_credential_error", "auth-invalid"),
    ("model_not_found", "misconfigured"),
])
def test_hook_error_mapping(isolated_env, fake_server, monkeypatch, capsys, error, reason):
    three_keys(isolated_env, fake_server, monkeypatch)
    monkeypatch.setenv("CLAUDE_FAILOVER_ACTIVE", "c")
    assert ctl(capsys, "report", "--from-hook", stdin=json.dumps({"error": error}), monkeypatch=monkeypatch)[0] == 0
    assert route("c")["verdict"]["reason"] == reason


def test_pin_unpin(isolated_env, fake_server, monkeypatch, capsys):
    three_keys(isolated_env, fake_server, monkeypatch)
    code, out, _ = ctl(capsys, "pin", "c", "--for", "2h")
    assert code == 0 and "pinned c until" in out
    pin = cache.read()["pin"]
    assert pin["profile"] == "c" and 7190 < pin["until"] - time.time() <= 7200
    code, out, _ = ctl(capsys, "status")
    assert "a launch now would take: c (pinned)" in out
    assert ctl(capsys, "pin", "c", "--for", "soon")[0] == 64
    assert ctl(capsys, "pin", "zzz")[0] == 64
    code, out, _ = ctl(capsys, "unpin")
    assert code == 0 and "unpinned c" in out and cache.read()["pin"] is None
    assert ctl(capsys, "pin", "b")[0] == 0 and cache.read()["pin"]["until"] is None
