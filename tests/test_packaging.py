"""Releasing and installing: one version, `python -m build`, pipx / uv tool installs, scripts/setup.sh.

Everything here runs offline inside the test namespace: the wheel and sdist are built with
``--no-isolation`` (setuptools and wheel come with the test extra), and installs take the
dependencies from the wheelhouse scripts/test.sh downloads beforehand (CLAUDE_FAILOVER_TEST_WHEELHOUSE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import claude_failover
from tests.conftest import REPO
from tests.launch import CTL, LAUNCHER

VERSION = claude_failover.__version__
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
GATEWAY = '[profiles.gw]\ntype = "gateway"\nbase_url = "http://127.0.0.1:9"\nauth = "none"\nprobe = false\n'


def wheelhouse() -> Path:
    path = Path(os.environ.get("CLAUDE_FAILOVER_TEST_WHEELHOUSE") or REPO / ".venv" / "wheelhouse")
    if not any(path.glob("click-*.whl")):
        pytest.fail(f"no dependency wheels in {path}; run `bash scripts/test.sh`", pytrace=False)
    return path


def run(args, env=None, cwd=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def fresh_env(tmp: Path, **extra) -> dict[str, str]:
    """A machine with nothing of ours: an empty HOME, the system PATH, no config or state overrides."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TERM", "DBUS_SESSION_BUS_ADDRESS")}
    return {**keep, "HOME": str(home), "PATH": SYSTEM_PATH, "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local/state"), "XDG_CACHE_HOME": str(home / ".cache"), **extra}


# ---------------------------------------------------------------------------------------------------
# one version
# ---------------------------------------------------------------------------------------------------
def test_version_has_one_source_and_both_commands_print_it():
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "claude_failover.__version__" }' in pyproject
    ctl = run([CTL, "--version"])
    launcher = run([LAUNCHER, "--failover-version"])
    assert (ctl.returncode, launcher.returncode) == (0, 0), ctl.stderr + launcher.stderr
    assert ctl.stdout == launcher.stdout == f"claude-failover {VERSION}\n"


def test_failover_version_is_ours_and_claude_version_still_goes_to_claude(tmp_path):
    fake = tmp_path / "claude"
    fake.write_text("#!/bin/sh\necho \"2.1.328 (Claude Code) $*\"\n")
    fake.chmod(0o755)
    env = fresh_env(tmp_path, CLAUDE_FAILOVER_STATE_DIR=str(tmp_path / "state"))
    config = tmp_path / "config.toml"
    config.write_text(f'claude = "{fake}"\n' + GATEWAY)
    p = run([LAUNCHER, "--failover-config", config, "--version"], env=env)
    assert p.stdout.startswith("2.1.328 (Claude Code)"), p.stderr


def test_changelog_starts_with_this_release_and_an_unreleased_section():
    text = (REPO / "CHANGELOG.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## [Unreleased]"
    assert headings[1].startswith(f"## [{VERSION}] - ")


# ---------------------------------------------------------------------------------------------------
# python -m build, pipx, uv
# ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """`python -m build` of a copy of the checkout (the build writes egg-info and build/ beside the source)."""
    tmp = tmp_path_factory.mktemp("build")
    src = copy_checkout(tmp / "src")
    p = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "dist", src],
            env=dict(os.environ, PIP_NO_INDEX="1"))
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    wheels, sdists = sorted((tmp / "dist").glob("*.whl")), sorted((tmp / "dist").glob("*.tar.gz"))
    assert len(wheels) == len(sdists) == 1, os.listdir(tmp / "dist")
    return {"wheel": wheels[0], "sdist": sdists[0]}


