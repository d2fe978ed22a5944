"""Usage limits wired into the decision (unit level, no claude): config keys, admission holds
(limit, switch_at, max_spend), the chooser in both modes, the return after a reset (history +
notification words), `ctl status` and `ctl history`, the supervisor's accounting and wait target."""

from __future__ import annotations

import json
import time

import pytest

from claude_failover import admission, argv, chooser, history, limits, route_change, usage_state
from claude_failover.config import parse
from claude_failover.errors import ConfigError
from claude_failover.verdict import healthy
from tests.launch import ctl, write_config

CONFIG = '''order = ["max", "work-key"]
[profiles.max]
type = "subscription"
switch_at = 90
wait_for_reset = "10m"
[profiles.work-key]
type = "api-key"
secret_env = "WK"
max_spend = "20/day"
'''


def fresh_cache(cfg, now):
    """A health cache where every route is healthy and fresh (so only usage decides)."""
    routes = {n: {"fingerprint": p.fingerprint(), "verdict": healthy(source="probe", checked_at=now).to_dict(),
                  "failures": 0} for n, p in cfg.profiles.items()}
    return {"version": 1, "routes": routes, "pin": None, "last": None}


# --- config -----------------------------------------------------------------------------------------
def test_config_keys_are_parsed():
    cfg = parse(CONFIG)
    assert cfg.profiles["max"].switch_at == 90 and cfg.profiles["max"].wait_for_reset == 600
    assert cfg.profiles["work-key"].max_spend == (20.0, "day")
    assert cfg.profiles["work-key"].switch_at == 100 and cfg.profiles["work-key"].wait_for_reset == 0


@pytest.mark.parametrize("line,words,where", [
    ('switch_at = 90', "switch_at is for plan routes", "x.toml:4:1"),
    ('max_spend = "20/year"', "max_spend: the period must be day, week or month", "x.toml:4:1"),
    ('max_spend = 20', "'max_spend' must be", "x.toml:4:1"),
    ('wait_for_reset = "soon"', "wait_for_reset: expected a duration", "x.toml:4:1"),
])
def test_config_errors_are_located(line, words, where):
    with pytest.raises(ConfigError) as caught:
        parse(f'[profiles.k]\ntype = "api-key"\nsecret_env = "K"\n{line}\n', "x.toml")
    assert words in caught.value.render() and where in caught.value.render()


def test_switch_at_range_is_checked():
    with pytest.raises(ConfigError) as caught:
        parse('[profiles.m]\ntype = "subscription"\nswitch_at = 0\n', "x.toml")
    assert "x.toml:3:1" in caught.value.render() and "1 to 100" in caught.value.render()


# --- admission ----------------------------------------------------------------------------------------
def test_limit_holds_until_the_reset_then_the_route_returns(isolated_env):
    cfg, now = parse(CONFIG), time.time()
    usage_state.record_limit("max", limits.Limit("five_hour", now + 600, "5-hour limit · resets 9:48am (UTC)"), now)
    usage = usage_state.read()
    states = {s.name: s for s in admission.plan(cfg, fresh_cache(cfg, now), {"WK": "k"}, now=now, usage=usage)}
    assert states["max"].kind == admission.HELD and states["max"].until == pytest.approx(now + 600)
    assert states["max"].hold.line().startswith("5-hour limit · resets 9:48am (UTC) (until ")
    prediction = chooser.predict(cfg, {"WK": "k"}, data=fresh_cache(cfg, now), now=now, usage=usage)
    assert prediction.decision.profile.name == "work-key"
    assert "max: 5-hour limit" in prediction.decision.notice()
    later = now + 601
    prediction = chooser.predict(cfg, {"WK": "k"}, data=fresh_cache(cfg, later), now=later, usage=usage)
    assert prediction.decision.profile.name == "max"


def test_a_healthy_probe_does_not_lift_a_limit(isolated_env):
    """The status page says all is well; the account's limit still holds (no bouncing back)."""
    cfg, now = parse(CONFIG), time.time()
    usage_state.record_limit("max", limits.Limit("five_hour", None, "5-hour limit"), now)
    state = admission.plan(cfg, fresh_cache(cfg, now), {}, now=now, usage=usage_state.read())[0]
    assert state.kind == admission.HELD
    assert state.until == pytest.approx(now + limits.UNKNOWN_RESET_WAIT)   # no reset: a re-checked hour


