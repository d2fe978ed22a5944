"""What the Google Cloud route types (Vertex, Claude Platform on Google Cloud) share: Google ADC
credentials (a named service-account file or the application-default ones), the local check for
them, the region/location check (config validation) and the doctor's project id check. Not a route type.

Our client does not mint Google access tokens (that needs google-auth): these routes are checked
locally; claude's own runs show whether the credentials work.
"""

from __future__ import annotations

import os

GOOGLE_REGION = r"^(global|[a-z]+-[a-z]+\d+)$"
GCP_PROJECT = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
ADC_FIX = "gcloud auth application-default login   (or set credentials_file)"


def credentials_env(options) -> dict[str, str]:
    """GOOGLE_APPLICATION_CREDENTIALS for a profile's ``credentials_file``, if it names one."""
    named = options.get("credentials_file")
    return {"GOOGLE_APPLICATION_CREDENTIALS": os.path.expanduser(named)} if named else {}


def adc_verdict(options, environ):
    """None when Google credentials look present (or ``skip_auth``); else why not (local, no network)."""
    from claude_failover.verdict import Verdict, unhealthy

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


def region_problems(options, region_key: str, what: str) -> list[tuple[str | None, str]]:
    """A region/location that cannot be Google's, as a config validation problem (RouteType.check)."""
    import re

    region = str(options.get(region_key) or "")
    if region and not re.match(GOOGLE_REGION, region):
        return [(region_key, f"{region!r} is not {what} (like \"us-east5\" or \"global\")")]
    return []


def shape_findings(profile, prefix: str, region_key: str, project_key: str = "project_id") -> list:
    """Doctor findings for a project id that cannot be Google's (the region is config validation:
    :func:`region_problems`)."""
    import re

    from claude_failover.doctor.finding import ERROR, Finding

    findings = []
    project = str(profile.options.get(project_key) or "")
    if project and not re.match(GCP_PROJECT, project):
        findings.append(Finding(f"{prefix}-project", ERROR, f"profile {profile.name!r}: {project_key} {project!r} "
                                "is not a Google Cloud project id",
                                why="Google Cloud answers 403/404 for an unknown project",
                                fix="gcloud projects list   (use the PROJECT_ID column)"))
    return findings
