"""`vertex`: Claude on Google Vertex AI (CLAUDE_CODE_USE_VERTEX=1), Google ADC credentials.

Local checks only (project, region, a Google credential file; shared with
``anthropic-google-cloud`` in ``_google.py``): a live probe would need google-auth to mint an
access token.
"""

from __future__ import annotations

from claude_failover.routes import _google
from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag

VERTEX_VARS = ("CLOUD_ML_REGION", "GOOGLE_APPLICATION_CREDENTIALS")


class Vertex(RouteType):
    name = "vertex"
    title = "Google Vertex AI"
    keys = {
        "project_id": Key(STR, "ANTHROPIC_VERTEX_PROJECT_ID", required=True),
        "region": Key(STR, "CLOUD_ML_REGION (e.g. us-east5 or global)", required=True),
        "credentials_file": Key(STR, "GOOGLE_APPLICATION_CREDENTIALS (a service-account JSON file)"),
        "base_url": Key(STR, "ANTHROPIC_VERTEX_BASE_URL (gateways and tests)"),
        "skip_auth": Key(BOOL, "skip Google auth (gateways and tests)"),
    }
    secret = "never"
    settings_vars = VERTEX_VARS  # its region and credentials file, when the launch has them

    def child_env(self, profile, secret):
        options = profile.options
        env = {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": options["project_id"],
            "CLOUD_ML_REGION": options["region"],
        }
        env.update(_google.credentials_env(options))
        if options.get("base_url"):
            env["ANTHROPIC_VERTEX_BASE_URL"] = options["base_url"]
        env.update(flag(profile, "skip_auth", "CLAUDE_CODE_SKIP_VERTEX_AUTH"))
        return env

    def local_check(self, profile, environ):
        """Project and region set; a Google credential file is present (ADC), unless skip_auth."""
        from claude_failover.verdict import unhealthy

        options = profile.options
        if not str(options.get("project_id") or "").strip():
            return unhealthy("misconfigured", "no Vertex project_id", source="local")
        return _google.adc_verdict(options, environ)

    def check(self, options):
        """The region's shape (config validation: `config validate`, a launch and the doctor agree)."""
        return _google.region_problems(options, "region", "a Vertex region")

    def doctor_findings(self, profile):
        return _google.shape_findings(profile, "vertex", "region")

    def local_fix(self, profile):
        return _google.ADC_FIX

    def summary(self, profile):
        return f"Vertex project {profile.options.get('project_id')} in {profile.options.get('region')}"


ROUTE = Vertex()
