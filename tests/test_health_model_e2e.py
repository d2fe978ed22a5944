"""Issue 11's health model end to end, with the REAL claude against the fake server.

No lockout (a launch re-checks before it refuses), no bounce-back (half-open routes re-admitted on
evidence), the live check wired into launches and `ctl probe`, local verdicts never cached, a dead
route abandoned within ``connect_timeout`` while a slow generation runs on, and no work done twice
however many routes fail in a row.
"""

from __future__ import annotations

import json
import time

from claude_failover import cache
from tests.conftest import claude_env
from tests.fakeserver import after_tool, drip, hang, invalid_bearer, ok, tool_use
from tests.launch import ctl, failover, write_config

TOK = "sk-ant-oat01-FAKE-health-tok"
KEY = "sk-ant-api03-FAKE-health-key"
KEY2 = "sk-ant-api03-FAKE-health-key2"
GW = "FAKE-health-gateway"
GOOD = "answer from a healthy route"


def setup(isolated_env, srv, claude_bin, order, extra="", **settings):
    profiles = {
        "tok": f'type = "oauth-token"\nbase_url = "{srv.url}"\nsecret_env = "T_TOK"\n',
        "key": f'type = "api-key"\nbase_url = "{srv.url}"\nsecret_env = "T_KEY"\n',
        "key2": f'type = "api-key"\nbase_url = "{srv.url}"\nsecret_env = "T_KEY2"\n',
        "gw": f'type = "gateway"\nbase_url = "{srv.url}"\nsecret_env = "T_GW"\n',
    }
    head = {"claude": claude_bin, "probe_timeout": 5, "status_url": f"{srv.url}/api/v2/summary.json", **settings}
    text = "".join(f"{k} = {json.dumps(v)}\n" for k, v in head.items()) + f"order = {json.dumps(order)}\n"
    for name in order:
        text += f"[profiles.{name}]\n{profiles[name]}" + (extra if name == "tok" else "")
    write_config(isolated_env.config_file, text)


def env(**extra):
    return claude_env(**{"T_TOK": TOK, "T_KEY": KEY, "T_KEY2": KEY2, "T_GW": GW, **extra})


def routes() -> dict:
    return cache.read()["routes"]


def expire(name: str) -> None:
    def mutate(data):
        data["routes"][name]["cooldown_until"] = time.time() - 1
    cache.update(mutate)


def report(name: str, reason: str = "auth-invalid", **kw):
    out = ctl(["report", name, "--reason", reason, *[f"--{k.replace('_', '-')}={v}" for k, v in kw.items()]],
              env=env())
    assert out.returncode == 0, out.stderr


# --- 1. no lockout ------------------------------------------------------------------------------
def test_every_route_cooling_is_checked_again_before_a_refusal(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["key", "key2"], cooldown=600)
    fake_server.behave(KEY, ok(GOOD))
    fake_server.behave(KEY2, ok(GOOD))
    report("key", "overloaded")
    report("key2", "billing")
    out = failover(["-p", "hi"], env=env())     # the outage is over; both routes are still cooling
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert routes()["key"]["verdict"]["state"] == "healthy"


def test_a_refusal_gives_reasons_retry_times_and_the_ways_out(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["key", "key2"], cooldown=600)
    fake_server.behave(KEY, "api_key_invalid")
    fake_server.behave(KEY2, "billing")
    report("key", "overloaded")
    out = failover(["-p", "hi"], env=env())
    assert out.returncode == 69, out.stderr
    assert "key" in out.stderr and "key2" in out.stderr and "tried again in" in out.stderr
    assert "--failover-profile NAME" in out.stderr and "claude-failover-ctl probe" in out.stderr


def test_a_route_we_cannot_probe_is_tried_rather_than_refused(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600, extra="live_check = false\n")
    fake_server.behave(TOK, ok(GOOD))
    fake_server.behave(KEY, "api_key_invalid")
    report("tok", "auth-invalid")               # a claude run saw it fail; it works again now
    out = failover(["-p", "hi"], env=env())
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert "cannot be checked from here" in out.stderr and "trying tok" in out.stderr


