"""The `claude` shim: install/uninstall rules, PATH advice, and (e2e, REAL claude) that a shim first
on PATH runs the launcher, which finds the real claude behind it and never loops."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from claude_failover import binary, shim
from claude_failover.errors import FailoverError
from tests.fakeserver import DEFAULT_REPLY
from tests.launch import BIN, LAUNCHER, ctl, write_config

API_KEY = "sk-ant-api03-FAKE-shim-1"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


# ---------------------------------------------------------------------------------------------------
# unit: install / uninstall
# ---------------------------------------------------------------------------------------------------
def test_install_writes_executable_shim_with_marker(tmp_path):
    result = shim.install(str(tmp_path / "bin"), [LAUNCHER], environ={"PATH": str(tmp_path / "bin")})
    target = tmp_path / "bin" / "claude"
    assert result.path == str(target) and not result.replaced
    text = target.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert f'exec {LAUNCHER} "$@"' in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert shim.is_shim(str(target))
    assert binary.leads_to_us(str(target), own=set())  # find_claude skips it by its marker
    assert not list((tmp_path / "bin").glob(".tmp-*"))  # atomic write left nothing behind


def test_install_leaves_a_shared_dir_mode_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    shim.install(str(shared), [LAUNCHER], environ={"PATH": str(shared)})
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_launcher_command_is_absolute_and_ours():
    command = shim.launcher_command()
    assert os.path.isabs(command[0])
    assert command == [str(BIN / "claude-failover")]


def test_reinstall_replaces_our_own_shim(tmp_path):
    shim.install(str(tmp_path), ["/old/claude-failover"], environ={"PATH": str(tmp_path)})
    result = shim.install(str(tmp_path), [LAUNCHER], environ={"PATH": str(tmp_path)})
    assert result.replaced
    assert "/old/" not in (tmp_path / "claude").read_text()


@pytest.mark.parametrize("kind", ["script", "binary", "symlink"])
def test_install_refuses_to_overwrite_a_real_claude(tmp_path, kind):
    target = tmp_path / "claude"
    if kind == "script":
        target.write_text("#!/bin/sh\necho real claude\n")
    elif kind == "binary":
        target.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 64)
    else:
        real = tmp_path / "versions" / "2.1.328"
        real.parent.mkdir()
        real.write_text("#!/bin/sh\necho real\n")
        target.symlink_to(real)
    before = target.read_bytes()
    with pytest.raises(FailoverError) as info:
        shim.install(str(tmp_path), [LAUNCHER], environ={"PATH": str(tmp_path)})
    assert "not overwriting" in info.value.message and "--dir" in info.value.hint
    assert target.read_bytes() == before


def test_ctl_install_shim_refuses_and_exits_1(isolated_env, tmp_path):
    real = tmp_path / "bin" / "claude"
    real.parent.mkdir()
    real.write_text("#!/bin/sh\necho real claude\n")
    p = ctl(["install-shim", "--dir", str(real.parent)])
    assert p.returncode == 1
    assert p.stderr.startswith("claude-failover: error:") and "Traceback" not in p.stderr
    assert real.read_text() == "#!/bin/sh\necho real claude\n"


def test_uninstall_removes_only_our_shim(tmp_path):
    shim.install(str(tmp_path), [LAUNCHER], environ={"PATH": str(tmp_path)})
    assert shim.uninstall(str(tmp_path)) == str(tmp_path / "claude")
    assert not (tmp_path / "claude").exists()
    assert shim.uninstall(str(tmp_path)) is None  # nothing there: not an error
    (tmp_path / "claude").write_text("#!/bin/sh\necho real claude\n")
    with pytest.raises(FailoverError):
        shim.uninstall(str(tmp_path))
    assert (tmp_path / "claude").exists()


def test_ctl_install_and_uninstall_shim(isolated_env, tmp_path):
    bindir = tmp_path / "bin"
    env = dict(os.environ, PATH=f"{bindir}:{SYSTEM_PATH}")
    p = ctl(["install-shim", "--dir", str(bindir)], env=env)
    assert p.returncode == 0, p.stderr
    assert f"installed {bindir}/claude -> {LAUNCHER}" in p.stdout and p.stderr == ""
    p = ctl(["uninstall-shim", "--dir", str(bindir)], env=env)
    assert p.returncode == 0 and f"removed {bindir}/claude" in p.stdout
    p = ctl(["install-shim", "--print"], env=env)
    assert p.returncode == 0 and "claude-failover shim" in p.stdout and not bindir.joinpath("claude").exists()


# ---------------------------------------------------------------------------------------------------
# unit: PATH advice
# ---------------------------------------------------------------------------------------------------
def _real_claude(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    real = directory / "claude"
    real.write_text("#!/bin/sh\necho real\n")
    real.chmod(0o755)
    return real


def test_advice_when_dir_not_on_path(tmp_path):
    result = shim.install(str(tmp_path / "shims"), [LAUNCHER], environ={"PATH": SYSTEM_PATH})
    (line,) = result.advice
    assert "is not on PATH" in line and f'export PATH="{tmp_path}/shims:$PATH"' in line


def test_advice_when_dir_comes_after_the_real_claude(tmp_path):
    real = _real_claude(tmp_path / "real")
    env = {"PATH": f"{tmp_path / 'real'}:{tmp_path / 'shims'}:{SYSTEM_PATH}"}
    (line,) = shim.install(str(tmp_path / "shims"), [LAUNCHER], environ=env).advice
    assert "comes after" in line and str(real) in line


def test_no_advice_when_shim_comes_first(tmp_path):
    _real_claude(tmp_path / "real")
    env = {"PATH": f"{tmp_path / 'shims'}:{tmp_path / 'real'}:{SYSTEM_PATH}"}
    assert shim.install(str(tmp_path / "shims"), [LAUNCHER], environ=env).advice == []


def test_ctl_warns_on_stderr_when_path_is_wrong(isolated_env, tmp_path):
    _real_claude(tmp_path / "real")
    env = dict(os.environ, PATH=f"{tmp_path / 'real'}:{tmp_path / 'shims'}:{SYSTEM_PATH}")
    p = ctl(["install-shim", "--dir", str(tmp_path / "shims")], env=env)
    assert p.returncode == 0
    assert "warning:" in p.stderr and "comes after" in p.stderr


# ---------------------------------------------------------------------------------------------------
# e2e: the REAL claude behind the shim, through `sh -c` (no aliases there)
# ---------------------------------------------------------------------------------------------------
@pytest.fixture
def shim_setup(isolated_env, fake_server, claude_bin, tmp_path):
    """shims/claude (our shim) first on PATH, real/claude (-> the pinned claude) after it, and a config
    without `claude = ...` so the launcher must find the real one on PATH."""
    write_config(isolated_env.config_file, f"""
