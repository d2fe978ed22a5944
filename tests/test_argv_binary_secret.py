"""argv splitting, finding the real claude, secret sources and masking."""

from __future__ import annotations

import os
import stat

import pytest

from claude_failover import argv, binary, secret
from claude_failover.errors import ClaudeNotFoundError, SecretError, UsageError


# --- argv -----------------------------------------------------------------------------------

def test_claude_arguments_pass_untouched():
    split = argv.split(["-p", "hi", "--model", "x", "mcp", "list"])
    assert split.claude_args == ["-p", "hi", "--model", "x", "mcp", "list"] and split.options == {}


def test_failover_options_removed_anywhere_before_dashdash():
    split = argv.split(["-p", "--failover-profile", "work", "hi", "--failover-dry-run", "--failover-config=/c.toml"])
    assert split.claude_args == ["-p", "hi"]
    assert split.options == {"profile": "work", "dry-run": True, "config": "/c.toml"}


def test_after_dashdash_everything_is_claude_s():
    split = argv.split(["--failover-strict", "--", "--failover-profile", "x"])
    assert split.claude_args == ["--", "--failover-profile", "x"] and split.options == {"strict": True}


@pytest.mark.parametrize("bad,text", [
    (["--failover-profil", "x"], "did you mean --failover-profile"),
    (["--failover-profile"], "needs a value"),
    (["--failover-profile="], "non-empty"),
    (["--failover-dry-run=yes"], "takes no value"),
])
def test_bad_options_are_usage_errors(bad, text):
    with pytest.raises(UsageError) as info:
        argv.split(bad)
    assert text in info.value.message and info.value.exit_code == 64


# --- binary -----------------------------------------------------------------------------------

def _exe(path, body="#!/bin/sh\necho real\n"):
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_skips_our_shim_and_symlink_to_us(tmp_path, monkeypatch):
    ours = _exe(tmp_path / "claude-failover", "#!/usr/bin/env python\nfrom claude_failover.launcher import main\n")
    d1, d2, d3 = (tmp_path / n for n in ("d1", "d2", "d3"))
    for d in (d1, d2, d3):
        d.mkdir()
    (d1 / "claude").symlink_to(ours)
    _exe(d2 / "claude", "#!/bin/sh\n# claude-failover shim\nexec claude-failover \"$@\"\n")
    real = _exe(d3 / "claude")
    monkeypatch.setattr("sys.argv", [str(ours)])
    found = binary.find_claude(None, {"PATH": os.pathsep.join(map(str, (d1, d2, d3)))})
    assert found == str(real)


def test_only_ourselves_on_path_is_127(tmp_path, monkeypatch):
    ours = _exe(tmp_path / "claude", "#!/bin/sh\n# claude-failover shim\n")
    monkeypatch.setattr("sys.argv", [str(ours)])
    with pytest.raises(ClaudeNotFoundError) as info:
        binary.find_claude(None, {"PATH": str(tmp_path)})
    assert info.value.exit_code == 127 and "npm install" in info.value.hint


def test_configured_path_must_be_executable(tmp_path):
    with pytest.raises(ClaudeNotFoundError):
        binary.find_claude(str(tmp_path / "nope"), {"PATH": ""})
    real = _exe(tmp_path / "claude")
    assert binary.find_claude(str(real), {"PATH": ""}) == str(real)


def test_configured_path_pointing_at_us_refused(tmp_path):
    shim = _exe(tmp_path / "claude", "#!/bin/sh\n# claude-failover shim\n")
    with pytest.raises(ClaudeNotFoundError) as info:
        binary.find_claude(str(shim), {})
    assert "itself" in info.value.message


# --- secrets ----------------------------------------------------------------------------------

def test_mask():
    assert secret.mask("sk-ant-api03-FAKE-abcd") == "****abcd"
    assert secret.mask("short") == "****"
    assert secret.mask("") == "(empty)"


def test_resolver_order_and_winner_named():
    sources = (("env", "FIRST"), ("env", "SECOND"))
    assert secret.resolve("p", sources, {"SECOND": "two"}) == secret.Resolved("two", "env:SECOND")
    assert secret.resolve("p", sources, {"FIRST": "one", "SECOND": "two"}).source == "env:FIRST"
    assert secret.resolve("p", sources, {}) is None


def test_secret_cmd_first_line(tmp_path):
    found = secret.resolve("p", (("cmd", "printf 'line-one\\nline-two\\n'"),), {})
    assert found == secret.Resolved("line-one", "cmd")


def test_failing_secret_cmd_never_shows_output():
    with pytest.raises(SecretError) as info:
        secret.require("p", (("cmd", "echo hunter2-secret >&2; echo hunter2-secret; exit 3"),), {})
    assert "status 3" in info.value.message and "hunter2" not in info.value.render()


def test_secret_cmd_printing_non_utf8_is_a_secret_error():
    with pytest.raises(SecretError) as info:
        secret.require("p", (("cmd", "printf 'sk-\\377\\376-tail\\n'"),), {})
    assert "not UTF-8" in info.value.message and "tail" not in info.value.render()


def test_missing_secret_names_the_fix():
    with pytest.raises(SecretError) as info:
        secret.require("work", (("env", "NOPE"),), {})
    assert info.value.hint == "export NOPE=… in the shell that starts claude" and info.value.exit_code == 78
    # the remedy fits the profile's (first) secret source
    assert secret.remedy("work", (("keyring", "work"),)) == "claude-failover-ctl keys set work"
    assert secret.remedy("work", (("cmd", "pass show work"),)) == "run its secret_cmd by hand and fix it: pass show work"


def test_no_keyring_backend_is_one_clear_line(monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(SecretError) as info:
        secret.require("work", (("keyring", "work"),), {})
    assert "no usable keyring backend" in info.value.message and "secret_env" in info.value.hint


def test_reprs_of_values_holding_a_secret_are_masked():
    """A traceback with locals, a debug print or a pytest failure shows a repr: never the secret."""
    from claude_failover import environment
    from claude_failover.config import Profile

    value = "sk-ant-api03-SENTINEL-never-shown-9876"
    found = secret.Resolved(value, "env:K")
    child = environment.build(Profile("k", "api-key", {}, secret_sources=(("env", "K"),)), value, {"PATH": "/bin"})
    for shown in (repr(found), repr(child)):
        assert "SENTINEL" not in shown and "****9876" in shown
