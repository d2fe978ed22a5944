"""`foundry`: Claude on Microsoft Foundry (CLAUDE_CODE_USE_FOUNDRY=1).

An API key (``ANTHROPIC_FOUNDRY_API_KEY``, sent as x-api-key) when the profile names a
secret source; otherwise claude uses Microsoft Entra ID credentials from the environment.

Probe: with an API key, GET {base}/v1/models?limit=1 with x-api-key. An endpoint without a model
list (404) leaves the key unverified: the local verdict stands. Entra ID: local checks only.
"""

from __future__ import annotations

from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag


class Foundry(RouteType):
    name = "foundry"
    title = "Microsoft Foundry"
    keys = {
        "resource": Key(STR, "ANTHROPIC_FOUNDRY_RESOURCE (the Azure resource name)"),
        "base_url": Key(STR, "ANTHROPIC_FOUNDRY_BASE_URL (instead of resource)"),
        "skip_auth": Key(BOOL, "skip Azure auth (gateways and tests)"),
    }
    secret = "optional"
    secret_var = "ANTHROPIC_FOUNDRY_API_KEY"

    def check(self, options):
        if not options.get("resource") and not options.get("base_url"):
            return [(None, "a foundry profile needs `resource` or `base_url`")]
        return []

    def child_env(self, profile, secret):
        options = profile.options
        env = {"CLAUDE_CODE_USE_FOUNDRY": "1"}
        if options.get("resource"):
            env["ANTHROPIC_FOUNDRY_RESOURCE"] = options["resource"]
        if options.get("base_url"):
            env["ANTHROPIC_FOUNDRY_BASE_URL"] = options["base_url"]
        env.update(flag(profile, "skip_auth", "CLAUDE_CODE_SKIP_FOUNDRY_AUTH"))
        if secret:
            env["ANTHROPIC_FOUNDRY_API_KEY"] = secret
        return env

    def local_check(self, profile, environ):
        """An API key (resolved separately), skip_auth, or some sign of Azure credentials."""
        import os

        from claude_failover.verdict import Verdict

        if profile.secret_sources or profile.options.get("skip_auth"):
            return None
        if any(environ.get(v) for v in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE",
                                        "IDENTITY_ENDPOINT", "MSI_ENDPOINT")):
            return None
        if os.path.isdir(os.path.join(os.path.expanduser("~"), ".azure")):
            return None
        return Verdict("degraded", "misconfigured", "no Azure credentials found locally (run `az login`)",
                       source="local")

    def can_probe(self, profile):
        return bool(profile.secret_sources)

    def probe(self, profile, secret, ctx):
        from claude_failover.probes import http
        from claude_failover.verdict import healthy

        if not secret:
            return None
        options = profile.options
        base = options.get("base_url") or f"https://{options['resource']}.services.ai.azure.com/anthropic"
        verdict = http.get(base.rstrip("/") + "/v1/models?limit=1", http.anthropic_headers(**{"x-api-key": secret}),
                           ctx, models="check resource / base_url")
        if verdict.status == 404:
            return healthy(source="local", detail="key not verified (no model list at this endpoint)",
                           latency_ms=verdict.latency_ms)
        return verdict

    def local_fix(self, profile):
        return f"claude-failover-ctl keys set {profile.name}   (or sign in with `az login`)"

    def summary(self, profile):
        return f"Foundry {profile.options.get('resource') or profile.options.get('base_url')}"


ROUTE = Foundry()
