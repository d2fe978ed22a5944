"""contrib/ and systemd/: units, shell snippets, completions, the status line, notifications."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claude_failover import cache, notify
from claude_failover.verdict import Verdict
from tests.launch import BIN, CTL, ctl, write_config

REPO = Path(__file__).resolve().parent.parent
CONTRIB = REPO / "contrib"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def need(tool: str) -> str:
    """Tools scripts/test.sh installs: a missing one is a failure, not a skip."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed; run `bash scripts/test.sh`", pytrace=False)
    return path


def run(args, env=None, input=None, timeout=30, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=dict(os.environ) if env is None else env, capture_output=True, text=True,
                          timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          cwd=cwd)


# ---------------------------------------------------------------------------------------------------
# generated files are current
# ---------------------------------------------------------------------------------------------------
def test_static_files_match_their_generators():
    p = run([sys.executable, str(CONTRIB / "generate.py"), "--check"], cwd=REPO)
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------------------------------------------
# systemd units / launchd agent
# ---------------------------------------------------------------------------------------------------
def verify_units(paths: list[Path], home: Path, runtime: Path) -> subprocess.CompletedProcess:
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
    return run([need("systemd-analyze"), "--user", "verify", *map(str, paths)], env=env)


def test_installed_units_pass_systemd_analyze_verify(isolated_env, tmp_path):
    p = ctl(["install-units", "--kind", "systemd", "--no-enable"])
    assert p.returncode == 0, p.stderr
    unit_dir = isolated_env.config_home / "systemd" / "user"
    service, timer = unit_dir / "claude-failover-probe.service", unit_dir / "claude-failover-probe.timer"
    assert f"ExecStart={CTL} --config {isolated_env.config_file} probe --notify\n" in service.read_text()
    assert f"Environment=CLAUDE_FAILOVER_STATE_DIR={isolated_env.state_dir}\n" in service.read_text()
    assert "RandomizedDelaySec=" in timer.read_text() and "OnUnitActiveSec=4min" in timer.read_text()
    assert oct(service.stat().st_mode & 0o777) == "0o644"
    assert "systemctl --user enable --now claude-failover-probe.timer" in p.stdout
    v = verify_units([service, timer], isolated_env.home, tmp_path / "run")
    assert v.returncode == 0 and v.stdout + v.stderr == "", v.stderr


def test_unit_modes_are_what_the_readme_says(isolated_env, tmp_path):
    """Units hold no secret and live in the service manager's shared dir: 0644 in a 0755 dir, as documented."""
    target = tmp_path / "fresh" / "units"
    p = ctl(["install-units", "--kind", "systemd", "--no-enable", "--dir", str(target)])
    assert p.returncode == 0, p.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o755"
    for unit in target.iterdir():
        assert oct(unit.stat().st_mode & 0o777) == "0o644"
        assert [line.split("=")[1] for line in unit.read_text().splitlines() if line.startswith("Environment=")] \
            in ([], ["CLAUDE_FAILOVER_STATE_DIR", "PATH"])
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "Files we create are 0600 in 0700 directories" not in readme
    assert "the units `install-units` writes (0644 in `~/.config/systemd/user` or `~/Library/LaunchAgents`" in readme
    assert "units are not secret" in readme


def test_repository_units_pass_systemd_analyze_verify(tmp_path):
    home = tmp_path / "home"
    fake_ctl = home / ".local" / "bin" / "claude-failover-ctl"  # the pipx path the static unit assumes
    fake_ctl.parent.mkdir(parents=True)
    fake_ctl.write_text("#!/bin/sh\n")
    fake_ctl.chmod(0o755)
    units = sorted((REPO / "systemd").glob("claude-failover-probe.*"))
    assert [u.name for u in units] == ["claude-failover-probe.service", "claude-failover-probe.timer"]
    v = verify_units(units, home, tmp_path / "run")
    assert v.returncode == 0 and v.stdout + v.stderr == "", v.stderr


