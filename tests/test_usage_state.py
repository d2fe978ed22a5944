"""usage_state.py (plan windows, limits, spend ledger), spend.py (max_spend / switch_at /
wait_for_reset, periods) and `ctl statusline` recording what claude's statusline input reports."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import datetime

import pytest

from claude_failover import limits, spend, usage_state
from tests.launch import ctl


def ts(*args) -> float:
    return datetime(*args).timestamp()   # local (UTC under the fixture)


# --- spend.py -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [("20/day", (20.0, "day")), ("200/month", (200.0, "month")),
                                           ("5/week", (5.0, "week")), (" $7.5 / Day ", (7.5, "day")),
                                           ("10 USD/monthly", (10.0, "month")), ("0/day", (0.0, "day"))])
def test_parse_max_spend(text, expected):
    assert spend.parse_max_spend(text) == expected


@pytest.mark.parametrize("text", ["20", "twenty/day", "20/year", "-5/day", "inf/day", 20, None, "/day"])
def test_parse_max_spend_rejects(text):
    with pytest.raises(ValueError, match="max_spend"):
        spend.parse_max_spend(text)


def test_parse_switch_at():
    assert spend.parse_switch_at(90) == 90 and spend.parse_switch_at("85%") == 85 and spend.parse_switch_at(100) == 100
    for bad in (0, 101, "x", True, None):
        with pytest.raises(ValueError, match="switch_at"):
            spend.parse_switch_at(bad)


def test_parse_wait_for_reset():
    assert spend.parse_wait_for_reset("30m") == 1800
    assert spend.parse_wait_for_reset("1h30m") == 5400
    assert spend.parse_wait_for_reset("2h") == 7200 and spend.parse_wait_for_reset("90s") == 90
    assert spend.parse_wait_for_reset(600) == 600 and spend.parse_wait_for_reset("0") == 0
    for bad in ("soon", "8d", -1, "", True, "1x"):
        with pytest.raises(ValueError, match="wait_for_reset"):
            spend.parse_wait_for_reset(bad)


def test_periods(utc):
    now = ts(2026, 11, 30, 15, 0)   # a Monday
    assert spend.period_end("day", now) == ts(2026, 12, 1)
    assert spend.period_end("week", now) == ts(2026, 12, 7)
    assert spend.period_end("week", ts(2026, 12, 6, 23)) == ts(2026, 12, 7)
    assert spend.period_end("month", now) == ts(2026, 12, 1)
    assert spend.period_end("month", ts(2026, 12, 31, 23)) == ts(2027, 1, 1)
    days = {"2026-11-29": 3.0, "2026-11-30": 2.0, "2026-11-01": 10.0, "2026-10-31": 50.0}
    assert spend.spent_in(days, "day", now) == 2.0
    assert spend.spent_in(days, "week", now) == 2.0
    assert spend.spent_in(days, "month", now) == 15.0
    assert spend.over_cap(days, (15.0, "month"), now) == (True, 15.0, ts(2026, 12, 1))
    assert spend.over_cap(days, (20.0, "day"), now)[0] is False


# --- the ledger -----------------------------------------------------------------------------------
def payload(session="s1", usd=None, five=None, seven=None):
    data = {"session_id": session, "model": {"display_name": "Opus"}}
    if usd is not None:
        data["cost"] = {"total_cost_usd": usd, "total_duration_ms": 1}
    if five or seven:
        data["rate_limits"] = {k: {"used_percentage": v[0], "resets_at": v[1]}
                               for k, v in (("five_hour", five), ("seven_day", seven)) if v}
    return data


def test_statusline_spend_is_counted_once_per_session(utc, isolated_env):
    now = ts(2026, 11, 30, 9)
    assert usage_state.record_statusline("key", payload("s1", 0.5), now)
    assert not usage_state.record_statusline("key", payload("s1", 0.5), now + 1)   # unchanged: no write
    assert usage_state.record_statusline("key", payload("s1", 1.25), now + 2)
    assert usage_state.record_statusline("key", payload("s2", 0.25), now + 3)
    assert usage_state.record_statusline("key", payload("s1", 2.0), ts(2026, 12, 1, 1))  # next day
    assert usage_state.spend_days("key") == {"2026-11-30": pytest.approx(1.5), "2026-12-01": pytest.approx(0.75)}
    assert usage_state.over_cap("key", (2.0, "day"), ts(2026, 12, 1, 2)) == (False, pytest.approx(0.75),
                                                                           ts(2026, 12, 2))
    assert usage_state.over_cap("key", (2.0, "week"), ts(2026, 12, 1, 2))[0] is True


def test_run_costs_add_up(utc, isolated_env):
    now = ts(2026, 11, 30, 9)
    assert usage_state.record_run_cost("key", "sess", 0.4, now)
    assert usage_state.record_run_cost("key", "sess", 0.4, now + 5)    # a resumed run costs again
    assert not usage_state.record_run_cost("key", "sess", 0, now)
    assert not usage_state.record_run_cost("key", "sess", "1", now)
    assert usage_state.spend_days("key") == {"2026-11-30": pytest.approx(0.8)}


def test_windows_recorded_and_dropped_after_their_reset(isolated_env):
    now = time.time()
    assert usage_state.record_statusline("max", payload(five=(42, now + 3600), seven=(91.5, now + 86400)), now)
    assert not usage_state.record_statusline("max", payload(five=(42, now + 3600), seven=(91.5, now + 86400)), now)
    assert usage_state.windows_of("max", now) == {"five_hour": {"used_percentage": 42.0, "resets_at": now + 3600},
                                                  "seven_day": {"used_percentage": 91.5, "resets_at": now + 86400}}
    assert list(usage_state.windows_of("max", now + 7200)) == ["seven_day"]
    assert usage_state.over_switch_at("max", 90, now) == ("seven_day", {"used_percentage": 91.5,
                                                                        "resets_at": now + 86400})
    assert usage_state.over_switch_at("max", 95, now) is None
    assert usage_state.over_switch_at("max", 100, now) is None


def test_limit_recorded_until_its_reset(isolated_env):
    now = time.time()
    text = limits.Limit("five_hour", now + 7260, "5-hour limit · resets 9:48am (UTC)", source="text")
    exact = limits.Limit("five_hour", now + 7230, "5-hour limit", exact=True, source="stream")
    assert usage_state.record_limit("max", text, now) == now + 7260
    assert usage_state.record_limit("max", exact, now) == now + 7230          # the exact reset wins
    assert usage_state.record_limit("max", text, now) == now + 7230          # and stays
    before = (usage_state.state_path(), os.stat(usage_state.state_path()).st_mtime_ns)
    time.sleep(0.02)
    usage_state.record_limit("max", exact, now + 5)                          # reported again: no write
    assert os.stat(before[0]).st_mtime_ns == before[1]
    assert usage_state.limit_of("max", now)[0].exact
    assert usage_state.limit_of("max", now + 7231) is None
    unknown = limits.Limit("usage")
    assert usage_state.record_limit("other", unknown, now) == now + limits.UNKNOWN_RESET_WAIT
    assert usage_state.clear_limit("max") and usage_state.limit_of("max", now) is None


def test_file_is_private_and_a_corrupt_one_starts_afresh(isolated_env):
    usage_state.record_statusline("key", payload("s1", 0.5))
    path = isolated_env.state_dir / "usage.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated_env.state_dir.stat().st_mode) == 0o700
    path.write_text("{ broken")
    assert usage_state.read() == usage_state.empty()
    assert usage_state.record_statusline("key", payload("s1", 0.5))


@pytest.fixture
def unwritable_state(isolated_env, tmp_path, monkeypatch):
    """A state dir that cannot be created (its parent is a file): fails even for root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("CLAUDE_FAILOVER_STATE_DIR", str(blocker / "state"))
    return blocker / "state"


