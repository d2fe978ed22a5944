"""`mantle`: GET {base}/v1/models with the Bedrock API key as bearer token (or no auth with
skip_auth). SigV4-only routes (no key) get local checks only."""

from __future__ import annotations

from claude_failover.probes import http


def probe(profile, secret, ctx):
    options = profile.options
    if not (secret or options.get("skip_auth")):
        return None
    base = options.get("base_url") or f"https://bedrock-mantle.{options['region']}.api.aws"
    headers = http.anthropic_headers()
    if secret:
        headers["authorization"] = f"Bearer {secret}"
    return http.get(base.rstrip("/") + "/v1/models", headers, ctx)
