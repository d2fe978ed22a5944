"""The launcher's warm path: what a cached launch imports, and the parse mirror that makes it cheap."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys

import pytest

from claude_failover import config, parse_memo
from claude_failover.errors import ConfigError
from claude_failover.valueclass import as_dict, factory, record
from tests.conftest import REPO
from tests.launch import write_config

HEAVY = ("httpx", "tenacity", "keyring", "click", "claude_failover.probes", "claude_failover.supervise",
         "tomllib", "json", "re", "dataclasses", "inspect", "typing", "subprocess", "tempfile", "difflib",
         "hashlib", "contextlib")
CONFIG = '''
claude = "/bin/true"
[profiles.gw]
type = "gateway"
base_url = "http://127.0.0.1:9"
auth = "none"
probe = false
'''


def imports_of_a_launch(stdin=subprocess.DEVNULL) -> list[str]:
    """Modules imported by the launcher itself (after the interpreter's own start-up)."""
    # -S: no site hooks. The dev venv's editable-install hook imports `re` and `enum` at start-up,
    # which would hide them here; the package and its dependencies come from PYTHONPATH instead.
    import site

    path = os.pathsep.join([str(REPO), *site.getsitepackages()])
    proc = subprocess.run([sys.executable, "-S", "-X", "importtime", "-m", "claude_failover"], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=path), timeout=30, stdin=stdin)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    first = next(i for i, name in enumerate(names) if name.startswith("claude_failover"))
    return names[first:]


ROUTES_WITHOUT_FILES = {
    "gateway": CONFIG,
    "bedrock": 'claude = "/bin/true"\n[profiles.b]\ntype = "bedrock"\nregion = "us-east-1"\nskip_auth = true\nprobe = false\n',
    "mantle": 'claude = "/bin/true"\n[profiles.m]\ntype = "mantle"\nregion = "us-east-1"\nskip_auth = true\nprobe = false\n',
    "vertex": 'claude = "/bin/true"\n[profiles.v]\ntype = "vertex"\nproject_id = "p"\nregion = "us-east5"\n'
              'skip_auth = true\nprobe = false\n',
    "foundry": 'claude = "/bin/true"\n[profiles.f]\ntype = "foundry"\nresource = "r"\nskip_auth = true\nprobe = false\n',
    "anthropic-aws": 'claude = "/bin/true"\n[profiles.a]\ntype = "anthropic-aws"\nregion = "us-east-1"\n'
                     'workspace_id = "w"\nskip_auth = true\nprobe = false\n',
    "anthropic-google-cloud": 'claude = "/bin/true"\n[profiles.g]\ntype = "anthropic-google-cloud"\n'
                              'workspace_id = "w"\nskip_auth = true\nprobe = false\n',
}


@pytest.mark.parametrize("route", ROUTES_WITHOUT_FILES)
def test_warm_launch_imports_nothing_heavy(isolated_env, route):
    write_config(isolated_env.config_file, ROUTES_WITHOUT_FILES[route])
    imports_of_a_launch()                      # cold: validates, decides, remembers
    warm = imports_of_a_launch()
    assert "claude_failover.launcher" in warm and "claude_failover.parse_memo" in warm
    assert [m for m in HEAVY if m in warm] == []


def test_warm_launch_on_a_subscription_route_imports_nothing_heavy(isolated_env):
    """The most common route: its freshness check stats claude's credentials store (no json)."""
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.claude_dir / ".credentials.json").write_text(
        '{"claudeAiOauth": {"accessToken": "x", "refreshToken": "y", "expiresAt": 99999999999999}}')
    write_config(isolated_env.config_file, 'claude = "/bin/true"\n[profiles.sub]\ntype = "subscription"\nprobe = false\n')
    imports_of_a_launch()
    warm = imports_of_a_launch()
    assert "claude_failover.claude_state" in warm
    assert [m for m in HEAVY if m in warm] == []


def test_a_launch_on_a_terminal_stays_as_a_parent_and_imports_nothing_heavy(isolated_env):
    """Standard input a terminal: the launcher stays as claude's parent (interactive.py, foreground.py)
    with the C module `_signal`, not `signal` (whose enum costs ~6 ms), and no subprocess."""
    write_config(isolated_env.config_file, CONFIG)
    master, slave = os.openpty()
    try:
        imports_of_a_launch(slave)
        warm = imports_of_a_launch(slave)
    finally:
        os.close(master)
        os.close(slave)
    assert "claude_failover.foreground" in warm and "claude_failover.continuation" in warm
    assert [m for m in (*HEAVY, "signal", "enum") if m in warm] == []


def test_mirror_is_used_then_invalidated_by_an_edit(isolated_env, monkeypatch):
    path = write_config(isolated_env.config_file, CONFIG)
    first = config.load(str(path))
    calls = []
    monkeypatch.setattr(config, "parse", lambda *a, **k: calls.append(a) or pytest.fail("parsed again"))
    second = config.load(str(path))
    assert second == first and calls == []
    monkeypatch.undo()
    path.write_text(CONFIG.replace("127.0.0.1:9", "127.0.0.1:10"))
    assert config.load(str(path)).profiles["gw"].options["base_url"] == "http://127.0.0.1:10"


def test_a_bad_config_is_not_remembered(isolated_env):
    path = write_config(isolated_env.config_file, '[profiles.x]\ntype = "nope"\n')
    for _ in range(2):
        with pytest.raises(ConfigError):
            config.load(str(path))
    assert not (isolated_env.state_dir / "parsed-config.marshal").exists()