# --- 2. no bounce-back --------------------------------------------------------------------------
def test_a_route_that_failed_in_claude_is_half_open_until_evidence(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600, extra="live_check = false\n")
    fake_server.behave(TOK, invalid_bearer(), path_prefix="/v1/messages")   # silent: status page green
    fake_server.behave(KEY, ok(GOOD))
    out = failover(["-p", "hi"], env=env())
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert routes()["tok"]["doubt"]["reason"] == "auth-invalid"
    expire("tok")                                                # the clock alone re-admits nothing
    assert ctl(["probe"], env=env()).returncode == 0             # green status page: not forgotten
    assert routes()["tok"]["doubt"]["reason"] == "auth-invalid"
    status = json.loads(ctl(["status", "--json"], env=env()).stdout)
    assert status["would_launch"] == "key"
    assert [r["admission"] for r in status["routes"] if r["name"] == "tok"] == ["half-open"]
    which = ctl(["which"], env=env()).stdout
    assert which.startswith("key ") and "half-open" in which, which
    dry = failover(["--failover-dry-run"], env=env())            # interactive: the verified route
    assert "route:   key" in dry.stdout, dry.stdout + dry.stderr
    fake_server.behave(TOK, ok(GOOD), path_prefix="/v1/messages")   # fixed; only a claude run can tell
    out = failover(["-p", "hi"], env=env())                      # a supervised run tries it (half-open)
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert "half-open" in out.stderr
    assert "doubt" not in routes()["tok"] and routes()["tok"]["verdict"]["source"] == "run"
    assert "route:   tok" in failover(["--failover-dry-run"], env=env()).stdout


def test_the_status_page_resolving_the_incident_readmits(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600, extra="live_check = false\n")
    report("tok", "auth-invalid")
    expire("tok")
    fake_server.set_status("major", {"Claude Code": "major_outage", "claude.ai": "major_outage"})
    ctl(["probe"], env=env())
    assert routes()["tok"]["doubt"]["page_bad"] is True
    fake_server.set_status()                                      # resolved
    ctl(["probe"], env=env())
    assert "doubt" not in routes()["tok"]
    assert "route:   tok" in failover(["--failover-dry-run"], env=env()).stdout


def test_a_launch_reads_the_status_page_of_a_half_open_route_that_showed_trouble(
        isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600, healthy_ttl=1,
          extra="live_check = false\n")
    report("tok", "auth-invalid")
    expire("tok")
    fake_server.set_status("major", {"Claude Code": "major_outage", "claude.ai": "major_outage"})
    assert "route:   key" in failover(["--failover-dry-run"], env=env()).stdout   # reads tok's page
    assert routes()["tok"]["doubt"]["page_bad"] is True
    fake_server.set_status()                                      # resolved; no timer, no ctl probe
    time.sleep(1.2)                                               # the cached page is old now
    dry = failover(["--failover-dry-run"], env=env())
    assert "route:   tok" in dry.stdout, dry.stdout + dry.stderr
    assert "doubt" not in routes()["tok"]


# --- 3. the live check --------------------------------------------------------------------------
def test_a_launch_passing_over_a_route_in_doubt_checks_it_in_the_background(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600)
    report("tok", "auth-invalid")
    expire("tok")
    started = time.monotonic()
    dry = failover(["--failover-dry-run"], env=env())
    assert "route:   key" in dry.stdout and time.monotonic() - started < 30   # not waited for
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and routes()["tok"]["verdict"].get("source") != "live-check":
        time.sleep(0.5)
    assert routes()["tok"]["verdict"]["source"] == "live-check", routes()["tok"]
    assert routes()["tok"]["verdict"]["state"] == "healthy" and "doubt" not in routes()["tok"]
    assert "route:   tok" in failover(["--failover-dry-run"], env=env()).stdout


def test_ctl_probe_runs_the_live_check_once_per_cooldown_and_live_check_false_stops_it(
        isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=600)
    fake_server.behave(TOK, invalid_bearer(), path_prefix="/v1/messages")
    report("tok", "auth-invalid")
    out = ctl(["probe"], env=env())
    assert routes()["tok"]["verdict"]["source"] == "live-check", out.stdout + out.stderr
    posts = [r for r in fake_server.requests if r["method"] == "POST" and r["credential"] == TOK]
    assert posts and "doubt" in routes()["tok"]
    ctl(["probe"], env=env())                                      # at most once per cooldown
    assert len([r for r in fake_server.requests if r["method"] == "POST" and r["credential"] == TOK]) == len(posts)
    setup(isolated_env, fake_server, claude_bin, ["tok", "key"], cooldown=0.5, extra="live_check = false\n")
    fake_server.behave(TOK, ok(GOOD), path_prefix="/v1/messages")
    time.sleep(0.6)
    ctl(["probe"], env=env())
    assert len([r for r in fake_server.requests if r["method"] == "POST" and r["credential"] == TOK]) == len(posts)


# --- 4. local verdicts --------------------------------------------------------------------------
def test_a_missing_variable_is_never_cached_and_names_its_remedy(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["key", "key2"], cooldown=600)
    fake_server.behave(KEY, ok(GOOD))
    fake_server.behave(KEY2, "api_key_invalid")
    bare = env(T_KEY=None)                                         # the systemd unit's environment
    out = ctl(["probe"], env=bare)
    assert "export T_KEY" in out.stdout + out.stderr
    assert "key" not in routes() or routes()["key"].get("cooldown_until") is None
    run = failover(["-p", "hi"], env=env())                        # a shell that has the variable
    assert run.returncode == 0 and GOOD in run.stdout, run.stderr
    refused = failover(["-p", "hi"], env=bare)
    assert refused.returncode == 69 and "export T_KEY" in refused.stderr