def test_unit_paths_with_spaces_and_percent_are_escaped(isolated_env, tmp_path, monkeypatch):
    from claude_failover.ctl.cmd_install_units import render_service, systemd_quote

    weird = tmp_path / "my 100% dir" / "ctl"
    weird.parent.mkdir()
    weird.write_text("#!/bin/sh\n")
    weird.chmod(0o755)
    unit = tmp_path / "units" / "claude-failover-probe.service"
    unit.parent.mkdir()
    unit.write_text(render_service(systemd_quote(str(weird)) + " probe", {"X": "a b$c"}))
    assert '"' in unit.read_text() and "%%" in unit.read_text() and "$$c" in unit.read_text()
    v = verify_units([unit], isolated_env.home, tmp_path / "run")
    assert v.returncode == 0 and v.stderr == "", v.stderr


def test_install_units_enables_with_systemctl_when_available(isolated_env, tmp_path):
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    record = tmp_path / "systemctl.log"
    (bindir / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> "{record}"\n')
    (bindir / "systemctl").chmod(0o755)
    p = ctl(["install-units"], env=dict(os.environ, PATH=f"{bindir}:{SYSTEM_PATH}"))
    assert p.returncode == 0, p.stderr
    assert "enabled: claude-failover-probe.timer" in p.stdout
    assert record.read_text().splitlines() == ["--user daemon-reload",
                                              "--user enable --now claude-failover-probe.timer"]


def test_install_units_prints_commands_when_systemctl_fails(isolated_env, tmp_path):
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    (bindir / "systemctl").write_text("#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n")
    (bindir / "systemctl").chmod(0o755)
    p = ctl(["install-units"], env=dict(os.environ, PATH=f"{bindir}:{SYSTEM_PATH}"))
    assert p.returncode == 0
    assert "could not enable" in p.stderr and "No medium found" in p.stderr
    assert "  systemctl --user daemon-reload\n  systemctl --user enable --now claude-failover-probe.timer" in p.stdout


def test_launchd_agent_is_a_valid_plist_running_the_same_probe(isolated_env, tmp_path):
    p = ctl(["install-units", "--kind", "launchd", "--dir", str(tmp_path / "agents"), "--no-enable"])
    assert p.returncode == 0, p.stderr
    agent = plistlib.loads((tmp_path / "agents" / "local.claude-failover.probe.plist").read_bytes())
    assert agent["Label"] == "local.claude-failover.probe"
    assert agent["ProgramArguments"] == [CTL, "--config", str(isolated_env.config_file), "probe", "--notify"]
    assert agent["StartInterval"] == 240 and agent["RunAtLoad"] is True
    assert agent["EnvironmentVariables"]["CLAUDE_FAILOVER_STATE_DIR"] == str(isolated_env.state_dir)
    assert "launchctl bootstrap" in p.stdout
    static = plistlib.loads((CONTRIB / "launchd" / "local.claude-failover.probe.plist").read_bytes())
    assert static["ProgramArguments"][1:] == ["probe", "--notify"]


# ---------------------------------------------------------------------------------------------------
# shell snippets
# ---------------------------------------------------------------------------------------------------
SH_FILES = [CONTRIB / "shell" / "claude-failover.bash", CONTRIB / "completions" / "bash" / "claude-failover",
            CONTRIB / "completions" / "bash" / "claude-failover-ctl"]
ZSH_FILES = [CONTRIB / "shell" / "claude-failover.zsh", CONTRIB / "completions" / "zsh" / "_claude-failover",
             CONTRIB / "completions" / "zsh" / "_claude-failover-ctl"]
FISH_FILES = [CONTRIB / "shell" / "claude-failover.fish", CONTRIB / "completions" / "fish" / "claude-failover.fish",
              CONTRIB / "completions" / "fish" / "claude-failover-ctl.fish"]


@pytest.mark.parametrize("path", SH_FILES, ids=lambda p: p.name)
def test_bash_files_pass_shellcheck(path):
    p = run([need("shellcheck"), "-s", "bash", str(path)])
    assert p.returncode == 0, p.stdout


def test_zsh_alias_snippet_passes_shellcheck_as_posix_sh():
    p = run([need("shellcheck"), "-s", "sh", str(CONTRIB / "shell" / "claude-failover.zsh")])
    assert p.returncode == 0, p.stdout


@pytest.mark.parametrize("path", ZSH_FILES, ids=lambda p: p.name)
def test_zsh_files_parse(path):
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed (scripts/test.sh installs it): no zsh syntax check")
    p = run([zsh, "-n", str(path)])
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("path", FISH_FILES, ids=lambda p: p.name)
def test_fish_files_parse(path):
    p = run([need("fish"), "--no-execute", str(path)])
    assert p.returncode == 0, p.stderr


def test_bash_alias_snippet_aliases_claude(tmp_path):
    env = dict(os.environ, PATH=f"{BIN}:{SYSTEM_PATH}")
    p = run(["bash", "-c", f"shopt -s expand_aliases; . '{CONTRIB / 'shell' / 'claude-failover.bash'}'; alias claude"],
            env=env)
    assert p.stdout.strip() == "alias claude='claude-failover'"
    p = run(["bash", "-c", f". '{CONTRIB / 'shell' / 'claude-failover.bash'}'; alias claude"],
            env=dict(os.environ, PATH=SYSTEM_PATH))  # no launcher installed: no alias
    assert p.returncode != 0


def test_fish_alias_snippet_defines_claude():
    env = dict(os.environ, PATH=f"{BIN}:{SYSTEM_PATH}")
    p = run([need("fish"), "--no-config", "-c", f"source '{CONTRIB / 'shell' / 'claude-failover.fish'}'; "
             "functions claude"], env=env)
    assert p.returncode == 0 and "claude-failover $argv" in p.stdout


# ---------------------------------------------------------------------------------------------------
# completions
# ---------------------------------------------------------------------------------------------------
PROFILES_CONFIG = """
order = ["max", "work-key"]
[profiles.max]
type = "subscription"
[profiles.work-key]
type = "api-key"
secret_env = "X_KEY"
[profiles.spare]
type = "api-key"
secret_env = "Y_KEY"
"""


def complete_bash(setup: str, words: list[str], env: dict) -> list[str]:
    """Run the registered bash completion function for ``words`` (the last one being completed)."""
    quoted = " ".join(f"'{w}'" for w in words)
    script = (f"{setup}\n"
              f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; "
              f"COMP_POINT=${{#COMP_LINE}}\n"
              f"fn=$(complete -p {words[0]} | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n"
              f"\"$fn\" {words[0]} '{words[-1]}' '{words[-2] if len(words) > 1 else ''}'\n"
              "printf '%s\\n' \"${COMPREPLY[@]}\"")
    p = run(["bash", "-c", script], env=env)
    assert p.returncode == 0, p.stderr
    return [line for line in p.stdout.split("\n") if line]


@pytest.fixture
def completion_env(isolated_env):
    write_config(isolated_env.config_file, PROFILES_CONFIG)
    return dict(os.environ, PATH=f"{BIN}:{SYSTEM_PATH}")


def test_completion_profiles_lists_order_first(completion_env):
    p = ctl(["completion", "--profiles"], env=completion_env)
    assert p.stdout.split() == ["max", "work-key", "spare"]


def test_bash_completions_load_from_eval(completion_env):
    p = run(["bash", "-c", 'eval "$(claude-failover-ctl completion bash)"; '
             "complete -p claude-failover claude claude-failover-ctl"], env=completion_env)
    assert p.returncode == 0, p.stderr
    assert "-F _claude_failover claude-failover" in p.stdout
    assert "-F _claude_failover claude\n" in p.stdout
    assert "-F _claude_failover_ctl_completion claude-failover-ctl" in p.stdout


@pytest.mark.parametrize("source", ["eval", "static"])
def test_bash_completion_completes_options_profiles_and_subcommands(completion_env, source):
    if source == "eval":
        setup = 'eval "$(claude-failover-ctl completion bash)"'
    else:
        setup = "; ".join(f". '{CONTRIB / 'completions' / 'bash' / name}'" for name in ("claude-failover",
                                                                                      "claude-failover-ctl"))
    assert complete_bash(setup, ["claude", "--failover-d"], completion_env) == ["--failover-dry-run"]
    assert complete_bash(setup, ["claude-failover", "--failover-profile", "w"], completion_env) == ["work-key"]
    assert set(complete_bash(setup, ["claude-failover-ctl", "install-"], completion_env)) == {
        "install-shim", "install-units"}


def test_fish_completions_complete_options_and_profiles(completion_env):
    fish = need("fish")
    files = " ".join(f"source '{CONTRIB / 'completions' / 'fish' / n}';" for n in ("claude-failover.fish",
                                                                                 "claude-failover-ctl.fish"))
    p = run([fish, "--no-config", "-c", f"{files} complete -C 'claude --failover-dry'; "
             "complete -C 'claude-failover --failover-profile '; complete -C 'claude-failover-ctl install-s'"],
            env=completion_env)
    assert p.returncode == 0, p.stderr
    lines = [line.split("\t")[0] for line in p.stdout.splitlines()]
    assert "--failover-dry-run" in lines
    assert {"max", "work-key", "spare"} <= set(lines)
    assert "install-shim" in lines


def test_generated_completion_parses_in_fish(completion_env):
    p = ctl(["completion", "fish"], env=completion_env)
    assert p.returncode == 0
    assert run([need("fish"), "--no-execute"], input=p.stdout).returncode == 0


def test_completion_options_match_the_launcher():
    from claude_failover.argv import OPTIONS
    from claude_failover.ctl.cmd_completion import launcher_options

    found = {option: takes_value for option, takes_value, _ in launcher_options()}
    assert found == OPTIONS


def in_real_shell(shell: list[str], setup: str, typed: str, expect: str, env: dict, tmp_path: Path) -> str:
    """Type ``typed`` + Tab in an interactive ``shell`` (tmux) after ``setup``; wait for ``expect`` on screen."""
    need("tmux")
    sock = str(tmp_path / "tmux.sock")
    e = dict(env, TERM="xterm-256color")

    def tmux(*args, check=True):
        return subprocess.run(["tmux", "-S", sock, "-f", os.devnull, *args], env=e, capture_output=True,
                              text=True, check=check, timeout=10)

    tmux("new-session", "-d", "-x", "200", "-y", "30", *shell)
    try:
        tmux("send-keys", "-l", setup)
        tmux("send-keys", "Enter")
        tmux("send-keys", "-l", "clear; echo ready-for-typing")
        tmux("send-keys", "Enter")
        deadline = time.monotonic() + 20
        while "ready-for-typing" not in tmux("capture-pane", "-p").stdout.splitlines():
            assert time.monotonic() < deadline, tmux("capture-pane", "-p").stdout
            time.sleep(0.2)
        tmux("send-keys", "-l", typed)
        tmux("send-keys", "Tab")
        deadline = time.monotonic() + 20
        while expect not in (screen := tmux("capture-pane", "-p").stdout):
            if time.monotonic() > deadline:
                return screen
            time.sleep(0.2)
        return screen
    finally:
        tmux("kill-server", check=False)


SHELLS_FOR_TAB = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], 'eval "$(claude-failover-ctl completion bash)"'),
    "zsh": (["zsh", "-f", "-i"], 'autoload -Uz compinit && compinit -u && eval "$(claude-failover-ctl completion zsh)"'),
}


