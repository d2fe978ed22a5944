"""Drift check: what the pinned claude offers that this project's tables do not classify.

Bumping Claude Code is: change `pinned` in ./claude-code-versions, run `bash scripts/test.sh`, and read
the failures here — each names the item (an option, a subcommand, a variable, an error name, a hook
event) and the table that must classify it. Sources, read from the pinned binary:

- ``claude --help`` (options and their value kinds, subcommands and aliases), each subcommand's
  ``--help`` (that it is one: its usage line names it) and ``claude auth --help`` / ``claude auth status
  --help`` (what claude_state.auth_status runs);
- the binary's text (the npm package ships a native executable, older ones a cli.js): variable names,
  claude's own regular expressions for auth/provider variables, its list of credential variables, the
  StopFailure error names and the hook event lists.

The scan of the binary (~400 MB) takes seconds; it is cached per version in
.cache/claude-code-<version>/drift-scan.json (written atomically: checkouts share .cache).
"""

from __future__ import annotations

import json
import mmap
import os
import re
from pathlib import Path

import pytest

from claude_failover import credvars, hook_events, print_args, run_failure
from tests.conftest import CLAUDE_VERSION, run_claude

pytestmark = pytest.mark.e2e

SCAN_FORMAT = 2
ENV_NAME = re.compile(rb"\b(?:ANTHROPIC|CLAUDE|AWS_BEARER)_[A-Z0-9_]*[A-Z0-9]\b")
# claude's own patterns for auth/provider variables: regex literals in the array holding this one
PATTERN_ANCHOR = rb"/^ANTHROPIC_\w*(API_KEY|AUTH_TOKEN"
REGEX_LITERAL = re.compile(rb"/(\^[^/\n]{3,200}?)/(?=[,\]])")
CREDENTIAL_LIST = re.compile(rb'\["ANTHROPIC_API_KEY","ANTHROPIC_AUTH_TOKEN","CLAUDE_CODE_OAUTH_TOKEN",'
                             rb'"AWS_BEARER_TOKEN_BEDROCK"[^\]]*\]')
HOOK_LIST = re.compile(rb'\["PreToolUse","PostToolUse"[^\]]*\]')
STOP_FAILURE_LIST = re.compile(rb'\["authentication_failed"[^\]]*\]')
# Our own net for names claude's patterns miss: credentials, config dirs, provider management.
OWN_PATTERNS = (r"^CLAUDE_CODE_\w*(TOKEN|API_KEY)(_FILE_DESCRIPTOR|_FILE)?$", r"^CLAUDE_\w*CONFIG_DIR$",
                r"^CLAUDE_CODE_\w*PROVIDER\w*BY\w*$", r"^AWS_BEARER_TOKEN_\w+$")


def _binary(claude_bin: str) -> Path:
    return Path(os.path.realpath(claude_bin))


def _scan_binary(path: Path) -> dict:
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        names = sorted({m.decode() for m in ENV_NAME.findall(data)})
        patterns: list[str] = []
        at = data.find(PATTERN_ANCHOR)
        if at >= 0:
            start = data.rfind(b"=[", max(0, at - 4000), at)
            end = data.find(b"]", at + len(PATTERN_ANCHOR) + 40)
            window = data[start if start >= 0 else at:at + 4000 if end < 0 else end + 1]
            patterns = [m.decode() for m in REGEX_LITERAL.findall(window)]
        cred = CREDENTIAL_LIST.search(data)
        credential_list = json.loads(data[cred.start():cred.end()]) if cred else []
        hooks = sorted({h for m in HOOK_LIST.findall(data) for h in json.loads(m)})
        errors = sorted({e for m in STOP_FAILURE_LIST.findall(data) for e in json.loads(m)})
    return {"names": names, "patterns": patterns, "credential_list": credential_list,
            "hook_events": hooks, "stop_failure_errors": errors}


def _usage(help_text: str) -> str:
    return next((line for line in help_text.splitlines() if line.startswith("Usage:")), "")


def _help(claude_bin: str, *words: str) -> str:
    p = run_claude(claude_bin, [*words, "--help"], timeout=60)
    assert p.returncode == 0, f"claude {' '.join(words)} --help exited {p.returncode}: {p.stderr}"
    return p.stdout


