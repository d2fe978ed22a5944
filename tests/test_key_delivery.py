"""An API key reaches an interactive claude through our apiKeyHelper, not ANTHROPIC_API_KEY (issue 13).

Unit tests of settings_guard.deliver_key and the doctor's rejected-key check; test_tui_key_e2e.py
shows the real claude in tmux.
"""

from __future__ import annotations

import json
import os

import pytest

from claude_failover import doctor, key_helper, routes, settings_guard as sg
from claude_failover.doctor import key_answers
from tests.test_settings_guard import managed  # noqa: F401  (autouse: managed settings in a temp dir)

API_KEY = routes.get("api-key")

KEY = "sk-ant-api03-FAKE-deliver-0123456789abcdef"
URL = "http://127.0.0.1:9"
HELPER = key_helper.command()


def key_env(**extra):
    return {"HOME": os.environ["HOME"], "ANTHROPIC_BASE_URL": URL, "ANTHROPIC_API_KEY": KEY, **extra}


def settings_of(args):
    assert args[0] == "--settings" and len(args) == 2
    return json.loads(args[1])


@pytest.fixture
def cwd(tmp_path):
    (tmp_path / "work").mkdir()
    return str(tmp_path / "work")


@pytest.mark.parametrize("claude_args", [[], ["--resume", "abc"], ["--model", "opus", "fix the bug"]])
def test_interactive_key_goes_through_the_helper(cwd, claude_args):
    env = key_env()
    args = sg.guard_args(env, claude_args, {}, cwd, API_KEY)
    assert settings_of(args) == {"apiKeyHelper": HELPER}
    assert "ANTHROPIC_API_KEY" not in env and env[sg.HELPER_VAR] == KEY
    assert KEY not in " ".join(args)
    assert env[key_helper.TTL_VAR] == key_helper.TTL_MS      # a re-run of the helper then means a 401
    assert len(env[key_helper.SESSION_VAR]) == 16            # one random id per launch


def test_users_helper_ttl_is_kept(cwd):
    env = key_env(**{key_helper.TTL_VAR: "60000"})
    sg.guard_args(env, [], {}, cwd, API_KEY)
    assert env[key_helper.TTL_VAR] == "60000"


def test_helper_command_quotes_an_odd_python(monkeypatch):
    monkeypatch.setattr(key_helper.sys, "executable", "/opt/my python/it's/python3")
    assert key_helper.command() == "'/opt/my python/it'\\''s/python3' -m claude_failover.key_helper"


@pytest.mark.parametrize("claude_args", [["-p", "hi"], ["--print", "hi"], ["--version"], ["auth", "status"]])
def test_print_mode_and_management_commands_keep_the_variable(cwd, claude_args):
    env = key_env()
    assert sg.guard_args(env, claude_args, {}, cwd, API_KEY) == []
    assert env["ANTHROPIC_API_KEY"] == KEY and sg.HELPER_VAR not in env and key_helper.TTL_VAR not in env


def test_bearer_token_stays_in_the_environment(cwd):
    """ANTHROPIC_AUTH_TOKEN is never asked about (measured): a bearer gateway keeps it."""
    env = {"HOME": os.environ["HOME"], "ANTHROPIC_BASE_URL": URL, "ANTHROPIC_AUTH_TOKEN": KEY}
    assert sg.guard_args(env, [], {}, cwd, API_KEY) == []
    assert env["ANTHROPIC_AUTH_TOKEN"] == KEY


def test_settings_file_key_and_delivery_combine(isolated_env, cwd):
    """A stale key in settings.json is blanked and the route's key still comes from the helper."""
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_API_KEY": "sk-stale"}}))
    env = key_env()
    got = settings_of(sg.guard_args(env, [], {}, cwd, API_KEY))
    assert got == {"env": {"ANTHROPIC_API_KEY": ""}, "apiKeyHelper": HELPER}
    assert "ANTHROPIC_API_KEY" not in env and env[sg.HELPER_VAR] == KEY


