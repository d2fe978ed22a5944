"""What claude (the pinned one and the oldest supported) does with hooks given by `--settings` (measured, and kept true): they run, and
they run next to the hooks of ~/.claude/settings.json (merged, not replaced) — so an interactive launch
can add claude-failover's StopFailure hook by `--settings` for a user who never installed it.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import claude_env, run_claude

pytestmark = pytest.mark.e2e

KEY = "sk-ant-api03-FAKE-hooks-0123456789"


def hook(marker) -> dict:
    return {"hooks": {"StopFailure": [{"hooks": [{"type": "command", "command": f"cat > {marker}"}]}]}}


@pytest.mark.parametrize("which", ["pinned", "oldest"])
def test_settings_flag_hooks_run_next_to_the_users_hooks(isolated_env, fake_server, request, which):
    claude_bin = request.getfixturevalue("claude_bin" if which == "pinned" else "oldest_claude_bin")
    fake_server.behave(KEY, "api_key_invalid", path_prefix="/v1/messages")
    isolated_env.claude_dir.mkdir(parents=True, exist_ok=True)
    user, flag = isolated_env.tmp / "user.json", isolated_env.tmp / "flag.json"
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps(hook(user)))
    env = claude_env(ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=fake_server.url, CLAUDE_CODE_MAX_RETRIES="0")
    run = run_claude(claude_bin, ["-p", "hi", "--settings", json.dumps(hook(flag))], env=env)
    assert "401" in run.stdout + run.stderr or run.returncode != 0, run
    assert flag.exists(), "a StopFailure hook given by --settings did not run"
    assert user.exists(), "--settings replaced the hooks of ~/.claude/settings.json"
    assert json.loads(flag.read_text())["error"] == "authentication_failed"
