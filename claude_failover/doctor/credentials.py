"""Claude Code's credentials store (the subscription login): present, parseable, private, alive.

Read with :func:`claude_state.read_login` — never a token, never a refresh attempt (a refused
refresh wipes the login). ``--fix`` may move a corrupt store aside (a rename: the backup's
bytes are the original's) and tighten loose permissions to 0600.
"""

from __future__ import annotations

import functools
import os
import time

from claude_failover import claude_state
from claude_failover.doctor.finding import ERROR, INFO, OK, WARNING, Context, Finding

LOGIN = "claude auth login"


def stores(ctx: Context) -> dict[str, list[str]]:
    """Credential dirs to check -> profiles whose route runs on that Claude Code login (claude's
    default dir always)."""
    found: dict[str, list[str]] = {claude_state.config_dir(ctx.environ): []}
    for profile in ctx.profiles():
        directory = profile.route.claude_login_dir(profile, ctx.environ)
        if directory is not None:
            found.setdefault(directory, []).append(profile.name)
    return found


def _login_cmd(directory: str, ctx: Context) -> str:
    if directory == claude_state.config_dir(ctx.environ):
        return LOGIN
    return f"CLAUDE_CONFIG_DIR={directory} {LOGIN}"


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds else "?"


def check_login_store(ctx: Context) -> list[Finding]:
    findings = []
    for directory, users in stores(ctx).items():
        state = claude_state.read_login(directory, ctx.environ, ctx.now)
        who = f" (used by profile {', '.join(map(repr, users))})" if users else ""
        login = _login_cmd(directory, ctx)
        bad = ERROR if users else WARNING
        if state.status == claude_state.MISSING:
            findings.append(Finding("login-missing", ERROR if users else INFO,
                                    f"no claude.ai login stored in {state.location}{who}",
                                    why="a subscription route has nothing to start with" if users
                                    else "fine unless you want a subscription route",
                                    fix=login, path=state.location))
        elif state.status == claude_state.UNREADABLE:
            findings.append(Finding("login-unreadable", bad, f"{state.location}: {state.detail}{who}",
                                    why="claude cannot read its own login: every request says \"Not logged in\"",
                                    fix=f"check the owner and permissions of {state.location}", path=state.location))
        elif state.status == claude_state.CORRUPT:
            path = state.location
            repair = (lambda p=path, cmd=login: f"moved to {claude_state.backup_aside(p, ctx.now)}; now run `{cmd}`") \
                if os.path.isfile(path) else None
            findings.append(Finding("login-corrupt", bad, f"{path}: {state.detail}{who}",
                                    why="a damaged store keeps failing with \"Invalid bearer token\" even after a "
                                        "new login (anthropics/claude-code#10503)",
                                    fix=f"claude-failover-ctl doctor --fix (moves it aside to a timestamped "
                                        f"backup), then `{login}`", path=path, repair=repair))
        elif state.status in (claude_state.ENDED, claude_state.REFRESH_EXPIRED, claude_state.EXPIRED_NO_REFRESH):
            why = {
                claude_state.ENDED: "claude gave this login up after a refused refresh; it cannot be renewed",
                claude_state.REFRESH_EXPIRED: f"the refresh token expired {_when(state.refresh_expires_at)}: "
                                              "claude cannot renew the login",
                claude_state.EXPIRED_NO_REFRESH: f"the access token expired {_when(state.expires_at)} and there "
                                                 "is no refresh token to renew it",
            }[state.status]
            findings.append(Finding(f"login-{state.status}", bad, f"{state.location}: {state.detail}{who}",
                                    why=why, fix=login, path=state.location))
        elif state.status == claude_state.EXPIRED_REFRESHABLE:
            findings.append(Finding("login-refreshable", OK, f"{state.location}: access token expired "
                                    f"{_when(state.expires_at)}; claude renews it itself{who}", path=state.location))
        if state.organization:
            findings.append(Finding("login-organization", bad, claude_state.organization_note(state) + who,
                                    why="claude 2.1.330+: an organisation can make `claude auth login` sign in "
                                        "through its cloud provider or gateway; its settings then decide where "
                                        "prompts go", fix=f"claude auth logout, then {login}", path=state.location))
        elif state.status == claude_state.OK:
            plan = f" ({state.subscription_type})" if state.subscription_type else ""
            findings.append(Finding("login-ok", OK, f"{state.location}: logged in{plan}, token valid until "
                                    f"{_when(state.expires_at)}{who}", path=state.location))
    return findings


def _make_private(path: str) -> str:
    """``--fix`` for a store others can read: chmod 600; says what it did."""
    os.chmod(path, 0o600)
    return f"chmod 600 {path}"


def check_store_permissions(ctx: Context) -> list[Finding]:
    findings = []
    for directory in stores(ctx):
        path = claude_state.credentials_path(directory)
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077:
            findings.append(Finding("login-permissions", WARNING,
                                    f"{path} is readable by others (mode {mode:04o}, not 0600)",
                                    why="it holds your claude.ai tokens: any local user could act as you",
                                    fix=f"chmod 600 {path}   (or: claude-failover-ctl doctor --fix)", path=path,
                                    repair=functools.partial(_make_private, path)))
    return findings


def check_subscription_is_claude_ai(ctx: Context) -> list[Finding]:
    """What claude itself says about each subscription route's login (`claude auth status --json`,
    run with that route's environment; no network call): a claude.ai login, or something an
    organisation-managed login (claude 2.1.330+) or a provider switch put in its place."""
    from claude_failover import environment
    from claude_failover.doctor.claude_binary import _find

    profiles = [p for p in ctx.profiles() if p.type == "subscription"]
    if not profiles:
        return []
    path, _ = ctx.cached("claude", lambda: _find(ctx))
    if path is None:
        return []
    findings = []
    for profile in profiles:
        env = environment.build(profile, None, ctx.environ).env
        status = claude_state.auth_status(path, env)
        if status is None:
            continue
        problem = claude_state.not_subscription(status)
        if problem:
            findings.append(Finding("subscription-not-claude-ai", WARNING,
                                    f"profile {profile.name!r}: `claude auth status` says {problem}",
                                    why="a subscription route must reach your claude.ai plan; with this login it "
                                        "would not (settings files count here too: a launch overrides their "
                                        "credential variables, an organisation's settings it cannot)",
                                    fix=f"{_login_cmd(claude_state.config_dir(env), ctx)} with a claude.ai account, "
                                        "or give this route's profile the type of the provider it really uses"))
    return findings


CHECKS = (check_login_store, check_store_permissions, check_subscription_is_claude_ai)
