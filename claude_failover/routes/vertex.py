"""`vertex`: Claude on Google Vertex AI (CLAUDE_CODE_USE_VERTEX=1), Google ADC credentials."""

from __future__ import annotations

import os

from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag


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

    def summary(self, profile):
        return f"Vertex project {profile.options.get('project_id')} in {profile.options.get('region')}"


ROUTE = Vertex()