def test_switch_at_holds_while_the_window_is_past_it(isolated_env):
    cfg, now = parse(CONFIG), time.time()
    usage_state.record_statusline("max", {"rate_limits": {"five_hour": {"used_percentage": 92, "resets_at": now + 900}}})
    state = admission.plan(cfg, fresh_cache(cfg, now), {}, now=now, usage=usage_state.read())[0]
    assert state.kind == admission.HELD and state.until == pytest.approx(now + 900)
    assert state.hold.line().startswith("5-hour window at 92% (switch_at 90%); until ")
    usage_state.record_statusline("max", {"rate_limits": {"five_hour": {"used_percentage": 89, "resets_at": now + 900}}})
    assert admission.plan(cfg, fresh_cache(cfg, now), {}, now=now, usage=usage_state.read())[0].kind == admission.FRESH


def test_max_spend_holds_until_the_period_ends(isolated_env):
    cfg, now = parse(CONFIG.replace('"max", "work-key"', '"work-key", "max"')), time.time()
    usage_state.record_run_cost("work-key", "s1", 12.5, now)
    states = admission.plan(cfg, fresh_cache(cfg, now), {"WK": "k"}, now=now, usage=usage_state.read())
    assert states[0].kind == admission.FRESH
    usage_state.record_run_cost("work-key", "s2", 8.0, now)
    held = admission.plan(cfg, fresh_cache(cfg, now), {"WK": "k"}, now=now, usage=usage_state.read())[0]
    assert held.kind == admission.HELD and held.hold.reason == "spend-cap"
    assert held.hold.line().startswith("spent $20.50 of its $20/day (max_spend); until ")
    prediction = chooser.predict(cfg, {"WK": "k"}, data=fresh_cache(cfg, now), now=now, usage=usage_state.read())
    assert prediction.decision.profile.name == "max"


def test_every_route_held_is_exit_69_with_the_reasons(isolated_env):
    cfg, now = parse(CONFIG), time.time()
    usage_state.record_limit("max", limits.Limit("five_hour", now + 600, "5-hour limit"), now)
    usage_state.record_run_cost("work-key", "s", 25.0, now)
    prediction = chooser.predict(cfg, {"WK": "k"}, data=fresh_cache(cfg, now), now=now, usage=usage_state.read())
    assert prediction.decision is None and prediction.error.exit_code == 69
    assert "5-hour limit" in prediction.error.message and "max_spend" in prediction.error.message


# --- the switch: last record, history, the words of a return ---------------------------------------------
def test_choosing_a_route_again_after_its_reset_says_it_is_back(isolated_env, monkeypatch):
    cfg, now = parse(CONFIG), time.time()
    sent = []
    monkeypatch.setattr(route_change, "notify_change", lambda *a, **k: sent.append(a))
    usage_state.record_limit("max", limits.Limit("five_hour", now - 1, "5-hour limit"), now - 100)
    data = fresh_cache(cfg, now)
    data["last"] = {"profile": "work-key", "preferred": "max", "fallback": True, "at": now - 50, "reason": "x"}
    from claude_failover import cache

    cache.update(lambda d: d.update(data))
    decision = chooser.choose(cfg, {"WK": "k"}, argv.split([]))
    assert decision.profile.name == "max"
    assert sent and sent[-1][:2] == ("work-key", "max") and sent[-1][3] == "max is back: 5-hour limit reset"
    assert usage_state.limit_record("max", usage_state.read()) is None     # cleared
    (entry,) = history.read()
    assert entry["kind"] == "back" and entry["why"] == "max is back: 5-hour limit reset"
    assert cache.read()["last"]["reason"] == "max is back: 5-hour limit reset"