@pytest.mark.parametrize("shell", SHELLS_FOR_TAB)
@pytest.mark.parametrize("typed, expect", [
    ("claude-failover-ctl pin wo", "claude-failover-ctl pin work-key"),
    ("claude-failover-ctl --config CONFIG pin sp", "pin spare"),
    ("claude --failover-profile wo", "claude --failover-profile work-key"),
], ids=["ctl-pin", "ctl-pin-config", "launcher"])
def test_tab_completes_profile_names_in_the_real_shell(completion_env, tmp_path, shell, typed, expect):
    command, setup = SHELLS_FOR_TAB[shell]
    need(command[0])
    typed = typed.replace("CONFIG", os.environ["CLAUDE_FAILOVER_CONFIG"])
    screen = in_real_shell(command, setup, typed, expect, completion_env, tmp_path)
    assert expect in screen, screen


def test_fish_completes_profile_names_for_ctl_pin(completion_env):
    p = run([need("fish"), "--no-config", "-c", "claude-failover-ctl completion fish | source; "
             "complete -C 'claude-failover-ctl pin '; complete -C 'claude-failover-ctl pin w'"], env=completion_env)
    assert p.returncode == 0, p.stderr
    lines = [line.split("\t")[0] for line in p.stdout.splitlines()]
    assert sorted(lines) == ["max", "spare", "work-key", "work-key"]


