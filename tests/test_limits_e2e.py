"""The REAL claude (2.1.328) at a plan's usage limit, against the fake server's real limit response
(429, ``anthropic-ratelimit-unified-status: rejected``, ``-reset``, ``-representative-claim``, the 5h/7d
headers): what it prints in each output format and hands its StopFailure hook is read by
claude_failover.limits into the window and the reset.

The subscription is a ``~/.claude/.credentials.json`` login with a token that is not expired (claude
then makes no call to Anthropic's own hosts)."""

from __future__ import annotations

import json
import os
import time

import pytest

from claude_failover import limits
from tests.conftest import claude_env, run_claude
from tests.fakeserver import usage_limit

pytestmark = pytest.mark.e2e

TOKEN = "sk-ant-oat01-FAKE-limits-access"


@pytest.fixture
def subscriber(isolated_env, fake_server):
    """A subscription login in the throwaway HOME; returns the environment to run claude in."""
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    store = isolated_env.claude_dir / ".credentials.json"
    store.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": TOKEN, "refreshToken": "sk-ant-ort01-FAKE-limits-refresh",
        "expiresAt": int(time.time() * 1000) + 86400_000, "scopes": ["user:inference", "user:profile"],
        "subscriptionType": "max"}}))
    os.chmod(store, 0o600)
    return claude_env(ANTHROPIC_BASE_URL=fake_server.url, CLAUDE_CODE_MAX_RETRIES="0")


def run(claude_bin, env, output_format: str, tz: str = "UTC"):
    args = ["-p", "hi"]
    if output_format != "text":
        args += ["--output-format", output_format]
    if output_format == "stream-json":
        args.append("--verbose")
    return run_claude(claude_bin, args, env=dict(env, TZ=tz), timeout=90)


def minute_end(reset: int) -> float:
    """Where the text's reset lands: claude prints the minute (rounded down); we read its end."""
    return reset - reset % 60 + 60


def test_text_output_five_hour_limit(claude_bin, fake_server, subscriber):
    reset = int(time.time()) + 2 * 3600 + 17
    fake_server.behave(TOKEN, usage_limit("five_hour", reset))
    proc = run(claude_bin, subscriber, "text")
    assert proc.returncode == 1
    assert proc.stdout.startswith("You've hit your 5-hour limit · resets "), proc.stdout
    assert proc.stdout.rstrip().endswith("(UTC)")
    found = limits.from_run(proc.stdout, "text")
    assert found.window == "five_hour" and not found.exact
    assert found.resets_at == minute_end(reset)


def test_text_output_weekly_limit_in_another_time_zone(claude_bin, fake_server, subscriber):
    reset = int(time.time()) + 3 * 86400 + 3600
    fake_server.behave(TOKEN, usage_limit("seven_day", reset))
    proc = run(claude_bin, subscriber, "text", tz="America/New_York")
    assert "You've hit your weekly limit · resets " in proc.stdout and "(America/New_York)" in proc.stdout
    found = limits.from_run(proc.stdout, "text")
    assert found.window == "seven_day"
    assert found.resets_at == minute_end(reset)


def test_text_output_without_a_reset(claude_bin, fake_server, subscriber):
    fake_server.behave(TOKEN, usage_limit("five_hour", None))
    proc = run(claude_bin, subscriber, "text")
    assert proc.stdout.strip() == "You've hit your 5-hour limit", proc.stdout
    found = limits.from_run(proc.stdout, "text")
    now = time.time()
    assert found.window == "five_hour" and found.resets_at is None
    assert found.skip_until(now) == now + limits.UNKNOWN_RESET_WAIT


# measured: "Opus limit", "Sonnet limit", "Fable limit · resets … . Switch to another model, …", and for the
# overage claim "usage limit"
@pytest.mark.parametrize("claim,window", [("seven_day_opus", "seven_day_opus"),
                                          ("seven_day_sonnet", "seven_day_sonnet"),
                                          ("seven_day_overage_included", "seven_day_overage_included"),
                                          ("overage", "usage")])
def test_other_windows(claude_bin, fake_server, subscriber, claim, window):
    reset = int(time.time()) + 2 * 86400
    fake_server.behave(TOKEN, usage_limit(claim, reset))
    proc = run(claude_bin, subscriber, "text")
    found = limits.from_run(proc.stdout, "text")
    assert found is not None, proc.stdout
    # (claude names the Sonnet window "weekly limit" on Pro and Enterprise plans: vle() in the binary)
    assert found.window == window, proc.stdout
    assert found.resets_at == minute_end(reset)


