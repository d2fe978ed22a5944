"""Headless runs end to end: `claude-failover -p …` with the REAL claude against the fake server.

Route 1 breaks in each way the facts file lists (401 wordings, 402 billing, 529 storm, a hang);
route 2 works. One call must succeed on route 2, print only the good result, exit 0, and leave
route 1 marked in the health cache — for text, json and stream-json.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.conftest import claude_env
from tests.fakeserver import DEFAULT_REPLY, ok, sequence, tool_use
from tests.launch import LAUNCHER, failover, write_config

KEY1 = "sk-ant-api03-FAKE-route1"
KEY2 = "sk-ant-api03-FAKE-route2"
TOK1 = "sk-ant-oat01-FAKE-route1"
GW1 = "FAKE-gateway-route1"
PA1 = "FAKE-aws-platform-route1"
GOOD = "answer from route two"
STALL = 2  # seconds: config stall_timeout (also claude's API_TIMEOUT_MS on supervised runs)


def config(url: str, claude_bin: str, first: str = "one") -> str:
    route1 = {
        "one": f'type = "api-key"\nbase_url = "{url}"\nsecret_env = "T_KEY1"',
        "tok": f'type = "oauth-token"\nbase_url = "{url}"\nsecret_env = "T_TOK1"',
        "gw": f'type = "gateway"\nbase_url = "{url}"\nsecret_env = "T_GW1"',
        "pa": f'type = "anthropic-aws"\nregion = "us-east-1"\nworkspace_id = "wrkspc_FAKE"\nbase_url = "{url}"\n'
              f'secret_env = "T_PA1"',
    }
    return (f'claude = "{claude_bin}"\norder = ["first", "second"]\nstall_timeout = {STALL}\nprobe_timeout = 10\n'
            f'[profiles.first]\n{route1[first]}\n'
            f'[profiles.second]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "T_KEY2"\n')


def env(**extra):
    return claude_env(T_KEY1=KEY1, T_KEY2=KEY2, T_TOK1=TOK1, T_GW1=GW1, T_PA1=PA1, **extra)


@pytest.fixture
def routes(isolated_env, fake_server, claude_bin):
    """Two routes; the test makes the first one fail. Returns a helper to set up route 1's type."""
    fake_server.behave(KEY2, ok(GOOD))

    def make(first: str = "one"):
        write_config(isolated_env.config_file, config(fake_server.url, claude_bin, first))
        return fake_server
    return make


def fail(srv, credential, behaviour):
    """Break inference only: the launch's health probe (GET /v1/models) still passes, as when a
    route's key is valid but its usage limit or login gives out mid-run."""
    srv.behave(credential, behaviour, path_prefix="/v1/messages")


def health(isolated_env) -> dict:
    return json.loads((isolated_env.state_dir / "health.json").read_text())


def assert_route1_marked(isolated_env, reason: str | None = None):
    entry = health(isolated_env)["routes"]["first"]
    assert entry["verdict"]["state"] == "unhealthy" and entry["verdict"]["source"] == "run", entry
    assert entry["cooldown_until"] > time.time()
    if reason:
        assert entry["verdict"]["reason"] == reason, entry
    assert health(isolated_env)["routes"]["second"]["verdict"]["state"] == "healthy"


def creds_used(srv):
    return [r["credential"] for r in srv.requests if r["method"] == "POST"]


CASES = [  # (route-1 type, credential, behaviour, expected reason)
    ("one", KEY1, "api_key_invalid", "auth-invalid"),
    ("tok", TOK1, "oauth_expired", "expired"),
    ("gw", GW1, "invalid_bearer", "auth-invalid"),
    ("one", KEY1, "billing", "billing"),
    ("one", KEY1, "overloaded", "overloaded"),
    ("one", KEY1, "hang", "timeout"),
    # Claude Platform on AWS: claude says "Not logged in" for a 401 there; the route reads it as a refused key
    ("pa", PA1, "api_key_invalid", "auth-invalid"),
]
IDS = ["401-api-key", "401-oauth-expired", "401-invalid-bearer", "402-billing", "529-storm", "hang",
       "401-aws-platform-not-logged-in"]