def test_powershell_completion_is_generated_for_all_three_names(completion_env):
    p = ctl(["completion", "powershell"], env=completion_env)
    assert p.returncode == 0, p.stderr
    assert p.stdout == (CONTRIB / "completions" / "powershell" / "claude-failover.ps1").read_text()
    assert "Register-ArgumentCompleter -Native -CommandName claude-failover, claude -ScriptBlock" in p.stdout
    assert "Register-ArgumentCompleter -Native -CommandName claude-failover-ctl -ScriptBlock" in p.stdout
    assert "claude-failover-ctl completion --profiles" in p.stdout
    for option in ("--failover-profile", "--failover-dry-run", "--failover-version"):
        assert f"'{option}'" in p.stdout
    # balanced braces and parentheses: a cheap stand-in for the parser where pwsh is not installed
    assert p.stdout.count("{") == p.stdout.count("}") and p.stdout.count("(") == p.stdout.count(")")


def test_powershell_ctl_completion_speaks_clicks_protocol(completion_env):
    """What the PowerShell script does for `claude-failover-ctl pin w<Tab>`: COMP_WORDS, COMP_CWORD, bash_complete."""
    env = dict(completion_env, COMP_WORDS="claude-failover-ctl pin w", COMP_CWORD="2",
               _CLAUDE_FAILOVER_CTL_COMPLETE="bash_complete")
    assert ctl([], env=env).stdout.splitlines() == ["plain,work-key"]
    env.update(COMP_WORDS="claude-failover-ctl pin ", COMP_CWORD="2")  # the script appends '' for an empty word
    assert ctl([], env=env).stdout.splitlines() == ["plain,max", "plain,work-key", "plain,spare"]


