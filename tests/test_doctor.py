"""`ctl doctor` checks, one fixture HOME per pitfall: the finding, its severity, and the exit code."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from claude_failover import doctor
from claude_failover.binary import SHIM_MARKER
from claude_failover.doctor import (claude_binary, credentials, environment, ours, route_prereqs,
                                    settings_files)
from tests.test_settings_guard import managed  # noqa: F401  (autouse: managed settings in a temp dir)

API_KEY = "sk-ant-api03-FAKE-doctor-1"
SECRET_TAIL = API_KEY[-4:]


@pytest.fixture
def work(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    return path


def ctx_for(isolated_env, work, **env) -> doctor.Context:
    environ = dict(os.environ)
    environ.update(env)
    return doctor.Context(environ=environ, cwd=str(work), config_path=str(isolated_env.config_file))


def config(isolated_env, text: str) -> None:
    isolated_env.config_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_env.config_file.write_text(text)


def write(path, data, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    if mode is not None:
        path.chmod(mode)
    return path


def ids(findings, severity=None):
    return [f.id for f in findings if severity is None or f.severity == severity]


def one(findings, id_):
    matches = [f for f in findings if f.id == id_]
    assert len(matches) == 1, [f.to_dict() for f in findings]
    return matches[0]


def login(isolated_env, mode=0o600, **oauth):
    now_ms = int(time.time() * 1000)
    data = {"accessToken": "sk-ant-oat01-FAKE-doc-access", "refreshToken": "sk-ant-ort01-FAKE-doc-refresh",
            "expiresAt": now_ms + 3_600_000, "scopes": ["user:inference"], "subscriptionType": "max"}
    data.update(oauth)
    data = {k: v for k, v in data.items() if v is not None}
    return write(isolated_env.claude_dir / ".credentials.json", {"claudeAiOauth": data}, mode)


SUBSCRIPTION = '[profiles.max]\ntype = "subscription"\n'


# --- environment -----------------------------------------------------------------------------

def test_shell_api_key_warns_and_names_the_bare_route(isolated_env, work):
    ctx = ctx_for(isolated_env, work, ANTHROPIC_API_KEY=API_KEY)
    found = one(environment.check_shell_credentials(ctx), "shell-credential")
    assert found.severity == "warning" and "ANTHROPIC_API_KEY" in found.saw
    assert API_KEY not in found.saw and SECRET_TAIL in found.saw          # masked
    assert "removes it" in found.why and found.fix.startswith("unset ANTHROPIC_API_KEY")
    bare = one(environment.check_bare_route(ctx), "bare-claude-route")
    assert "API key" in bare.saw and "from the shell" in bare.saw
    assert doctor.exit_code([found]) == 1


def test_shell_variable_a_profile_reads_is_info(isolated_env, work):
    config(isolated_env, '[profiles.key]\ntype = "api-key"\nsecret_env = "ANTHROPIC_API_KEY"\n')
    found = one(environment.check_shell_credentials(ctx_for(isolated_env, work, ANTHROPIC_API_KEY=API_KEY)),
                "shell-credential-intended")
    assert found.severity == "info" and doctor.exit_code([found]) == 0


def test_provider_switch_beats_tokens():
    assert environment.bare_route({"CLAUDE_CODE_USE_VERTEX": "1", "ANTHROPIC_API_KEY": "x"})[1] == "CLAUDE_CODE_USE_VERTEX"
    assert environment.bare_route({"CLAUDE_CODE_USE_BEDROCK": "0", "ANTHROPIC_AUTH_TOKEN": "x",
                                   "ANTHROPIC_API_KEY": "y"})[1] == "ANTHROPIC_AUTH_TOKEN"
    assert environment.bare_route({"CLAUDE_CODE_OAUTH_TOKEN": "x"}, helper="h")[1] == "apiKeyHelper"
    assert environment.bare_route({})[1] is None


def test_clean_shell_is_ok(isolated_env, work):
    assert ids(environment.check_shell_credentials(ctx_for(isolated_env, work))) == ["shell-clean"]


# --- settings files --------------------------------------------------------------------------

def test_settings_syntax_error_has_file_line_column(isolated_env, work):
    path = write(isolated_env.claude_dir / "settings.json", '{\n  "env": {\n    "A": "b",\n  }\n}\n')
    found = one(settings_files.check_settings_syntax(ctx_for(isolated_env, work)), "settings-syntax")
    assert found.severity == "error" and found.saw.startswith(f"{path}:4:3: JSON syntax error")
    assert "ignores the whole file" in found.why and found.path == str(path)


def test_project_settings_syntax_error(isolated_env, work):
    path = write(work / ".claude" / "settings.local.json", "// comment\n{}")
    found = one(settings_files.check_settings_syntax(ctx_for(isolated_env, work)), "settings-syntax")
    assert found.saw.startswith(f"{path}:1:1")


def test_settings_env_credential_is_reported_masked(isolated_env, work):
    write(isolated_env.claude_dir / "settings.json", {"env": {"ANTHROPIC_API_KEY": API_KEY, "FOO": "bar"}})
    found = one(settings_files.check_settings_env(ctx_for(isolated_env, work)), "settings-env-credential")
    assert found.severity == "warning" and "ANTHROPIC_API_KEY" in found.saw and API_KEY not in found.saw
    assert "overrides it on each launch" in found.why
    bare = one(environment.check_bare_route(ctx_for(isolated_env, work)), "bare-claude-route")
    assert "settings.json" in bare.saw          # the settings env wins over an empty shell


def test_api_key_helper_in_settings(isolated_env, work):
    write(work / ".claude" / "settings.json", {"apiKeyHelper": "vault read key"})
    found = one(settings_files.check_api_key_helper(ctx_for(isolated_env, work)), "settings-api-key-helper")
    assert found.severity == "warning" and "switches it off" in found.why


def test_which_file_wins(isolated_env, work):
    write(isolated_env.claude_dir / "settings.json", {"env": {"ANTHROPIC_BASE_URL": "https://user.example"}})
    local = write(work / ".claude" / "settings.local.json", {"env": {"ANTHROPIC_BASE_URL": "https://local.example"}})
    found = one(settings_files.check_settings_winner(ctx_for(isolated_env, work)), "settings-winner")
    assert found.saw.startswith(f"ANTHROPIC_BASE_URL is set in {local} (wins)")
    listing = one(settings_files.check_settings_files(ctx_for(isolated_env, work)), "settings-files")
    assert listing.saw.index("local project") < listing.saw.index("user settings")


def test_claude_json_env_and_helper_confusion(isolated_env, work):
    write(isolated_env.claude_json, {"hasCompletedOnboarding": True, "env": {"ANTHROPIC_API_KEY": API_KEY},
                                     "apiKeyHelper": "echo x"})
    findings = settings_files.check_claude_json_confusion(ctx_for(isolated_env, work))
    assert ids(findings, "warning") == ["claude-json-env", "claude-json-api-key-helper"]
    assert "settings.json" in findings[0].fix and API_KEY not in findings[0].saw


def test_settings_json_holding_state_keys(isolated_env, work):
    write(isolated_env.claude_dir / "settings.json", {"hasCompletedOnboarding": True, "oauthAccount": {}})
    found = one(settings_files.check_claude_json_confusion(ctx_for(isolated_env, work)),
                "settings-looks-like-claude-json")
    assert "oauthAccount" in found.saw


def test_managed_settings_refuse_a_route(isolated_env, work, managed):
    config(isolated_env, '[profiles.gw]\ntype = "gateway"\nbase_url = "https://gw.example"\nsecret_env = "X_GW"\n')
    write(managed / "managed-settings.json", {"env": {"ANTHROPIC_API_KEY": API_KEY}})
    ctx = ctx_for(isolated_env, work)
    found = one(settings_files.check_route_conflicts(ctx), "route-settings-conflict")
    assert found.severity == "error" and "profile 'gw'" in found.saw and "managed" in found.saw
    assert one(settings_files.check_settings_env(ctx), "settings-env-credential").fix.startswith("ask the administrator")


def test_same_variable_as_route_is_info(isolated_env, work):
    config(isolated_env, '[profiles.gw]\ntype = "gateway"\nbase_url = "https://gw.example"\nsecret_env = "X_GW"\n')
    write(isolated_env.claude_dir / "settings.json", {"env": {"ANTHROPIC_AUTH_TOKEN": "FAKE-x"}})
    found = one(settings_files.check_route_conflicts(ctx_for(isolated_env, work)), "route-settings-helper")
    assert found.severity == "info" and "apiKeyHelper" in found.why


# --- credentials store -----------------------------------------------------------------------

def test_login_missing_is_error_with_subscription_route(isolated_env, work):
    config(isolated_env, SUBSCRIPTION)
    found = one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-missing")
    assert found.severity == "error" and found.fix == "claude auth login" and "'max'" in found.saw


def test_login_missing_is_info_without_subscription_route(isolated_env, work):
    assert one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-missing").severity == "info"


def test_login_corrupt_is_fixable(isolated_env, work):
    config(isolated_env, SUBSCRIPTION)
    store = write(isolated_env.claude_dir / ".credentials.json", '{"claudeAiOauth": {"accessToken": "x",', 0o600)
    found = one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-corrupt")
    assert found.severity == "error" and found.repair is not None and "line 1" in found.saw
    assert "--fix" in found.fix and "claude auth login" in found.fix
    original = store.read_bytes()
    (done,) = doctor.apply_fixes([found])
    assert not store.exists()
    backups = list(isolated_env.claude_dir.glob(".credentials.json.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert "claude auth login" in done.fixed


def test_each_corrupt_store_fix_names_its_own_login(isolated_env, work, tmp_path):
    """The fix closure binds the login command of its own store, not the loop's last one."""
    other = tmp_path / "other-account"
    config(isolated_env, f'[profiles.me]\ntype = "subscription"\n[profiles.other]\ntype = "subscription"\n'
                         f'config_dir = "{other}"\n')
    write(isolated_env.claude_dir / ".credentials.json", '{"claudeAiOauth": {', 0o600)
    write(other / ".credentials.json", '{"claudeAiOauth": {', 0o600)
    corrupt = [f for f in credentials.check_login_store(ctx_for(isolated_env, work)) if f.id == "login-corrupt"]
    assert len(corrupt) == 2
    by_path = {f.path: f for f in corrupt}
    default_fix = by_path[str(isolated_env.claude_dir / ".credentials.json")].repair()
    other_fix = by_path[str(other / ".credentials.json")].repair()
    assert default_fix.endswith("now run `claude auth login`")
    assert other_fix.endswith(f"now run `CLAUDE_CONFIG_DIR={other} claude auth login`")


