"""Claude Code's settings files: syntax, env blocks and apiKeyHelper that would override a
route, which file wins, and the ~/.claude.json vs ~/.claude/settings.json confusion."""

from __future__ import annotations

from claude_failover import claude_settings as cs
from claude_failover.doctor.finding import ERROR, INFO, OK, WARNING, Context, Finding

PRECEDENCE_TEXT = "managed > --settings > local project > shared project > user > ~/.claude.json"
# keys of claude's state file; in a settings file they mean the two were mixed up
STATE_KEYS = ("oauthAccount", "hasCompletedOnboarding", "projects", "userID", "numStartups")
PLACEHOLDER = "claude-failover-doctor-placeholder"


def _files(ctx: Context) -> list[cs.SettingsFile]:
    return ctx.cached("settings_files", lambda: [
        f for f in cs.discover(ctx.environ, ctx.cwd, full=True, platform=ctx.platform) if f.exists])


def _shown(name: str, value: str) -> str:
    from claude_failover.credvars import SECRET_VARS
    from claude_failover.secret import mask

    return mask(value) if name in SECRET_VARS or any(w in name.upper() for w in ("TOKEN", "KEY", "SECRET")) else value


def check_settings_files(ctx: Context) -> list[Finding]:
    files = _files(ctx)
    if not files:
        return [Finding("settings-none", OK, "no Claude Code settings files here")]
    listed = "; ".join(f"{f.title}: {f.path}" for f in files)
    return [Finding("settings-files", INFO, f"claude reads, highest precedence first: {listed}",
                    why=f"precedence: {PRECEDENCE_TEXT}; a settings `env` value beats the shell")]


def check_settings_syntax(ctx: Context) -> list[Finding]:
    findings = []
    for item in _files(ctx):
        if not item.error:
            continue
        findings.append(Finding("settings-syntax", ERROR, f"{item.where}: {item.error}",
                                why="claude ignores the whole file — its env, permissions and hooks are all off; "
                                    "claude 2.1.328 says only \"Invalid or malformed JSON\", with no position "
                                    "(older versions say nothing)",
                                fix=f"fix {item.where}   (check with: python3 -m json.tool {item.path})",
                                path=item.path))
    return findings


def check_settings_env(ctx: Context) -> list[Finding]:
    from claude_failover.credvars import CREDENTIAL_VARS

    findings = []
    for item in _files(ctx):
        if item.error or item.scope == cs.GLOBAL:
            continue
        for name, value in item.env.items():
            if name not in CREDENTIAL_VARS:
                continue
            managed = item.scope == cs.MANAGED
            findings.append(Finding(
                "settings-env-credential", WARNING,
                f"{item.title} {item.path} sets env {name}={_shown(name, value)}",
                why=("a settings `env` value beats the shell, so every bare `claude` uses it. "
                     + ("Nothing on claude's command line beats managed settings: claude-failover refuses a "
                        "route it would change." if managed else
                        "claude-failover overrides it on each launch (claude --settings), so its launches are safe.")),
                fix=(f"ask the administrator to remove {name} from {item.path}" if managed
                     else f"remove \"{name}\" from the \"env\" block of {item.path}"),
                path=item.path))
    return findings


def check_api_key_helper(ctx: Context) -> list[Finding]:
    findings = []
    for item in _files(ctx):
        if item.error or not item.api_key_helper:
            continue
        managed = item.scope == cs.MANAGED
        findings.append(Finding(
            "settings-api-key-helper", WARNING, f"{item.title} {item.path} sets apiKeyHelper",
            why=("claude sends the helper's output as the API key, before an OAuth token or the subscription "
                 "login. " + ("Managed settings cannot be overridden: claude-failover refuses routes it would "
                              "change." if managed else "claude-failover switches it off on each launch.")),
            fix=(f"ask the administrator to remove apiKeyHelper from {item.path}" if managed
                 else f"remove \"apiKeyHelper\" from {item.path} (or make it a claude-failover route)"),
            path=item.path))
    return findings


