"""`api-key`: an Anthropic Console API key, sent by claude as ``x-api-key``."""

from __future__ import annotations

from claude_failover.routes.base import STR, Key, RouteType, base_url_env


class ApiKey(RouteType):
    name = "api-key"
    title = "Anthropic API key"
    keys = {"base_url": Key(STR, "ANTHROPIC_BASE_URL (default https://api.anthropic.com)")}
    secret = "required"
    secret_var = "ANTHROPIC_API_KEY"

    def child_env(self, profile, secret):
        return {**base_url_env("ANTHROPIC_BASE_URL", profile), "ANTHROPIC_API_KEY": secret or ""}

    def summary(self, profile):
        return f"API key at {profile.options.get('base_url') or 'https://api.anthropic.com'}"


ROUTE = ApiKey()
