"""`bedrock`: Claude on Amazon Bedrock (CLAUDE_CODE_USE_BEDROCK=1).

Probe: only when a ``base_url`` (gateway) is set and a Bedrock API key (or skip_auth): GET
/inference-profiles, as claude itself does first, with the key as bearer token. Plain AWS
(SigV4) needs botocore: local checks only.
"""

from claude_failover.routes._aws import AwsRoute


class Bedrock(AwsRoute):
    name = "bedrock"
    title = "Amazon Bedrock"
    switch_var = "CLAUDE_CODE_USE_BEDROCK"
    base_url_var = "ANTHROPIC_BEDROCK_BASE_URL"
    skip_var = "CLAUDE_CODE_SKIP_BEDROCK_AUTH"

    def can_probe(self, profile):
        return bool(profile.options.get("base_url")) and super().can_probe(profile)

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http

        base = profile.options.get("base_url")
        if not base or not (secret or profile.options.get("skip_auth")):
            return None
        headers = {"accept": "application/json"}
        if secret:
            headers["authorization"] = f"Bearer {secret}"
        return http.get(base.rstrip("/") + "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1", headers, ctx)


ROUTE = Bedrock()
