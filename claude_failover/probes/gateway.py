"""`gateway`: the same models request, with the gateway's auth mode, headers and ``probe_path``."""

from __future__ import annotations

from claude_failover.probes import http
from claude_failover.probes.api_key import models_url


def probe(profile, secret, ctx):
    options = profile.options
    headers = http.anthropic_headers(**{k.lower(): v for k, v in (options.get("headers") or {}).items()})
    auth = options.get("auth", "bearer")
    if secret and auth == "bearer":
        headers["authorization"] = f"Bearer {secret}"
    elif secret and auth == "x-api-key":
        headers["x-api-key"] = secret
    return http.get(models_url(options["base_url"], options.get("probe_path") or "/v1/models?limit=1"), headers, ctx)
