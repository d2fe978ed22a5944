"""`oauth-token`: a long-lived token from `claude setup-token`, given as CLAUDE_CODE_OAUTH_TOKEN.

Never sent by our client (subscription tokens are for Claude Code only): the probe checks the
token's shape, then reads the status page.
"""

from __future__ import annotations

from claude_failover.routes.base import STR, Key, RouteType, base_url_env


class OAuthToken(RouteType):
    name = "oauth-token"
    title = "OAuth token (claude setup-token)"
    keys = {"base_url": Key(STR, "ANTHROPIC_BASE_URL (a proxy or test server)")}
    secret = "required"
    plan = True
    secret_var = "CLAUDE_CODE_OAUTH_TOKEN"

    def child_env(self, profile, secret):
        return {**base_url_env("ANTHROPIC_BASE_URL", profile), "CLAUDE_CODE_OAUTH_TOKEN": secret or ""}

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import worst
        from claude_failover.verdict import Verdict, unhealthy

        if not secret or not secret.isprintable() or any(c.isspace() for c in secret):
            return unhealthy("misconfigured", "the token is empty or contains spaces/control characters",
                             source="local")
        shape = None
        if not secret.startswith("sk-ant-oat"):
            shape = Verdict("degraded", "misconfigured", "the token does not look like a `claude setup-token` token",
                            source="local")
        return worst(shape, ctx.status_page(profile.status_url or ctx.cfg.status_url))


ROUTE = OAuthToken()
