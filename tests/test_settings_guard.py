"""settings_guard: the chosen route wins over Claude Code's settings files (unit tests; the real
claude proves it in test_settings_guard_e2e.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from claude_failover import claude_settings as cs, routes, settings_guard as sg

GOOD = "FAKE-route-token-1"
BAD = "sk-ant-api03-FAKE-settings-bad"
FAKE_URL = "http://127.0.0.1:9"
GATEWAY = routes.get("gateway")


@pytest.fixture(autouse=True)
def managed(tmp_path, monkeypatch):
    """Managed settings live in a temp dir, never /etc/claude-code."""
    directory = tmp_path / "managed"
    directory.mkdir()
    monkeypatch.setattr(cs, "managed_dir", lambda platform=None: str(directory))
    return directory


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def user_settings(isolated_env, data):
    return write(isolated_env.claude_dir / "settings.json", data)


def gateway_env(**extra):
    env = {"HOME": os.environ["HOME"], "ANTHROPIC_BASE_URL": FAKE_URL, "ANTHROPIC_AUTH_TOKEN": GOOD}
    env.update(extra)
    return env


def args_of(result):
    assert result[0] == "--settings" and len(result) == 2
    return json.loads(result[1])


@pytest.fixture
def cwd(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    return str(work)


def test_no_settings_no_args(cwd):
    assert sg.guard_args(gateway_env(), ["-p", "hi"], {}, cwd, GATEWAY) == []


def test_user_env_api_key_is_emptied(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD}})
    env = gateway_env()
    assert args_of(sg.guard_args(env, ["-p", "hi"], {}, cwd, GATEWAY)) == {"env": {"ANTHROPIC_API_KEY": ""}}
    assert sg.HELPER_VAR not in env


def test_non_secret_collision_takes_route_value(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_BASE_URL": "https://elsewhere.example"}})
    assert args_of(sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY)) == {"env": {"ANTHROPIC_BASE_URL": FAKE_URL}}


def test_same_value_needs_nothing(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_BASE_URL": FAKE_URL, "ANTHROPIC_MODEL": "x"}})
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY) == []


def test_secret_collision_uses_helper_without_secret_in_argv(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_AUTH_TOKEN": BAD}})
    env = gateway_env()
    result = sg.guard_args(env, ["-p", "hi"], {}, cwd, GATEWAY)
    assert GOOD not in " ".join(result) and BAD not in " ".join(result)
    assert args_of(result) == {"env": {"ANTHROPIC_AUTH_TOKEN": ""}, "apiKeyHelper": "printenv CLAUDE_FAILOVER_KEY"}
    assert env[sg.HELPER_VAR] == GOOD


def test_oauth_token_collision_refuses(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"CLAUDE_CODE_OAUTH_TOKEN": BAD}})
    env = {"HOME": os.environ["HOME"], "CLAUDE_CODE_OAUTH_TOKEN": GOOD}
    with pytest.raises(sg.SettingsConflictError) as info:
        sg.guard_args(env, ["-p", "hi"], {}, cwd, GATEWAY)
    assert info.value.exit_code == 78
    assert "CLAUDE_CODE_OAUTH_TOKEN" in info.value.message and str(isolated_env.claude_dir) in info.value.message
    assert GOOD not in info.value.render() and BAD not in info.value.render()


def test_api_key_helper_is_switched_off(isolated_env, cwd):
    user_settings(isolated_env, {"apiKeyHelper": "echo nope"})
    assert args_of(sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY)) == {"apiKeyHelper": ""}


def test_managed_env_refuses(managed, cwd):
    write(managed / "managed-settings.json", {"env": {"ANTHROPIC_API_KEY": BAD}})
    with pytest.raises(sg.SettingsConflictError, match="managed settings"):
        sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY)


def test_managed_dropin_helper_refuses(managed, cwd):
    write(managed / "managed-settings.d" / "10-corp.json", {"apiKeyHelper": "corp-key"})
    with pytest.raises(sg.SettingsConflictError, match="apiKeyHelper"):
        sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY)


def test_managed_matching_value_is_fine(managed, cwd):
    write(managed / "managed-settings.json", {"env": {"ANTHROPIC_BASE_URL": FAKE_URL}})
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY) == []


def test_broken_settings_file_is_ignored_like_claude_does(isolated_env, cwd):
    user_settings(isolated_env, '{"env": {"ANTHROPIC_API_KEY": "%s",}}' % BAD)
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY) == []


def test_claude_json_env_is_overridden(isolated_env, cwd):
    write(isolated_env.claude_json, {"hasCompletedOnboarding": True, "env": {"ANTHROPIC_API_KEY": BAD}})
    assert args_of(sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY)) == {"env": {"ANTHROPIC_API_KEY": ""}}


def test_claude_config_dir_moves_user_settings(isolated_env, tmp_path, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD}})   # not read: CLAUDE_CONFIG_DIR wins
    other = tmp_path / "acct"
    write(other / "settings.json", {"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}})
    env = gateway_env(CLAUDE_CONFIG_DIR=str(other))
    assert args_of(sg.guard_args(env, [], {}, cwd, GATEWAY)) == {"env": {"CLAUDE_CODE_USE_BEDROCK": ""}}


def test_project_and_local_files_where_claude_reads_them(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    sub = repo / "a" / "b"
    sub.mkdir(parents=True)
    # measured: shared project settings only from cwd; local ones from cwd and the repo root
    write(repo / ".claude" / "settings.json", {"env": {"ANTHROPIC_API_KEY": BAD}})
    write(repo / ".claude" / "settings.local.json", {"env": {"CLAUDE_CODE_USE_VERTEX": "1"}})
    write(repo / "a" / ".claude" / "settings.json", {"env": {"CLAUDE_CODE_USE_FOUNDRY": "1"}})
    assert args_of(sg.guard_args(gateway_env(), [], {}, str(sub), GATEWAY)) == {"env": {"CLAUDE_CODE_USE_VERTEX": ""}}
    got = args_of(sg.guard_args(gateway_env(), [], {}, str(repo), GATEWAY))
    assert got == {"env": {"CLAUDE_CODE_USE_VERTEX": "", "ANTHROPIC_API_KEY": ""}}


def test_setting_sources_limits_the_files(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD}})
    assert sg.guard_args(gateway_env(), ["--setting-sources", "project,local", "-p", "hi"], {}, cwd, GATEWAY) == []
    assert sg.guard_args(gateway_env(), ["--setting-sources=user"], {}, cwd, GATEWAY) != []


def test_users_inline_settings_are_merged(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD}})
    mine = {"model": "opus", "env": {"FOO": "1"}}
    result = sg.guard_args(gateway_env(), ["--settings", json.dumps(mine), "-p", "hi"], {}, cwd, GATEWAY)
    assert args_of(result) == {"model": "opus", "env": {"FOO": "1", "ANTHROPIC_API_KEY": ""}}


def test_users_settings_file_is_merged(isolated_env, cwd):
    user_settings(isolated_env, {"apiKeyHelper": "echo nope"})
    write(isolated_env.tmp / "work" / "mine.json", {"permissions": {"allow": ["Bash(ls)"]}})
    result = sg.guard_args(gateway_env(), ["--settings=mine.json"], {}, cwd, GATEWAY)
    assert args_of(result) == {"permissions": {"allow": ["Bash(ls)"]}, "apiKeyHelper": ""}


def test_users_settings_file_holding_a_secret_is_not_inlined(isolated_env, cwd):
    user_settings(isolated_env, {"apiKeyHelper": "echo nope"})
    write(isolated_env.tmp / "work" / "mine.json", {"env": {"GITHUB_TOKEN": "FAKE-gh-token"}})
    with pytest.raises(sg.SettingsConflictError, match="GITHUB_TOKEN") as info:
        sg.guard_args(gateway_env(), ["--settings", "mine.json"], {}, cwd, GATEWAY)
    assert "FAKE-gh-token" not in info.value.render()


def test_users_settings_that_override_the_route_are_overridden(cwd):
    result = sg.guard_args(gateway_env(), ["--settings", json.dumps({"env": {"ANTHROPIC_API_KEY": BAD}})], {}, cwd, GATEWAY)
    assert args_of(result) == {"env": {"ANTHROPIC_API_KEY": ""}}


def test_management_commands_get_nothing(isolated_env, cwd, managed):
    write(managed / "managed-settings.json", {"env": {"ANTHROPIC_API_KEY": BAD}})
    for args in (["auth", "login"], ["--version"], ["mcp", "list"]):
        assert sg.guard_args(gateway_env(), args, {}, cwd, GATEWAY) == []


def test_aws_route_variables(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"AWS_PROFILE": "other", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKFAKE"}})
    aws = {"HOME": os.environ["HOME"], "CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "AWS_PROFILE": "work"}
    assert args_of(sg.guard_args(aws, [], {}, cwd, routes.get("bedrock"))) == {
        "env": {"AWS_PROFILE": "work", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": ""}}
    # for a first-party route, AWS variables in settings are none of our business
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY) == []


def test_settings_sources_parsing():
    assert cs.settings_sources(["-p", "x", "--settings", "{}", "--settings", "b.json"]) == (None, "b.json", 4)
    assert cs.settings_sources(["--", "--settings", "x"]) == (None, None, None)
    assert cs.settings_sources(["--setting-sources", "user, local"])[0] == frozenset({"user", "local"})


def test_parse_reports_line_and_column():
    item = cs.parse('{\n  "env": {\n    "A": "b",\n  }\n}', cs.SettingsFile(cs.USER, "/x/settings.json"))
    assert item.error.startswith("JSON syntax error") and (item.line, item.column) == (4, 3)
    assert item.where == "/x/settings.json:4:3"
    assert cs.parse("[1]", cs.SettingsFile(cs.USER, "p")).error == "not a JSON object ({...})"


def test_warm_path_stays_light(isolated_env, cwd):
    user_settings(isolated_env, {"env": {"ANTHROPIC_API_KEY": BAD}})
    code = ("import sys, json; from claude_failover import routes, settings_guard as g; "
            f"r = g.guard_args({{'HOME': {os.environ['HOME']!r}}}, ['-p', 'hi'], {{}}, {cwd!r}, routes.get('gateway')); "
            "heavy = [m for m in ('httpx', 'keyring', 'tenacity', 'click') if m in sys.modules]; "
            "print(json.dumps([r, heavy]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    result, heavy = json.loads(out)
    assert result[0] == "--settings" and heavy == []


def test_claude_json_mcp_env_is_not_parsed_on_the_launch_path(isolated_env):
    big = {"hasCompletedOnboarding": True, "mcpServers": {"x": {"command": "y", "env": {"ANTHROPIC_API_KEY": BAD}}}}
    write(isolated_env.claude_json, json.dumps(big, indent=2))
    item = cs.load(cs.GLOBAL, str(isolated_env.claude_json))
    assert item.skipped and item.env == {}
    write(isolated_env.claude_json, json.dumps({**big, "env": {"ANTHROPIC_API_KEY": BAD}}, indent=2))
    assert cs.load(cs.GLOBAL, str(isolated_env.claude_json)).env == {"ANTHROPIC_API_KEY": BAD}
    write(isolated_env.claude_json, json.dumps({"env": {"ANTHROPIC_API_KEY": BAD}}))   # not claude's layout
    assert cs.load(cs.GLOBAL, str(isolated_env.claude_json)).env == {"ANTHROPIC_API_KEY": BAD}


# ---- the StopFailure hook of an interactive launch that stays as claude's parent (hook=True) --------

CONTRIB = json.loads((Path(__file__).resolve().parent.parent / "contrib" / "stop-failure-hook.json").read_text())


def our_hooks(settings: dict) -> list[str]:
    return [h["command"] for entry in settings.get("hooks", {}).get("StopFailure", []) for h in entry["hooks"]
            if "report --from-hook" in h["command"]]


def test_a_staying_launch_adds_our_stop_failure_hook(cwd):
    settings = args_of(sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY, hook=True))
    (command,) = our_hooks(settings)
    # contrib's command, our ctl named by this interpreter (claude's hooks may get another PATH)
    contrib = CONTRIB["hooks"]["StopFailure"][0]["hooks"][0]["command"]
    assert command == contrib.replace("claude-failover-ctl", f"{sys.executable} -m claude_failover.ctl")
    assert settings["hooks"]["StopFailure"][0]["hooks"][0]["timeout"] == 15
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY) == []      # exec'd launches: nothing


def test_no_second_hook_when_a_settings_file_has_ours(isolated_env, cwd):
    user_settings(isolated_env, CONTRIB)
    assert sg.guard_args(gateway_env(), [], {}, cwd, GATEWAY, hook=True) == []
    mine = json.dumps(CONTRIB)                                       # or the user's own --settings
    isolated_env.claude_dir.joinpath("settings.json").unlink()
    assert sg.guard_args(gateway_env(), ["--settings", mine], {}, cwd, GATEWAY, hook=True) == []


def test_the_hook_goes_next_to_the_users_own_settings_hooks(isolated_env, cwd):
    user_settings(isolated_env, {"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "true"}]}]}})
    mine = {"hooks": {"StopFailure": [{"hooks": [{"type": "command", "command": "echo mine"}]}]}, "model": "opus"}
    settings = args_of(sg.guard_args(gateway_env(), ["--settings", json.dumps(mine)], {}, cwd, GATEWAY, hook=True))
    assert settings["model"] == "opus"
    assert [h["command"] for e in settings["hooks"]["StopFailure"] for h in e["hooks"]][0] == "echo mine"
    assert len(our_hooks(settings)) == 1


def test_a_users_settings_file_we_cannot_inline_keeps_the_launch(isolated_env, cwd):
    write(isolated_env.tmp / "work" / "mine.json", {"env": {"GITHUB_TOKEN": "FAKE-gh-token"}})
    assert sg.guard_args(gateway_env(), ["--settings", "mine.json"], {}, cwd, GATEWAY, hook=True) == []


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20))
def test_dumps_is_json_dumps(value):
    assert sg.dumps(value) == json.dumps(value, separators=(",", ":"))
