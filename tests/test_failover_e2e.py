"""End to end with the REAL claude on the fake server: automatic failover and the way back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.fakeserver import DEFAULT_REPLY
from tests.test_health_support import BAD, GOOD, write_config

LAUNCHER = shutil.which("claude-failover", path=str(Path(__file__).resolve().parent.parent / ".venv" / "bin")) \
    or "claude-failover"


def setup(isolated_env, srv, claude_bin, monkeypatch, **settings):
    monkeypatch.setenv("KEY_A", BAD)
    monkeypatch.setenv("KEY_B", GOOD)
    settings.setdefault("probe_timeout", 10.0)  # answers come at once, but not always within 3 s on a busy machine
    return write_config(isolated_env, f'''
        claude = "{claude_bin}"
        order = ["primary", "backup"]
        [profiles.primary]
        type = "api-key"
        base_url = "{srv.url}"
        secret_env = "KEY_A"
        [profiles.backup]
        type = "api-key"
        base_url = "{srv.url}"
        secret_env = "KEY_B"''', **settings)


def launch(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    env = dict(os.environ, CLAUDE_CODE_MAX_RETRIES="0")
    return subprocess.run([LAUNCHER, *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, cwd=os.environ["HOME"])


def message_credentials(srv) -> list[str]:
    return [r["credential"] for r in srv.requests if r["method"] == "POST" and "/v1/messages" in r["path"]]


def health_file(isolated_env) -> dict:
    return json.loads((isolated_env.state_dir / "health.json").read_text())


@pytest.mark.e2e
def test_primary_failing_lands_on_backup_and_returns(isolated_env, fake_server, claude_bin, monkeypatch):
    setup(isolated_env, fake_server, claude_bin, monkeypatch, cooldown=120, healthy_ttl=600)
    fake_server.behave(BAD, "api_key_invalid")

    p = launch("-p", "hi")
    assert p.returncode == 0, p.stdout + p.stderr
    assert DEFAULT_REPLY in p.stdout
    assert "claude-failover: using backup (api-key) — primary: invalid API key (401)" in p.stderr
    assert message_credentials(fake_server) == [GOOD]                 # the request log: route 2 only
    data = health_file(isolated_env)
    assert data["routes"]["primary"]["verdict"]["reason"] == "auth-invalid"
    assert data["routes"]["primary"]["failures"] == 1 and data["last"]["profile"] == "backup"

    # while primary cools down: no probe of it, still the backup, the notice again
    probes_before = len(fake_server.requests_for("/v1/models"))
    p = launch("-p", "hi")
    assert p.returncode == 0 and "using backup" in p.stderr
    assert len(fake_server.requests_for("/v1/models")) == probes_before

    # primary recovers; after its cooldown launches return to it by themselves, silently
    fake_server.reset_behaviours()
    from claude_failover import cache

    def cooldown_over(data):  # two minutes later, as far as the cache can tell
        data["routes"]["primary"]["cooldown_until"] = time.time() - 1
    assert cache.update(cooldown_over, path=str(isolated_env.state_dir / "health.json"))
    fake_server.clear_requests()
    p = launch("-p", "hi")
    assert p.returncode == 0 and DEFAULT_REPLY in p.stdout, p.stdout + p.stderr
    assert "claude-failover:" not in p.stderr
    assert message_credentials(fake_server) == [BAD]
    data = health_file(isolated_env)
    assert data["routes"]["primary"]["verdict"]["state"] == "healthy" and data["last"]["profile"] == "primary"


@pytest.mark.e2e
def test_quiet_and_exit_69(isolated_env, fake_server, claude_bin, monkeypatch):
    setup(isolated_env, fake_server, claude_bin, monkeypatch)
    fake_server.behave(BAD, "api_key_invalid")
    monkeypatch.setenv("CLAUDE_FAILOVER_QUIET", "1")
    p = launch("-p", "hi")
    assert p.returncode == 0 and p.stderr == "" and DEFAULT_REPLY in p.stdout
    fake_server.behave(GOOD, "billing")
    (isolated_env.state_dir / "health.json").unlink()
    p = launch("-p", "hi")
    assert p.returncode == 69 and not message_credentials(fake_server)[1:]
    assert "no usable route" in p.stderr and "primary" in p.stderr and "backup" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.e2e
def test_twenty_concurrent_launches_leave_a_valid_cache(isolated_env, fake_server, claude_bin, monkeypatch):
    setup(isolated_env, fake_server, claude_bin, monkeypatch, probe_timeout=20.0)
    fake_server.behave(BAD, "api_key_invalid")
    env = dict(os.environ, CLAUDE_CODE_MAX_RETRIES="0")
    procs = [subprocess.Popen([LAUNCHER, "-p", "hi"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=os.environ["HOME"]) for _ in range(20)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, outs
    assert all(DEFAULT_REPLY in out for out, _ in outs)
    assert set(message_credentials(fake_server)) == {GOOD}
    data = health_file(isolated_env)                       # parses: whole, valid JSON
    assert data["version"] == 1 and data["last"]["profile"] == "backup"
    assert data["routes"]["primary"]["verdict"]["reason"] == "auth-invalid"
    assert data["routes"]["backup"]["verdict"]["state"] == "healthy"
    assert oct(os.stat(isolated_env.state_dir / "health.json").st_mode & 0o777) == "0o600"
    assert not list(isolated_env.state_dir.glob(".tmp-*"))