def test_users_own_helper_is_replaced(isolated_env, cwd):
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps({"apiKeyHelper": "echo other"}))
    env = key_env()
    assert settings_of(sg.guard_args(env, [], {}, cwd, API_KEY)) == {"apiKeyHelper": HELPER}


def test_users_own_settings_flag_is_merged(cwd):
    env = key_env()
    got = settings_of(sg.guard_args(env, ["--settings", '{"model": "opus"}'], {}, cwd, API_KEY))
    assert got == {"model": "opus", "apiKeyHelper": HELPER}


# --- doctor -------------------------------------------------------------------------------------------
def _doctor(isolated_env, answers, profile='type = "api-key"'):
    isolated_env.config_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_env.config_file.write_text(f'[profiles.work-key]\n{profile}\nsecret_env = "T_KEY"\n')
    state = json.loads(isolated_env.claude_json.read_text())
    state["customApiKeyResponses"] = answers
    isolated_env.claude_json.write_text(json.dumps(state))
    ctx = doctor.Context(environ={**os.environ, "T_KEY": KEY}, cwd=str(isolated_env.home),
                         config_path=str(isolated_env.config_file))
    return key_answers.check_rejected_keys(ctx)


def test_doctor_reports_a_rejected_key(isolated_env):
    (finding,) = _doctor(isolated_env, {"approved": [], "rejected": [KEY[-20:]]})
    assert finding.id == "api-key-rejected" and finding.severity == doctor.WARNING
    assert "work-key" in finding.saw and "customApiKeyResponses.rejected" in finding.saw
    assert "remove the entry" in finding.fix and str(isolated_env.claude_json) in finding.fix
    text = json.dumps(finding.to_dict())
    assert KEY not in text and KEY[-20:] not in text      # never the key, nor claude's stored tail


def test_doctor_gateway_with_x_api_key(isolated_env):
    found = _doctor(isolated_env, {"rejected": [KEY[-20:]]},
                    profile=f'type = "gateway"\nbase_url = "{URL}"\nauth = "x-api-key"')
    assert [f.id for f in found] == ["api-key-rejected"]
    # a bearer gateway is never asked about
    assert _doctor(isolated_env, {"rejected": [KEY[-20:]]}, profile=f'type = "gateway"\nbase_url = "{URL}"') == []


@pytest.mark.parametrize("answers", [{"approved": [KEY[-20:]], "rejected": []}, {}, "garbage"])
def test_doctor_quiet_without_a_rejection(isolated_env, answers):
    assert _doctor(isolated_env, answers) == []


def test_doctor_other_rejected_keys_are_info(isolated_env):
    (finding,) = _doctor(isolated_env, {"rejected": ["x" * 20]})
    assert finding.id == "api-key-rejected-other" and finding.severity == doctor.INFO


def test_doctor_unreadable_state_file(isolated_env):
    isolated_env.claude_json.write_text("{not json")
    isolated_env.config_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_env.config_file.write_text('[profiles.k]\ntype = "api-key"\nsecret_env = "T_KEY"\n')
    ctx = doctor.Context(environ={**os.environ, "T_KEY": KEY}, cwd=str(isolated_env.home),
                         config_path=str(isolated_env.config_file))
    assert key_answers.check_rejected_keys(ctx) == []


def test_a_nested_launch_does_not_inherit_the_outer_helper_state():
    """claude started from inside claude: the outer session's key and helper session are removed."""
    from claude_failover import config as config_mod, environment
    from claude_failover.credvars import HELPER_VARS

    cfg = config_mod.parse('[profiles.sub]\ntype = "subscription"\n')
    outer = {"HOME": "/h", "CLAUDE_FAILOVER_KEY": KEY, "CLAUDE_FAILOVER_HELPER_SESSION": "ab12"}
    child = environment.build(cfg.profiles["sub"], None, outer)
    assert not set(HELPER_VARS) & set(child.env)
