"""Route types as one module each: the interface's defaults, what each type declares, a throwaway
route type added from one module, a probe that raises (our bug), and the package's import graph."""

from __future__ import annotations

import ast
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from claude_failover import cache, probes, recording, routes
from claude_failover.config.durations import DurationError, parse_duration
from claude_failover.routes.base import RouteType
from tests.conftest import REPO
from tests.launch import write_config
from tests.test_health_support import GOOD
from tests.test_health_support import write_config as write_cfg

PACKAGE = REPO / "claude_failover"


# --- what each route type declares ----------------------------------------------------------

def test_every_type_is_one_module_with_its_route():
    assert set(routes.TYPE_NAMES) == {"subscription", "oauth-token", "api-key", "gateway", "bedrock", "mantle",
                                      "vertex", "foundry", "anthropic-aws", "anthropic-google-cloud"}
    for name in routes.TYPE_NAMES:
        route = routes.get(name)
        assert isinstance(route, RouteType) and route.name == name
        assert type(route).__module__ == f"claude_failover.routes.{name.replace('-', '_')}"
    for bad in ("base", "_aws", "_google", "nope", "../x", "API-KEY", "", "api_key.py"):
        with pytest.raises(KeyError):
            routes.get(bad)
    assert not (PACKAGE / "probes" / "api_key.py").exists()  # probes/ keeps only the engine


def profile(type_name, **options):
    from claude_failover.config import Profile

    sources = options.pop("secret_sources", ())
    return Profile(name="p", type=type_name, options=options, secret_sources=sources)


@pytest.mark.parametrize("case,verifiable", [
    (profile("subscription"), False),
    (profile("oauth-token", secret_sources=(("keyring", "p"),)), False),
    (profile("api-key", secret_sources=(("keyring", "p"),)), True),
    (profile("gateway", base_url="http://127.0.0.1:9"), True),
    (profile("bedrock", region="us-east-1"), False),                                     # SigV4
    (profile("bedrock", region="us-east-1", secret_sources=(("keyring", "p"),)), False),  # no endpoint to ask
    (profile("bedrock", region="us-east-1", base_url="http://gw", secret_sources=(("keyring", "p"),)), True),
    (profile("mantle", region="us-east-1"), False),
    (profile("mantle", region="us-east-1", secret_sources=(("keyring", "p"),)), True),
    (profile("vertex", project_id="proj-1", region="global"), False),                   # Google ADC
    (profile("foundry", resource="r"), False),                                            # Entra ID
    (profile("foundry", resource="r", secret_sources=(("keyring", "p"),)), True),
    (profile("anthropic-aws", region="us-east-1", workspace_id="w"), False),                        # SigV4
    (profile("anthropic-aws", region="us-east-1", workspace_id="w", secret_sources=(("keyring", "p"),)), True),
    (profile("anthropic-aws", region="us-east-1", workspace_id="w", skip_auth=True), True),
    (profile("anthropic-google-cloud", workspace_id="w"), False),                                  # Google ADC
    (profile("anthropic-google-cloud", base_url="http://gw", skip_auth=True), False),
])
def test_can_probe_says_whether_our_client_can_verify_the_route(case, verifiable):
    assert case.route.can_probe(case) is verifiable


def test_anthropic_aws_reads_not_logged_in_as_a_refused_key():
    """Measured on 2.1.332 and 2.1.94: a 401 from Claude Platform on AWS prints "Not logged in · Please run
    /login". On that route it is a refused credential; on a subscription it stays a missing login."""
    from claude_failover import run_failure

    said = run_failure.from_exit(1, "Not logged in · Please run /login\n")
    assert said.reason == "misconfigured"
    assert routes.get("subscription").read_run_failure(said) is said
    read = routes.get("anthropic-aws").read_run_failure(said)
    assert (read.state, read.reason, read.source) == ("unhealthy", "auth-invalid", "run")
    other = run_failure.from_exit(1, "API Error: 529 Overloaded")
    assert routes.get("anthropic-aws").read_run_failure(other) is other
    google = run_failure.from_exit(1, "API Error: Could not load Google Cloud credentials · Could not load the "
                                      "default credentials.")
    assert google.reason == "auth-invalid"


