"""`anthropic-google-cloud`: Claude Platform on Google Cloud (CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD=1).

Anthropic's own API served through Google Cloud: the Messages shape (``POST {base}/v1/messages``,
SSE) at ``https://claude.googleapis.com`` (or ``ANTHROPIC_GOOGLE_CLOUD_BASE_URL``), for a project
(``ANTHROPIC_GOOGLE_CLOUD_PROJECT``, else the one ADC names) and location
(``ANTHROPIC_GOOGLE_CLOUD_LOCATION``, claude's default ``global``; the profile's ``region``, as
for every other cloud route). Without a base URL claude needs
the workspace (``ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID``) and sends no request without it.
Credentials: Google ADC, as Vertex (``_google.py``); ``skip_auth`` sends no credential header at all
(measured on 2.1.332; docs/claude-code.md). claude learnt this provider in 2.1.213.

Local checks only: there is no API-key credential for this provider, and minting a Google access
token needs google-auth.
"""

from __future__ import annotations

from claude_failover.routes import _google
from claude_failover.routes.base import BOOL, STR, Key, RouteType, flag


class AnthropicGoogleCloud(RouteType):
    name = "anthropic-google-cloud"
    title = "Claude Platform on Google Cloud"
    keys = {
        "project_id": Key(STR, "ANTHROPIC_GOOGLE_CLOUD_PROJECT (default: the project of your Google credentials)"),
        "region": Key(STR, "ANTHROPIC_GOOGLE_CLOUD_LOCATION, e.g. us-east5 (claude's default: global)"),
        "workspace_id": Key(STR, "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID (required unless base_url)"),
        "credentials_file": Key(STR, "GOOGLE_APPLICATION_CREDENTIALS (a service-account JSON file)"),
        "base_url": Key(STR, "ANTHROPIC_GOOGLE_CLOUD_BASE_URL (gateways and tests)"),
        "skip_auth": Key(BOOL, "skip Google auth (gateways and tests)"),
    }
    secret = "never"
    # its credentials file, when the launch has one; its ANTHROPIC_GOOGLE_CLOUD_* are credential variables
    settings_vars = ("GOOGLE_APPLICATION_CREDENTIALS",)
    min_claude = (2, 1, 213)  # the first release whose binary names the provider (2.1.212 does not)

    def check(self, options):
        if not options.get("base_url") and not str(options.get("workspace_id") or "").strip():
            return [("workspace_id" if "workspace_id" in options else None, "an anthropic-google-cloud profile needs `workspace_id` "
                                     "(or a `base_url`): claude sends no request without it")]
        return _google.region_problems(options, "region", "a Google Cloud location")

    def child_env(self, profile, secret):
        options = profile.options
        env = {"CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1"}
        for key, var in (("project_id", "ANTHROPIC_GOOGLE_CLOUD_PROJECT"),
                         ("region", "ANTHROPIC_GOOGLE_CLOUD_LOCATION"),
                         ("workspace_id", "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID"),
                         ("base_url", "ANTHROPIC_GOOGLE_CLOUD_BASE_URL")):
            if options.get(key):
                env[var] = options[key]
        env.update(_google.credentials_env(options))
        env.update(flag(profile, "skip_auth", "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"))
        return env

    def local_check(self, profile, environ):
        """Google credentials present (ADC or credentials_file), unless skip_auth."""
        return _google.adc_verdict(profile.options, environ)

    def doctor_findings(self, profile):
        return _google.shape_findings(profile, "google-cloud", "region")

    def local_fix(self, profile):
        return _google.ADC_FIX

    def summary(self, profile):
        options = profile.options
        where = options.get("base_url") or (f"project {options.get('project_id') or '(from credentials)'} "
                                            f"in {options.get('region') or 'global'}")
        workspace = f", workspace {options['workspace_id']}" if options.get("workspace_id") else ""
        return f"{self.title}: {where}{workspace}"


ROUTE = AnthropicGoogleCloud()