@pytest.mark.parametrize("oauth,status", [
    ({"expiresAt": 1000, "refreshToken": None}, "login-expired-no-refresh"),
    ({"expiresAt": 1000, "refreshTokenExpiresAt": 2000}, "login-refresh-expired"),
    ({"accessToken": "", "expiresAt": 0, "loginEnded": "time_limit"}, "login-ended"),
])
def test_login_dead_states_say_log_in(isolated_env, work, oauth, status):
    config(isolated_env, SUBSCRIPTION)
    login(isolated_env, **oauth)
    found = one(credentials.check_login_store(ctx_for(isolated_env, work)), status)
    assert found.severity == "error" and found.fix == "claude auth login" and found.repair is None
    assert "FAKE-doc" not in found.saw + found.why


def test_login_ok_and_refreshable(isolated_env, work):
    config(isolated_env, SUBSCRIPTION)
    login(isolated_env)
    assert one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-ok").severity == "ok"
    login(isolated_env, expiresAt=1000)
    assert one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-refreshable").severity == "ok"


def test_login_loose_permissions_fixable(isolated_env, work):
    store = login(isolated_env, mode=0o644)
    found = one(credentials.check_store_permissions(ctx_for(isolated_env, work)), "login-permissions")
    assert found.severity == "warning" and "0644" in found.saw and "chmod 600" in found.fix
    before = store.read_bytes()
    doctor.apply_fixes([found])
    assert stat.S_IMODE(store.stat().st_mode) == 0o600 and store.read_bytes() == before
    assert credentials.check_store_permissions(ctx_for(isolated_env, work)) == []


