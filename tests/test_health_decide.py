"""The launch decision: cache, cooldowns, fallbacks, pins, strict, passthrough, notifications."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from claude_failover import cache, notify, recording
from claude_failover.errors import NoRouteError
from claude_failover.verdict import healthy, unhealthy
from tests.fakeserver import hang, rate_limited, sequence
from tests.test_health_support import (BAD, GOOD, OTHER, PATIENT, decide, models_requests, route, three_keys,
                                       write_config)


def expire_cooldown(name: str) -> None:
    """As if the route's cooldown had run out."""
    def mutate(data):
        data["routes"][name]["cooldown_until"] = time.time() - 1
    assert cache.update(mutate)


@pytest.fixture
def notes(monkeypatch):
    seen = []
    monkeypatch.setattr(notify, "route_changed", lambda *a, cfg=None: seen.append(a))
    return seen


def test_fallback_to_second_route_with_notice(isolated_env, fake_server, monkeypatch, notes):
    fake_server.behave(BAD, "api_key_invalid")
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    d = decide(cfg)
    assert d.profile.name == "b" and d.secret.value == GOOD and d.fallback
    assert d.notice() == "claude-failover: using b (api-key) — a: invalid API key (401)"
    assert route("a")["verdict"]["reason"] == "auth-invalid" and route("a")["failures"] == 1
    assert route("b")["verdict"]["state"] == "healthy"
    assert cache.read()["last"]["profile"] == "b"
    assert notes == [(None, "b", "a", "a: invalid API key (401)")]


def test_warm_launch_no_network_no_write(isolated_env, fake_server, monkeypatch, notes):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    decide(cfg)
    before = len(fake_server.requests)
    path = cache.cache_path()
    stamp = os.stat(path).st_mtime_ns
    for _ in range(3):
        assert decide(cfg).profile.name == "b"
    assert len(fake_server.requests) == before
    assert os.stat(path).st_mtime_ns == stamp
    assert len(notes) == 1


def test_only_routes_before_a_fresh_one_are_probed(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    recording.record_verdicts(cfg, {"a": healthy(checked_at=time.time() - 3600), "b": healthy()})
    fake_server.behave(BAD, "api_key_invalid")
    assert decide(cfg).profile.name == "b"
    time.sleep(0.2)
    assert models_requests(fake_server) == [BAD]  # c comes after a fresh usable route: not needed


def test_cooldown_doubles_and_respects_retry_after(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, cooldown=10, max_cooldown=25)
    data = cache.empty()
    fp = cfg.profiles["a"].fingerprint()
    now = time.time()
    waits = []
    for _ in range(4):
        item = cache.record(data, "a", fp, unhealthy("auth-invalid", checked_at=now), cfg.cooldown, cfg.max_cooldown)
        waits.append(round(item["cooldown_until"] - now))
    assert waits == [10, 20, 25, 25]
    item = cache.record(data, "a", fp, unhealthy("rate-limited", retry_after=300, checked_at=now), 10, 25)
    assert round(item["cooldown_until"] - now) == 300
    item = cache.record(data, "a", fp, healthy(checked_at=now), 10, 25)
    assert item["failures"] == 0 and item["cooldown_until"] is None


def test_returns_to_preferred_after_cooldown(isolated_env, fake_server, monkeypatch, notes):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, cooldown=60, healthy_ttl=600)
    fake_server.behave(BAD, sequence(["api_key_invalid", "ok"]))
    assert decide(cfg).profile.name == "b"
    assert decide(cfg).profile.name == "b"          # a cooling down: not asked
    assert models_requests(fake_server).count(BAD) == 1
    expire_cooldown("a")
    d = decide(cfg)
    assert d.profile.name == "a" and not d.fallback and d.notice() is None
    assert models_requests(fake_server).count(BAD) == 2
    assert notes[-1][:2] == ("b", "a") and notes[-1][3] == "preferred route healthy again"


def test_retry_after_keeps_route_cooling(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, cooldown=0.1)
    fake_server.behave(BAD, rate_limited(retry_after=120))
    assert decide(cfg).profile.name == "b"
    time.sleep(0.15)
    assert decide(cfg).profile.name == "b"
    assert models_requests(fake_server).count(BAD) == 1
    assert 100 < cache.cooldown_left(route("a")) <= 120


def test_black_holed_primary_does_not_delay(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, probe_timeout=2.0)
    t = time.monotonic()
    assert decide(cfg).profile.name == "a"  # every route answers: this machine's overhead
    baseline = time.monotonic() - t
    (isolated_env.state_dir / "health.json").unlink()
    fake_server.behave(BAD, hang())
    t = time.monotonic()
    d = decide(cfg)
    elapsed = time.monotonic() - t
    assert elapsed < 2.0 + baseline + 2.0, (elapsed, baseline)  # the deadline, never the black hole's forever
    assert d.profile.name == "b" and "a: no answer" in d.notice()  # in time / within probe_timeout: a race
    assert route("a")["verdict"]["reason"] == "timeout"