@pytest.mark.parametrize("path", [CONTRIB / "shell" / "claude-failover.ps1",
                                  CONTRIB / "completions" / "powershell" / "claude-failover.ps1"], ids=lambda p: p.parent.name)
def test_powershell_files_parse(path):
    pwsh = shutil.which("pwsh")
    if pwsh is None:
        pytest.skip("pwsh (PowerShell) is not installed and not in Debian's archive: no syntax check")
    script = ("$e = $null; [System.Management.Automation.Language.Parser]::ParseFile("
              f"'{path}', [ref]$null, [ref]$e) | Out-Null; exit $e.Count")
    assert run([pwsh, "-NoProfile", "-Command", script]).returncode == 0


def test_completion_without_shell_is_a_usage_error():
    p = ctl(["completion"])
    assert p.returncode == 64 and "name a shell" in p.stderr


# ---------------------------------------------------------------------------------------------------
# status line
# ---------------------------------------------------------------------------------------------------
def write_cache(active: str | None, preferred: str | None, verdicts: dict[str, Verdict] | None = None) -> None:
    def mutate(data):
        if active:
            data["last"] = {"profile": active, "preferred": preferred, "fallback": active != preferred,
                            "at": time.time()}
        for name, verdict in (verdicts or {}).items():
            cache.record(data, name, None, verdict)
    assert cache.update(mutate)


def statusline(args=(), env=None, input=None):
    p = ctl(["statusline", "--no-color", *args], env=env, input=input)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return p.stdout.rstrip("\n")


def test_statusline_from_cache_on_preferred_route(isolated_env):
    write_cache("max", "max", {"max": Verdict("healthy")})
    assert statusline() == "route: max"


def test_statusline_from_cache_shows_fallback_and_why(isolated_env):
    write_cache("work-key", "max", {"max": Verdict("unhealthy", "rate-limited", status=429),
                                    "work-key": Verdict("healthy")})
    assert statusline() == "route: work-key ⚠ fallback (max: rate limited)"
    assert statusline(["--ascii"]) == "route: work-key ! fallback (max: rate limited)"


def test_statusline_env_wins_over_cache(isolated_env):
    write_cache("max", "max")
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="gw", CLAUDE_FAILOVER_PREFERRED="max")
    assert statusline(env=env) == "route: gw ⚠ fallback (max)"
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    assert statusline(env=env) == "route: max"