def test_subscription_config_dir_store(isolated_env, work, tmp_path):
    other = tmp_path / "acct2"
    config(isolated_env, f'[profiles.alt]\ntype = "subscription"\nconfig_dir = "{other}"\n')
    found = [f for f in credentials.check_login_store(ctx_for(isolated_env, work)) if str(other) in f.saw]
    assert found and found[0].id == "login-missing" and found[0].severity == "error"
    assert found[0].fix == f"CLAUDE_CONFIG_DIR={other} claude auth login"


ORG = "11111111-2222-3333-4444-555555555555"
HYBRID = {"accessToken": "sk-ant-oat01-FAKE-doc-org", "refreshToken": "sk-ant-ort01-FAKE-doc-org",
          "expiresAt": int(time.time() * 1000) + 3_600_000, "organizationUuid": ORG}


@pytest.mark.parametrize("with_claude_ai", [True, False])
def test_organization_sign_in_is_not_a_subscription(isolated_env, work, with_claude_ai):
    """claude 2.1.330+: an organisation sign-in (``hybridOauth`` in the store) sets the claude.ai login
    aside; doctor and the subscription route's local check both say so, without the token."""
    from claude_failover.config import load
    from claude_failover.routes.subscription import ROUTE

    config(isolated_env, SUBSCRIPTION)
    store = {"hybridOauth": HYBRID}
    if with_claude_ai:
        store["claudeAiOauth"] = json.loads(login(isolated_env).read_text())["claudeAiOauth"]
    write(isolated_env.claude_dir / ".credentials.json", store, 0o600)
    found = one(credentials.check_login_store(ctx_for(isolated_env, work)), "login-organization")
    assert found.severity == "error" and ORG in found.saw and "claude auth logout" in found.fix
    assert "FAKE-doc" not in found.saw + found.why + found.fix
    cfg = load(str(isolated_env.config_file))
    verdict = ROUTE.local_check(cfg.profiles["max"], dict(os.environ))
    assert verdict.reason == "misconfigured" and "organisation sign-in" in verdict.detail and ORG in verdict.detail


