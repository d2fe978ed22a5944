"""`anthropic-aws`: Claude Platform on AWS (CLAUDE_CODE_USE_ANTHROPIC_AWS=1).

Anthropic's own API served through AWS: the Messages shape (``POST {base}/v1/messages``, SSE) at
``https://aws-external-anthropic.<region>.api.aws`` (or ``ANTHROPIC_AWS_BASE_URL``). Every request
carries the workspace (``ANTHROPIC_AWS_WORKSPACE_ID`` -> header ``anthropic-workspace-id``; claude
refuses to start a request without it). Credentials: an API key (``ANTHROPIC_AWS_API_KEY``, sent as
``x-api-key``) when the profile names a secret source, else AWS SigV4 (service
``aws-external-anthropic``) from the SDK chain or ``aws_profile``, as Bedrock. ``skip_auth`` sends the
workspace header and no credential (measured on 2.1.332 and 2.1.94; docs/claude-code.md).

Probe: with the API key (or skip_auth), ``GET {base}/v1/models?limit=1`` with ``x-api-key`` and
``anthropic-workspace-id`` — the headers claude sends. An endpoint without a model list (404) leaves
the key unverified. SigV4 routes: local checks only.

claude says "Not logged in · Please run /login" when this endpoint answers 401: on this route that
is a refused credential, not a missing login (:meth:`AnthropicAws.read_run_failure`).
"""

from __future__ import annotations

from claude_failover.routes._aws import AWS_KEYS, AwsRoute
from claude_failover.routes.base import STR, Key


class AnthropicAws(AwsRoute):
    name = "anthropic-aws"
    title = "Claude Platform on AWS"
    keys = {
        **AWS_KEYS,
        "workspace_id": Key(STR, "ANTHROPIC_AWS_WORKSPACE_ID (sent as anthropic-workspace-id)", required=True),
        "base_url": Key(STR, "ANTHROPIC_AWS_BASE_URL (default https://aws-external-anthropic.<region>.api.aws)"),
    }
    secret_var = "ANTHROPIC_AWS_API_KEY"
    key_words = "API key"
    switch_var = "CLAUDE_CODE_USE_ANTHROPIC_AWS"
    base_url_var = "ANTHROPIC_AWS_BASE_URL"
    skip_var = "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH"
    # 2.1.94, the oldest supported claude, already sends the same requests (measured): no floor of its own

    def check(self, options):
        if not str(options.get("workspace_id") or "").strip():
            return [("workspace_id", "workspace_id must not be empty (claude sends no request without it)")]
        return super().check(options)  # the region (AwsRoute)

    def child_env(self, profile, secret):
        env = super().child_env(profile, secret)
        env["ANTHROPIC_AWS_WORKSPACE_ID"] = profile.options["workspace_id"]
        return env

    def base_url(self, profile) -> str:
        options = profile.options
        return (options.get("base_url") or f"https://aws-external-anthropic.{options['region']}.api.aws").rstrip("/")

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http
        from claude_failover.verdict import healthy

        options = profile.options
        if not (secret or options.get("skip_auth")):
            return None
        headers = http.anthropic_headers(**{"anthropic-workspace-id": options["workspace_id"]})
        if secret:
            headers["x-api-key"] = secret
        verdict = http.get(self.base_url(profile) + "/v1/models?limit=1", headers, ctx)
        if verdict.status == 404:
            return healthy(source="local", detail="key not verified (no model list at this endpoint)",
                           latency_ms=verdict.latency_ms)
        return verdict

    def read_run_failure(self, verdict):
        """claude's "Not logged in" is its answer to a 401 here: the key or the AWS signature was refused."""
        from claude_failover.run_failure import NOT_LOGGED_IN
        from claude_failover.verdict import unhealthy

        if verdict.reason == "misconfigured" and verdict.detail == NOT_LOGGED_IN:
            return unhealthy("auth-invalid", "credentials refused by Claude Platform on AWS",
                             status=verdict.status, source=verdict.source)
        return verdict

    def summary(self, profile):
        return f"{super().summary(profile)}, workspace {profile.options.get('workspace_id')}"


ROUTE = AnthropicAws()