def test_unwritable_state_dir_is_not_an_error(unwritable_state):
    assert usage_state.record_statusline("key", payload("s1", 0.5)) is False
    assert usage_state.record_run_cost("key", "s", 1.0) is False
    assert usage_state.read() == usage_state.empty()


def test_bad_statusline_input_records_nothing(isolated_env):
    for bad in ({}, {"rate_limits": "x"}, {"cost": {"total_cost_usd": "1"}, "session_id": "s"},
                {"rate_limits": {"five_hour": {"used_percentage": True}}}, []):
        usage_state.record_statusline("key", bad)
    assert not (isolated_env.state_dir / "usage.json").exists() or usage_state.spend_days("key") == {}
    assert usage_state.record_statusline(None, payload("s", 1.0)) is False


# --- ctl statusline ---------------------------------------------------------------------------------
def test_statusline_records_and_shows_the_active_window(isolated_env):
    reset = int(time.time()) + 3600
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    data = json.dumps(payload("s1", 0.0, five=(42.4, reset), seven=(12, reset + 86400)))
    p = ctl(["statusline", "--no-color"], env=env, input=data)
    assert p.returncode == 0 and p.stdout == "Opus · route: max · 5h 42%\n", p.stdout + p.stderr
    path = isolated_env.state_dir / "usage.json"
    first = path.stat().st_mtime_ns
    assert usage_state.windows_of("max")["five_hour"] == {"used_percentage": 42.4, "resets_at": reset}
    time.sleep(0.02)
    assert ctl(["statusline", "--no-color"], env=env, input=data).returncode == 0
    assert path.stat().st_mtime_ns == first, "an unchanged statusline input rewrote the file"