def test_anthropic_aws_default_endpoint_and_environment():
    p = profile("anthropic-aws", region="eu-west-1", workspace_id="wrkspc_1", aws_profile="work")
    route = p.route
    assert route.base_url(p) == "https://aws-external-anthropic.eu-west-1.api.aws"
    assert route.child_env(p, "KEY") == {"CLAUDE_CODE_USE_ANTHROPIC_AWS": "1", "AWS_REGION": "eu-west-1",
                                         "AWS_PROFILE": "work", "ANTHROPIC_AWS_API_KEY": "KEY",
                                         "ANTHROPIC_AWS_WORKSPACE_ID": "wrkspc_1"}
    assert route.also_remove(p) == ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    assert route.settings_owned("AWS_REGION", {"AWS_REGION": "eu-west-1"}) is True


def test_doctor_shapes_for_the_newer_providers():
    """Region names are config validation (RouteType.check), the project id a doctor finding."""
    bad_aws = profile("anthropic-aws", region="useast1", workspace_id="w")
    assert [key for key, _ in bad_aws.route.check(bad_aws.options)] == ["region"]
    bad_google = profile("anthropic-google-cloud", region="US East", project_id="P!", workspace_id="w")
    assert [key for key, _ in bad_google.route.check(bad_google.options)] == ["region"]
    assert [f.id for f in bad_google.route.doctor_findings(bad_google)] == ["google-cloud-project"]
    good = profile("anthropic-google-cloud", region="us-east5", project_id="my-project", workspace_id="w")
    assert good.route.doctor_findings(good) == []


def test_defaults_live_on_the_base_class():
    route = RouteType()
    p = profile("api-key")
    assert route.needs_secret({}) is False and route.login_stamp(p, {}) is None
    assert route.probe(p, None, None) is None and route.can_probe(p) is False
    assert route.claude_login_dir(p, {}) is None and route.doctor_findings(p) == []
    assert route.settings_owned("AWS_REGION", {"AWS_REGION": "x"}) is False
    assert routes.get("gateway").needs_secret({"auth": "none"}) is False
    assert routes.get("bedrock").settings_owned("AWS_REGION", {"AWS_REGION": "us-east-1"}) is True
    assert routes.get("gateway").settings_owned("AWS_REGION", {"AWS_REGION": "us-east-1"}) is False


def test_parse_duration_is_public():
    assert parse_duration("1h30m") == 5400 and parse_duration(90) == 90.0
    with pytest.raises(DurationError, match="^expected a duration like"):
        parse_duration("soon")
    with pytest.raises(DurationError, match="at most 7 days"):
        parse_duration("200h")


# --- a probe that raises is our bug, not the route's failure -------------------------------------

def test_a_raising_probe_is_never_a_route_failure(isolated_env, monkeypatch, capsys):
    monkeypatch.setenv("KEY", GOOD)
    cfg = write_cfg(isolated_env, '''
        [profiles.k]
        type = "api-key"
        base_url = "http://127.0.0.1:9"
        secret_env = "KEY"''')

    def boom(self, profile, secret, ctx):
        raise TypeError("a bug in our probe")

    monkeypatch.setattr(type(routes.get("api-key")), "probe", boom)
    results, _ = probes.run(cfg, [cfg.profiles["k"]], dict(os.environ))
    verdict = results["k"][0]
    assert verdict.reason == "internal" and not verdict.definite        # not proof the route is broken
    assert "inside claude-failover (TypeError)" in verdict.detail
    assert "a bug in our probe" not in capsys.readouterr().err          # quiet without the debug switch
    assert recording.probe_routes(cfg, ["k"])["k"].reason == "internal"
    assert "k" not in cache.read().get("routes", {})                    # never recorded: no cooldown

    monkeypatch.setenv("CLAUDE_FAILOVER_DEBUG", "1")
    probes.run(cfg, [cfg.profiles["k"]], dict(os.environ))
    err = capsys.readouterr().err
    assert "claude-failover: debug:" in err and "TypeError: a bug in our probe" in err


