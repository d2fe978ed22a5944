"""Secrets never leak: every command and every route type, run with sentinel secrets, then a scan.

Each route gets a distinctive secret ``SENTINEL-SECRET-<route>-7f3a`` from a different source
(keyring, environment variable, command, Claude Code's own credentials file). We run the launcher
for every route (dry run; exec'd into a capture script that saves its /proc/self/cmdline and
environment; the REAL claude `-p hi` against the fake server; a supervised run whose first route
fails and falls back), and every ctl command (keys set/list/rm, env without --reveal, which, status,
probe, report, pin/unpin, doctor, statusline, config show/validate, install-shim) in text and JSON,
with plain and JSON logs. Then we scan every stdout/stderr, every file under the temporary HOME,
XDG and state dirs (cache, backups, logs, shims), and the exec'd program's argv, for any sentinel
longer than what ``mask()`` shows (its last 4 characters). Allowed places: the keyring, the secret
sources the user made (a file read by secret_cmd, Claude Code's credentials file) and the child's
environment — which must contain the secret (positive control). File modes 0600/0700 are checked.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakeserver import FakeServer
from tests.launch import CTL, LAUNCHER

ROUTES = ("api", "gw", "tok", "bed", "man", "fou", "vtx", "sub")
SECRET_ROUTES = ("api", "gw", "tok", "bed", "man", "fou", "sub")
KEYRING_ROUTES = ("api", "bed", "man", "spare")


def sentinel(route: str) -> str:
    return f"SENTINEL-SECRET-{route}-7f3a"


def needle(route: str) -> bytes:
    """What must never appear: the sentinel minus the 4 characters mask() may show."""
    return sentinel(route)[:-4].encode()


CAPTURE = """#!/bin/sh
# stands in for claude: saves its own argv and environment, then exits 0
n=$(date +%s%N)
cp /proc/$$/cmdline "{out}/$n.cmdline"
cp /proc/$$/environ "{out}/$n.environ"
printf 'captured\\n'
"""


def config_text(url: str, claude: str, tmp: Path, home: Path) -> str:
    sources = tmp / "secret-sources"
    return f'''claude = "{claude}"
order = ["api", "gw", "tok", "bed", "man", "fou", "vtx", "sub", "spare"]
probe_timeout = 5
notify = false
status_url = "{url}/api/v2/summary.json"

[profiles.api]
type = "api-key"
base_url = "{url}"
secret = "keyring"

[profiles.gw]
type = "gateway"
base_url = "{url}"
secret_env = "GW_TOKEN"

[profiles.tok]
type = "oauth-token"
base_url = "{url}"
secret_cmd = "cat {sources}/tok"

[profiles.bed]
type = "bedrock"
region = "us-east-1"
base_url = "{url}"
secret = "keyring"

[profiles.man]
type = "mantle"
region = "us-east-1"
base_url = "{url}"
secret = "keyring"

[profiles.fou]
type = "foundry"
base_url = "{url}"
secret_env = "FOU_KEY"

[profiles.vtx]
type = "vertex"
project_id = "proj"
region = "us-east5"
base_url = "{url}/v1"
skip_auth = true

[profiles.sub]
type = "subscription"
config_dir = "{home}/.claude"
base_url = "{url}"

[profiles.spare]
type = "api-key"
base_url = "{url}"
secret = "keyring"
'''


@dataclass
class ScanResult:
    commands: int = 0
    outputs: list = field(default_factory=list)      # (label, stdout, stderr, exit code)
    files_scanned: int = 0
    bytes_scanned: int = 0
    argv_scanned: int = 0
    leaks: list = field(default_factory=list)        # where a sentinel was found
    env_controls: dict = field(default_factory=dict)  # route -> secret seen in the child's env
    bad_modes: list = field(default_factory=list)
    failures: list = field(default_factory=list)     # commands that failed unexpectedly
    reveal_control: bool = False                     # `env --reveal` does show it: the scan would see a leak

    def figures(self) -> dict:
        return {"commands": self.commands, "files_scanned": self.files_scanned, "bytes_scanned": self.bytes_scanned,
                "argv_scanned": self.argv_scanned, "occurrences": len(self.leaks), "bad_modes": len(self.bad_modes),
                "child_env_controls": sum(self.env_controls.values())}


def run_secret_scan(tmp: Path, base_env: dict[str, str], claude_bin: str) -> ScanResult:
    result = ScanResult()
    home = Path(base_env["HOME"])
    state = Path(base_env["CLAUDE_FAILOVER_STATE_DIR"])
    config = Path(base_env["CLAUDE_FAILOVER_CONFIG"])
    child_dir = tmp / "child"
    sources = tmp / "secret-sources"
    for d in (child_dir, sources, home / ".claude"):
        d.mkdir(parents=True, exist_ok=True)
    (sources / "tok").write_text(sentinel("tok") + "\n")
    creds = home / ".claude" / ".credentials.json"
    creds.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": sentinel("sub"), "refreshToken": sentinel("sub") + "-refresh",
        "expiresAt": 4102444800000, "scopes": ["user:inference"], "subscriptionType": "max"}}))
    creds.chmod(0o600)
    capture = tmp / "bin" / "capture-claude"
    capture.parent.mkdir(exist_ok=True)
    capture.write_text(CAPTURE.format(out=child_dir))
    capture.chmod(0o755)

    with FakeServer() as srv:
        env = dict(base_env, GW_TOKEN=sentinel("gw"), FOU_KEY=sentinel("fou"), CLAUDE_FAILOVER_QUIET="0",
                   CLAUDE_CODE_MAX_RETRIES="0")
        real_config = config_text(srv.url, claude_bin, tmp, home)
        capture_config = tmp / "capture.toml"
        capture_config.write_text(config_text(srv.url, str(capture), tmp, home))
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(real_config)

        def run(label: str, argv: list[str], stdin: str | None = None, extra: dict | None = None,
                ok=(0,), timeout: float = 90):
            done = subprocess.run(argv, env=dict(env, **(extra or {})), input=stdin, capture_output=True, text=True,
                                  timeout=timeout, cwd=str(home), stdin=None if stdin is not None else subprocess.DEVNULL)
            result.commands += 1
            result.outputs.append((label, done.stdout, done.stderr, done.returncode))
            if ok is not None and done.returncode not in ok:
                result.failures.append(f"{label}: exit {done.returncode}: {done.stderr[-400:]}")
            return done

        def ctl(*args, **kw):
            return run("ctl " + " ".join(args), [CTL, *args], **kw)

        def launch(label, *args, **kw):
            return run(label, [LAUNCHER, *args], **kw)

        # secrets into the keyring through the real command (stdin, as scripts do)
        for name in KEYRING_ROUTES:
            ctl("keys", "set", name, stdin=sentinel(name) + "\n")
        ctl("keys", "list")
        ctl("config", "validate")
        ctl("config", "show")
        ctl("config", "show", "--json")

        jobs = []
        for name in ROUTES:
            jobs.append(lambda n=name: launch(f"dry-run {n}", "--failover-profile", n, "--failover-dry-run"))
            jobs.append(lambda n=name: launch(f"dry-run json-log {n}", "--failover-profile", n, "--failover-dry-run",
                                              extra={"CLAUDE_FAILOVER_LOG": "json"}))
            jobs.append(lambda n=name: launch(f"exec {n}", "--failover-config", str(capture_config),
                                              "--failover-profile", n, "hello", "--model", "x"))
            jobs.append(lambda n=name: launch(f"supervised -p {n}", "--failover-config", str(capture_config),
                                              "--failover-profile", n, "-p", "hi"))
            jobs.append(lambda n=name: ctl("env", n))
            jobs.append(lambda n=name: ctl("which", "--profile", n, "--json"))
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda job: job(), jobs))

        # the REAL claude, one -p round trip per route type the fake server speaks
        for name in ("api", "gw", "tok", "fou", "sub"):
            done = launch(f"real claude -p {name}", "--failover-profile", name, "-p", "hi")
            if "hello from fake" not in done.stdout:
                result.failures.append(f"real claude on {name}: {done.stdout[-300:]} {done.stderr[-300:]}")
        # a supervised run whose first route fails inside claude and falls back to the next
        srv.behave(sentinel("api"), "api_key_invalid", path_prefix="/v1/messages")
        done = launch("real claude -p fallback", "-p", "hi", extra={"CLAUDE_FAILOVER_LOG": "json"})
        if "hello from fake" not in done.stdout or "api" not in done.stderr:
            result.failures.append(f"fallback run: {done.stdout[-300:]} {done.stderr[-300:]}")
        launch("auto launch dry-run", "--failover-dry-run")

        ctl("which")
        ctl("which", "--json")
        ctl("status")
        ctl("status", "--json")
        ctl("probe", ok=(0, 69))
        ctl("probe", "--json", ok=(0, 69))
        ctl("report", "gw", "--reason", "rate-limited", "--detail", "scan")
        ctl("report", "--from-hook", stdin=json.dumps({"error": "rate_limit"}), extra={"CLAUDE_FAILOVER_ACTIVE": "fou"})
        ctl("pin", "fou")
        ctl("unpin")
        ctl("doctor", ok=None)
        ctl("doctor", "--json", ok=None)
        ctl("doctor", "--fix", ok=None)
        ctl("statusline", stdin=json.dumps({"model": {"display_name": "Opus"}}))
        ctl("statusline", "--json", stdin="{}", extra={"CLAUDE_FAILOVER_ACTIVE": "api", "CLAUDE_FAILOVER_PREFERRED": "api"})
        ctl("install-shim", "--help")
        ctl("keys", "rm", "spare")
        ctl("keys", "list")
        ctl("env", "nonexistent", ok=(64,))
        # negative control, kept out of the scanned outputs: --reveal must show the secret
        revealed = subprocess.run([CTL, "env", "api", "--reveal"], env=env, capture_output=True, text=True, timeout=60)
        result.reveal_control = needle("api").decode() in revealed.stdout
        launch("bad option", "--failover-profle", "api", ok=(64,))

    # --- the scan ---------------------------------------------------------------------------
    needles = {name: needle(name) for name in (*ROUTES, "spare")}
    allowed = {creds.resolve(), (sources / "tok").resolve()}
    for label, out, err, _code in result.outputs:
        for name, text in needles.items():
            for stream, data in (("stdout", out), ("stderr", err)):
                if text.decode() in data:
                    result.leaks.append(f"{stream} of `{label}`: {sentinel(name)}")
    roots = {home, state, config.parent, tmp / "bin", child_dir,
             *(Path(base_env[v]) for v in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
               if base_env.get(v))}
    seen: set[Path] = set()
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if path.is_symlink() or not path.is_file() or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            if path.resolve() in allowed:
                continue
            data = path.read_bytes()
            if path.suffix == ".environ" and path.parent == child_dir:
                for name in SECRET_ROUTES:  # the child's environment: allowed, and must hold its route's secret
                    if sentinel(name).encode() in data:
                        result.env_controls[name] = True
                continue
            if path.suffix == ".cmdline":
                result.argv_scanned += 1
            result.files_scanned += 1
            result.bytes_scanned += len(data)
            for name, text in needles.items():
                if text in data:
                    result.leaks.append(f"{path}: {sentinel(name)}")
    for name in SECRET_ROUTES:
        result.env_controls.setdefault(name, False)
    result.env_controls.pop("sub", None)  # the subscription's token stays in claude's own store, not the env

    # modes of what we created
    for directory in [state, *[p for p in state.rglob("*") if p.is_dir()]]:
        if stat.S_IMODE(directory.stat().st_mode) != 0o700:
            result.bad_modes.append(f"{directory}: {oct(directory.stat().st_mode & 0o777)}")
    for path in state.rglob("*"):
        if path.is_file() and stat.S_IMODE(path.stat().st_mode) != 0o600:
            result.bad_modes.append(f"{path}: {oct(path.stat().st_mode & 0o777)}")
    for path in home.rglob("*.bak*"):
        if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            result.bad_modes.append(f"{path}: {oct(path.stat().st_mode & 0o777)}")
    return result


@pytest.mark.e2e
def test_no_secret_anywhere(isolated_env, keyring_backend, claude_bin, tmp_path):
    result = run_secret_scan(tmp_path, dict(os.environ), claude_bin)
    print("secret scan:", json.dumps(result.figures()))
    assert not result.failures, "\n".join(result.failures)
    assert not result.leaks, "\n".join(result.leaks)
    assert not result.bad_modes, result.bad_modes
    assert all(result.env_controls.values()), result.env_controls   # the scan can see a secret when there is one
    assert result.reveal_control
    assert result.argv_scanned >= 2 * len(ROUTES)
    assert result.commands >= 70
