"""`mantle`: Bedrock's endpoint serving the native Anthropic API (claude 2.1.94 or later).

Probe: GET {base}/v1/models with the Bedrock API key as bearer token (or no auth with
skip_auth). SigV4-only routes (no key) get local checks only.
"""

from claude_failover.routes._aws import AwsRoute


class Mantle(AwsRoute):
    name = "mantle"
    title = "Bedrock Mantle"
    switch_var = "CLAUDE_CODE_USE_MANTLE"
    base_url_var = "ANTHROPIC_BEDROCK_MANTLE_BASE_URL"
    skip_var = "CLAUDE_CODE_SKIP_MANTLE_AUTH"
    min_claude = (2, 1, 94)

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http

        options = profile.options
        if not (secret or options.get("skip_auth")):
            return None
        base = options.get("base_url") or f"https://bedrock-mantle.{options['region']}.api.aws"
        headers = http.anthropic_headers()
        if secret:
            headers["authorization"] = f"Bearer {secret}"
        return http.get(base.rstrip("/") + "/v1/models", headers, ctx, models="check region / base_url")


ROUTE = Mantle()