# --- a throwaway route type, added as one module -------------------------------------------------

THROWAWAY = '''"""`echo-gate`: a throwaway route type (tests only): a URL and a zone."""

from claude_failover.routes.base import STR, Key, RouteType


class EchoGate(RouteType):
    name = "echo-gate"
    title = "echo gate"
    keys = {"url": Key(STR, "where it goes", required=True), "zone": Key(STR, "a zone name")}
    settings_vars = ("ECHO_GATE_ZONE",)

    def check(self, options):
        zone = options.get("zone", "")
        return [("zone", "zone must be lowercase")] if zone != zone.lower() else []

    def child_env(self, profile, secret):
        return {"ANTHROPIC_BASE_URL": profile.options["url"], "ECHO_GATE_ZONE": profile.options.get("zone", "")}

    def summary(self, profile):
        return f"echo gate at {profile.options['url']}"

    def probe(self, profile, secret, ctx):
        from claude_failover.verdict import healthy

        return healthy(detail="the echo gate answered")

    def doctor_findings(self, profile):
        from claude_failover.doctor.finding import WARNING, Finding

        return [Finding("echo-gate-zone", WARNING, f"profile {profile.name!r}: zone {profile.options.get('zone')!r}",
                        fix="nothing: this is a test")]


ROUTE = EchoGate()
'''


@pytest.fixture
def with_throwaway(tmp_path):
    """A copy of the package with one more module in routes/, first on the path (no site hooks)."""
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy / "claude_failover", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "claude_failover" / "routes" / "echo_gate.py").write_text(THROWAWAY)
    path = os.pathsep.join([str(copy), *site.getsitepackages()])

    def run(*args, module="claude_failover", check=True):
        argv = [sys.executable, "-S", "-m", module, *args] if module else [
            sys.executable, "-S", "-c", "import sys; from claude_failover.ctl import main; sys.argv[0] = "
            "'claude-failover-ctl'; main()", *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, PYTHONPATH=path), cwd=tmp_path)
        if check:
            assert done.returncode == 0, done.stderr[-2000:]
        return done
    return run


def test_a_route_type_added_as_one_module_is_picked_up_everywhere(isolated_env, with_throwaway):
    config = isolated_env.config_file
    # config validation knows its keys and runs its check
    write_config(config, '[profiles.e]\ntype = "echo-gate"\nzone = "A"\n')
    bad = with_throwaway("--failover-dry-run", check=False)
    assert bad.returncode == 78 and "needs `url` (where it goes)" in bad.stderr
    write_config(config, '[profiles.e]\ntype = "echo-gate"\nurl = "http://127.0.0.1:9"\nzone = "A"\n')
    bad = with_throwaway("--failover-dry-run", check=False)
    assert bad.returncode == 78 and "zone must be lowercase" in bad.stderr
    write_config(config, '[profiles.e]\ntype = "echo-gate"\nurl = "http://127.0.0.1:9"\nzon = "a"\n')
    bad = with_throwaway("--failover-dry-run", check=False)
    assert bad.returncode == 78 and "did you mean 'zone'" in bad.stderr
    write_config(config, '[profiles.e]\ntype = "echo-gate"\nurl = "http://127.0.0.1:9"\n'
                         'zone = "eu"\n[profiles.x]\ntype = "echo-gat"\n')
    bad = with_throwaway("--failover-dry-run", check=False)
    assert bad.returncode == 78 and "'echo-gate'" in bad.stderr            # listed among the types

    # a launch: dry run, then a real one (a stand-in claude prints its arguments and environment);
    # a user settings file setting the route's own variable is overridden on claude's command line
    fake_claude = isolated_env.home / "fake-claude"
    fake_claude.write_text('#!/bin/sh\nprintf "ARG=%s\\n" "$@"\nenv\n')
    fake_claude.chmod(0o755)
    isolated_env.claude_dir.mkdir(exist_ok=True)
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps({"env": {"ECHO_GATE_ZONE": "us"}}))
    write_config(config, f'claude = "{fake_claude}"\n[profiles.e]\ntype = "echo-gate"\n'
                         'url = "http://127.0.0.1:9"\nzone = "eu"\n')
    dry = with_throwaway("--failover-dry-run").stdout
    assert "e (echo-gate) — echo gate at http://127.0.0.1:9" in dry and "ECHO_GATE_ZONE" in dry
    real = with_throwaway().stdout.splitlines()
    assert "ECHO_GATE_ZONE=eu" in real and "ANTHROPIC_BASE_URL=http://127.0.0.1:9" in real
    settings = json.loads(real[real.index("ARG=--settings") + 1].removeprefix("ARG="))
    assert settings == {"env": {"ECHO_GATE_ZONE": "eu"}}

    # ctl probe runs its probe, ctl status shows it, ctl doctor asks it
    assert "the echo gate answered" in with_throwaway("probe", module=None).stdout
    status = with_throwaway("status", module=None).stdout
    assert "echo-gate" in status and "the echo gate answered" in status
    assert "echo gate at http://127.0.0.1:9" in with_throwaway("status", "--json", module=None).stdout
    doctor = with_throwaway("doctor", module=None, check=False)
    assert doctor.returncode in (0, 1), doctor.stderr[-2000:]
    assert "echo gate at http://127.0.0.1:9" in doctor.stdout and "zone 'eu'" in doctor.stdout