def test_statusline_records_fallback_spend(isolated_env):
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="key", CLAUDE_FAILOVER_PREFERRED="max")
    p = ctl(["statusline", "--no-color", "--no-model"], env=env, input=json.dumps(payload("s9", 0.75)))
    assert p.stdout == "route: key ⚠ fallback (max)\n"
    assert sum(usage_state.spend_days("key").values()) == pytest.approx(0.75)


def test_statusline_survives_an_unwritable_state_dir(unwritable_state):
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    p = ctl(["statusline", "--no-color"], env=env,
            input=json.dumps(payload("s1", 0.5, five=(10, int(time.time()) + 60))))
    assert p.returncode == 0 and p.stdout == "Opus · route: max · 5h 10%\n" and p.stderr == ""


# --- words for the chooser and ctl status -------------------------------------------------------------
def test_summary_and_words(utc, isolated_env):
    now = ts(2026, 11, 30, 8)
    usage_state.record_statusline("max", payload("s1", 0.0, five=(92, ts(2026, 11, 30, 9, 48)),
                                                  seven=(17, ts(2026, 12, 3, 7))), now)
    usage_state.record_statusline("key", payload("s2", 3.2), now)
    assert usage_state.switch_words("max", 90, now) == "5-hour window at 92% (switch_at 90%)"
    assert usage_state.switch_words("max", 95, now) is None
    item = usage_state.summary("max", now=now)
    assert usage_state.summary_words(item) == "5h 92% (resets 09:48) · 7d 17% (resets Thu 07:00)"
    key = usage_state.summary("key", (20.0, "day"), now)
    assert key["spend"] == {"usd": 3.2, "period": "day", "cap": 20.0, "period_end": ts(2026, 12, 1), "over": False}
    assert usage_state.summary_words(key) == "$3.20 of $20/day"
    usage_state.record_limit("max", limits.Limit("five_hour", ts(2026, 11, 30, 9, 49), "5-hour limit"), now)
    assert usage_state.summary_words(usage_state.summary("max", now=now)).startswith(
        "at its 5-hour limit until 09:49 · 5h 92%")
    assert usage_state.summary("nothing", now=now) == {"windows": {}, "limit": None, "spend": None}
    assert limits.Limit("five_hour").back_words("max") == "max is back: 5-hour limit reset"
