"""`foundry`: with an API key, GET {base}/v1/models?limit=1 with x-api-key. An endpoint without a
model list (404) leaves the key unverified: the local verdict stands. Entra ID: local checks only."""

from __future__ import annotations

from claude_failover.probes import http
from claude_failover.verdict import healthy


def probe(profile, secret, ctx):
    if not secret:
        return None
    options = profile.options
    base = options.get("base_url") or f"https://{options['resource']}.services.ai.azure.com/anthropic"
    verdict = http.get(base.rstrip("/") + "/v1/models?limit=1", http.anthropic_headers(**{"x-api-key": secret}), ctx)
    if verdict.status == 404:
        return healthy(source="local", detail="key not verified (no model list at this endpoint)",
                       latency_ms=verdict.latency_ms)
    return verdict
