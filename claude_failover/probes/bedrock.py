"""`bedrock`: local checks (region, AWS profile or credentials). A live probe only when a
``base_url`` (gateway) is set: GET /inference-profiles, as claude itself does first, with the
Bedrock API key as bearer token. Plain AWS (SigV4) needs botocore: not probed live."""

from __future__ import annotations

from claude_failover.probes import http


def probe(profile, secret, ctx):
    base = profile.options.get("base_url")
    if not base or not (secret or profile.options.get("skip_auth")):
        return None
    headers = {"accept": "application/json"}
    if secret:
        headers["authorization"] = f"Bearer {secret}"
    return http.get(base.rstrip("/") + "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1", headers, ctx)
