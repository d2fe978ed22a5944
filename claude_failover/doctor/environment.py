"""The caller's environment: credential variables that would force a route on a bare `claude`."""

from __future__ import annotations

from claude_failover.doctor.finding import INFO, OK, WARNING, Context, Finding

# claude 2.1.328's provider order (read from the binary, measured for Bedrock + Mantle)
PROVIDERS = (
    ("CLAUDE_CODE_USE_GATEWAY", "a gateway (CLAUDE_CODE_USE_GATEWAY)"),
    ("CLAUDE_CODE_USE_BEDROCK", "Amazon Bedrock"),
    ("CLAUDE_CODE_USE_FOUNDRY", "Microsoft Foundry"),
    ("CLAUDE_CODE_USE_ANTHROPIC_AWS", "Anthropic on AWS"),
    ("CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD", "Anthropic on Google Cloud"),
    ("CLAUDE_CODE_USE_MANTLE", "Bedrock Mantle"),
    ("CLAUDE_CODE_USE_VERTEX", "Google Vertex AI"),
)
# documented first-party order after the provider switches
CREDENTIALS = (
    ("ANTHROPIC_AUTH_TOKEN", "the bearer token in ANTHROPIC_AUTH_TOKEN"),
    ("ANTHROPIC_API_KEY", "the API key in ANTHROPIC_API_KEY (pay-as-you-go billing)"),
    ("apiKeyHelper", "the key printed by an apiKeyHelper"),
    ("CLAUDE_CODE_OAUTH_TOKEN", "the OAuth token in CLAUDE_CODE_OAUTH_TOKEN"),
)


def _on(value: str | None) -> bool:
    if not value:
        return False
    return value.strip().lower() not in ("0", "false", "no", "off")


def bare_route(env: dict[str, str], helper: str | None = None) -> tuple[str, str | None]:
    """(what a bare `claude` would use, the variable that decides it) for an environment in which
    settings-file ``env`` blocks are already applied, plus an ``apiKeyHelper`` if any."""
    for var, title in PROVIDERS:
        if _on(env.get(var)):
            return title, var
    for var, title in CREDENTIALS:
        if var == "apiKeyHelper" and helper or var != "apiKeyHelper" and env.get(var):
            where = f" at {env['ANTHROPIC_BASE_URL']}" if env.get("ANTHROPIC_BASE_URL") and var != "apiKeyHelper" else ""
            return title + where, var
    return "the claude.ai subscription login (if there is one)", None


def _intended(ctx: Context) -> dict[str, str]:
    """Variables profiles of the user's config read their secret from (secret_env): meant to be set.
    (The embedded default's ``ANTHROPIC_API_KEY`` source does not count: nobody chose it.)"""
    cfg = ctx.config()
    if cfg is None or cfg.embedded:
        return {}
    return {arg: p.name for p in ctx.profiles() for kind, arg in p.secret_sources if kind == "env"}


def check_shell_credentials(ctx: Context) -> list[Finding]:
    from claude_failover.credvars import CREDENTIAL_VARS, SECRET_VARS
    from claude_failover.secret import mask

    intended = _intended(ctx)
    findings = []
    decides = bare_route(ctx.environ)[1]
    for name in CREDENTIAL_VARS:
        value = ctx.environ.get(name)
        if not value:
            continue
        shown = mask(value) if name in SECRET_VARS else value
        forced = " — it decides which credential a bare `claude` uses" if name == decides else ""
        if name in intended:
            findings.append(Finding("shell-credential-intended", INFO,
                                    f"${name} is set ({shown}); profile {intended[name]!r} reads its secret from it",
                                    why="claude-failover removes it from claude's environment unless the chosen "
                                        "route is that profile" + forced))
            continue
        findings.append(Finding("shell-credential", WARNING, f"${name} is set in your shell ({shown}){forced}",
                                why="a `claude` started without claude-failover (scripts, IDEs, the real binary) "
                                    "uses it over your login — e.g. a stale ANTHROPIC_API_KEY silently bills the "
                                    "API instead of your subscription. claude-failover removes it from claude's "
                                    "environment on every launch, so launches through it are safe.",
                                fix=f"unset {name}   (and delete it from ~/.bashrc, ~/.zshrc, ~/.profile …)"))
    if ctx.environ.get("CLAUDE_CONFIG_DIR"):
        findings.append(Finding("shell-config-dir", INFO, f"$CLAUDE_CONFIG_DIR={ctx.environ['CLAUDE_CONFIG_DIR']}",
                                why="claude reads its login and user settings from there, not from ~/.claude"))
    if not findings:
        findings.append(Finding("shell-clean", OK, "no Claude credential or provider variable in the environment"))
    return findings


def check_bare_route(ctx: Context) -> list[Finding]:
    from claude_failover import claude_settings as cs

    files = [f for f in cs.discover(ctx.environ, ctx.cwd, platform=ctx.platform) if not f.error]
    env = dict(ctx.environ)
    for name, setting in cs.effective_env(files).items():  # settings env beats the shell
        env[name] = setting.value
    helper = cs.effective_helper(files)
    what, var = bare_route(env, helper.value if helper else None)
    source = ""
    if var == "apiKeyHelper" and helper:
        source = f" (set in {helper.winner.path})"
    elif var:
        origin = cs.effective_env(files).get(var)
        source = f" (from {origin.winner.path})" if origin else " (from the shell)"
    return [Finding("bare-claude-route", INFO, f"a bare `claude` here would use {what}{source}",
                    why="what claude picks without claude-failover, by its own precedence: provider switches > "
                        "ANTHROPIC_AUTH_TOKEN > ANTHROPIC_API_KEY > apiKeyHelper > CLAUDE_CODE_OAUTH_TOKEN > "
                        "subscription login")]


CHECKS = (check_shell_credentials, check_bare_route)
