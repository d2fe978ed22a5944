"""Config loading: every validation error names file, line and column and exits 78."""

from __future__ import annotations

import pytest

from claude_failover import config
from claude_failover.errors import EX_CONFIG, ConfigError

GOOD = """\
order = ["max", "work-key", "aws"]
claude = "/opt/claude/bin/claude"
probe_timeout = "1.5s"
healthy_ttl = "5m"

[profiles.max]
type = "subscription"
config_dir = "~/.claude"

[profiles.work-key]
type = "api-key"
secret_env = "WORK_ANTHROPIC_KEY"

[profiles.aws]
type = "bedrock"
region = "us-east-1"
aws_profile = "claude"

[profiles.aws.env]
HTTPS_PROXY = "http://127.0.0.1:3128"
"""


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        config.parse(text.encode(), "/cfg/config.toml")
    assert info.value.exit_code == EX_CONFIG
    return info.value


def test_good_config_parses():
    cfg = config.parse(GOOD, "/cfg/config.toml")
    assert cfg.order == ["max", "work-key", "aws"]
    assert cfg.claude == "/opt/claude/bin/claude"
    assert cfg.probe_timeout == 1.5 and cfg.healthy_ttl == 300
    assert cfg.profiles["work-key"].secret_sources == (("env", "WORK_ANTHROPIC_KEY"),)
    assert cfg.profiles["aws"].env == {"HTTPS_PROXY": "http://127.0.0.1:3128"}
    assert cfg.profiles["max"].secret_sources == ()


def test_every_route_type_has_a_working_example():
    text = """
[profiles.sub]
type = "subscription"
[profiles.tok]
type = "oauth-token"
[profiles.key]
type = "api-key"
base_url = "http://127.0.0.1:9"
[profiles.gw]
type = "gateway"
base_url = "https://llm.example.com"
headers = { X-Team = "infra" }
[profiles.br]
type = "bedrock"
region = "eu-west-1"
[profiles.ma]
type = "mantle"
region = "us-east-1"
secret = "keyring"
[profiles.vx]
type = "vertex"
project_id = "p"
region = "us-east5"
[profiles.fo]
type = "foundry"
resource = "r"
[profiles.pa]
type = "anthropic-aws"
region = "us-east-1"
workspace_id = "wrkspc_1"
secret = "keyring"
[profiles.gc]
type = "anthropic-google-cloud"
project_id = "my-project"
workspace_id = "wrkspc_2"
"""
    cfg = config.parse(text)
    assert [p.type for p in cfg.profiles.values()] == [
        "subscription", "oauth-token", "api-key", "gateway", "bedrock", "mantle", "vertex", "foundry",
        "anthropic-aws", "anthropic-google-cloud"]
    assert cfg.profiles["pa"].secret_sources == (("keyring", "pa"),)
    assert cfg.profiles["tok"].secret_sources == (("keyring", "tok"),)
    assert cfg.profiles["br"].secret_sources == ()      # AWS chain by default
    assert cfg.profiles["ma"].secret_sources == (("keyring", "ma"),)


def test_toml_syntax_error_has_line_and_column():
    err = error_of('order = ["a",\n[profiles.a]\n')
    assert "TOML syntax error" in err.message and err.line == 2 and err.column is not None


def test_unexpected_end_of_file_points_at_the_end():
    err = error_of('[profiles.a]\ntype = "subscription"\nx = ')
    assert err.line == 3


def test_unknown_top_level_key_suggests():
    err = error_of('prob_timeout = 3\n[profiles.a]\ntype = "subscription"\n')
    assert "did you mean 'probe_timeout'" in err.message and (err.line, err.column) == (1, 1)


def test_unknown_type_suggests():
    err = error_of('[profiles.a]\ntype = "api_key"\n')
    assert "did you mean 'api-key'" in err.message and err.line == 2


def test_unknown_profile_key_suggests_and_locates():
    err = error_of('[profiles.a]\ntype = "bedrock"\n  regoin = "x"\n')
    assert "unknown key 'regoin'" in err.message and "did you mean 'region'" in err.message
    assert (err.line, err.column) == (3, 3)


def test_wrong_type():
    err = error_of('strict = "yes"\n[profiles.a]\ntype = "subscription"\n')
    assert "'strict' must be true or false" in err.message


def test_order_names_missing_profile():
    err = error_of('order = ["mx"]\n[profiles.max]\ntype = "subscription"\n')
    assert "not a profile" in err.message and "did you mean 'max'" in err.message and err.line == 1


def test_empty_order():
    err = error_of('order = []\n[profiles.a]\ntype = "subscription"\n')
    assert "`order` is empty" in err.message and err.line == 1 and err.exit_code == 78


def test_duplicate_in_order():
    err = error_of('order = ["a", "a"]\n[profiles.a]\ntype = "subscription"\n')
    assert "twice" in err.message


@pytest.mark.parametrize("line", ['api_key = "whatever"', 'token = "abc"', 'base_url = "sk-ant-api03-FAKE"'])
def test_plain_text_secret_rejected(line):
    err = error_of(f'[profiles.k]\ntype = "api-key"\n{line}\n')
    assert "secret" in err.message and "keys set k" in (err.hint or "") and err.line == 3


def test_secret_in_env_table_rejected():
    err = error_of('[profiles.g]\ntype = "gateway"\nbase_url = "http://x"\n[profiles.g.env]\nANTHROPIC_AUTH_TOKEN = "t"\n')
    assert "secret" in err.message and err.line == 5


