"""`subscription`: Claude Code's own claude.ai login (credentials file or macOS keychain).

Nothing goes into the environment but, optionally, ``CLAUDE_CONFIG_DIR`` (another account's
directory) and a ``base_url`` (a proxy or test server). The OAuth token itself is never read
into our process for sending: only claude uses it.
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


ROUTE = Subscription()