@pytest.mark.e2e
@pytest.mark.parametrize("first,cred,behaviour,reason", CASES, ids=IDS)
def test_text_falls_over_to_route_two(routes, isolated_env, first, cred, behaviour, reason):
    srv = routes(first)
    fail(srv, cred, behaviour)
    p = failover(["-p", "hi"], env=env(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == GOOD + "\n"                       # only the good result
    assert "first" in p.stderr and "retrying on second" in p.stderr
    assert creds_used(srv)[0] == cred and creds_used(srv)[-1] == KEY2
    assert_route1_marked(isolated_env, reason)
    # at most claude's two bounded retries (CLAUDE_CODE_MAX_RETRIES=2 on supervised runs): never
    # its default ten, a minute of retrying
    assert creds_used(srv).count(cred) <= 3, creds_used(srv)


@pytest.mark.e2e
@pytest.mark.parametrize("first,cred,behaviour,reason", CASES[:4] + CASES[5:], ids=IDS[:4] + IDS[5:])
def test_json_falls_over_to_route_two(routes, isolated_env, first, cred, behaviour, reason):
    srv = routes(first)
    fail(srv, cred, behaviour)
    p = failover(["-p", "hi", "--output-format", "json"], env=env(), timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)                           # exactly one JSON document: the good one
    assert out["is_error"] is False and out["result"] == GOOD
    assert_route1_marked(isolated_env, reason)


@pytest.mark.e2e
@pytest.mark.parametrize("first,cred,behaviour,reason", [CASES[0], CASES[1], CASES[4]], ids=[IDS[0], IDS[1], IDS[4]])
def test_stream_json_marks_the_switch(routes, isolated_env, first, cred, behaviour, reason):
    srv = routes(first)
    fail(srv, cred, behaviour)
    p = failover(["-p", "hi", "--output-format", "stream-json", "--verbose"], env=env(), timeout=60)
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    kinds = [(e["type"], e.get("subtype")) for e in events]
    switch = kinds.index(("system", "failover_retry"))
    retry = events[switch]
    # claude's first api_retry names only "authentication_failed": we stop there, before its words
    reason = "auth-invalid" if reason == "expired" else reason
    assert retry["failed_profile"] == "first" and retry["profile"] == "second" and retry["reason"] == reason
    assert kinds[0] == ("system", "init") and kinds[switch + 1] == ("system", "init")
    results = [e for e in events if e["type"] == "result"]
    assert len(results) == 1 and results[0]["result"] == GOOD and results[0]["is_error"] is False
    assert kinds[-1] == ("result", "success")
    assert_route1_marked(isolated_env, reason)


@pytest.mark.e2e
def test_stream_json_stops_at_the_first_auth_retry(routes, isolated_env):
    """claude retries a 401 when the server says it may (x-should-retry: true); we stop at the first."""
    srv = routes("one")
    from tests.fakeserver import error
    fail(srv, KEY1, error(401, "authentication_error", "invalid x-api-key", {"x-should-retry": "true"}))
    p = failover(["-p", "hi", "--output-format", "stream-json", "--verbose"],
                 env=env(CLAUDE_CODE_MAX_RETRIES="8"), timeout=60)
    assert p.returncode == 0, p.stderr
    assert creds_used(srv).count(KEY1) <= 2, creds_used(srv)  # stopped: eight retries would be nine requests
    assert_route1_marked(isolated_env, "auth-invalid")


@pytest.mark.e2e
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_failure_after_a_tool_call_resumes_the_session(routes, isolated_env, fmt):
    srv = routes("one")
    fail(srv, KEY1, sequence([tool_use("Bash", {"command": "true"}), "api_key_invalid"]))
    args = ["-p", "run true", "--allowedTools", "Bash"]
    if fmt == "json":
        args += ["--output-format", "json"]
    p = failover(args, env=env(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert "resuming session" in p.stderr
    posts = [r for r in srv.requests if r["method"] == "POST"]
    assert [r["credential"] for r in posts] == [KEY1, KEY1, KEY2]
    first_msgs, resumed = posts[0]["body"]["messages"], posts[-1]["body"]["messages"]
    # the resumed request carries the earlier conversation: the prompt, the tool call and its result
    assert resumed[0] == first_msgs[0]
    blocks = [b for m in resumed if isinstance(m["content"], list) for b in m["content"]]
    assert any(b["type"] == "tool_use" for b in blocks) and any(b["type"] == "tool_result" for b in blocks)
    assert "run true" in json.dumps(resumed[0])
    if fmt == "json":
        out = json.loads(p.stdout)
        assert out["result"] == GOOD and out["session_id"] in p.stderr
    else:
        assert p.stdout == GOOD + "\n"


@pytest.mark.e2e
def test_failure_before_any_work_reruns_from_scratch(routes, isolated_env):
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    p = failover(["-p", "hello there", "--output-format", "json"], env=env(), timeout=60)
    assert p.returncode == 0 and "resuming" not in p.stderr
    last = [r for r in srv.requests if r["method"] == "POST"][-1]["body"]["messages"]
    assert not any(b.get("type") == "tool_use" for m in last if isinstance(m["content"], list) for b in m["content"])
    assert "hello there" in json.dumps(last)


@pytest.mark.e2e
def test_prompt_on_stdin_is_given_to_the_retry(routes, isolated_env):
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    p = failover(["-p"], env=env(), timeout=60, input="prompt from stdin")
    assert p.returncode == 0 and p.stdout == GOOD + "\n", p.stderr
    posts = [r for r in srv.requests if r["method"] == "POST"]
    assert all("prompt from stdin" in json.dumps(r["body"]["messages"]) for r in posts)


@pytest.mark.e2e
def test_every_route_bad_exits_69_with_one_error(routes, isolated_env):
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    fail(srv, KEY2, "billing")
    p = failover(["-p", "hi"], env=env(), timeout=60)
    assert p.returncode == 69
    assert p.stdout == ""
    errors = [line for line in p.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "every route failed" in errors[0]
    assert "first" in p.stderr and "second" in p.stderr
    data = health(isolated_env)["routes"]
    assert data["first"]["verdict"]["reason"] == "auth-invalid" and data["second"]["verdict"]["reason"] == "billing"


@pytest.mark.e2e
def test_no_retry_passes_claudes_failure_through(routes, isolated_env):
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    p = failover(["--failover-no-retry", "-p", "hi"], env=env(), timeout=60)
    assert p.returncode == 1 and "Invalid API key" in p.stdout
    assert creds_used(srv) == [KEY1]
    assert_route1_marked_only = health(isolated_env)["routes"]
    assert assert_route1_marked_only["first"]["verdict"]["reason"] == "auth-invalid"


@pytest.mark.e2e
def test_next_launch_skips_the_marked_route(routes, isolated_env):
    """After a supervised failure, the next launch's decision does not start on route 1."""
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    assert failover(["-p", "hi"], env=env(), timeout=60).returncode == 0
    srv.clear_requests()
    p = failover(["-p", "again"], env=env(), timeout=60)
    assert p.returncode == 0
    assert creds_used(srv) == [KEY2]


@pytest.mark.e2e
def test_json_log_lines(routes, isolated_env):
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    p = failover(["-p", "hi", "--output-format", "json"], env=env(CLAUDE_FAILOVER_LOG="json"), timeout=60)
    assert p.returncode == 0
    lines = [json.loads(line) for line in p.stderr.splitlines() if line.strip()]
    events = [line.get("event") for line in lines]
    assert "route_failed" in events and "failover_retry" in events
    failed = lines[events.index("route_failed")]
    assert failed["profile"] == "first" and failed["reason"] == "auth-invalid" and failed["status"] == 401
    assert KEY1 not in p.stderr and KEY2 not in p.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_ends_the_child_and_nothing_is_retried(routes, isolated_env, fake_server, sig):
    """Ctrl-C ends claude and exits 130; SIGTERM is forwarded and claude's exit code passed through."""
    srv = routes("one")
    fail(srv, KEY1, "hang")
    proc = subprocess.Popen([LAUNCHER, "-p", "hi"], env=env(API_TIMEOUT_MS="600000"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=os.environ["HOME"])
    try:
        srv.wait_for_requests(1, "/v1/messages", timeout=20)
        children = _children(proc.pid)
        assert children, "claude should run as our child"
        proc.send_signal(sig)
        code = proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 130 if sig == signal.SIGINT else code != 0
    time.sleep(0.2)
    assert not any(_alive(pid) for pid in children)
    assert creds_used(srv) == [KEY1]                      # no retry after a signal


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(x) for x in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.e2e
def test_forced_route_is_recorded_not_retried(routes, isolated_env):
    """docs/headless.md: a route chosen with --failover-profile is not retried elsewhere (still recorded)."""
    srv = routes("one")
    fail(srv, KEY1, "api_key_invalid")
    p = failover(["--failover-profile", "first", "-p", "hi"], env=env(), timeout=60)
    assert p.returncode == 1 and "Invalid API key" in p.stdout
    assert creds_used(srv) == [KEY1]
    assert health(isolated_env)["routes"]["first"]["verdict"]["reason"] == "auth-invalid"