def test_json_output(claude_bin, fake_server, subscriber):
    reset = int(time.time()) + 4 * 3600
    fake_server.behave(TOKEN, usage_limit("five_hour", reset))
    proc = run(claude_bin, subscriber, "json")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["is_error"] is True and result["api_error"] == "usage_limit_reached"
    assert result["api_error_status"] == 429 and "total_cost_usd" in result
    found = limits.from_run(proc.stdout, "json")
    assert found.window == "five_hour" and found.source == "json"
    assert found.resets_at == minute_end(reset)


def test_stream_json_carries_the_exact_reset(claude_bin, fake_server, subscriber):
    reset = int(time.time()) + 4 * 3600 + 31
    fake_server.behave(TOKEN, usage_limit("five_hour", reset))
    proc = run(claude_bin, subscriber, "stream-json")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    (event,) = [e for e in events if e.get("type") == "rate_limit_event"]
    info = event["rate_limit_info"]
    assert info["status"] == "rejected" and info["resetsAt"] == reset and info["rateLimitType"] == "five_hour"
    assert info["unifiedWindows"]["five_hour"]["utilization"] == 1
    found = limits.from_run(proc.stdout, "stream-json")
    assert found.exact and found.resets_at == reset and found.window == "five_hour"
    assert limits.windows_from_event(event)["five_hour"]["used_percentage"] == 100.0