def test_missing_required_key():
    err = error_of('[profiles.v]\ntype = "vertex"\nregion = "us-east5"\n')
    assert "needs `project_id`" in err.message


@pytest.mark.parametrize("text,words,line", [
    ('[profiles.p]\ntype = "anthropic-aws"\nregion = "us-east-1"\n', "needs `workspace_id`", None),
    ('[profiles.p]\ntype = "anthropic-aws"\nworkspace_id = "w"\n', "needs `region`", None),
    ('[profiles.p]\ntype = "anthropic-aws"\nregion = "us-east-1"\nworkspace_id = " "\n', "must not be empty", 4),
    ('[profiles.p]\ntype = "anthropic-aws"\nregion = "us-east-1"\nworkspace_id = "w"\nlocation = "x"\n',
     "unknown key 'location'", 5),
    ('[profiles.p]\ntype = "anthropic-google-cloud"\nproject_id = "my-project"\n', "needs `workspace_id`", None),
    ('[profiles.p]\ntype = "anthropic-google-cloud"\nworkspace_id = "w"\nlocation = "global"\n',
     "unknown key 'location'", 4),
    ('[profiles.p]\ntype = "anthropic-google-cloud"\nworkspace_id = "w"\nsecret_env = "K"\n', "takes no secret", None),
], ids=["aws-no-workspace", "aws-no-region", "aws-empty-workspace", "aws-unknown-key", "google-no-workspace",
        "google-location-is-region", "google-no-secret"])
def test_newer_provider_profiles_are_validated(text, words, line):
    err = error_of(text)
    assert words in err.message, err.message
    if line is not None:
        assert err.line == line, (err.line, err.message)


def test_google_cloud_workspace_not_needed_behind_a_base_url():
    cfg = config.parse('[profiles.p]\ntype = "anthropic-google-cloud"\nbase_url = "http://127.0.0.1:9"\n')
    assert cfg.profiles["p"].route.child_env(cfg.profiles["p"], None) == {
        "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1", "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "http://127.0.0.1:9"}


def test_two_secret_sources_rejected():
    err = error_of('[profiles.k]\ntype = "api-key"\nsecret_env = "A"\nsecret_cmd = "b"\n')
    assert "choose one" in err.message


def test_secret_on_route_without_one_rejected():
    err = error_of('[profiles.s]\ntype = "subscription"\nsecret_env = "A"\n')
    assert "takes no secret" in err.message


def test_bad_duration():
    err = error_of('cooldown = "soon"\n[profiles.a]\ntype = "subscription"\n')
    assert "duration" in err.message


def test_no_profiles():
    err = error_of('order = []\n')
    assert "no profiles" in err.message and "config init" in err.hint


def test_gateway_auth_mode_checked():
    err = error_of('[profiles.g]\ntype = "gateway"\nbase_url = "http://x"\nauth = "basic"\n')
    assert "auth must be one of" in err.message and err.line == 4


def test_bom_and_crlf_accepted():
    cfg = config.parse("\ufeff[profiles.a]\r\ntype = \"subscription\"\r\n".encode())
    assert cfg.order == ["a"]


def test_invalid_utf8_located():
    with pytest.raises(ConfigError) as info:
        config.parse(b'[profiles.a]\ntype = "\xff"\n', "c.toml")
    assert "UTF-8" in info.value.message and info.value.line == 2


def test_missing_file_gives_embedded_default(tmp_path):
    cfg = config.load(str(tmp_path / "none.toml"))
    assert cfg.embedded and cfg.order == ["api-key"]
    assert cfg.profiles["api-key"].secret_sources == (("keyring", "api-key"), ("env", "ANTHROPIC_API_KEY"))


def test_embedded_default_prefers_an_existing_login(isolated_env, tmp_path):
    creds = tmp_path / "home" / ".claude"
    creds.mkdir(parents=True, exist_ok=True)
    (creds / ".credentials.json").write_text("{}")
    import os

    os.environ["HOME"] = str(tmp_path / "home")
    cfg = config.load(str(tmp_path / "none.toml"))
    assert cfg.order == ["subscription", "api-key"]


def test_directory_as_config(tmp_path):
    with pytest.raises(ConfigError) as info:
        config.load(str(tmp_path))
    assert "directory" in info.value.message


def test_render_names_file_line_column():
    err = error_of('[profiles.a]\ntype = "nope"\n')
    assert err.render().startswith("claude-failover: error: /cfg/config.toml:2:1: ")


def test_config_init_template_detects_the_newer_providers(isolated_env):
    """`ctl config init`: a workspace id in the shell makes the provider's profile active; else it is commented."""
    from claude_failover import template

    plain = config.parse(template.render({}))
    assert not {"aws-platform", "google-platform"} & set(plain.profiles)
    found = config.parse(template.render({"ANTHROPIC_AWS_WORKSPACE_ID": "wrkspc_a", "AWS_REGION": "eu-west-1",
                                          "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "wrkspc_g"}))
    aws, google = found.profiles["aws-platform"], found.profiles["google-platform"]
    assert (aws.type, aws.options["region"], aws.options["workspace_id"]) == ("anthropic-aws", "eu-west-1", "wrkspc_a")
    assert (google.type, google.options["workspace_id"]) == ("anthropic-google-cloud", "wrkspc_g")
    assert found.order[-2:] == ["aws-platform", "google-platform"]
