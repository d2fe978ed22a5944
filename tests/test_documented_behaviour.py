"""Behaviour the README and docs promise that no other test pins down (found by a docs review)."""

from __future__ import annotations

import pytest

from claude_failover import cache
from tests.conftest import claude_env
from tests.launch import ctl, failover
from tests.test_health_support import BAD, GOOD, PATIENT, decide, models_requests, route, three_keys, write_config


def test_editing_a_profile_invalidates_its_verdict(isolated_env, fake_server, monkeypatch):
    """docs/health.md: 'editing a profile invalidates its verdict'."""
    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    assert decide(cfg).profile.name == "b"            # a fails and cools down
    assert route("a")["verdict"]["reason"] == "auth-invalid"
    monkeypatch.setenv("KEY_A2", GOOD)                 # the user points `a` at another key variable
    text = isolated_env.config_file.read_text().replace('secret_env = "KEY_A"', 'secret_env = "KEY_A2"')
    isolated_env.config_file.write_text(text)
    from claude_failover import config

    edited = config.load(str(isolated_env.config_file))
    fake_server.clear_requests()
    assert decide(edited).profile.name == "a"          # probed afresh despite the cooldown
    assert models_requests(fake_server) == [GOOD]


def test_warm_launch_resolves_only_the_chosen_secret(isolated_env, fake_server, monkeypatch, tmp_path):
    """README: a warm launch resolves only the chosen route's secret (a secret_cmd of a later route never runs)."""
    marker = tmp_path / "second-route-secret-was-read"
    monkeypatch.setenv("KEY_A", GOOD)
    cfg = write_config(isolated_env, f'''
        order = ["a", "b"]
        [profiles.a]
        type = "api-key"
        base_url = "{fake_server.url}"
        secret_env = "KEY_A"
        [profiles.b]
        type = "api-key"
        base_url = "{fake_server.url}"
        secret_cmd = "touch {marker}; echo {GOOD}"
        ''', probe_timeout=PATIENT)
    decide(cfg)                                         # cold: may look at b too
    marker.unlink(missing_ok=True)
    fake_server.clear_requests()
    assert decide(cfg).profile.name == "a"             # warm
    assert not marker.exists() and fake_server.requests == []


@pytest.mark.e2e
def test_keys_set_reads_the_first_line_and_forgets_the_cached_verdict(isolated_env, fake_server, keyring_backend):
    """README: `keys set` takes the first line of stdin; docs/health.md: it forgets the route's verdict."""
    write_config(isolated_env, f'''
        claude = "/bin/true"
        [profiles.work]
        type = "api-key"
        base_url = "{fake_server.url}"
        ''', probe_timeout=PATIENT)
    fake_server.behave(BAD, "api_key_invalid")
    assert ctl(["keys", "set", "work"], input=f"{BAD}\nsecond line is ignored\n").returncode == 0
    assert failover(["--failover-dry-run"]).returncode == 69
    assert route("work")["verdict"]["reason"] == "auth-invalid"
    stored = ctl(["keys", "set", "work"], input=f"{GOOD}\n")
    assert stored.returncode == 0, stored.stderr
    assert "work" not in cache.read()["routes"]        # forgotten: the new key is probed, not skipped
    proc = failover(["--failover-dry-run"])
    assert proc.returncode == 0 and "route:   work" in proc.stdout
    assert models_requests(fake_server)[-1] == GOOD


@pytest.mark.e2e
def test_doctor_makes_no_network_request(isolated_env, fake_server, claude_bin):
    """docs/doctor.md: doctor never sends a request (not even to a configured route)."""
    write_config(isolated_env, f'''
        claude = "{claude_bin}"
        [profiles.key]
        type = "api-key"
        base_url = "{fake_server.url}"
        secret_env = "K"
        [profiles.gw]
        type = "gateway"
        base_url = "{fake_server.url}"
        auth = "none"
        status_url = "{fake_server.url}/api/v2/summary.json"
        ''')
    for args in (["doctor"], ["doctor", "--json"]):
        proc = ctl(args, env=claude_env(K=GOOD))
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert fake_server.requests == []