# --- 5. a dead route costs seconds --------------------------------------------------------------
def test_a_black_holed_route_is_abandoned_within_connect_timeout(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["gw", "key"], connect_timeout=6)
    fake_server.behave(GW, hang(), path_prefix="/v1/messages")   # cached healthy, then never answers
    fake_server.behave(KEY, ok(GOOD))
    started = time.monotonic()
    out = failover(["-p", "hi"], env=env(), timeout=200)
    took = time.monotonic() - started
    print(f"black-holed first route: the run took {took:.1f} s (connect_timeout 6 s)")
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert took < 60 and routes()["gw"]["verdict"]["reason"] == "timeout"


def test_a_slow_quiet_generation_is_never_cut(isolated_env, fake_server, claude_bin):
    setup(isolated_env, fake_server, claude_bin, ["key", "key2"], connect_timeout=3)
    fake_server.behave(KEY, drip(12, GOOD), path_prefix="/v1/messages")   # headers at once, 12 s of trickle
    fake_server.behave(KEY2, ok("the wrong route"))
    out = failover(["-p", "hi"], env=env(), timeout=200)
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr


# --- 6. no work done twice ----------------------------------------------------------------------
def login(directory, token):
    directory.mkdir(parents=True, exist_ok=True)
    oauth = {"accessToken": token, "refreshToken": token + "-refresh", "expiresAt": int((time.time() + 3600) * 1000),
             "scopes": ["user:inference"], "subscriptionType": "max"}
    (directory / ".credentials.json").write_text(json.dumps({"claudeAiOauth": oauth}))
    (directory / ".credentials.json").chmod(0o600)


def test_work_is_done_once_however_many_routes_fail_and_whatever_their_config_dir(
        isolated_env, fake_server, claude_bin, tmp_path):
    one, two = tmp_path / "acct-one", tmp_path / "acct-two"
    login(one, "sk-ant-oat01-FAKE-acct-one")
    login(two, "sk-ant-oat01-FAKE-acct-two")
    for d in (one, two):
        (d / ".claude.json").write_text(json.dumps({"hasCompletedOnboarding": True}))
    work = tmp_path / "work.log"
    text = (f'claude = "{claude_bin}"\nprobe_timeout = 5\nstatus_url = "{fake_server.url}/api/v2/summary.json"\n'
            'order = ["one", "two", "key"]\n'
            f'[profiles.one]\ntype = "subscription"\nbase_url = "{fake_server.url}"\nconfig_dir = "{one}"\nlive_check = false\n'
            f'[profiles.two]\ntype = "subscription"\nbase_url = "{fake_server.url}"\nconfig_dir = "{two}"\nlive_check = false\n'
            f'[profiles.key]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY"\n')
    write_config(isolated_env.config_file, text)
    task = tool_use("Bash", {"command": f"echo did-the-work >> {work}"})
    fake_server.behave("sk-ant-oat01-FAKE-acct-one", after_tool(task, invalid_bearer()))   # dies after the tool
    fake_server.behave("sk-ant-oat01-FAKE-acct-two", invalid_bearer(), path_prefix="/v1/messages")  # resumed, fails
    fake_server.behave(KEY, after_tool(task, ok(GOOD)))
    out = failover(["-p", "do the task", "--allowedTools", "Bash"], env=env(), timeout=240)
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    assert work.read_text().count("did-the-work") == 1, out.stderr
    assert out.stderr.count("resuming session") == 2, out.stderr


def test_a_retry_after_seen_in_a_run_is_the_cooldowns_floor(isolated_env, fake_server, claude_bin):
    from tests.fakeserver import rate_limited, sequence
    setup(isolated_env, fake_server, claude_bin, ["key", "key2"], cooldown=5)
    # the launch's probe passes; the run then gets 429 + retry-after 600, and so does a later probe
    fake_server.behave(KEY, sequence([ok(), rate_limited(600)]), path_prefix="/v1/models")
    fake_server.behave(KEY, rate_limited(600), path_prefix="/v1/messages")
    fake_server.behave(KEY2, ok(GOOD))
    out = failover(["-p", "hi"], env=env())
    assert out.returncode == 0 and GOOD in out.stdout, out.stderr
    # claude never prints the header: the supervisor's own probe learnt it, and it is the floor
    assert routes()["key"]["verdict"]["retry_after"] == 600, routes()["key"]
    assert routes()["key"]["cooldown_until"] - time.time() > 500