def test_a_corrupt_mirror_is_ignored_and_rewritten(isolated_env):
    path = write_config(isolated_env.config_file, CONFIG)
    config.load(str(path))
    blob = isolated_env.state_dir / "parsed-config.marshal"
    blob.write_bytes(b"\x00garbage")
    assert config.load(str(path)).order == ["gw"]
    key, _ = marshal.loads(blob.read_bytes())
    assert key[2] == str(path)
    assert oct(blob.stat().st_mode & 0o777) == "0o600"


def test_mirror_holds_no_secret(isolated_env, monkeypatch):
    monkeypatch.setenv("WORK_KEY", "SENTINEL-never-in-a-file")
    path = write_config(isolated_env.config_file, '[profiles.k]\ntype = "api-key"\nsecret_env = "WORK_KEY"\n')
    config.load(str(path))
    for f in isolated_env.state_dir.iterdir():
        assert b"SENTINEL" not in f.read_bytes()


def test_parsed_load_reports_open_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        parse_memo.load(str(tmp_path / "missing"), "x", lambda raw: raw, 10)


# --- record -------------------------------------------------------------------------------------

@record
class Point:
    x: int
    y: int = 0
    tags: list = factory(list)


@record(frozen=True)
class Frozen:
    a: str


def test_record_init_defaults_eq_repr():
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, []) and Point(1).tags is not p.tags
    assert Point(1, 2) == Point(x=1, y=2) and Point(1) != Point(2)
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])" and as_dict(p) == {"x": 1, "y": 0, "tags": []}
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, z=3)


def test_record_frozen_is_hashable_and_immutable():
    f = Frozen("a")
    assert hash(f) == hash(Frozen("a")) and {f: 1}[Frozen("a")] == 1
    with pytest.raises(AttributeError):
        f.a = "b"


def test_same_size_same_mtime_rewrite_is_seen(isolated_env):
    """An edit that keeps size, inode and timestamps must not be served from the mirror."""
    path = write_config(isolated_env.config_file, CONFIG)
    st = os.stat(path)
    assert config.load(str(path)).profiles["gw"].options["base_url"] == "http://127.0.0.1:9"
    with open(path, "r+") as handle:                       # in place: same inode
        handle.write(CONFIG.replace("127.0.0.1:9", "127.0.0.1:8"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))    # same mtime
    assert os.stat(path).st_size == st.st_size
    assert config.load(str(path)).profiles["gw"].options["base_url"] == "http://127.0.0.1:8"


@pytest.mark.e2e
def test_keyring_route_reads_the_secret_service_without_importing_keyring(isolated_env, fake_server, keyring_backend):
    """A warm launch on a keyring route takes the secretstorage fast path (keyring costs ~150 ms)."""
    import keyring

    keyring.set_password("claude-failover", "kr", "sk-ant-api03-FAKE-fast-1")
    write_config(isolated_env.config_file, f'claude = "/bin/true"\n[profiles.kr]\ntype = "api-key"\n'
                                           f'base_url = "{fake_server.url}"\n')
    imports_of_a_launch()
    warm = imports_of_a_launch()
    assert "secretstorage" in warm and "keyring" not in warm
    from claude_failover import secret

    assert secret.keyring_get("kr") == "sk-ant-api03-FAKE-fast-1"


@pytest.mark.e2e
def test_fast_path_steps_aside_for_a_configured_backend(isolated_env, keyring_backend, monkeypatch):
    """With PYTHON_KEYRING_BACKEND (or a keyringrc.cfg) keyring itself is asked."""
    from claude_failover import secret

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    assert secret._secret_service_get("anything") is None
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    rc = isolated_env.config_home / "python_keyring" / "keyringrc.cfg"
    rc.parent.mkdir(parents=True)
    rc.write_text("[backend]\ndefault-keyring=keyring.backends.fail.Keyring\n")
    assert secret._secret_service_get("anything") is None


def test_fast_path_never_activates_a_keyring_daemon(isolated_env):
    """No Secret Service running: the fast path steps aside instead of D-Bus-activating one.

    Runs on a fresh private bus of its own (dbus-run-session), where gnome-keyring is activatable
    but not running — as on a headless box.
    """
    code = (
        "from jeepney import DBusAddress, new_method_call\n"
        "from jeepney.io.blocking import open_dbus_connection\n"
        "from claude_failover import secret\n"
        "bus = DBusAddress('/org/freedesktop/DBus', bus_name='org.freedesktop.DBus', interface='org.freedesktop.DBus')\n"
        "def owned():\n"
        "    with open_dbus_connection(bus='SESSION') as conn:\n"
        "        return conn.send_and_get_reply(new_method_call(bus, 'NameHasOwner', 's', ('org.freedesktop.secrets',))).body[0]\n"
        "print('before', owned(), 'value', secret._secret_service_get('anything'), 'after', owned())\n")
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    proc = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.stdout.strip() == "before False value None after False", proc.stdout + proc.stderr


def test_warm_launch_with_usage_state_imports_nothing_heavy(isolated_env):
    """usage.json (written by the statusline, the hook, supervised runs) is read on every launch for
    the usage holds: through the parse memo, so a warm launch still imports no json. A spend cap
    and switch_at are checked too (no datetime-heavy or json import while the file is unchanged)."""
    import time

    from claude_failover import limits, usage_state

    write_config(isolated_env.config_file, CONFIG.replace('probe = false\n', 'probe = false\nmax_spend = "20/day"\n'))
    now = time.time()
    usage_state.record_run_cost("gw", "s", 1.0, now)
    usage_state.record_limit("other", limits.Limit("five_hour", now + 3600, "5-hour limit"), now)
    imports_of_a_launch()                      # cold: parses usage.json once and remembers it
    warm = imports_of_a_launch()
    assert "claude_failover.usage_state" in warm
    assert [m for m in HEAVY if m in warm] == []