def copy_checkout(target: Path) -> Path:
    """The files git would ship (tracked and new, not ignored), without .venv/.cache/build output."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)
    assert listed.returncode == 0, listed.stderr
    for rel in filter(None, listed.stdout.split("\0")):
        source = REPO / rel
        if not source.is_file() or source.is_symlink():
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / rel)
    return target


def test_build_gives_a_wheel_and_an_sdist(dist):
    assert dist["wheel"].name == f"claude_failover-{VERSION}-py3-none-any.whl"
    assert dist["sdist"].name == f"claude_failover-{VERSION}.tar.gz"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = wheel.namelist()
        entry_points = wheel.read(f"claude_failover-{VERSION}.dist-info/entry_points.txt").decode()
    assert f"claude_failover-{VERSION}.data/scripts/claude-failover" in names  # the plain-script launcher
    assert "claude-failover-ctl = claude_failover.ctl:main" in entry_points
    assert "claude_failover/routes/subscription.py" in names
    assert not [n for n in names if n.startswith("tests/")]
    with tarfile.open(dist["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "bin/claude-failover", "claude_failover/__init__.py"} <= members


def check_installed(bin_dir: Path, env: dict[str, str]) -> None:
    for name in ("claude-failover", "claude-failover-ctl"):
        assert (bin_dir / name).exists(), sorted(os.listdir(bin_dir))
    assert run([bin_dir / "claude-failover", "--failover-version"], env=env).stdout == f"claude-failover {VERSION}\n"
    assert run([bin_dir / "claude-failover-ctl", "--version"], env=env).stdout == f"claude-failover {VERSION}\n"
    # a launch that decides and runs "claude" (here: true) with no config at all but the claude path
    config = Path(env["HOME"]) / "config.toml"
    config.write_text('claude = "/bin/true"\n' + GATEWAY)
    p = run([bin_dir / "claude-failover", "--failover-config", config, "-p", "hi"], env=env)
    assert p.returncode == 0, p.stderr


def test_pipx_installs_the_built_wheel(dist, tmp_path):
    bin_dir = tmp_path / "bin"
    env = fresh_env(tmp_path, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(bin_dir),
                    PIPX_MAN_DIR=str(tmp_path / "man"))
    # --pip-args, not PIP_* variables: pipx hands them to whichever installer it uses (pip or uv)
    p = run([sys.executable, "-m", "pipx", "install", "--python", sys._base_executable,
             f"--pip-args=--no-index --find-links {wheelhouse()}", dist["wheel"]], env=env)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    check_installed(bin_dir, env)


def test_uv_tool_installs_the_built_wheel(dist, tmp_path):
    uv = Path(sys.executable).parent / "uv"
    bin_dir = tmp_path / "bin"
    env = fresh_env(tmp_path, UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(bin_dir),
                    UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never", UV_NO_CONFIG="1")
    p = run([uv, "tool", "install", "--offline", "--no-index", "--find-links", wheelhouse(),
             "--python", sys._base_executable, dist["wheel"]], env=env)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    check_installed(bin_dir, env)


# ---------------------------------------------------------------------------------------------------
# scripts/setup.sh
# ---------------------------------------------------------------------------------------------------
def launcher_imports(python: Path, launcher: Path, env: dict[str, str]) -> list[str]:
    p = run([python, "-X", "importtime", launcher, "--failover-version"], env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    return [line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")]


def test_setup_installs_a_regular_copy_and_names_the_ctl_by_its_path(tmp_path):
    """An editable install puts setuptools' finder (re, pathlib, fnmatch, importlib.util) on every start."""
    repo = copy_checkout(tmp_path / "clone")
    config = tmp_path / "config.toml"
    config.write_text('claude = "/bin/true"\n' + GATEWAY)
    env = fresh_env(tmp_path, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse()),
                    CLAUDE_FAILOVER_CONFIG=str(config), CLAUDE_FAILOVER_STATE_DIR=str(tmp_path / "state"))
    # setup.sh's `python3`: the interpreter the wheelhouse was downloaded for (the suite's own base python)
    base = Path(sys._base_executable).parent
    if (base / "python3").exists():
        env["PATH"] = f"{base}:{env['PATH']}"
    p = run(["bash", repo / "scripts" / "setup.sh"], env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    bin_dir = repo / ".venv" / "bin"
    assert f"{bin_dir}/claude-failover-ctl status" in p.stderr      # runnable as printed, from anywhere
    assert f"alias claude={bin_dir}/claude-failover" in p.stderr
    site = next((repo / ".venv" / "lib").glob("python3*/site-packages"))
    assert not [f.name for f in site.iterdir() if "editable" in f.name.lower()]
    assert (site / "claude_failover" / "launcher.py").is_file()
    names = launcher_imports(bin_dir / "python", bin_dir / "claude-failover", env)
    assert not [n for n in names if "editable" in n.lower()], names
    assert "re" not in names and "fnmatch" not in names, names