# --- the package's import graph ---------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_time_imports(path: Path, modules: set[str]) -> set[str]:
    """Package modules ``path`` imports when it is imported (module level, not under TYPE_CHECKING)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(getattr(node, "body", []) + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
                      + [n for h in getattr(node, "handlers", []) for n in h.body])
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in modules else base)
    visit(ast.parse(path.read_text()).body)
    return {m for m in found if m in modules and m != name}


def test_no_import_cycle_in_the_package():
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _import_time_imports(path, set(files)) for name, path in files.items()}
    assert graph["claude_failover.schema"] == set()        # the leaf that broke config -> routes -> config
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, stack + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_a_settings_file_naming_only_a_routes_own_variable_is_guarded(isolated_env, tmp_path):
    """The launch path parses a settings file only when it names a guarded variable: the route's own
    (RouteType.settings_vars) count, though no list outside the route module names them."""
    from claude_failover import settings_guard

    isolated_env.claude_dir.mkdir(exist_ok=True)
    (isolated_env.claude_dir / "settings.json").write_text(json.dumps({"env": {"CLOUD_ML_REGION": "europe-west1"}}))
    env = {"HOME": str(isolated_env.home), "CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "us-east5"}
    args = settings_guard.guard_args(env, [], {}, str(tmp_path), routes.get("vertex"))
    assert json.loads(args[1]) == {"env": {"CLOUD_ML_REGION": "us-east5"}}
    assert settings_guard.guard_args(env, [], {}, str(tmp_path), routes.get("api-key")) == []


def test_a_launch_prefers_a_verified_route_over_one_our_probe_crashed_on(isolated_env, fake_server, monkeypatch):
    from tests.test_health_support import decide, three_keys

    cfg = three_keys(isolated_env, fake_server, monkeypatch)
    real = type(routes.get("api-key")).probe

    def crash_on_a(self, profile, secret, ctx):
        if profile.name == "a":
            raise KeyError("a bug in our probe")
        return real(self, profile, secret, ctx)

    monkeypatch.setattr(type(routes.get("api-key")), "probe", crash_on_a)
    assert decide(cfg).profile.name == "b"
    assert "a" not in cache.read()["routes"] and "b" in cache.read()["routes"]
    # every route crashed: not proof that any is broken, so the first is tried anyway (not exit 69)
    monkeypatch.setattr(type(routes.get("api-key")), "probe", lambda *a: (_ for _ in ()).throw(KeyError("bug")))
    cache.update(lambda data: data["routes"].clear())
    decision = decide(cfg)
    assert decision.profile.name == "a" and "anyway" in (decision.warning or "")