def test_all_definite_exit_69(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.default_behaviour = "api_key_invalid"
    with pytest.raises(NoRouteError) as err:
        decide(cfg)
    assert err.value.exit_code == 69
    assert all(f"  {n}" in err.value.message for n in "abc") and "invalid API key (401)" in err.value.message
    assert route("c")["failures"] == 1  # recorded even when nothing launches


def test_soft_failures_launch_first_with_warning(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, probe_timeout=2.0)  # a's 401 must arrive in time
    fake_server.behave(BAD, "api_key_invalid")
    fake_server.behave(GOOD, hang())
    fake_server.behave(OTHER, hang())
    d = decide(cfg)
    assert d.profile.name == "b" and d.warning
    assert d.notice().startswith("claude-failover: no route verified healthy; trying b (api-key) anyway")
    with pytest.raises(NoRouteError):
        decide(cfg, "--failover-strict")
    cfg.settings["strict"] = True
    with pytest.raises(NoRouteError):
        decide(cfg)


def test_forced_and_pinned(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    d = decide(cfg, "--failover-profile", "c")
    assert (d.profile.name, d.forced, d.secret.value) == ("c", "flag", OTHER)
    cache.update(lambda data: data.__setitem__("pin", {"profile": "b", "until": time.time() + 60}))
    assert decide(cfg).forced == "pin" and decide(cfg).profile.name == "b"
    monkeypatch.setenv("CLAUDE_FAILOVER_PROFILE", "c")
    assert decide(cfg).profile.name == "c"
    monkeypatch.delenv("CLAUDE_FAILOVER_PROFILE")
    cache.update(lambda data: data.__setitem__("pin", {"profile": "b", "until": time.time() - 1}))
    assert decide(cfg).profile.name == "a"
    assert not fake_server.requests or models_requests(fake_server)  # only the health decision probed


def test_passthrough_never_probes_never_69(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    for name in ("KEY_A", "KEY_B", "KEY_C"):
        monkeypatch.delenv(name)
    d = decide(cfg, passthrough=True)
    assert d.forced == "passthrough" and d.profile.name == "a" and d.secret is None
    assert not fake_server.requests


def test_exclude(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    assert decide(cfg, exclude=frozenset({"a"})).profile.name == "b"


def test_missing_secret_on_cached_route_falls_through(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    decide(cfg)
    monkeypatch.delenv("KEY_A")
    d = decide(cfg)
    assert d.profile.name == "b" and "a: profile 'a' has no secret" in d.notice()


def test_cooldown_survives_a_long_failing_streak_and_odd_counts(isolated_env):
    """2 ** 1024 does not convert to a float: a route failing for days must not crash the record."""
    now = time.time()
    for stored in (5000, "3", -1, 2.5, None, True):
        data = {"version": 1, "routes": {"a": {"fingerprint": "f", "failures": stored}}}
        item = cache.record(data, "a", "f", unhealthy("auth-invalid", checked_at=now), 60, 1800)
        assert round(item["cooldown_until"] - now) == (1800 if stored == 5000 else 60)


def test_non_finite_numbers_in_the_cache_are_ignored():
    from claude_failover.verdict import Verdict

    v = Verdict.from_dict({"state": "unhealthy", "reason": "outage", "status": float("inf"),
                           "latency_ms": float("nan"), "checked_at": float("-inf")})
    assert v is not None and (v.status, v.latency_ms, v.checked_at) == (None, None, 0.0)


def test_corrupt_cache_is_rebuilt(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    isolated_env.state_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.state_dir / "health.json").write_text("{not json")
    assert decide(cfg).profile.name == "a"
    assert json.loads((isolated_env.state_dir / "health.json").read_text())["version"] == 1
    assert (isolated_env.state_dir / "health.json.corrupt").exists()
    assert oct(os.stat(isolated_env.state_dir / "health.json").st_mode & 0o777) == "0o600"


def test_subscription_relogin_invalidates_failure(isolated_env, fake_server, monkeypatch):
    from tests.test_probes_http import write_login
    monkeypatch.setenv("KEY_B", GOOD)
    cfg = write_config(isolated_env, f'''
        order = ["max", "b"]
        [profiles.max]
        type = "subscription"
        probe = false
        [profiles.b]
        type = "api-key"
        base_url = "{fake_server.url}"
        secret_env = "KEY_B"''', probe_timeout=PATIENT, cooldown=600)
    write_login(isolated_env.claude_dir, expires_in=-10, refresh=False)
    assert decide(cfg).profile.name == "b"
    time.sleep(0.02)
    write_login(isolated_env.claude_dir)           # `claude auth login` again
    assert decide(cfg).profile.name == "max"


def test_reported_failures_keep_counting(isolated_env, monkeypatch):
    from claude_failover.ctl.cmd_report import record_failure
    from tests.test_probes_http import write_login
    write_login(isolated_env.claude_dir)
    cfg = write_config(isolated_env, '[profiles.max]\ntype = "subscription"\nprobe = false\n'
                                     '[profiles.k]\ntype = "api-key"\nsecret = "none"\n', cooldown=10)
    record_failure(cfg, "max", "auth-invalid", "authentication failed in claude", source="run")
    assert decide(cfg).profile.name == "k"
    expire_cooldown("max")
    # half-open after the cooldown: a supervised run tries it (and falls over if it fails) ...
    assert decide(cfg, "-p", "hi").profile.name == "max"
    assert route("max")["failures"] == 1 and route("max")["doubt"]["reason"] == "auth-invalid"
    _, left = record_failure(cfg, "max", "auth-invalid", "again", source="run")
    assert route("max")["failures"] == 2 and left > 15


def test_warm_path_imports_nothing_heavy(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    decide(cfg)
    code = ("import sys, os\nfrom claude_failover import config, chooser, argv\n"
            "cfg = config.load(os.environ['CLAUDE_FAILOVER_CONFIG'])\n"
            "d = chooser.choose(cfg, dict(os.environ), argv.split([]))\n"
            "heavy = [m for m in ('httpx', 'tenacity', 'keyring', 'click', 'claude_failover.probes') if m in sys.modules]\n"
            "print(d.profile.name, heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=30)
    assert out.stdout.strip() == "a []", out.stderr


def test_concurrent_decisions_keep_cache_valid(isolated_env, fake_server, monkeypatch):
    cfg = three_keys(isolated_env, fake_server, monkeypatch, probe_timeout=30)  # 20 cold starts at once
    fake_server.behave(BAD, "api_key_invalid")
    code = ("import os\nfrom claude_failover import config, chooser, argv\n"
            "cfg = config.load(os.environ['CLAUDE_FAILOVER_CONFIG'])\n"
            "print(chooser.choose(cfg, dict(os.environ), argv.split([])).profile.name)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
             for _ in range(20)]
    names = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert names == ["b"] * 20
    data = json.loads((isolated_env.state_dir / "health.json").read_text())
    assert data["routes"]["a"]["verdict"]["reason"] == "auth-invalid" and data["last"]["profile"] == "b"


class _Stream:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_only_on_a_tty_after_the_delay():
    from claude_failover.progress import Progress
    tty = _Stream(True)
    with Progress("checking routes…", stream=tty, environ={}, delay=0.05) as p:
        p.tick()
        assert tty.text == ""                     # not before ~300 ms (here 50 ms)
        time.sleep(0.06)
        p.tick()
    assert "claude-failover: checking routes…" in tty.text and tty.text.endswith("\r\x1b[2K")
    for stream, environ in ((_Stream(False), {}), (_Stream(True), {"CLAUDE_FAILOVER_QUIET": "1"}),
                            (_Stream(True), {"CLAUDE_FAILOVER_LOG": "json"})):
        with Progress("x", stream=stream, environ=environ, delay=0) as p:
            p.tick()
        assert stream.text == ""


def test_a_new_login_readmits_a_subscription_in_doubt(isolated_env, monkeypatch):
    from claude_failover.ctl.cmd_report import record_failure
    from tests.test_probes_http import write_login
    write_login(isolated_env.claude_dir)
    cfg = write_config(isolated_env, '[profiles.max]\ntype = "subscription"\nprobe = false\nlive_check = false\n'
                                     '[profiles.k]\ntype = "api-key"\nsecret = "none"\n', cooldown=600)
    record_failure(cfg, "max", "auth-invalid", "authentication failed in claude", source="run")
    expire_cooldown("max")
    assert decide(cfg).profile.name == "k"              # half-open: the clock alone re-admits nothing
    assert route("max")["doubt"]["reason"] == "auth-invalid"
    time.sleep(0.02)
    write_login(isolated_env.claude_dir)                # `claude auth login` again: evidence
    assert decide(cfg).profile.name == "max"
    assert "doubt" not in route("max")


def test_local_verdicts_start_no_cooldown(isolated_env, monkeypatch):
    cfg = write_config(isolated_env, '[profiles.k]\ntype = "api-key"\nsecret_env = "NOT_HERE"\n')
    monkeypatch.delenv("NOT_HERE", raising=False)
    recording.record_verdicts(cfg, {"k": unhealthy("misconfigured", "no secret", source="local")})
    assert "k" not in cache.read()["routes"]
    with pytest.raises(NoRouteError) as info:
        decide(cfg)
    assert "export NOT_HERE" in info.value.message and "k" not in cache.read()["routes"]


def test_fallback_to_a_degraded_route_names_the_fallback_and_the_degradation(isolated_env, fake_server, monkeypatch,
                                                                               notes):
    from claude_failover.recording import record_verdicts
    from claude_failover.verdict import Verdict

    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    decide(cfg)  # a: invalid key (cached, cooling); b: healthy
    slow = Verdict("degraded", reason="overloaded", detail="slow answers", source="probe")
    record_verdicts(cfg, {"b": slow})
    d = decide(cfg)
    assert d.profile.name == "b" and d.fallback
    assert d.notice() == ("claude-failover: using b (api-key) — a: invalid API key (401); "
                          f"b is degraded: {slow.line()}")
