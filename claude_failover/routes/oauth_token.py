"""`oauth-token`: a long-lived token from `claude setup-token`, given as CLAUDE_CODE_OAUTH_TOKEN."""

from __future__ import annotations

from claude_failover.routes.base import STR, Key, RouteType, base_url_env


class OAuthToken(RouteType):
    name = "oauth-token"
    title = "OAuth token (claude setup-token)"
    keys = {"base_url": Key(STR, "ANTHROPIC_BASE_URL (a proxy or test server)")}
    secret = "required"
    secret_var = "CLAUDE_CODE_OAUTH_TOKEN"

    def child_env(self, profile, secret):
        return {**base_url_env("ANTHROPIC_BASE_URL", profile), "CLAUDE_CODE_OAUTH_TOKEN": secret or ""}


ROUTE = OAuthToken()
