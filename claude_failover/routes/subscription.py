"""`subscription`: Claude Code's own claude.ai login (credentials file or macOS keychain).

Nothing goes into the environment but, optionally, ``CLAUDE_CONFIG_DIR`` (another account's
directory) and a ``base_url`` (a proxy or test server). The OAuth token itself is never read
into our process for sending: only claude uses it. Its live signal is the public status page;
failures claude runs report reach the cache through `ctl report`. The doctor checks the login store
itself in detail (doctor/credentials.py, through :meth:`claude_login_dir`).
"""

from __future__ import annotations

import os

from claude_failover.routes.base import STR, Key, RouteType, base_url_env


class Subscription(RouteType):
    name = "subscription"
    title = "claude.ai subscription login"
    keys = {
        "config_dir": Key(STR, "CLAUDE_CONFIG_DIR for this account (default: claude's own, ~/.claude)"),
        "base_url": Key(STR, "ANTHROPIC_BASE_URL (a proxy or test server)"),
    }
    secret = "never"
    plan = True

    def child_env(self, profile, secret):
        env = base_url_env("ANTHROPIC_BASE_URL", profile)
        config_dir = profile.options.get("config_dir")
        if config_dir:
            env["CLAUDE_CONFIG_DIR"] = os.path.abspath(os.path.expanduser(config_dir))
        return env

    def also_remove(self, profile):
        return ("CLAUDE_CONFIG_DIR",) if profile.options.get("config_dir") else ()

    def summary(self, profile):
        where = profile.options.get("config_dir") or "claude's default config dir"
        return f"claude.ai login in {where}"

    def local_check(self, profile, environ):
        from claude_failover import claude_state
        from claude_failover.verdict import healthy, unhealthy

        directory = self.claude_login_dir(profile, environ)
        login = claude_state.read_login(directory, environ)
        if login.organization:  # claude 2.1.330+: an organisation sign-in sets the claude.ai login aside
            return unhealthy("misconfigured", claude_state.organization_note(login), source="local")
        fix = "run `claude auth login`"
        if login.status in claude_state.USABLE:
            return healthy(source="local", detail=login.detail)
        if login.status == claude_state.CORRUPT:
            return unhealthy("misconfigured", f"corrupt login store {login.location} ({login.detail}): "
                             f"remove it and {fix}", source="local")
        if login.status == claude_state.MISSING:
            return unhealthy("misconfigured", f"not logged in: {fix}", source="local")
        if login.status == claude_state.UNREADABLE:
            return unhealthy("misconfigured", f"login store unreadable ({login.detail})", source="local")
        return unhealthy("expired", f"expired OAuth login ({login.detail}): {fix}", source="local")

    def probe(self, profile, secret, ctx):
        return ctx.status_page(profile.status_url or ctx.cfg.status_url)

    def claude_login_dir(self, profile, environ):
        from claude_failover import claude_state

        return claude_state.config_dir(environ, profile.options.get("config_dir"))

    def login_stamp(self, profile, environ):
        """mtime of the login store (the credentials file, else on macOS the login keychain's file):
        a newer one means the user logged in again. A stat, never a `security` process."""
        from claude_failover import claude_state

        return claude_state.login_store_stamp(self.claude_login_dir(profile, environ))


ROUTE = Subscription()