def test_a_fallback_for_a_limit_is_in_the_history_with_the_retry_time(isolated_env, monkeypatch):
    cfg, now = parse(CONFIG), time.time()
    monkeypatch.setattr(route_change, "notify_change", lambda *a, **k: None)
    usage_state.record_limit("max", limits.Limit("five_hour", now + 3600, "5-hour limit · resets 9:48am (UTC)"), now)
    from claude_failover import cache

    data = fresh_cache(cfg, now)
    data["last"] = {"profile": "max", "preferred": "max", "fallback": False, "at": now - 50, "reason": "x"}
    cache.update(lambda d: d.update(data))
    assert chooser.choose(cfg, {"WK": "k"}, argv.split([])).profile.name == "work-key"
    (entry,) = history.read()
    assert entry["from"] == "max" and entry["to"] == "work-key" and entry["kind"] == "fallback"
    assert entry["why"].startswith("max: 5-hour limit · resets 9:48am (UTC)")
    assert entry["until"] == pytest.approx(now + 3600, abs=2)
    # the same decision again: no second line
    assert chooser.choose(cfg, {"WK": "k"}, argv.split([])).profile.name == "work-key"
    assert len(history.read()) == 1


def test_notification_words_for_a_return():
    from claude_failover import notify

    title, body = notify.message("work-key", "max", "max", "max is back: 5-hour limit reset")
    assert title == "Claude back on max" and body == "max is back: 5-hour limit reset (was on work-key)"
    assert notify.message("k", "max", "max", "preferred route healthy again")[1].startswith("the preferred route")


# --- supervisor accounting, wait target --------------------------------------------------------------
def test_account_records_limit_cost_windows_and_clears_on_success(isolated_env):
    from claude_failover.supervise import usage
    from claude_failover.supervise.child import Attempt
    from claude_failover.verdict import unhealthy

    cfg, now = parse(CONFIG), time.time()
    limit = limits.Limit("five_hour", now + 300, "5-hour limit", exact=True, source="stream")
    failed = Attempt(1, b"", unhealthy("rate-limited", "5-hour limit"), "sid", False, limit, 0.25,
                     {"five_hour": {"used_percentage": 100.0, "resets_at": now + 300}})
    assert usage.account(cfg.profiles["max"], failed, now) == pytest.approx(now + 300)
    state = usage_state.read()
    assert usage_state.limit_record("max", state)["until"] == pytest.approx(now + 300)
    assert usage_state.windows_of("max", now)["five_hour"]["used_percentage"] == 100.0
    assert sum(usage_state.spend_days("max").values()) == pytest.approx(0.25)
    usage.account(cfg.profiles["max"], Attempt(0, b"", None, "sid2", False), now)
    assert usage_state.limit_record("max", usage_state.read()) is None


def test_wait_target_only_when_the_alternative_is_paid_and_the_reset_is_close(isolated_env):
    from claude_failover.supervise import usage

    cfg, now = parse(CONFIG), time.time()
    usage_state.record_limit("max", limits.Limit("five_hour", now + 300, "5-hour limit"), now)
    target = usage.wait_target(cfg, cfg.profiles["work-key"], now=now)
    assert target[0] == "max" and target[2] == pytest.approx(now + 300)
    assert usage.wait_target(cfg, cfg.profiles["max"], now=now) is None            # a plan costs nothing more
    usage_state.clear_limit("max")
    usage_state.record_limit("max", limits.Limit("five_hour", now + 3600, "5-hour limit"), now)
    assert usage.wait_target(cfg, cfg.profiles["work-key"], now=now) is None       # 1 h > wait_for_reset 10m


# --- show it --------------------------------------------------------------------------------------------
def test_ctl_status_shows_usage_holds_and_spend(isolated_env):
    write_config(isolated_env.config_file, CONFIG)
    now = time.time()
    usage_state.record_statusline("max", {"rate_limits": {"five_hour": {"used_percentage": 92, "resets_at": now + 900},
                                                          "seven_day": {"used_percentage": 17, "resets_at": now + 4 * 86400}}})
    usage_state.record_run_cost("work-key", "s", 3.2, now)
    env = dict(__import__("os").environ, WK="k")
    p = ctl(["status", "--json"], env=env)
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(p.stdout)["routes"]}
    assert rows["max"]["held"]["reason"] == "rate-limited" and rows["max"]["switch_at"] == 90
    assert rows["max"]["usage"]["windows"]["five_hour"]["used_percentage"] == 92
    assert rows["max"]["usage"]["windows"]["five_hour"]["resets_local"]
    assert rows["work-key"]["usage"]["spend"] == {"usd": 3.2, "period": "day", "cap": 20.0,
                                                  "period_end": rows["work-key"]["usage"]["spend"]["period_end"],
                                                  "over": False}
    assert rows["work-key"]["max_spend"] == "20/day" and rows["work-key"]["held"] is None
    text = ctl(["status"], env=env).stdout
    assert "held" in text and "5-hour window at 92% (switch_at 90%)" in text
    assert "usage:   5h 92% (resets " in text and "7d 17% (resets " in text
    assert "$3.20 of $20/day" in text


