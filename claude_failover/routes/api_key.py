"""`api-key`: an Anthropic Console API key, sent by claude as ``x-api-key``.

Probe: GET /v1/models?limit=1 with the key — validates it, spends no tokens.
"""

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

    def can_probe(self, profile):
        return True

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http

        return http.get(http.api_url(profile.options.get("base_url"), "/v1/models?limit=1"),
                        http.anthropic_headers(**{"x-api-key": secret or ""}), ctx, models="check base_url")


ROUTE = ApiKey()
