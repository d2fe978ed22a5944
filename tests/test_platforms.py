"""macOS and Windows branches, tested on Linux.

macOS: processes start with ``sys.platform = "darwin"`` (the hook in tests/data/platform/sitecustomize.py,
switched on by CLAUDE_FAILOVER_TEST_PLATFORM) or have it monkeypatched in-process, and find stand-ins for
``security``, ``launchctl`` and ``osascript`` (tests/data/platform/standins/) first on PATH: they record
their argv in $STANDIN_LOG and answer like the real tools. Windows: ``os.name`` is switched in-process
around the code that branches on it (a whole Windows interpreter cannot be faked on Linux).
"""

from __future__ import annotations

import hashlib
import json
import os
import plistlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claude_failover import claude_state, execute, notify
from tests.conftest import REPO
from tests.launch import BIN, CTL, LAUNCHER, write_config

PLATFORM = REPO / "tests" / "data" / "platform"
STANDINS = PLATFORM / "standins"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
FUTURE_MS = int((time.time() + 86400) * 1000)
LOGIN = {"claudeAiOauth": {"accessToken": "sk-ant-oat01-STANDIN", "refreshToken": "sk-ant-ort01-STANDIN",
                           "expiresAt": FUTURE_MS, "scopes": ["user:inference"], "subscriptionType": "max"}}


@pytest.fixture
def mac(isolated_env, tmp_path, monkeypatch):
    """Stand-ins first on PATH, an empty keychain dir, an argv log; returns helpers."""
    keychain = tmp_path / "keychain"
    keychain.mkdir()
    log = tmp_path / "standin.log"
    monkeypatch.setenv("PATH", f"{STANDINS}:{BIN}:{SYSTEM_PATH}")
    monkeypatch.setenv("STANDIN_KEYCHAIN", str(keychain))
    monkeypatch.setenv("STANDIN_LOG", str(log))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)

    class Mac:
        env = isolated_env

        @staticmethod
        def store(service: str, blob: dict) -> None:
            (keychain / service).write_text(json.dumps(blob))

        @staticmethod
        def calls() -> list[list[str]]:
            return [line.split("\x1f") for line in log.read_text().splitlines()] if log.exists() else []

        @staticmethod
        def process_env(**extra) -> dict[str, str]:
            """For a child process that starts as macOS."""
            return dict(os.environ, PYTHONPATH=str(PLATFORM), CLAUDE_FAILOVER_TEST_PLATFORM="darwin", **extra)

    return Mac