order = ["key"]
[profiles.key]
type = "api-key"
base_url = "{fake_server.url}"
secret_env = "TEST_SHIM_KEY"
""")
    shims, real = tmp_path / "shims", tmp_path / "real"
    real.mkdir()
    (real / "claude").symlink_to(claude_bin)
    p = ctl(["install-shim", "--dir", str(shims)], env=dict(os.environ, PATH=f"{shims}:{real}:{SYSTEM_PATH}"))
    assert p.returncode == 0 and p.stderr == "", p.stderr
    env = dict(os.environ, PATH=f"{shims}:{real}:{SYSTEM_PATH}", TEST_SHIM_KEY=API_KEY)
    return shims, real, env


def sh(command: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=env.get("HOME"))


@pytest.mark.e2e
def test_shim_first_on_path_resolves_the_real_claude(shim_setup):
    shims, real, env = shim_setup
    assert sh("command -v claude", env).stdout.strip() == str(shims / "claude")
    p = sh("claude --failover-dry-run", env)
    assert p.returncode == 0, p.stderr
    assert f"claude:  {real / 'claude'}\n" in p.stdout
    assert "route:   key (api-key)" in p.stdout
    assert API_KEY not in p.stdout + p.stderr


@pytest.mark.e2e
def test_shim_runs_real_claude_against_fake_server(shim_setup, fake_server):
    shims, real, env = shim_setup
    p = sh("claude -p hi", env)
    assert p.returncode == 0, p.stderr
    assert DEFAULT_REPLY in p.stdout
    assert API_KEY in fake_server.credentials_seen()


@pytest.mark.e2e
def test_shim_never_loops_without_a_real_claude(shim_setup):
    shims, real, env = shim_setup
    # a second shim earlier on PATH too, and no real claude at all: a clear 127, quickly
    shim.install(str(shims.parent / "shims2"), [LAUNCHER], environ={})
    env = dict(env, PATH=f"{shims.parent / 'shims2'}:{shims}:{SYSTEM_PATH}")
    started = time.monotonic()
    p = sh("claude -p hi", env, timeout=30)
    assert p.returncode == 127, p.stderr
    assert "the real `claude` was not found on PATH" in p.stderr
    assert time.monotonic() - started < 10


@pytest.mark.e2e
def test_config_pointing_at_the_shim_is_refused(shim_setup, isolated_env):
    shims, real, env = shim_setup
    text = isolated_env.config_file.read_text()
    isolated_env.config_file.write_text(f'claude = "{shims / "claude"}"\n' + text)
    p = sh("claude -p hi", env, timeout=30)
    assert p.returncode == 127
    assert "is claude-failover itself" in p.stderr