def test_statusline_preferred_defaults_to_first_in_order(isolated_env):
    write_config(isolated_env.config_file, PROFILES_CONFIG)
    assert statusline(env=dict(os.environ, CLAUDE_FAILOVER_ACTIVE="work-key")) == "route: work-key ⚠ fallback (max)"
    assert statusline(env=dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max")) == "route: max"


def test_statusline_reads_claude_statusline_json(isolated_env):
    payload = json.dumps({"hook_event_name": "Status", "session_id": "x", "model": {"id": "claude-opus-4-1",
                          "display_name": "Opus"}, "workspace": {"current_dir": "/tmp"}})
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    assert statusline(env=env, input=payload) == "Opus · route: max"
    assert statusline(["--no-model"], env=env, input=payload) == "route: max"
    assert statusline(env=env, input="not json") == "route: max"


def test_statusline_colours_the_fallback_marker_unless_no_color(isolated_env):
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="gw", CLAUDE_FAILOVER_PREFERRED="max")
    env.pop("NO_COLOR", None)
    assert ctl(["statusline"], env=env).stdout == "route: gw \033[33m⚠ fallback (max)\033[0m\n"
    assert "\033[" not in ctl(["statusline"], env=dict(env, NO_COLOR="1")).stdout


def test_statusline_with_nothing_known_or_a_corrupt_cache(isolated_env):
    assert statusline() == "route: ?"
    isolated_env.state_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.state_dir / "health.json").write_text("{ not json")
    assert statusline() == "route: ?"


def test_statusline_json(isolated_env):
    write_cache("work-key", "max", {"max": Verdict("unhealthy", "expired")})
    data = json.loads(ctl(["statusline", "--json"]).stdout)
    assert data["active"] == "work-key" and data["fallback"] is True and data["source"] == "cache"
    assert data["preferred_reason"] == "expired login"