def run(args, env, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------------
# macOS: the subscription login in the keychain
# ---------------------------------------------------------------------------------------------------
def test_keychain_login_is_read_with_security(mac, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    mac.store("Claude Code-credentials", LOGIN)
    state = claude_state.read_login()
    assert state.status == claude_state.OK and state.subscription_type == "max"
    assert state.location == "macOS keychain (service 'Claude Code-credentials')"
    assert mac.calls() == [["security", "find-generic-password", "-s", "Claude Code-credentials", "-w"]]
    assert "STANDIN" not in repr(state)  # the token never leaves claude_state


def test_keychain_service_of_a_custom_config_dir_carries_its_hash(mac, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    custom = str(tmp_path / "work-claude")
    service = "Claude Code-credentials-" + hashlib.sha256(custom.encode()).hexdigest()[:8]
    mac.store(service, LOGIN)
    assert claude_state.read_login(custom).status == claude_state.OK
    assert claude_state.read_login(environ={"CLAUDE_CONFIG_DIR": custom, "HOME": str(mac.env.home)}).usable
    assert [call[3] for call in mac.calls()] == [service, service]


def test_keychain_without_a_login_is_missing_and_a_credentials_file_wins(mac, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    state = claude_state.read_login()
    assert state.status == claude_state.MISSING and "claude auth login" in state.detail
    mac.env.claude_dir.mkdir(parents=True, exist_ok=True)
    (mac.env.claude_dir / ".credentials.json").write_text(json.dumps(LOGIN))
    assert claude_state.read_login().status == claude_state.OK
    assert len(mac.calls()) == 1  # the file was found: no keychain read


SUBSCRIPTION = 'claude = "/bin/true"\n[profiles.max]\ntype = "subscription"\nprobe = false\n'


def test_warm_launch_of_a_subscription_route_on_macos_trusts_the_cached_verdict(mac):
    """The keychain is read (one `security` process) by the cold decision only; warm launches within
    healthy_ttl use the cached verdict and start no process (bench/bench_keychain.py times both)."""
    write_config(mac.env.config_file, SUBSCRIPTION)
    mac.store("Claude Code-credentials", LOGIN)
    env = mac.process_env()
    cold = run([LAUNCHER, "-p", "hi"], env)
    assert cold.returncode == 0, cold.stderr
    assert mac.calls() == [["security", "find-generic-password", "-s", "Claude Code-credentials", "-w"]]
    for args in (["-p", "hi"], []):
        warm = run([LAUNCHER, *args], env)
        assert warm.returncode == 0, warm.stderr
    assert len(mac.calls()) == 1
    dry = run([LAUNCHER, "--failover-dry-run"], env)
    assert "max" in dry.stdout and "STANDIN" not in dry.stdout + dry.stderr


def test_login_store_stamp_on_macos_is_the_keychain_file(mac, monkeypatch):
    """Without a credentials file the store that changes on `claude auth login` is the login keychain."""
    monkeypatch.setattr(sys, "platform", "darwin")
    assert claude_state.login_store_stamp(str(mac.env.claude_dir)) is None
    keychain = mac.env.home / "Library" / "Keychains" / "login.keychain-db"
    keychain.parent.mkdir(parents=True)
    keychain.write_bytes(b"kych")
    os.utime(keychain, (1_700_000_000, 1_700_000_000))
    assert claude_state.login_store_stamp(str(mac.env.claude_dir)) == 1_700_000_000
    mac.env.claude_dir.mkdir(parents=True, exist_ok=True)
    (mac.env.claude_dir / ".credentials.json").write_text("{}")
    os.utime(mac.env.claude_dir / ".credentials.json", (1_800_000_000, 1_800_000_000))
    assert claude_state.login_store_stamp(str(mac.env.claude_dir)) == 1_800_000_000
    monkeypatch.setattr(sys, "platform", "linux")
    os.unlink(mac.env.claude_dir / ".credentials.json")
    assert claude_state.login_store_stamp(str(mac.env.claude_dir)) is None
    assert mac.calls() == []  # a stat, never a `security` process


# ---------------------------------------------------------------------------------------------------
# macOS: launchd agent, notifications, paths
# ---------------------------------------------------------------------------------------------------
def test_install_units_on_macos_writes_a_valid_agent_and_loads_it_with_launchctl(mac):
    write_config(mac.env.config_file, SUBSCRIPTION)
    p = run([CTL, "install-units"], mac.process_env())
    assert p.returncode == 0, p.stderr
    plist = mac.env.home / "Library" / "LaunchAgents" / "local.claude-failover.probe.plist"
    agent = plistlib.loads(plist.read_bytes())
    assert agent["Label"] == "local.claude-failover.probe"
    assert agent["ProgramArguments"] == [CTL, "--config", str(mac.env.config_file), "probe", "--notify"]
    assert agent["StartInterval"] == 240 and agent["RunAtLoad"] is True
    assert agent["StandardOutPath"] == str(mac.env.state_dir / "probe.log")
    assert agent["EnvironmentVariables"]["CLAUDE_FAILOVER_STATE_DIR"] == str(mac.env.state_dir)
    assert oct(plist.stat().st_mode & 0o777) == "0o644"
    uid = os.getuid()
    assert mac.calls() == [["launchctl", "bootout", f"gui/{uid}/local.claude-failover.probe"],
                           ["launchctl", "bootstrap", f"gui/{uid}", str(plist)]]
    assert "enabled: local.claude-failover.probe" in p.stdout


def test_notifications_on_macos_go_through_osascript(mac, tmp_path, monkeypatch):
    only = tmp_path / "path"
    only.mkdir()
    (only / "osascript").symlink_to(STANDINS / "osascript")
    (only / "sh").symlink_to("/bin/sh")
    monkeypatch.setenv("PATH", str(only))      # no notify-send: the macOS branch
    assert notify.send("Claude fell back to work-key", "max: rate limited")
    deadline = time.monotonic() + 10
    while not mac.calls() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mac.calls() == [["osascript", "-e", "on run argv",
                            "-e", "display notification (item 2 of argv) with title (item 1 of argv)",
                            "-e", "end run", "Claude fell back to work-key", "max: rate limited"]]


def test_macos_config_and_state_paths(mac):
    env = mac.process_env()
    for name in ("CLAUDE_FAILOVER_CONFIG", "CLAUDE_FAILOVER_STATE_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        env.pop(name, None)
    code = "from claude_failover import paths; print(paths.config_path(None)); print(paths.state_dir())"
    p = run([sys.executable, "-c", code], env)
    assert p.returncode == 0, p.stderr
    support = mac.env.home / "Library" / "Application Support" / "claude-failover"
    assert p.stdout.splitlines() == [str(support / "config.toml"), str(support)]


# ---------------------------------------------------------------------------------------------------
# Windows: a child process instead of exec; the PowerShell alias
# ---------------------------------------------------------------------------------------------------
def test_on_windows_claude_runs_as_a_child_and_its_exit_code_passes_through(tmp_path, monkeypatch):
    out = tmp_path / "child.txt"
    fake = tmp_path / "claude"
    fake.write_text(f'#!/bin/sh\nprintf "%s|%s" "$CLAUDE_FAILOVER_PID" "$*" > "{out}"\nexit 7\n')
    fake.chmod(0o755)
    from claude_failover.credvars import PID_VAR

    monkeypatch.setattr(os, "name", "nt")
    code = execute.exec_claude(str(fake), ["-p", "hi there"], {"PATH": SYSTEM_PATH})
    monkeypatch.undo()
    assert code == 7                                       # we are still here: no exec happened
    assert PID_VAR == "CLAUDE_FAILOVER_PID"
    assert out.read_text() == f"parent:{os.getpid()}|-p hi there"


def test_on_windows_the_shim_is_refused_for_the_powershell_function(tmp_path, monkeypatch):
    from claude_failover import shim
    from claude_failover.errors import UsageError

    target = tmp_path / "bin"
    monkeypatch.setattr(os, "name", "nt")
    with pytest.raises(UsageError) as caught:
        shim.install(str(target))
    monkeypatch.undo()
    assert "contrib/shell/claude-failover.ps1" in caught.value.hint
    assert not target.exists()


def test_powershell_alias_runs_the_launcher_by_name_or_through_python():
    text = (REPO / "contrib" / "shell" / "claude-failover.ps1").read_text()
    assert "function global:claude" in text
    assert "$MyInvocation.ExpectingInput" in text                       # pipeline input passes through
    assert "@($python, '-m', 'claude_failover')" in text              # Windows: the plain script is not runnable
    assert "Join-Path (Split-Path $ctl.Source) 'python.exe'" in text  # the Python claude-failover-ctl came with
    assert "claude-failover-ctl completion powershell" in text
    # `python -m claude_failover` is the launcher itself
    p = subprocess.run([sys.executable, "-m", "claude_failover", "--failover-version"], capture_output=True,
                       text=True, timeout=30)
    assert p.stdout.startswith("claude-failover ")


def test_a_new_keychain_login_makes_the_next_warm_launch_look_again(mac):
    """A cached verdict is trusted until the login store changes: on macOS without a credentials file
    that is the login keychain's file (a stat per launch, no `security` process until it changes)."""
    write_config(mac.env.config_file, SUBSCRIPTION)
    mac.store("Claude Code-credentials", LOGIN)
    keychain = mac.env.home / "Library" / "Keychains" / "login.keychain-db"
    keychain.parent.mkdir(parents=True)
    keychain.write_bytes(b"kych")
    os.utime(keychain, (time.time() - 3600,) * 2)
    env = mac.process_env()
    for _ in range(2):  # cold (one keychain read), then warm (none)
        assert run([LAUNCHER, "-p", "hi"], env).returncode == 0
    assert len(mac.calls()) == 1
    time.sleep(0.05)
    os.utime(keychain, (time.time(),) * 2)  # `claude auth login` rewrote the keychain (after the verdict)
    assert run([LAUNCHER, "-p", "hi"], env).returncode == 0
    assert len(mac.calls()) == 2  # looked again, once
    assert run([LAUNCHER, "-p", "hi"], env).returncode == 0
    assert len(mac.calls()) == 2