@pytest.fixture(scope="module")
def scan(claude_bin) -> dict:
    binary = _binary(claude_bin)
    st = binary.stat()
    key = f"{SCAN_FORMAT}:{st.st_size}:{int(st.st_mtime)}"
    install_dir = Path(claude_bin).parents[2]
    cache = install_dir / "drift-scan.json" if install_dir.name.startswith("claude-code-") else None
    if cache is not None:
        try:
            cached = json.loads(cache.read_text())
            if cached.get("key") == key:
                return cached
        except (OSError, ValueError):
            pass
    found = _scan_binary(binary)
    found["help"] = _help(claude_bin)
    found["command_usage"] = {c: _usage(_help(claude_bin, c)) for c in commands_from_help(found["help"])}
    found["auth_help"] = _help(claude_bin, "auth")
    found["auth_status_help"] = _help(claude_bin, "auth", "status")
    found["key"] = key
    if cache is not None:
        tmp = cache.with_name(f".drift-scan.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(found))
            os.replace(tmp, cache)
        except OSError:
            pass  # a read-only cache only costs the next run the scan again
    return found


def _section(help_text: str, title: str) -> list[str]:
    """Lines of a commander help section (``Options:`` / ``Commands:``) that start an entry."""
    out, inside = [], False
    for line in help_text.splitlines():
        if line.rstrip().endswith(":") and not line.startswith(" "):
            inside = line.strip() == title
            continue
        if inside and re.match(r"^  \S", line):
            out.append(line.strip())
    return out


OPTION_ENTRY = re.compile(r"^((?:-{1,2}[\w-]+)(?:, -{1,2}[\w-]+)*)(?: ([<\[][^>\]]+[>\]]))?")


def options_from_help(help_text: str) -> dict[str, str]:
    """option name -> 'flag' | 'value' | 'optional' | 'variadic' for every name and alias."""
    kinds = {}
    for entry in _section(help_text, "Options:"):
        m = OPTION_ENTRY.match(entry)
        if not m:
            continue
        arg = m.group(2) or ""
        kind = ("flag" if not arg else "variadic" if arg.endswith("...>") or arg.endswith("...]")
                else "optional" if arg.startswith("[") else "value")
        for name in m.group(1).split(", "):
            kinds[name] = kind
    return kinds


def commands_from_help(help_text: str) -> list[str]:
    """Every subcommand name and alias (``plugin|plugins`` gives both)."""
    names = []
    for entry in _section(help_text, "Commands:"):
        names.extend(entry.split()[0].split("|"))
    return names


# ---------------------------------------------------------------------------------------------------
def test_help_parser_reads_known_entries():
    """The parsers on a fixed sample, so a failure below is about claude, not about the parser."""
    sample = ("Usage: claude [options]\n\nOptions:\n  --add-dir <directories...>   dirs\n  -r, --resume [value]  x\n"
              "  --allowedTools, --allowed-tools <tools...>\n      wrapped\n  --model <model>   m\n  --bare   b\n\n"
              "Commands:\n  plugin|plugins     Manage\n  stop|kill <id>     Stop\n  auth               Manage\n")
    assert options_from_help(sample) == {"--add-dir": "variadic", "-r": "optional", "--resume": "optional",
                                         "--allowedTools": "variadic", "--allowed-tools": "variadic",
                                         "--model": "value", "--bare": "flag"}
    assert commands_from_help(sample) == ["plugin", "plugins", "stop", "kill", "auth"]


def test_pinned_version_is_what_runs(claude_bin):
    p = run_claude(claude_bin, ["--version"])
    assert p.stdout.startswith(f"{CLAUDE_VERSION} "), p.stdout


def test_value_taking_options_are_classified(scan):
    """Every option that takes a value is in print_args' table of its kind (else the supervisor would
    take its value for the prompt when it resumes a run)."""
    tables = {"value": print_args.VALUE, "optional": print_args.OPTIONAL_VALUE, "variadic": print_args.VARIADIC}
    problems = []
    for name, kind in sorted(options_from_help(scan["help"]).items()):
        if kind == "flag":
            for other, table in tables.items():
                if name in table:
                    problems.append(f"{name}: a flag in claude {CLAUDE_VERSION}, but print_args lists it as {other}")
            continue
        where = [k for k, table in tables.items() if name in table]
        if where != [kind]:
            words = {"value": "a value", "optional": "an optional value", "variadic": "several values"}[kind]
            problems.append(f"{name}: takes {words} in claude {CLAUDE_VERSION}; print_args has it in "
                            f"{where or 'no table'} (want print_args.{ {'value': 'VALUE', 'optional': 'OPTIONAL_VALUE', 'variadic': 'VARIADIC'}[kind]})")
    assert not problems, "\n".join(problems)


def test_subcommands_are_management_commands(scan):
    """Every subcommand and alias passes straight through (no probe, no --settings)."""
    commands = commands_from_help(scan["help"])
    assert "auth" in commands and "plugin" in commands, f"the Commands section did not parse: {commands}"
    missing = [c for c in commands if c not in print_args.MANAGEMENT_COMMANDS]
    assert not missing, (f"claude {CLAUDE_VERSION} subcommands missing from print_args.MANAGEMENT_COMMANDS: "
                         f"{', '.join(missing)}")


def test_management_commands_are_claude_subcommands(scan):
    """The other way round: an entry of MANAGEMENT_COMMANDS that claude no longer has would pass a prompt
    (``claude config`` is one now) straight through, unguarded. Each subcommand's own help names it."""
    top_usage = _usage(scan["help"])
    not_commands = [c for c, usage in scan["command_usage"].items() if usage == top_usage or not usage]
    assert not not_commands, f"claude {CLAUDE_VERSION}: `<name> --help` shows no subcommand usage for {not_commands}"
    commands = set(scan["command_usage"])
    stale = sorted(c for c in print_args.MANAGEMENT_COMMANDS if not c.startswith("-") and c not in commands)
    assert not stale, (f"print_args.MANAGEMENT_COMMANDS names what claude {CLAUDE_VERSION} has no subcommand for: "
                       f"{', '.join(stale)}")


def test_auth_status_json_exists(scan):
    """claude_state.auth_status (doctor) runs `claude auth status --json`."""
    assert "status" in commands_from_help(scan["auth_help"]), "claude auth has no `status` subcommand"
    assert "--json" in options_from_help(scan["auth_status_help"]), "claude auth status has no --json"


def _candidates(scan) -> set[str]:
    pats = [re.compile(p) for p in scan["patterns"] if "ANTHROPIC" in p or "CLAUDE" in p]
    pats += [re.compile(p) for p in OWN_PATTERNS]
    return {n for n in scan["names"] if any(p.search(n) for p in pats)} | set(scan["credential_list"])


def test_binary_patterns_were_found(scan):
    """The cross-check below rests on claude's own patterns: fail loudly if the scan lost them."""
    assert any("API_KEY|AUTH_TOKEN" in p for p in scan["patterns"]), scan["patterns"]
    assert any(p.startswith("^CLAUDE_CODE_USE_") for p in scan["patterns"]), scan["patterns"]
    assert "ANTHROPIC_API_KEY" in scan["credential_list"]


def test_credential_and_provider_variables_are_classified(scan):
    """Every name claude's own auth/provider patterns (or ours) match is scrubbed or measured harmless."""
    known = set(credvars.CREDENTIAL_VARS) | set(credvars.MEASURED_HARMLESS)
    unknown = sorted(_candidates(scan) - known)
    assert not unknown, (f"claude {CLAUDE_VERSION} reads credential/provider-looking variables that credvars does "
                         f"not classify (measure each against tests/fakeserver.py, then add it to CREDENTIAL_VARS "
                         f"or MEASURED_HARMLESS): {', '.join(unknown)}")


def test_binary_credential_list_is_scrubbed_and_masked(scan):
    missing = [n for n in scan["credential_list"] if n not in credvars.CREDENTIAL_VARS or n not in credvars.SECRET_VARS]
    assert not missing, f"claude's own credential variables not scrubbed and masked (credvars): {', '.join(missing)}"


def test_stop_failure_errors_are_classified(scan):
    errors = scan["stop_failure_errors"]
    assert "authentication_failed" in errors and "rate_limit" in errors, errors
    known = set(run_failure.ERROR_NAMES) | set(run_failure.NOT_ROUTE)
    unknown = [e for e in errors if e not in known]
    assert not unknown, (f"claude {CLAUDE_VERSION} StopFailure error names that run_failure.ERROR_NAMES / NOT_ROUTE "
                         f"do not classify: {', '.join(unknown)}")


def test_hook_events_are_classified(scan):
    events = scan["hook_events"]
    assert "StopFailure" in events and "PreToolUse" in events, events
    known = set(hook_events.USED) | hook_events.NOT_ROUTE_HEALTH
    unknown = [e for e in events if e not in known]
    assert not unknown, f"claude {CLAUDE_VERSION} hook events that hook_events does not classify: {', '.join(unknown)}"
    gone = sorted(set(hook_events.USED) - set(events))
    assert not gone, f"hook events this project uses are gone from claude {CLAUDE_VERSION}: {', '.join(gone)}"


# One profile per route type with every optional key that adds a variable: what each route sets for claude.
ROUTE_SAMPLES = {
    "subscription": {"config_dir": "/tmp/x"},
    "oauth-token": {"base_url": "http://127.0.0.1:9"},
    "api-key": {"base_url": "http://127.0.0.1:9"},
    "gateway": {"base_url": "http://127.0.0.1:9", "headers": {"X-Team": "t"}},
    "bedrock": {"region": "us-east-1", "aws_profile": "p", "base_url": "http://127.0.0.1:9", "skip_auth": True},
    "mantle": {"region": "us-east-1", "aws_profile": "p", "base_url": "http://127.0.0.1:9", "skip_auth": True},
    "vertex": {"project_id": "my-project", "region": "us-east5", "credentials_file": "/tmp/c.json",
               "base_url": "http://127.0.0.1:9", "skip_auth": True},
    "foundry": {"resource": "r", "base_url": "http://127.0.0.1:9", "skip_auth": True},
    "anthropic-aws": {"region": "us-east-1", "aws_profile": "p", "workspace_id": "w", "base_url": "http://127.0.0.1:9",
                      "skip_auth": True},
    "anthropic-google-cloud": {"project_id": "my-project", "region": "us-east5", "workspace_id": "w",
                               "credentials_file": "/tmp/c.json", "base_url": "http://127.0.0.1:9", "skip_auth": True},
}
# Provider switches claude has that no route type sets, each with why.
NOT_ROUTE_TYPES = {
    "CLAUDE_CODE_USE_GATEWAY": "claude's organisation gateway (2.1.330+), chosen by `claude auth login`, not by an "
                               "environment a launcher could set up; scrubbed (credvars)",
}


def _route_envs() -> dict[str, dict[str, str]]:
    from claude_failover import routes
    from claude_failover.config import Profile

    assert set(ROUTE_SAMPLES) == set(routes.type_names()), "add the new route type to ROUTE_SAMPLES"
    envs = {}
    for name, options in ROUTE_SAMPLES.items():
        profile = Profile(name="p", type=name, options=dict(options), secret_sources=())
        route = profile.route
        envs[name] = route.child_env(profile, "SECRET" if route.secret != "never" else None)
    return envs


def test_every_provider_switch_is_a_route_type(scan):
    """A provider claude learns (a CLAUDE_CODE_USE_* switch or its CLAUDE_CODE_SKIP_*_AUTH, matched by claude's own
    pattern) is a route type, or NOT_ROUTE_TYPES says why not."""
    switch = next(re.compile(p) for p in scan["patterns"] if p.startswith("^CLAUDE_CODE_USE_"))
    found = {n for n in scan["names"] if switch.search(n) or re.fullmatch(r"CLAUDE_CODE_SKIP_\w+_AUTH", n)}
    set_by_routes = {var for env in _route_envs().values() for var in env}
    missing = sorted(found - set_by_routes - set(NOT_ROUTE_TYPES))
    assert not missing, (f"claude {CLAUDE_VERSION} has providers no route type sets up (write routes/<type>.py, "
                         f"docs/architecture.md, or list them in NOT_ROUTE_TYPES): {', '.join(missing)}")


def test_route_type_variables_are_read_by_claude_and_classified(scan):
    """Every ANTHROPIC_*/CLAUDE_* variable a route type sets is one the pinned claude reads, and is scrubbed from
    the caller's environment (credvars) unless it is a harmless look-alike."""
    names = set(scan["names"])
    problems = []
    for route, env in _route_envs().items():
        for var in env:
            if not var.startswith(("ANTHROPIC_", "CLAUDE_")):
                continue
            if var not in names:
                problems.append(f"{route} sets {var}, which claude {CLAUDE_VERSION} does not read")
            elif var not in credvars.CREDENTIAL_VARS and var not in credvars.MEASURED_HARMLESS:
                problems.append(f"{route} sets {var}, which credvars does not classify")
    assert not problems, "\n".join(problems)
