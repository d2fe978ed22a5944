"""Unit tests of claude_failover.limits: every wording of claude 2.1.328's limit line, its reset
times and time zones, and the structured signals (JSON result, stream-json event, hook, retry-after).

The real-claude tests (tests/test_limits_e2e.py) check these parsers on what claude actually printed."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from claude_failover import limits
from claude_failover.limits import Limit

UTC = timezone.utc
# Monday 2026-11-30 07:50:00 UTC
NOW = datetime(2026, 11, 30, 7, 50, tzinfo=UTC).timestamp()


def at(*args, tz=UTC) -> float:
    return datetime(*args, tzinfo=tz).timestamp()


# (claude's line, window, reset (end of the printed minute) or None)
WORDINGS = [
    ("You've hit your 5-hour limit · resets 9:48am (UTC)", "five_hour", at(2026, 11, 30, 9, 49)),
    ("You've hit your 5-hour limit · resets 10am (UTC)", "five_hour", at(2026, 11, 30, 10, 1)),
    ("You've hit your 5-hour limit · resets 7:08am (UTC)", "five_hour", at(2026, 12, 1, 7, 9)),   # past: tomorrow
    ("You've hit your 5-hour limit · resets 7:50am (UTC)", "five_hour", at(2026, 11, 30, 7, 51)),  # this minute
    ("You've hit your 5-hour limit", "five_hour", None),
    ("You've hit your session limit · resets 12:30pm (UTC)", "five_hour", at(2026, 11, 30, 12, 31)),
    ("You've hit your weekly limit · resets Dec 2, 2:39am (America/New_York)", "seven_day",
     at(2026, 12, 2, 2, 40, tz=ZoneInfo("America/New_York"))),
    ("You've hit your weekly limit · resets Dec 2, 3am (Europe/Paris)", "seven_day",
     at(2026, 12, 2, 3, 1, tz=ZoneInfo("Europe/Paris"))),
    ("You've hit your weekly limit · resets Jan 3, 2027, 9am (UTC)", "seven_day", at(2027, 1, 3, 9, 1)),
    ("You've hit your weekly limit · progress saved", "seven_day", None),
    ("You've hit your Opus limit · resets Dec 4, 5pm (UTC)", "seven_day_opus", at(2026, 12, 4, 17, 1)),
    ("You've hit your Sonnet limit · resets Dec 4, 5:15pm (UTC)", "seven_day_sonnet", at(2026, 12, 4, 17, 16)),
    ("You've hit your Fable limit · resets Dec 4, 5pm (UTC)", "seven_day_overage_included", at(2026, 12, 4, 17, 1)),
    ("You've hit your usage limit · resets 11am (UTC)", "usage", at(2026, 11, 30, 11, 1)),
    ("You've hit your usage limit · contact your admin to increase it", "usage", None),
    ("You've hit your limit · resets 11am (UTC) · progress saved", "usage", at(2026, 11, 30, 11, 1)),
    ("You've hit your monthly spend limit · your 5-hour limit resets 9:48am (UTC)", "spend",
     at(2026, 11, 30, 9, 49)),
    ("You've hit your monthly spend limit.", "spend", None),
    ("You've hit your monthly spend limit · ask your admin to raise it at https://x.example", "spend", None),
    ("You've hit your org's monthly spend limit · visit https://x.example to raise it", "spend", None),
    ("You've hit your individual spend limit · ask your admin for a higher limit", "spend", None),
    ("You've hit your org's monthly usage limit · resets Jan 1, 12am (UTC)", "spend", at(2027, 1, 1, 0, 1)),
    ("You've hit your channel's monthly spend limit.", "spend", None),
    ("You've hit your team's pooled group budget · resets Dec 1 (UTC)", "spend", at(2026, 12, 1, 0, 1)),
    ("You've hit your monthly limit — raise it below, or it resets next month.", "spend", None),
    ("You've hit your usage credit limit · resets Dec 15, 9am (UTC)", "overage", at(2026, 12, 15, 9, 1)),
    ("You're out of usage credits · resets Dec 1, 12am (UTC)", "overage", at(2026, 12, 1, 0, 1)),
    ("Usage is paused for your organization. For help, please contact support.", "org_paused", None),
    ("You've hit your fast limit · resets in 1h 5m", "fast", NOW + 3900),
    ("Fast limit reached, fast mode paused · resets in 45s", "fast", NOW + 45),
    ("API Error: Request rejected (429) · spend limit reached · resets Aug 8 · request an increase", "spend",
     at(2027, 8, 8, 0, 1)),
    ("Claude usage limit reached. Your limit will reset at 5pm", "usage", None),
    # 2.1.332: "<n> requires usage credits. You've hit your team's pooled group budget. It resets …"
    ("You've hit your team's pooled group budget. It resets Dec 1, 12am (UTC).", "spend", at(2026, 12, 1, 0, 1)),
    ("You've reached your Fable limit for this week. Switch models?", "seven_day_overage_included", None),
]


@pytest.mark.parametrize("text,window,reset", WORDINGS, ids=[w[0][:48] for w in WORDINGS])
def test_every_wording_of_the_limit_line(text, window, reset):
    found = limits.from_text(text, now=NOW, local=UTC)
    assert found is not None and found.window == window
    assert found.resets_at == (pytest.approx(reset) if reset is not None else None)
    assert found.exact is False and found.text


def test_a_reset_without_time_zone_uses_the_local_zone():
    tokyo = ZoneInfo("Asia/Tokyo")  # 07:50 UTC = 16:50 in Tokyo
    found = limits.from_text("You've hit your 5-hour limit · resets 6:10pm", now=NOW, local=tokyo)
    assert found.resets_at == pytest.approx(at(2026, 11, 30, 18, 11, tz=tokyo))


def test_unknown_time_zone_falls_back_to_local():
    found = limits.from_text("You've hit your 5-hour limit · resets 9:48am (Mars/Olympus)", now=NOW, local=UTC)
    assert found.resets_at == pytest.approx(at(2026, 11, 30, 9, 49))


def test_the_date_after_new_year():
    late = datetime(2026, 12, 30, 12, tzinfo=UTC).timestamp()
    found = limits.from_text("You've hit your weekly limit · resets Jan 2, 3am (UTC)", now=late, local=UTC)
    assert found.resets_at == pytest.approx(at(2027, 1, 2, 3, 1))


@pytest.mark.parametrize("text", ["", "hello from fake", "Invalid API key · Fix external API key",
                                  "API Error: Request rejected (429) · Number of request tokens has exceeded",
                                  "API Error: 529 Overloaded", "the limit of my patience"])
def test_not_a_usage_limit(text):
    assert limits.from_text(text, now=NOW) is None


def test_text_is_our_words_only():
    found = limits.from_text("secret-ish prefix sk-ant-xyz You've hit your 5-hour limit · resets 9:48am (UTC) "
                             "and more words", now=NOW, local=UTC)
    assert found.text == "5-hour limit · resets 9:48am (UTC)"


def test_unknown_reset_waits_an_hour_not_a_minute():
    found = limits.from_text("You've hit your 5-hour limit", now=NOW)
    assert found.skip_until(NOW) == NOW + limits.UNKNOWN_RESET_WAIT
    assert limits.UNKNOWN_RESET_WAIT >= 3600


def test_skip_until_the_reset_capped():
    assert Limit("five_hour", NOW + 7200).skip_until(NOW) == NOW + 7200
    assert Limit("five_hour", NOW - 5).skip_until(NOW) == NOW + limits.UNKNOWN_RESET_WAIT  # a reset already past
    assert Limit("five_hour", NOW + 30 * 86400).skip_until(NOW) == NOW + limits.UNKNOWN_RESET_WAIT


# measured on claude 2.1.328 (tests/test_limits_e2e.py re-measures them)
RATE_LIMIT_EVENT = {"type": "rate_limit_event", "rate_limit_info": {
    "status": "rejected", "resetsAt": 1796032104, "rateLimitType": "five_hour", "isUsingOverage": False,
    "unifiedWindows": {"five_hour": {"utilization": 1, "resetsAt": 1796032104, "status": "rejected"}}},
    "uuid": "u", "session_id": "s"}
ASSISTANT_EVENT = {"type": "assistant", "message": {"model": "<synthetic>", "role": "assistant", "content": [
    {"type": "text", "text": "You've hit your 5-hour limit · resets 9:48am (UTC)"}]},
    "error": "rate_limit", "is_api_error_message": True, "api_error_status": 429, "api_error": "usage_limit_reached",
    "api_error_params": {"rate_limit_info": {"status": "rejected", "resetsAt": 1796032104,
                                             "rateLimitType": "five_hour", "isUsingOverage": False}}}
RESULT = {"type": "result", "subtype": "success", "is_error": True, "api_error_status": 429,
          "api_error_type": "rate_limit_error", "api_error": "usage_limit_reached", "terminal_reason": "api_error",
          "result": "You've hit your weekly limit · resets Dec 2, 10:21am (America/New_York)",
          "total_cost_usd": 0, "session_id": "s"}


def test_stream_json_rate_limit_event_gives_the_exact_reset():
    found = limits.from_event(RATE_LIMIT_EVENT)
    assert found == Limit("five_hour", 1796032104.0, "5-hour limit", exact=True, source="stream")
    assert limits.from_event(ASSISTANT_EVENT).resets_at == 1796032104.0
    assert limits.from_event(ASSISTANT_EVENT).exact


def test_allowed_rate_limit_event_is_usage_not_a_limit():
    allowed = {"type": "rate_limit_event", "rate_limit_info": {"status": "allowed_warning", "resetsAt": 1,
               "unifiedWindows": {"five_hour": {"utilization": 0.93, "resetsAt": 1796032104},
                                  "seven_day": {"utilization": 0.4, "resetsAt": 1796500000}}}}
    assert limits.from_event(allowed) is None
    assert limits.windows_from_event(allowed) == {
        "five_hour": {"used_percentage": pytest.approx(93.0), "resets_at": 1796032104.0},
        "seven_day": {"used_percentage": pytest.approx(40.0), "resets_at": 1796500000.0}}


def test_json_result():
    found = limits.from_result(RESULT, now=NOW)
    assert found.window == "seven_day" and found.source == "json"
    assert found.resets_at == pytest.approx(at(2026, 12, 2, 10, 22, tz=ZoneInfo("America/New_York")))
    unreadable = dict(RESULT, result="something else")
    assert limits.from_result(unreadable) == Limit("usage", None, "usage limit", source="json")
    assert limits.from_result(dict(RESULT, is_error=False)) is None


def test_from_run_in_every_output_format():
    import json
    stream = "\n".join(json.dumps(e) for e in ({"type": "system", "subtype": "init"}, RATE_LIMIT_EVENT,
                                              ASSISTANT_EVENT, dict(RESULT, result=ASSISTANT_EVENT["message"]
                                                                    ["content"][0]["text"])))
    assert limits.from_run(stream, "stream-json", NOW).resets_at == 1796032104.0
    assert limits.from_run(json.dumps(RESULT) + "\n", "json", NOW).window == "seven_day"
    assert limits.from_run(b"You've hit your 5-hour limit \xc2\xb7 resets 9:48am (UTC)\n", "text", NOW).window == \
        "five_hour"
    assert limits.from_run("hello\n", "text", NOW) is None


def test_stop_failure_hook():
    hook = {"hook_event_name": "StopFailure", "error": "rate_limit",
            "last_assistant_message": "You've hit your 5-hour limit · resets 9:48am (UTC)"}
    found = limits.from_hook(hook, now=NOW)
    assert found.window == "five_hour" and found.source == "hook" and found.resets_at is not None
    assert limits.from_hook(dict(hook, error="overloaded")) is None
    assert limits.from_hook(dict(hook, last_assistant_message="API Error: Request rejected (429)")) is None
    with_details = dict(hook, error_details={"rate_limit_info": RATE_LIMIT_EVENT["rate_limit_info"]})
    assert limits.from_hook(with_details, now=NOW).exact


def test_retry_after():
    assert limits.from_retry_after(30, now=NOW) == Limit("rate", NOW + 30, "retry after 30 s", True, "retry-after")
    assert limits.from_retry_after(None) is None


def test_best_prefers_the_exact_reset():
    text = limits.from_text("You've hit your 5-hour limit · resets 9:48am (UTC)", now=NOW, local=UTC)
    exact = limits.from_event(RATE_LIMIT_EVENT)
    assert limits.best(text, exact, None) is exact
    assert limits.best(Limit("usage"), text) is text
    assert limits.best(None) is None


def test_dict_round_trip():
    found = limits.from_event(RATE_LIMIT_EVENT)
    assert Limit.from_dict(found.to_dict()) == found
    assert Limit.from_dict({"window": 3}) is None


# --- what the supervisor and the hook make of it (run_failure.py, ctl report --from-hook) -----------------
def test_run_failure_text_limit_cools_down_until_the_reset():
    from claude_failover import run_failure

    verdict = run_failure.from_exit(1, "You've hit your 5-hour limit · resets 9:48am (UTC)\n")
    assert verdict.reason == "rate-limited" and verdict.detail == "5-hour limit · resets 9:48am (UTC)"
    assert 0 < verdict.retry_after <= 86400 + 60
    unknown = run_failure.from_exit(1, "You've hit your 5-hour limit\n")
    assert unknown.retry_after == pytest.approx(limits.UNKNOWN_RESET_WAIT, abs=5)
    plain = run_failure.from_exit(1, "API Error: Request rejected (429) · per-minute rate limit")
    assert plain.reason == "rate-limited" and plain.retry_after is None


def test_run_failure_json_and_stream_limits():
    import json
    import time

    from claude_failover import run_failure

    now = time.time()
    reset = int(now) + 7200
    verdict = run_failure.from_result(dict(RESULT, result="something unreadable"))
    assert verdict.reason == "rate-limited" and verdict.retry_after == pytest.approx(limits.UNKNOWN_RESET_WAIT, abs=5)
    weekly = run_failure.from_result(RESULT)
    assert weekly.detail.startswith("weekly limit · resets Dec 2") and weekly.retry_after >= 3600 - 5
    watch = run_failure.StreamWatch()
    event = json.loads(json.dumps(RATE_LIMIT_EVENT))
    event["rate_limit_info"]["resetsAt"] = reset
    assistant = json.loads(json.dumps(ASSISTANT_EVENT))
    for e in (event, assistant, dict(RESULT, result=ASSISTANT_EVENT["message"]["content"][0]["text"])):
        watch.feed(json.dumps(e))
    assert watch.failure.reason == "rate-limited" and watch.failure.status == 429
    assert watch.failure.retry_after == pytest.approx(reset - now, abs=5)   # the exact reset


def test_report_from_hook_skips_the_route_until_the_reset(isolated_env):
    import json
    import time

    from claude_failover import cache
    from tests.launch import ctl, write_config

    write_config(isolated_env.config_file, '[profiles.max]\ntype = "subscription"\n')
    reset = datetime.fromtimestamp(time.time() + 3 * 86400, ZoneInfo("America/New_York")).replace(
        hour=2, minute=39, second=0, microsecond=0)
    when = f"{reset.strftime('%b')} {reset.day}, 2:39am (America/New_York)"
    hook = {"hook_event_name": "StopFailure", "error": "rate_limit",
            "last_assistant_message": f"You've hit your weekly limit · resets {when}"}
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max")
    p = ctl(["report", "--from-hook"], env=env, input=json.dumps(hook))
    assert p.returncode == 0, p.stderr
    item = cache.entry(cache.read(), "max")
    assert item["verdict"]["reason"] == "rate-limited"
    assert item["verdict"]["detail"] == f"weekly limit · resets {when} in claude"
    assert item["cooldown_until"] == pytest.approx(reset.timestamp() + 60, abs=1)