def test_stop_failure_hook_input(claude_bin, fake_server, subscriber, isolated_env, tmp_path):
    seen = tmp_path / "hook.json"
    settings = isolated_env.claude_dir / "settings.json"
    settings.write_text(json.dumps({"hooks": {"StopFailure": [{"hooks": [
        {"type": "command", "command": f"cat > '{seen}'"}]}]}}))
    reset = int(time.time()) + 3 * 3600
    fake_server.behave(TOKEN, usage_limit("five_hour", reset))
    run(claude_bin, subscriber, "text")
    deadline = time.monotonic() + 10
    while not (seen.exists() and seen.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    hook = json.loads(seen.read_text())
    assert hook["error"] == "rate_limit"
    found = limits.from_hook(hook)
    assert found is not None, hook
    assert found.window == "five_hour" and found.resets_at == minute_end(reset)
    # `ctl report --from-hook` (the hook command we install) records the limit: launches skip the
    # route until the reset, and `ctl status` says so
    from claude_failover import usage_state
    from tests.launch import ctl, write_config

    write_config(isolated_env.config_file, 'order = ["max", "key"]\n[profiles.max]\ntype = "subscription"\n'
                 '[profiles.key]\ntype = "api-key"\nsecret_env = "T_KEY"\n')
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", T_KEY="k")
    p = ctl(["report", "--from-hook"], env=env, input=seen.read_text())
    assert p.returncode == 0, p.stderr
    record = usage_state.limit_record("max", usage_state.read())
    assert record["window"] == "five_hour" and record["until"] == minute_end(reset) and record["source"] == "hook"
    rows = {r["name"]: r for r in json.loads(ctl(["status", "--json"], env=env).stdout)["routes"]}
    assert rows["max"]["held"]["until"] == minute_end(reset)


def test_interactive_statusline_records_the_plan_windows(claude_bin, fake_server, subscriber, isolated_env, tmp_path,
                                                         tui):
    """An interactive claude (tmux) with our statusLine command: after an answer carrying the unified
    headers, claude's statusline input has ``rate_limits`` and ``cost``, and `ctl statusline`
    records them for the active route and shows the fuller window."""
    from claude_failover import usage_state
    from tests.launch import CTL
    from tests.tui import trust_folder

    now = int(time.time())
    five, seven = now + 3 * 3600, now + 5 * 86400
    from tests.fakeserver import ok, unified_headers
    fake_server.behave(TOKEN, ok("hello", headers=unified_headers(five_hour=(0.42, five), seven_day=(0.17, seven),
                                                                 reset=five, claim="five_hour")))
    seen_in, seen_out = tmp_path / "statusline.in", tmp_path / "statusline.out"
    settings = isolated_env.claude_dir / "settings.json"
    settings.write_text(json.dumps({"statusLine": {
        "type": "command", "command": f"tee '{seen_in}' | '{CTL}' statusline --no-color | tee '{seen_out}'"}}))
    project = isolated_env.home / "project"
    project.mkdir()
    trust_folder(isolated_env.claude_json, project)
    env = dict(subscriber, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")

    def recorded():
        return usage_state.windows_of("max")

    session = tui([claude_bin], env=env, cwd=project)
    session.wait_for("❯")
    session.submit("hi")
    deadline = time.monotonic() + 45
    while not recorded():
        assert time.monotonic() < deadline, (session.screen(), seen_in.read_text() if seen_in.exists() else None)
        time.sleep(0.3)
    screen = session.wait_for("route: max · 5h 42%", timeout=15)
    given = json.loads(seen_in.read_text())
    assert given["rate_limits"]["five_hour"] == {"used_percentage": 42, "resets_at": five}
    assert given["rate_limits"]["seven_day"] == {"used_percentage": 17, "resets_at": seven}
    assert isinstance(given["cost"]["total_cost_usd"], (int, float))
    assert recorded() == {"five_hour": {"used_percentage": 42.0, "resets_at": five},
                          "seven_day": {"used_percentage": 17.0, "resets_at": seven}}
    assert "route: max · 5h 42%" in screen, screen
    assert given["session_id"] in json.loads((isolated_env.state_dir / "usage.json").read_text())["spend"]["max"]

    # switch_at 40 on the plan: the window claude reported (42%) makes the next launch fall back, and say why
    from tests.launch import ctl, failover, write_config

    write_config(isolated_env.config_file, (
        f'claude = "{claude_bin}"\norder = ["max", "work-key"]\n'
        f'[profiles.max]\ntype = "subscription"\nswitch_at = 40\n'
        f'[profiles.work-key]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY2"\n'))
    fake_server.behave(KEY2, ok(GOOD))
    env2 = claude_env(T_KEY2=KEY2)
    which = ctl(["which"], env=env2)
    assert "probe first: work-key" in which.stdout, which.stdout
    assert "skipped max: 5-hour window at 42% (switch_at 40%)" in which.stdout, which.stdout
    p = failover(["-p", "hi"], env=env2, timeout=90)
    assert p.returncode == 0 and GOOD in p.stdout, p.stderr
    assert "using work-key (api-key) — max: 5-hour window at 42% (switch_at 40%)" in p.stderr, p.stderr
    status = ctl(["status"], env=env2).stdout
    assert "5h 42% (resets " in status and "(switch_at 40%)" in status, status


# --- a supervised `claude-failover -p` at the limit: retried on the next route, skipped until the reset ---
OAUTH = "sk-ant-oat01-FAKE-limits-route1"
KEY2 = "sk-ant-api03-FAKE-limits-route2"
GOOD = "answer from route two"


@pytest.mark.parametrize("output_format", ["text", "json", "stream-json"])
def test_supervised_run_at_the_limit_falls_over_until_the_reset(claude_bin, fake_server, isolated_env,
                                                                output_format):
    from claude_failover import cache
    from tests.fakeserver import ok
    from tests.launch import failover, write_config

    write_config(isolated_env.config_file, (
        f'claude = "{claude_bin}"\norder = ["first", "second"]\nprobe_timeout = 10\n'
        f'[profiles.first]\ntype = "oauth-token"\nbase_url = "{fake_server.url}"\nsecret_env = "T_TOK1"\n'
        f'[profiles.second]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY2"\n'))
    reset = int(time.time()) + 2 * 3600 + 7
    fake_server.behave(OAUTH, usage_limit("five_hour", reset), path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    args = ["-p", "hi"] + ([] if output_format == "text" else ["--output-format", output_format])
    args += ["--verbose"] if output_format == "stream-json" else []
    p = failover(args, env=claude_env(T_TOK1=OAUTH, T_KEY2=KEY2), timeout=90)
    assert p.returncode == 0, p.stdout + p.stderr
    assert GOOD in p.stdout and "retrying on second" in p.stderr
    entry = cache.entry(cache.read(), "first")
    assert entry["verdict"]["reason"] == "rate-limited" and entry["verdict"]["detail"].startswith("5-hour limit")
    # exact in stream-json; the end of the printed minute from the text
    expected = reset if output_format == "stream-json" else minute_end(reset)
    assert entry["cooldown_until"] == pytest.approx(expected, abs=2), entry


# --- the whole flow, driven by claude's own output: fall back, stay away, come back, cap, wait ------------
def two_routes(config_file, claude_bin, fake_server, first_extra: str = "", second_extra: str = "",
               first_type: str = "oauth-token"):
    from tests.launch import write_config

    status = f'status_url = "{fake_server.url}/api/v2/summary.json"\n'
    write_config(config_file, (
        f'claude = "{claude_bin}"\norder = ["first", "second"]\nprobe_timeout = 10\n'
        f'[profiles.first]\ntype = "{first_type}"\nbase_url = "{fake_server.url}"\nsecret_env = "T_TOK1"\n'
        f'{status}{first_extra}'
        f'[profiles.second]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY2"\n{second_extra}'))


def stream_args():
    return ["-p", "hi", "--output-format", "stream-json", "--verbose"]


def test_a_launch_after_a_limit_falls_back_and_returns_after_the_reset(claude_bin, fake_server, isolated_env):
    """stream-json gives the exact reset (a short one, chosen here): the run is retried on the next
    route; the next launches skip the limited route without asking (`ctl status` says why) until the
    reset, then take it again by themselves ("first is back: 5-hour limit reset" in the history)."""
    from claude_failover import history, usage_state
    from tests.fakeserver import ok
    from tests.launch import ctl, failover

    two_routes(isolated_env.config_file, claude_bin, fake_server)
    reset = int(time.time()) + 30
    fake_server.behave(OAUTH, usage_limit("five_hour", reset), path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    env = claude_env(T_TOK1=OAUTH, T_KEY2=KEY2)
    p = failover(stream_args(), env=env, timeout=90)
    assert p.returncode == 0 and GOOD in p.stdout and "retrying on second" in p.stderr, p.stderr
    record = usage_state.limit_record("first", usage_state.read())
    assert record["window"] == "five_hour" and record["until"] == reset and record["exact"] is True

    # the next launch does not even ask `first`: it is held until the reset
    fake_server.clear_requests()
    p = failover(["-p", "hi"], env=env, timeout=90)
    assert p.returncode == 0 and GOOD in p.stdout, p.stderr
    assert "using second (api-key) — first: 5-hour limit" in p.stderr, p.stderr
    assert not [r for r in fake_server.requests if r["credential"] == OAUTH]
    status = ctl(["status", "--json"], env=env)
    rows = {r["name"]: r for r in json.loads(status.stdout)["routes"]}
    assert rows["first"]["held"]["until"] == reset and json.loads(status.stdout)["would_launch"] == "second"
    assert "first            oauth-token   held" in ctl(["status"], env=env).stdout

    # after the reset it comes back by itself
    time.sleep(max(0.0, reset - time.time()) + 1.0)
    fake_server.behave(OAUTH, ok("answer from route one"), path_prefix="/v1/messages")
    p = failover(["-p", "hi"], env=env, timeout=90)
    assert p.returncode == 0 and "answer from route one" in p.stdout, p.stderr
    assert usage_state.limit_record("first", usage_state.read()) is None
    moves = [(e["from"], e["to"], e["kind"]) for e in history.read()]
    assert moves[-1] == ("second", "first", "back") and ("first", "second", "fallback") in moves
    assert history.read()[-1]["why"] == "first is back: 5-hour limit reset"
    shown = ctl(["history"], env=env).stdout
    assert "second → first  back: first is back: 5-hour limit reset" in shown, shown
    assert "first → second  fallback: first: 5-hour limit" in shown, shown


def test_max_spend_from_the_runs_own_cost(claude_bin, fake_server, isolated_env):
    """A json run reports total_cost_usd; once a route's spend reaches its max_spend, launches skip it
    until the period ends, and say so."""
    from claude_failover import usage_state
    from tests.fakeserver import ok
    from tests.launch import ctl, failover

    two_routes(isolated_env.config_file, claude_bin, fake_server, first_type="api-key",
               first_extra='max_spend = "0.000001/day"\n')
    fake_server.behave(OAUTH, ok("paid by one"))
    fake_server.behave(KEY2, ok(GOOD))
    env = claude_env(T_TOK1=OAUTH, T_KEY2=KEY2)
    p = failover(["-p", "hi", "--output-format", "json"], env=env, timeout=90)
    assert p.returncode == 0 and "paid by one" in p.stdout, p.stderr
    cost = json.loads(p.stdout.strip().splitlines()[-1])["total_cost_usd"]
    assert cost > 0 and sum(usage_state.spend_days("first").values()) == pytest.approx(cost)
    p = failover(["-p", "hi"], env=env, timeout=90)
    assert p.returncode == 0 and GOOD in p.stdout, p.stderr
    assert "first: spent $" in p.stderr and "(max_spend); until " in p.stderr, p.stderr
    rows = {r["name"]: r for r in json.loads(ctl(["status", "--json"], env=env).stdout)["routes"]}
    assert rows["first"]["held"]["reason"] == "spend-cap" and rows["first"]["usage"]["spend"]["over"] is True


def test_wait_for_reset_instead_of_paying(claude_bin, fake_server, isolated_env):
    """The plan's reset is a few seconds away and the alternative is an API key: the supervised run
    waits (a progress line on stderr) and runs on the plan again, never on the paid route."""
    from tests.fakeserver import ok, sequence
    from tests.launch import failover

    two_routes(isolated_env.config_file, claude_bin, fake_server, first_extra='wait_for_reset = "1m"\n')
    reset = int(time.time()) + 8
    fake_server.behave(OAUTH, sequence([usage_limit("five_hour", reset), ok("after the wait")]),
                       path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    p = failover(stream_args(), env=claude_env(T_TOK1=OAUTH, T_KEY2=KEY2), timeout=120)
    assert p.returncode == 0, p.stderr
    assert "after the wait" in p.stdout and GOOD not in p.stdout
    assert "first: 5-hour limit" in p.stderr and "for its reset rather than paying for second (wait_for_reset)" \
        in p.stderr, p.stderr
    assert time.time() >= reset
    assert not [r for r in fake_server.requests_for("/v1/messages") if r["credential"] == KEY2]


def test_wait_for_reset_at_the_start_of_a_run(claude_bin, fake_server, isolated_env):
    """A supervised launch while the plan is at its limit, resetting within wait_for_reset: it waits
    first, then runs on the plan (the paid route is never asked)."""
    from claude_failover import history, limits as limits_mod, usage_state
    from tests.fakeserver import ok
    from tests.launch import failover

    two_routes(isolated_env.config_file, claude_bin, fake_server, first_extra='wait_for_reset = "1m"\n')
    reset = time.time() + 5
    usage_state.record_limit("first", limits_mod.Limit("five_hour", reset, "5-hour limit", exact=True))
    fake_server.behave(OAUTH, ok("plan after the wait"), path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    p = failover(["-p", "hi"], env=claude_env(T_TOK1=OAUTH, T_KEY2=KEY2), timeout=120)
    assert p.returncode == 0 and "plan after the wait" in p.stdout, p.stderr
    assert "first: 5-hour limit" in p.stderr and "rather than paying for second (wait_for_reset)" in p.stderr
    assert time.time() >= reset
    assert not [r for r in fake_server.requests_for("/v1/messages") if r["credential"] == KEY2]
    assert usage_state.limit_record("first", usage_state.read()) is None
    assert history.read()[-1]["why"] == "first is back: 5-hour limit reset"


def test_a_text_run_at_the_limit_after_work_resumes_on_the_next_route(claude_bin, fake_server, isolated_env):
    """text output: the limit line after a tool call; the retry on the next route resumes the session."""
    from tests.fakeserver import ok, sequence, tool_use
    from tests.launch import failover

    two_routes(isolated_env.config_file, claude_bin, fake_server)
    reset = int(time.time()) + 3 * 3600
    fake_server.behave(OAUTH, sequence([tool_use("Bash", {"command": "true"}), usage_limit("five_hour", reset)]),
                       path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    p = failover(["-p", "run true", "--allowedTools", "Bash"], env=claude_env(T_TOK1=OAUTH, T_KEY2=KEY2),
                 timeout=120)
    assert p.returncode == 0 and GOOD in p.stdout, p.stderr
    assert "first: 5-hour limit · resets " in p.stderr and "resuming session" in p.stderr, p.stderr
    resumed = [r for r in fake_server.requests_for("/v1/messages") if r["credential"] == KEY2][-1]
    blocks = [b for m in resumed["body"]["messages"] if isinstance(m["content"], list) for b in m["content"]]
    assert any(b["type"] == "tool_result" for b in blocks)
    from claude_failover import usage_state

    assert usage_state.limit_record("first", usage_state.read())["until"] == minute_end(reset)
