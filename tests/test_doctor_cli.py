"""`claude-failover-ctl doctor` as users run it: report, --json schema, exit codes, --fix, no secrets."""

from __future__ import annotations

import json
import os

import pytest

from claude_failover.ctl import main as ctl_main
from tests.test_settings_guard import managed  # noqa: F401  (autouse: managed settings in a temp dir)

KEY = "sk-ant-api03-FAKE-cli-key-1"
SHELL_KEY = "sk-ant-api03-FAKE-cli-shell"
SETTINGS_TOKEN = "FAKE-cli-settings-token-9"
ACCESS = "sk-ant-oat01-FAKE-cli-access"
REFRESH = "sk-ant-ort01-FAKE-cli-refresh"


@pytest.fixture
def healthy(isolated_env, tmp_path, monkeypatch):
    """A HOME with nothing wrong: a config whose route has its secret, a real-looking claude."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    claude = bin_dir / "claude"
    claude.write_text("#!/bin/sh\necho '2.1.328 (Claude Code)'\n")
    claude.chmod(0o755)
    monkeypatch.setenv("TEST_DOC_KEY", KEY)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    write_config(isolated_env, f'claude = "{claude}"\n[profiles.key]\ntype = "api-key"\nsecret_env = "TEST_DOC_KEY"\n')
    return isolated_env


def write_config(isolated_env, text):
    isolated_env.config_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_env.config_file.write_text(text)


def doctor(capsys, *args):
    code = ctl_main(["doctor", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def as_json(capsys, *args):
    code, out, _ = doctor(capsys, "--json", *args)
    return code, json.loads(out)


def test_nothing_wrong_exits_0(healthy, capsys):
    code, out, err = doctor(capsys)
    assert code == 0, out
    assert "No problems found." in out and err == ""
    code, data = as_json(capsys)
    assert code == 0 and data["ok"] is True and data["counts"]["error"] == data["counts"]["warning"] == 0


def test_json_schema(healthy, capsys):
    _, data = as_json(capsys)
    assert set(data) == {"version", "ok", "exit_code", "counts", "fixed", "findings"}
    assert data["version"] == 1 and set(data["counts"]) == {"error", "warning", "info", "ok"}
    for f in data["findings"]:
        assert set(f) == {"id", "severity", "saw", "why", "fix", "path", "fixable", "fixed"}
        assert f["severity"] in ("error", "warning", "info", "ok")
    severities = [f["severity"] for f in data["findings"]]
    assert severities == sorted(severities, key=["error", "warning", "info", "ok"].index)


def pitfall_shell(env, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", SHELL_KEY)


def pitfall_broken_settings(env, monkeypatch):
    env.claude_dir.mkdir(parents=True, exist_ok=True)
    (env.claude_dir / "settings.json").write_text('{"model": "opus",}')


def pitfall_settings_env(env, monkeypatch):
    env.claude_dir.mkdir(parents=True, exist_ok=True)
    (env.claude_dir / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": SETTINGS_TOKEN}}))


def pitfall_helper(env, monkeypatch):
    env.claude_dir.mkdir(parents=True, exist_ok=True)
    (env.claude_dir / "settings.json").write_text(json.dumps({"apiKeyHelper": "echo x"}))


def pitfall_claude_json(env, monkeypatch):
    env.claude_json.write_text(json.dumps({"hasCompletedOnboarding": True, "env": {"ANTHROPIC_BASE_URL": "x"}}))


def pitfall_loose_store(env, monkeypatch):
    env.claude_dir.mkdir(parents=True, exist_ok=True)
    store = env.claude_dir / ".credentials.json"
    store.write_text(json.dumps({"claudeAiOauth": {"accessToken": ACCESS, "refreshToken": REFRESH,
                                                    "expiresAt": 4102444800000}}))
    store.chmod(0o644)


def pitfall_bad_config(env, monkeypatch):
    write_config(env, "order = [\n")


def pitfall_no_secret(env, monkeypatch):
    monkeypatch.delenv("TEST_DOC_KEY")


def pitfall_old_claude(env, monkeypatch):
    claude = env.tmp / "bin" / "claude"
    claude.write_text("#!/bin/sh\necho '2.1.90 (Claude Code)'\n")
    write_config(env, f'claude = "{claude}"\n[profiles.m]\ntype = "mantle"\nregion = "us-east-1"\nskip_auth = true\n')


@pytest.mark.parametrize("make,finding", [
    (pitfall_shell, "shell-credential"),
    (pitfall_broken_settings, "settings-syntax"),
    (pitfall_settings_env, "settings-env-credential"),
    (pitfall_helper, "settings-api-key-helper"),
    (pitfall_claude_json, "claude-json-env"),
    (pitfall_loose_store, "login-permissions"),
    (pitfall_bad_config, "config-invalid"),
    (pitfall_no_secret, "secret-missing"),
    (pitfall_old_claude, "claude-too-old"),
])
def test_each_pitfall_exits_1(healthy, capsys, monkeypatch, make, finding):
    make(healthy, monkeypatch)
    code, data = as_json(capsys)
    assert code == 1 and data["exit_code"] == 1 and data["ok"] is False
    assert finding in [f["id"] for f in data["findings"] if f["severity"] in ("error", "warning")], data
    code, out, _ = doctor(capsys)
    assert code == 1 and f"[{finding}]" in out and "why:" in out and "fix:" in out


def test_fix_moves_corrupt_store_aside_and_loses_nothing(healthy, capsys):
    write_config(healthy, '[profiles.max]\ntype = "subscription"\n' + healthy.config_file.read_text().split("\n", 1)[1])
    healthy.claude_dir.mkdir(parents=True, exist_ok=True)
    store = healthy.claude_dir / ".credentials.json"
    original = b'{"claudeAiOauth": {"accessToken": "' + ACCESS.encode() + b'", \x00 broken'
    store.write_bytes(original)
    store.chmod(0o600)
    code, data = as_json(capsys)
    corrupt = [f for f in data["findings"] if f["id"] == "login-corrupt"]
    assert code == 1 and corrupt and corrupt[0]["fixable"] and store.exists()   # no --fix: nothing touched
    code, out, _ = doctor(capsys, "--fix")
    assert "fixed    login-corrupt: moved to" in out and "claude auth login" in out
    assert not store.exists()
    (backup,) = healthy.claude_dir.glob(".credentials.json.bak-*")
    assert backup.read_bytes() == original
    assert "[login-missing]" in out and code == 1          # now: log in again
    assert ACCESS not in out


def test_fix_json_lists_repairs(healthy, capsys, monkeypatch):
    pitfall_loose_store(healthy, monkeypatch)
    code, data = as_json(capsys, "--fix")
    assert [f["id"] for f in data["fixed"]] == ["login-permissions"]
    assert code == 0 and (healthy.claude_dir / ".credentials.json").stat().st_mode & 0o777 == 0o600


def test_secrets_are_never_printed(healthy, capsys, monkeypatch):
    for make in (pitfall_shell, pitfall_settings_env, pitfall_loose_store):
        make(healthy, monkeypatch)
    healthy.claude_json.write_text(json.dumps({"env": {"ANTHROPIC_API_KEY": SHELL_KEY}}))
    _, out, err = doctor(capsys)
    _, jout, jerr = doctor(capsys, "--json")
    for text in (out, err, jout, jerr):
        for secret in (KEY, SHELL_KEY, SETTINGS_TOKEN, ACCESS, REFRESH):
            assert secret not in text


def test_quiet_shows_only_problems(healthy, capsys, monkeypatch):
    pitfall_shell(healthy, monkeypatch)
    _, out, _ = doctor(capsys, "--quiet")
    assert "[shell-credential]" in out and "[config-ok]" not in out


def test_help_documents_exit_codes(capsys):
    assert ctl_main(["doctor", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--fix" in out and "--json" in out and "1 when an error or a warning" in out
