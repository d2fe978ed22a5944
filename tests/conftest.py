"""Shared fixtures for the claude-failover test suite.

Run the suite with ``bash scripts/test.sh``: it installs the pinned claude and runs pytest inside a
loopback-only user+network namespace with a private D-Bus session.

Fixtures:
  isolated_env (autouse)  temp HOME/XDG dirs, claude-failover config/state paths, every Claude
                          credential/provider variable removed; yields an IsolatedEnv (paths)
  fake_server             a started tests.fakeserver.FakeServer
  claude_bin              path to the pinned real claude (fails, never skips, when missing)
  oldest_claude_bin       path to the oldest supported claude (the smoke subset in test_oldest_claude.py)
  loopback_only           (session) fails unless the only network interface is lo; applied
                          automatically to tests marked ``e2e``
  keyring_backend         real Secret Service (gnome-keyring) on the private D-Bus session, login
                          collection unlocked, emptied before and after each test; yields a
                          KeyringInfo
  tui                     a factory tui(argv, env=None, cwd=None) -> tests.tui.Tui: the program in a
                          detached fixed-size tmux session (own server), killed at teardown
Helpers: run_claude(claude_bin, args, env=None, timeout=60) -> CompletedProcess (stdin=DEVNULL, text)
         claude_env(**extra) -> a copy of os.environ with extra set (None values removed)
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fakeserver import FakeServer  # noqa: E402

TEST_SCRIPT = "bash scripts/test.sh"


def claude_versions() -> dict[str, str]:
    """``pinned`` and ``oldest`` from ./claude-code-versions (the one place the versions are named)."""
    found = {}
    for line in (REPO / "claude-code-versions").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            found[key.strip()] = value.strip()
    return found


CLAUDE_VERSION = claude_versions()["pinned"]
OLDEST_CLAUDE_VERSION = claude_versions()["oldest"]

# Variables that select a Claude credential or provider (claude-code-facts.md), plus cloud SDK ones.
CREDENTIAL_VARS = (
    "ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL ANTHROPIC_CUSTOM_HEADERS CLAUDE_CODE_OAUTH_TOKEN "
    "CLAUDE_CODE_OAUTH_TOKEN_FILE_DESCRIPTOR CLAUDE_CODE_OAUTH_REFRESH_TOKEN CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR "
    "CLAUDE_CODE_USE_BEDROCK CLAUDE_CODE_USE_MANTLE CLAUDE_CODE_USE_VERTEX CLAUDE_CODE_USE_FOUNDRY "
    "CLAUDE_CODE_USE_ANTHROPIC_AWS CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD CLAUDE_CODE_USE_GATEWAY "
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH CLAUDE_CODE_SKIP_MANTLE_AUTH CLAUDE_CODE_SKIP_VERTEX_AUTH "
    "CLAUDE_CODE_SKIP_FOUNDRY_AUTH CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH "
    "AWS_BEARER_TOKEN_BEDROCK ANTHROPIC_BEDROCK_BASE_URL ANTHROPIC_BEDROCK_MANTLE_BASE_URL ANTHROPIC_VERTEX_BASE_URL "
    "ANTHROPIC_VERTEX_PROJECT_ID ANTHROPIC_FOUNDRY_API_KEY ANTHROPIC_FOUNDRY_AUTH_TOKEN ANTHROPIC_FOUNDRY_BASE_URL "
    "ANTHROPIC_FOUNDRY_RESOURCE ANTHROPIC_AWS_API_KEY CLAUDE_CONFIG_DIR CLAUDE_SECURESTORAGE_CONFIG_DIR "
    "CLOUD_ML_REGION GOOGLE_APPLICATION_CREDENTIALS GOOGLE_CLOUD_PROJECT PYTHON_KEYRING_BACKEND "
    "HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy API_TIMEOUT_MS"
).split()
# Whole prefixes removed as well (covers variables newer claude releases add).
CREDENTIAL_PREFIXES = ("ANTHROPIC_", "CLAUDE_CODE_", "CLAUDE_FAILOVER_", "AWS_", "VERTEX_REGION_")

SAFE_ENV = {
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "NO_PROXY": "127.0.0.1,localhost,::1",
    "no_proxy": "127.0.0.1,localhost,::1",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the real claude binary; needs the loopback-only namespace "
                                       f"that `{TEST_SCRIPT}` sets up")


@pytest.fixture(autouse=True)
def _e2e_guard(request: pytest.FixtureRequest) -> None:
    """Tests marked e2e get the loopback_only guard automatically."""
    if request.node.get_closest_marker("e2e") is not None:
        request.getfixturevalue("loopback_only")


# ---------------------------------------------------------------------------------------------------
# Environment isolation
# ---------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class IsolatedEnv:
    tmp: Path
    home: Path
    config_home: Path
    state_home: Path
    cache_home: Path
    data_home: Path
    config_file: Path        # CLAUDE_FAILOVER_CONFIG (not created)
    state_dir: Path          # CLAUDE_FAILOVER_STATE_DIR (not created)
    claude_dir: Path         # <HOME>/.claude (not created)
    claude_json: Path        # <HOME>/.claude.json (created: {"hasCompletedOnboarding": true})


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> IsolatedEnv:
    home = tmp_path / "home"
    paths = IsolatedEnv(
        tmp=tmp_path, home=home,
        config_home=tmp_path / "config", state_home=tmp_path / "state",
        cache_home=tmp_path / "cache", data_home=tmp_path / "data",
        config_file=tmp_path / "config" / "claude-failover" / "config.toml",
        state_dir=tmp_path / "state" / "claude-failover",
        claude_dir=home / ".claude", claude_json=home / ".claude.json",
    )
    for d in (home, paths.config_home, paths.state_home, paths.cache_home, paths.data_home):
        d.mkdir(parents=True, exist_ok=True)
    for name in list(os.environ):
        if name in CREDENTIAL_VARS or name.startswith(CREDENTIAL_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(paths.config_home))
    monkeypatch.setenv("XDG_STATE_HOME", str(paths.state_home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(paths.cache_home))
    monkeypatch.setenv("XDG_DATA_HOME", str(paths.data_home))
    monkeypatch.setenv("CLAUDE_FAILOVER_CONFIG", str(paths.config_file))
    monkeypatch.setenv("CLAUDE_FAILOVER_STATE_DIR", str(paths.state_dir))
    for k, v in SAFE_ENV.items():
        monkeypatch.setenv(k, v)
    paths.claude_json.write_text(json.dumps({"hasCompletedOnboarding": True}))
    yield paths


# ---------------------------------------------------------------------------------------------------
# Fake server, claude binary, namespace guard
# ---------------------------------------------------------------------------------------------------
@pytest.fixture
def fake_server():
    with FakeServer() as srv:
        yield srv


def _installed_claude(variable: str, version: str, what: str) -> str:
    path = os.environ.get(variable) or str(REPO / f".cache/claude-code-{version}/node_modules/.bin/claude")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"the {what} claude ({version}) is missing at {path}; run `{TEST_SCRIPT}`, which installs "
                    f"@anthropic-ai/claude-code@{version} into .cache/claude-code-{version}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def claude_bin() -> str:
    return _installed_claude("CLAUDE_FAILOVER_TEST_CLAUDE", CLAUDE_VERSION, "pinned")


@pytest.fixture(scope="session")
def oldest_claude_bin() -> str:
    """The oldest claude the project supports (claude-code-versions `oldest`), for the smoke subset."""
    return _installed_claude("CLAUDE_FAILOVER_TEST_OLDEST_CLAUDE", OLDEST_CLAUDE_VERSION, "oldest supported")


def network_interfaces() -> list[str]:
    """Interfaces of this process's network namespace (/proc/net/dev is per-namespace; /sys/class/net
    is not, unless sysfs was remounted)."""
    try:
        lines = Path("/proc/net/dev").read_text().splitlines()[2:]
        return sorted(line.split(":", 1)[0].strip() for line in lines if ":" in line)
    except OSError:
        out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        return sorted(line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line)


@pytest.fixture(scope="session")
def loopback_only() -> None:
    ifaces = network_interfaces()
    if ifaces != ["lo"]:
        pytest.fail(f"e2e tests must run in a loopback-only network namespace (found interfaces {ifaces}); "
                    f"run them through `{TEST_SCRIPT}`", pytrace=False)


@pytest.fixture
def tui(tmp_path: Path, isolated_env: IsolatedEnv):
    """Start programs in the real terminal (tmux); every session is killed however the test ends."""
    from tests.tui import Tui

    made: list = []

    def start(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, **size) -> Tui:
        session = Tui(tmp_path, dict(os.environ) if env is None else env, cwd or isolated_env.home, **size)
        made.append(session)
        session.start(argv)
        return session

    yield start
    for session in made:
        session.kill()


# ---------------------------------------------------------------------------------------------------
# Running claude
# ---------------------------------------------------------------------------------------------------
def claude_env(**extra: str | None) -> dict[str, str]:
    """os.environ (already isolated by isolated_env) plus ``extra``; a None value removes the name."""
    env = dict(os.environ)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def run_claude(claude_bin: str, args: list[str] | tuple[str, ...], env: dict[str, str] | None = None,
               timeout: float = 60, cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """Run claude with stdin=DEVNULL (a never-closing pipe makes it wait 3 s), capture text output."""
    return subprocess.run([claude_bin, *args], env=env if env is not None else dict(os.environ),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd if cwd is not None else os.environ.get("HOME"))


# ---------------------------------------------------------------------------------------------------
# Secret Service keyring (gnome-keyring on the private D-Bus session)
# ---------------------------------------------------------------------------------------------------
KEYRING_PASSWORD = "claude-failover-test"
SECRETS_BUS_NAME = "org.freedesktop.secrets"


@dataclasses.dataclass
class KeyringInfo:
    data_dir: Path           # gnome-keyring's XDG_DATA_HOME (keyrings/ inside)
    env: dict[str, str]      # variables a child process needs to reach the keyring
    pid: int


def _secrets_name_owned() -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (SECRETS_BUS_NAME,)), timeout=5)
    return bool(reply.body[0])


@pytest.fixture(scope="session")
def _keyring_daemon(tmp_path_factory: pytest.TempPathFactory):
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail(f"no DBUS_SESSION_BUS_ADDRESS: keyring tests need the private D-Bus session that "
                    f"`{TEST_SCRIPT}` starts with dbus-run-session", pytrace=False)
    exe = shutil.which("gnome-keyring-daemon")
    if exe is None:
        pytest.fail(f"gnome-keyring-daemon is not installed; run `{TEST_SCRIPT}`", pytrace=False)
    if _secrets_name_owned():
        pytest.fail("a Secret Service already owns the session bus (a real keyring?); keyring tests need the "
                    f"private D-Bus session of `{TEST_SCRIPT}`", pytrace=False)
    root = tmp_path_factory.mktemp("keyring")
    env = dict(os.environ)
    env.update(HOME=str(root / "home"), XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"),
               XDG_CACHE_HOME=str(root / "cache"), XDG_RUNTIME_DIR=str(root / "run"))
    for k in ("home", "data", "config", "cache", "run"):
        (root / k).mkdir(mode=0o700)
    # --unlock reads the password from stdin; with no login keyring yet it creates one with that password
    # and makes it the default collection. (An empty password does not create it: measured.)
    proc = subprocess.Popen([exe, "--foreground", "--unlock", "--components=secrets"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.stdin.write(KEYRING_PASSWORD.encode())
    proc.stdin.close()
    deadline = time.monotonic() + 10
    while not _secrets_name_owned():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"gnome-keyring-daemon did not come up on the session bus (exit {proc.poll()})")
        time.sleep(0.05)
    info = KeyringInfo(data_dir=root / "data", pid=proc.pid,
                       env={"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"]})
    try:
        yield info
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _clear_default_collection() -> None:
    import secretstorage
    with secretstorage.dbus_init() as conn:
        col = secretstorage.get_default_collection(conn)
        if col.is_locked():
            raise RuntimeError("test keyring is locked")
        for item in col.get_all_items():
            item.delete()


@pytest.fixture
def keyring_backend(_keyring_daemon: KeyringInfo, monkeypatch: pytest.MonkeyPatch) -> KeyringInfo:
    """The real Secret Service backend, with an empty unlocked default ("login") collection."""
    import keyring
    import keyring.core
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    _clear_default_collection()
    keyring.core.init_backend()  # detect afresh (isolated XDG_CONFIG_HOME: no keyringrc.cfg)
    if not isinstance(keyring.get_keyring(), SecretServiceKeyring):
        pytest.fail(f"keyring picked {keyring.get_keyring()!r}, not the Secret Service backend", pytrace=False)
    try:
        yield _keyring_daemon
    finally:
        _clear_default_collection()
        keyring.core.init_backend()


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC for this test (limit resets and history are shown in local time)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def stub_claude(tmp_path) -> str:
    """A stand-in for claude that prints its argv (for launches that need no API)."""
    path = tmp_path / "stub" / "claude"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\nimport sys\nprint('claude got:', sys.argv[1:])\n")
    path.chmod(0o755)
    return str(path)
