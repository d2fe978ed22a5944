"""`vertex`: Claude on Google Vertex AI (CLAUDE_CODE_USE_VERTEX=1), Google ADC credentials.

Local checks only (project, region, a Google credential file): a live probe would need
google-auth to mint an access token.
"""

from __future__ import annotations

import os

from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag

VERTEX_VARS = ("CLOUD_ML_REGION", "GOOGLE_APPLICATION_CREDENTIALS")
VERTEX_REGION = r"^(global|[a-z]+-[a-z]+\d+)$"
GCP_PROJECT = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"


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
        if options.get("credentials_file"):
            env["GOOGLE_APPLICATION_CREDENTIALS"] = os.path.expanduser(options["credentials_file"])
        if options.get("base_url"):
            env["ANTHROPIC_VERTEX_BASE_URL"] = options["base_url"]
        env.update(flag(profile, "skip_auth", "CLAUDE_CODE_SKIP_VERTEX_AUTH"))
        return env

    def local_check(self, profile, environ):
        """Project and region set; a Google credential file is present (ADC), unless skip_auth."""
        from claude_failover.verdict import Verdict, unhealthy

        options = profile.options
        if not str(options.get("project_id") or "").strip():
            return unhealthy("misconfigured", "no Vertex project_id", source="local")
        if options.get("skip_auth"):
            return None
        named = options.get("credentials_file")
        if named:
            path = os.path.expanduser(named)
            return None if os.access(path, os.R_OK) else unhealthy(
                "misconfigured", f"credentials_file {path} is missing or unreadable", source="local")
        gcloud = environ.get("CLOUDSDK_CONFIG") or os.path.join(os.path.expanduser("~"), ".config", "gcloud")
        candidates = [environ.get("GOOGLE_APPLICATION_CREDENTIALS") or "",
                      os.path.join(gcloud, "application_default_credentials.json")]
        if any(c and os.access(c, os.R_OK) for c in candidates):
            return None
        return Verdict("degraded", "misconfigured", "no Google credentials found locally "
                       "(run `gcloud auth application-default login`, or a metadata server?)", source="local")

    def doctor_findings(self, profile):
        import re

        from claude_failover.doctor.finding import ERROR, Finding

        findings = []
        region = str(profile.options.get("region") or "")
        if region and not re.match(VERTEX_REGION, region):
            findings.append(Finding("vertex-region", ERROR, f"profile {profile.name!r}: {region!r} is not a "
                                    "Vertex region", fix=f'region = "us-east5" or "global" in [profiles.{profile.name}]'))
        project = str(profile.options.get("project_id") or "")
        if project and not re.match(GCP_PROJECT, project):
            findings.append(Finding("vertex-project", ERROR, f"profile {profile.name!r}: project_id {project!r} "
                                    "is not a Google Cloud project id",
                                    why="Vertex answers 403/404 for an unknown project",
                                    fix="gcloud projects list   (use the PROJECT_ID column)"))
        return findings

    def local_fix(self, profile):
        return "gcloud auth application-default login   (or set credentials_file)"

    def summary(self, profile):
        return f"Vertex project {profile.options.get('project_id')} in {profile.options.get('region')}"


ROUTE = Vertex()