def test_statusline_does_not_wait_on_an_open_stdin(isolated_env):
    env = dict(os.environ, CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max")
    proc = subprocess.Popen([CTL, "statusline"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    try:
        import select

        assert select.select([proc.stdout], [], [], 5)[0], "statusline waited on a stdin that never closes"
        assert proc.stdout.readline() == "route: max\n"
    finally:
        proc.stdin.close()
        proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------
# notifications
# ---------------------------------------------------------------------------------------------------
@pytest.fixture
def fake_notify_send(tmp_path, monkeypatch):
    bindir = tmp_path / "notifybin"
    bindir.mkdir()
    record = tmp_path / "notify-send.args"
    script = bindir / "notify-send"
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "{record}.tmp"\n'
                      f'mv "{record}.tmp" "{record}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{SYSTEM_PATH}")
    return record, script


def wait_for(path: Path, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.02)
    return False


def test_notify_calls_notify_send_on_fallback(fake_notify_send):
    record, _ = fake_notify_send
    notify.route_changed("max", "work-key", "max", "rate limited")
    assert wait_for(record)
    assert record.read_text().splitlines() == ["--app-name=claude-failover", "--icon=dialog-information",
                                               "Claude fell back to work-key", "max: rate limited"]


def test_notify_calls_notify_send_on_recovery(fake_notify_send):
    record, _ = fake_notify_send
    notify.route_changed("work-key", "max", "max", "healthy again")
    assert wait_for(record)
    assert record.read_text().splitlines()[-2:] == [
        "Claude back on max", "the preferred route is healthy again (was on work-key)"]


@pytest.mark.parametrize("value", ["0", "false", "off", "no"])
def test_notify_disabled_by_env(fake_notify_send, monkeypatch, value):
    record, _ = fake_notify_send
    monkeypatch.setenv("CLAUDE_FAILOVER_NOTIFY", value)
    notify.route_changed("max", "work-key", "max", "rate limited")
    assert not wait_for(record, 0.5)


def test_notify_nothing_when_route_unchanged(fake_notify_send):
    record, _ = fake_notify_send
    notify.route_changed("max", "max", "max", "")
    assert not wait_for(record, 0.5)


def test_notify_is_a_noop_without_a_notifier(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    started = time.monotonic()
    notify.route_changed("max", "work-key", "max", "rate limited")
    assert notify.send("t", "b") is False
    assert time.monotonic() - started < 5  # returns (no notifier to wait for), rather than hangs


def test_notify_never_blocks_on_a_slow_notifier(fake_notify_send):
    record, script = fake_notify_send
    started = record.with_name("notifier-started")
    script.write_text(f'#!/bin/sh\ntouch "{started}"\nsleep 10\ntouch "{record}"\n')
    notify.route_changed("max", "work-key", "max", "rate limited")
    assert not record.exists()  # returned before the notifier finished: it was not waited for
    assert wait_for(started)    # ... though it was started


def test_notify_respects_notify_false_in_the_config(fake_notify_send, isolated_env):
    record, _ = fake_notify_send
    write_config(isolated_env.config_file, 'notify = false\norder = ["max"]\n[profiles.max]\ntype = "subscription"\n')
    notify.route_changed("max", "work-key", "max", "rate limited")  # reads the default config itself
    assert not wait_for(record, 0.5)

    class Cfg:
        notify = True

    notify.route_changed("max", "work-key", "max", "rate limited", cfg=Cfg())  # an explicit cfg wins
    assert wait_for(record)


@pytest.mark.parametrize("args, expected", [
    (("max", "key", "max", "max: expired login (401); gw: rate limited"),
     ("Claude fell back to key", "max: expired login (401); gw: rate limited")),
    (("key", "gw", "max", "rate limited (429)"), ("Claude fell back to gw", "key: rate limited (429)")),
    ((None, "key", "max", ""), ("Claude fell back to key", "max is unavailable")),
    (("key", "max", "max", "preferred route healthy again"),
     ("Claude back on max", "the preferred route is healthy again (was on key)")),
])
def test_notify_messages(args, expected):
    assert notify.message(*args) == expected


def test_notify_enabled_honours_config_and_env():
    class Cfg:
        notify = False

    assert notify.enabled(Cfg(), environ={}) is False
    assert notify.enabled(None, environ={}) is True
    assert notify.enabled(None, environ={"CLAUDE_FAILOVER_NOTIFY": "0"}) is False
    Cfg.notify = True
    assert notify.enabled(Cfg(), environ={"CLAUDE_FAILOVER_NOTIFY": "1"}) is True


# ---------------------------------------------------------------------------------------------------
# e2e: the REAL claude, interactive on a pty, launched by claude-failover, runs our statusLine command
# ---------------------------------------------------------------------------------------------------
SL_KEY = "sk-ant-api03-FAKE-statusline-1"


@pytest.mark.e2e
def test_real_claude_runs_statusline_with_the_launchers_route(isolated_env, fake_server, claude_bin, tmp_path):
    import pty
    import select
    import signal

    write_config(isolated_env.config_file, f"""
claude = "{claude_bin}"
order = ["max", "key"]
[profiles.max]
type = "subscription"
[profiles.key]
type = "api-key"
base_url = "{fake_server.url}"
secret_env = "TEST_SL_KEY"
""")
    seen_in, seen_out = tmp_path / "statusline.in", tmp_path / "statusline.out"
    command = f"tee '{seen_in}' | '{CTL}' statusline --no-color | tee '{seen_out}'"
    settings = isolated_env.claude_dir / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"statusLine": {"type": "command", "command": command}}))
    project = tmp_path / "project"
    project.mkdir()
    # an approved API key and a trusted folder: otherwise claude stops at its first-run dialogs
    isolated_env.claude_json.write_text(json.dumps({
        "hasCompletedOnboarding": True, "customApiKeyResponses": {"approved": [SL_KEY[-20:]], "rejected": []},
        "projects": {str(project): {"hasTrustDialogAccepted": True}}}))
    env = dict(os.environ, TEST_SL_KEY=SL_KEY, TERM="xterm-256color", PATH=f"{BIN}:{SYSTEM_PATH}")
    pid, fd = pty.fork()
    if pid == 0:  # child: the launcher, interactive on the pty
        try:
            os.chdir(project)
            os.execve(str(BIN / "claude-failover"), ["claude-failover"], env)
        finally:
            os._exit(127)
    screen = b""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (seen_out.exists() and seen_out.read_text()):
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    screen += os.read(fd, 65536)
                except OSError:
                    break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    assert seen_out.exists(), f"claude never ran the statusLine command; screen: {screen[-2000:]!r}"
    model = json.loads(seen_in.read_text())["model"]["display_name"]
    line = seen_out.read_text().strip()
    assert line.startswith(f"{model} · route: key ⚠ fallback (max"), line
    assert SL_KEY not in line