def test_ctl_history_shows_switches(isolated_env):
    now = time.time()
    history.append_switch("max", "work-key", "max: 5-hour limit", "fallback", until=now + 60, at=now - 120)
    history.append_switch("work-key", "max", "max is back: 5-hour limit reset", "back", at=now - 10)
    p = ctl(["history"])
    assert p.returncode == 0, p.stderr
    assert "max → work-key  fallback: max: 5-hour limit (retry max at " in p.stdout
    assert "work-key → max  back: max is back: 5-hour limit reset" in p.stdout
    kinds = [e["kind"] for e in json.loads(ctl(["history", "--json"]).stdout)]
    assert kinds == ["fallback", "back"]


def test_statusline_names_the_limit_of_the_preferred_route(isolated_env):
    import os

    now = time.time()
    usage_state.record_limit("max", limits.Limit("five_hour", now + 600, "5-hour limit · resets 9:48am (UTC)"), now)
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="work-key", CLAUDE_FAILOVER_PREFERRED="max")
    p = ctl(["statusline", "--no-color"], env=env)
    assert p.stdout.strip() == "route: work-key ⚠ fallback (max: 5-hour limit)", p.stdout
    usage_state.record_statusline("max", {"rate_limits": {"five_hour": {"used_percentage": 100, "resets_at": now + 600}}})
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    assert ctl(["statusline", "--no-color"], env=env).stdout.strip() == "route: max (5-hour limit) · 5h 100%"


def test_the_background_probe_announces_a_return_in_the_limits_words(isolated_env, monkeypatch):
    """`ctl probe --notify` (the timer) notices first that the route came back after its reset."""
    from claude_failover import cache

    cfg, now = parse(CONFIG), time.time()
    sent = []
    monkeypatch.setattr(route_change, "notify_change", lambda *a, **k: sent.append(a))
    usage_state.record_limit("max", limits.Limit("seven_day", now - 1, "weekly limit"), now - 100)
    data = fresh_cache(cfg, now)
    data["last"] = {"profile": "work-key", "preferred": "max", "fallback": True, "at": now - 50, "reason": "x"}
    cache.update(lambda d: d.update(data))
    assert route_change.note_route(cfg, {"WK": "k"}) == ("work-key", "max")
    assert sent[-1][3] == "max is back: weekly limit reset"
    assert usage_state.limit_record("max", usage_state.read()) is None
    assert history.read()[-1]["kind"] == "back"


def test_config_show_has_the_usage_keys(isolated_env):
    write_config(isolated_env.config_file, CONFIG)
    shown = json.loads(ctl(["config", "show", "--json"]).stdout)["profiles"]
    assert shown["max"]["switch_at"] == 90 and shown["max"]["wait_for_reset"] == 600
    assert shown["work-key"]["max_spend"] == "20/day" and "switch_at" not in shown["work-key"]
    assert ctl(["config", "validate"]).returncode == 0


def test_history_does_not_repeat_the_time_a_hold_already_names():
    from claude_failover.ctl.cmd_history import render

    at = time.time() - 60
    until = at + 3600
    clock = time.strftime("%H:%M", time.localtime(until))
    lines = render([{"at": at, "from": "max", "to": "k", "kind": "fallback",
                     "why": f"max: 5-hour limit (until {clock})", "until": until}], "24h", now=at + 60)
    assert lines[-1].endswith(f"fallback: max: 5-hour limit (until {clock})"), lines


def test_statusline_shows_how_full_the_preferred_plan_is_after_a_switch_at_fallback(isolated_env):
    import os

    now = time.time()
    usage_state.record_statusline("max", {"rate_limits": {"five_hour": {"used_percentage": 92, "resets_at": now + 900}}})
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="work-key", CLAUDE_FAILOVER_PREFERRED="max")
    assert ctl(["statusline", "--no-color"], env=env).stdout.strip() == "route: work-key ⚠ fallback (max: 5h 92%)"