def test_expired_organization_sign_in_without_refresh_is_ignored(isolated_env, work):
    config(isolated_env, SUBSCRIPTION)
    sub = json.loads(login(isolated_env).read_text())["claudeAiOauth"]
    write(isolated_env.claude_dir / ".credentials.json",
          {"claudeAiOauth": sub, "hybridOauth": {"accessToken": "x", "expiresAt": 1000}}, 0o600)
    assert ids(credentials.check_login_store(ctx_for(isolated_env, work))) == ["login-ok"]


@pytest.mark.parametrize("status,expected", [
    ({"loggedIn": True, "authMethod": "claude.ai", "apiProvider": "firstParty", "subscriptionType": "max"}, None),
    ({"loggedIn": True, "authMethod": "third_party", "apiProvider": "bedrock"}, "requests go to bedrock"),
    ({"loggedIn": True, "authMethod": "claude.ai", "apiProvider": "firstParty", "organizationSignInOrgId": ORG},
     "organisation sign-in"),
    ({"loggedIn": False, "authMethod": "none", "apiProvider": "firstParty"}, "not logged in"),
    ({"loggedIn": True, "authMethod": "claude.ai", "apiProvider": "firstParty", "forcedLoginMethod": "console"},
     "force the console login"),
])
def test_not_subscription_reads_auth_status(status, expected):
    from claude_failover import claude_state

    problem = claude_state.not_subscription(status)
    assert problem is None if expected is None else expected in problem