def check_settings_winner(ctx: Context) -> list[Finding]:
    from claude_failover.credvars import CREDENTIAL_VARS

    files = [f for f in _files(ctx) if not f.error]
    findings = []
    for name, setting in sorted(cs.effective_env(files).items()):
        if name not in CREDENTIAL_VARS or not setting.shadowed:
            continue
        others = ", ".join(f.path for f in setting.shadowed)
        findings.append(Finding("settings-winner", INFO,
                                f"{name} is set in {setting.winner.path} (wins) and in {others}",
                                why=f"precedence: {PRECEDENCE_TEXT}; editing the other file changes nothing",
                                path=setting.winner.path))
    helper = cs.effective_helper(files)
    if helper and helper.shadowed:
        findings.append(Finding("settings-winner", INFO, f"apiKeyHelper is set in {helper.winner.path} (wins) and "
                                f"in {', '.join(f.path for f in helper.shadowed)}",
                                why=f"precedence: {PRECEDENCE_TEXT}", path=helper.winner.path))
    return findings


def check_claude_json_confusion(ctx: Context) -> list[Finding]:
    findings = []
    for item in _files(ctx):
        if item.error or item.data is None:
            continue
        if item.scope == cs.GLOBAL:
            if item.env:
                findings.append(Finding(
                    "claude-json-env", WARNING, f"{item.path} has an \"env\" block ({', '.join(sorted(item.env))})",
                    why="that is claude's state file, not a settings file; claude 2.1.328 still applies its env "
                        "(below every settings file, and even with --setting-sources), so a variable hides there "
                        "that nobody looks for",
                    fix=f"move the \"env\" block from {item.path} to {cs.user_dir(ctx.environ)}/settings.json",
                    path=item.path))
            if isinstance(item.data.get("apiKeyHelper"), str):
                findings.append(Finding(
                    "claude-json-api-key-helper", WARNING, f"{item.path} sets apiKeyHelper",
                    why="claude ignores apiKeyHelper there (measured); it only works in a settings file",
                    fix=f"move it to {cs.user_dir(ctx.environ)}/settings.json if you want it",
                    path=item.path))
            continue
        mixed = [k for k in STATE_KEYS if k in item.data]
        if mixed:
            findings.append(Finding(
                "settings-looks-like-claude-json", WARNING,
                f"{item.path} holds {', '.join(mixed)}, which belong in claude's state file ~/.claude.json",
                why="claude does not read them from a settings file: the two files were mixed up",
                fix=f"remove them from {item.path} (claude keeps its own copy in ~/.claude.json)",
                path=item.path))
    return findings


def check_route_conflicts(ctx: Context) -> list[Finding]:
    """Per configured route: would a settings file override it, and can the launch still win?"""
    from claude_failover import environment, settings_guard

    findings = []
    for profile in ctx.profiles():
        secret = PLACEHOLDER if profile.secret_sources else None
        child = environment.build(profile, secret, ctx.environ, preferred=None)
        plan = settings_guard.plan(child.env, [], ctx.environ, ctx.cwd, profile.route, platform=ctx.platform)
        for override in plan.refusals:
            findings.append(Finding("route-settings-conflict", ERROR,
                                    f"profile {profile.name!r}: {settings_guard.explain(override)}",
                                    why="claude-failover refuses to launch this route (exit 78): claude would "
                                        "send another credential than the one chosen",
                                    fix=f"remove {override.name} from {override.source.path}",
                                    path=override.source.path))
        for override in plan.overrides:
            if override.action == "helper":
                findings.append(Finding("route-settings-helper", INFO,
                                        f"profile {profile.name!r}: {override.source.path} sets {override.name}, "
                                        "the variable this route uses",
                                        why="claude-failover then hands claude the route's key through "
                                            f"apiKeyHelper (`{settings_guard.HELPER_COMMAND}`); claude sends it as "
                                            "both x-api-key and Authorization: Bearer",
                                        fix=f"remove {override.name} from {override.source.path}",
                                        path=override.source.path))
    return findings


CHECKS = (check_settings_files, check_settings_syntax, check_settings_env, check_api_key_helper,
          check_settings_winner, check_claude_json_confusion, check_route_conflicts)
