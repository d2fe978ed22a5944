"""`api-key`: GET /v1/models?limit=1 with x-api-key — validates the key, spends no tokens."""

from __future__ import annotations

from claude_failover.probes import http

DEFAULT_BASE = "https://api.anthropic.com"


def models_url(base: str | None, path: str = "/v1/models?limit=1") -> str:
    return (base or DEFAULT_BASE).rstrip("/") + (path if path.startswith("/") else "/" + path)


def probe(profile, secret, ctx):
    return http.get(models_url(profile.options.get("base_url")), http.anthropic_headers(**{"x-api-key": secret or ""}), ctx)