@pytest.mark.e2e
def test_doctor_asks_claude_whether_the_subscription_is_claude_ai(isolated_env, work, claude_bin):
    """The real claude's `auth status --json`: a settings file switching to Bedrock makes the subscription
    route's login third_party/bedrock (measured on 2.1.332); a plain login is fine."""
    config(isolated_env, f'claude = "{claude_bin}"\n' + SUBSCRIPTION)
    login(isolated_env)
    assert credentials.check_subscription_is_claude_ai(ctx_for(isolated_env, work)) == []
    write(isolated_env.claude_dir / "settings.json", {"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}})
    found = one(credentials.check_subscription_is_claude_ai(ctx_for(isolated_env, work)), "subscription-not-claude-ai")
    assert found.severity == "warning" and "bedrock" in found.saw and "'max'" in found.saw


# --- the real claude ---------------------------------------------------------------------------

def fake_claude(directory, version="2.1.328", body=None):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "claude"
    path.write_text(body or f"#!/bin/sh\necho '{version} (Claude Code)'\n")
    path.chmod(0o755)
    return path


def test_claude_not_found(isolated_env, work):
    ctx = ctx_for(isolated_env, work, PATH=str(work / "nothing"))
    found = one(claude_binary.check_claude_found(ctx), "claude-not-found")
    assert found.severity == "error" and "install Claude Code" in found.fix


def test_claude_too_old_for_mantle(isolated_env, work, tmp_path):
    claude = fake_claude(tmp_path / "bin", "2.1.50")
    config(isolated_env, f'claude = "{claude}"\n[profiles.m]\ntype = "mantle"\nregion = "us-east-1"\nskip_auth = true\n')
    findings = claude_binary.check_claude_version(ctx_for(isolated_env, work))
    assert one(findings, "claude-version").saw == "claude 2.1.50"
    found = one(findings, "claude-too-old")
    assert found.severity == "error" and "2.1.94" in found.saw and "claude update" in found.fix


def test_claude_too_old_for_google_cloud_platform_but_not_for_aws_platform(isolated_env, work, tmp_path):
    """claude 2.1.212 lacks Claude Platform on Google Cloud (2.1.213+); the AWS one works on 2.1.94."""
    claude = fake_claude(tmp_path / "bin", "2.1.212")
    config(isolated_env, f'claude = "{claude}"\n[profiles.gc]\ntype = "anthropic-google-cloud"\nworkspace_id = "w"\n'
                         '[profiles.pa]\ntype = "anthropic-aws"\nregion = "us-east-1"\nworkspace_id = "w"\n')
    found = one(claude_binary.check_claude_version(ctx_for(isolated_env, work)), "claude-too-old")
    assert "'gc'" in found.saw and "2.1.213" in found.saw and "Claude Platform on Google Cloud" in found.why


def test_newer_provider_prerequisites(isolated_env, work):
    """Doctor: the project shape and the local check's fix for both newer providers (region names are
    config validation: tests/test_new_user.py, test_route_types.py)."""
    config(isolated_env, """
[profiles.pa]
type = "anthropic-aws"
region = "us-east-1"
workspace_id = "w"
aws_profile = "nope"
[profiles.gc]
type = "anthropic-google-cloud"
workspace_id = "w"
project_id = "Bad_Project"
region = "us-east5"
""")
    ctx = ctx_for(isolated_env, work)
    assert set(ids(route_prereqs.check_route_prerequisites(ctx), "error")) == {"google-cloud-project"}
    fixes = {f.saw: f.fix for f in route_prereqs.check_route_local(ctx) if f.id == "route-local-check"}
    assert any("aws configure --profile nope" in fix for fix in fixes.values()), fixes
    assert any("gcloud auth application-default login" in fix for fix in fixes.values()), fixes


def test_claude_version_unreadable(isolated_env, work, tmp_path):
    claude = fake_claude(tmp_path / "bin", body="#!/bin/sh\necho nope\n")
    config(isolated_env, f'claude = "{claude}"\n' + SUBSCRIPTION)
    assert one(claude_binary.check_claude_version(ctx_for(isolated_env, work)), "claude-version-unknown").severity == "warning"


def test_shim_loop(isolated_env, work, tmp_path):
    shim = fake_claude(tmp_path / "shim", body=f"#!/bin/sh\n# {SHIM_MARKER.decode()}\nexec claude-failover \"$@\"\n")
    ctx = ctx_for(isolated_env, work, PATH=str(shim.parent))
    found = one(claude_binary.check_shim_loop(ctx), "shim-loop")
    assert found.severity == "error" and str(shim) in found.saw


def test_shim_first_then_real_is_ok(isolated_env, work, tmp_path):
    shim = fake_claude(tmp_path / "shim", body=f"#!/bin/sh\n# {SHIM_MARKER.decode()}\n")
    real = fake_claude(tmp_path / "real")
    ctx = ctx_for(isolated_env, work, PATH=f"{shim.parent}:{real.parent}")
    assert one(claude_binary.check_shim_loop(ctx), "shim-first").severity == "ok"
    assert one(claude_binary.check_claude_found(ctx), "claude-found").path == str(real)


def test_configured_claude_is_us(isolated_env, work, tmp_path):
    shim = fake_claude(tmp_path / "shim", body=f"#!/bin/sh\n# {SHIM_MARKER.decode()}\n")
    config(isolated_env, f'claude = "{shim}"\n' + SUBSCRIPTION)
    found = one(claude_binary.check_claude_found(ctx_for(isolated_env, work)), "claude-not-found")
    assert "claude-failover itself" in found.saw


# --- our config, keyring, cache --------------------------------------------------------------

def test_config_invalid_reports_the_launchers_error(isolated_env, work):
    config(isolated_env, '[profiles.x]\ntype = "api-kee"\n')
    found = one(ours.check_config(ctx_for(isolated_env, work)), "config-invalid")
    assert found.severity == "error" and "did you mean 'api-key'" in found.saw and ":2:" in found.saw


def test_config_missing_is_info(isolated_env, work):
    assert one(ours.check_config(ctx_for(isolated_env, work)), "config-missing").severity == "info"


def test_keyring_unusable_with_keyring_profile(isolated_env, work, monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    config(isolated_env, '[profiles.key]\ntype = "api-key"\n')
    ctx = ctx_for(isolated_env, work)
    assert one(ours.check_keyring(ctx), "keyring-unavailable").severity == "error"
    assert one(ours.check_profile_secrets(ctx), "secret-unreadable").severity == "error"


def test_keyring_secret_is_masked(isolated_env, work, keyring_backend):
    from claude_failover import secret

    secret.keyring_set("key", API_KEY)
    config(isolated_env, '[profiles.key]\ntype = "api-key"\n')
    ctx = ctx_for(isolated_env, work)
    assert "SecretService" in one(ours.check_keyring(ctx), "keyring-ok").saw
    found = one(ours.check_profile_secrets(ctx), "secret-ok")
    assert API_KEY not in found.saw and f"****{SECRET_TAIL}" in found.saw


def test_secret_missing(isolated_env, work):
    config(isolated_env, '[profiles.key]\ntype = "api-key"\nsecret_env = "NOT_SET_ANYWHERE"\n')
    found = one(ours.check_profile_secrets(ctx_for(isolated_env, work)), "secret-missing")
    assert found.fix.startswith("export NOT_SET_ANYWHERE=")  # `keys set` would not help an env-var profile


def test_health_cache_corrupt_is_fixable(isolated_env, work):
    path = write(isolated_env.state_dir / "health.json", "{not json")
    found = one(ours.check_health_cache(ctx_for(isolated_env, work)), "cache-corrupt")
    assert found.severity == "warning"
    doctor.apply_fixes([found])
    assert not path.exists() and [p.read_text() for p in isolated_env.state_dir.glob("health.json.bak-*")] == ["{not json"]


def test_health_cache_stale_and_unknown(isolated_env, work):
    config(isolated_env, SUBSCRIPTION)
    write(isolated_env.state_dir / "health.json", {"version": 1, "pin": {"profile": "gone", "until": None}, "last": None,
          "routes": {"gone": {"verdict": {"state": "healthy", "checked_at": 1}},
                     "max": {"verdict": {"state": "healthy", "reason": None, "checked_at": 1}}}})
    found = ours.check_health_cache(ctx_for(isolated_env, work))
    assert {"cache-unknown-route", "cache-pin-unknown"} <= set(ids(found))
    assert "cache-stale" in ids(found) or "cache-unknown-route" in ids(found)


# --- route prerequisites ---------------------------------------------------------------------

def test_route_prerequisites(isolated_env, work):
    config(isolated_env, """
[profiles.aws]
type = "bedrock"
region = "us-east-1"
aws_profile = "nope"
[profiles.vx]
type = "vertex"
project_id = "Bad_Project"
region = "us-east5"
skip_auth = true
[profiles.gw]
type = "gateway"
base_url = "http://gw.example.com"
secret_env = "X"
""")
    ctx = ctx_for(isolated_env, work)
    regions = route_prereqs.check_route_prerequisites(ctx)
    assert ids(regions, "error") == ["vertex-project"]  # region names are config validation (test_new_user)
    local = one(route_prereqs.check_route_local(ctx), "route-local-check")
    assert "nope" in local.saw and "aws configure --profile nope" in local.fix
    assert one(route_prereqs.check_base_urls(ctx), "base-url-cleartext").severity == "warning"


def test_a_crashing_check_becomes_a_finding(isolated_env, work, monkeypatch):
    def check_boom(ctx):
        raise RuntimeError("x")

    monkeypatch.setattr(doctor, "checks", lambda: iter([check_boom]))
    (found,) = doctor.run(ctx_for(isolated_env, work))
    assert found.id == "boom-crashed" and found.severity == "error"


def test_managed_settings_are_isolated(managed):
    from claude_failover import claude_settings

    assert claude_settings.managed_dir() == str(managed)
