"""Each route's local prerequisites: the route type's own local check (AWS profile, Google
credentials, …, shared with the launcher), plus the shape of region, project id and base URL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from claude_failover.doctor.finding import ERROR, OK, WARNING, Context, Finding

AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")
VERTEX_REGION = re.compile(r"^(global|[a-z]+-[a-z]+\d+)$")
GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _local_fix(profile) -> str:
    options = profile.options
    if profile.type in ("bedrock", "mantle"):
        if options.get("aws_profile"):
            return f"aws configure --profile {options['aws_profile']}   (or: aws configure sso)"
        return (f'set aws_profile = "..." in [profiles.{profile.name}], or store a Bedrock API key: '
                f"claude-failover-ctl keys set {profile.name}")
    if profile.type == "vertex":
        return "gcloud auth application-default login   (or set credentials_file)"
    if profile.type == "foundry":
        return f"claude-failover-ctl keys set {profile.name}   (or sign in with `az login`)"
    return "claude-failover-ctl status"


def check_route_local(ctx: Context) -> list[Finding]:
    """The route type's local check, as the launcher runs it (subscription: see the login checks)."""
    findings = []
    for profile in ctx.profiles():
        if profile.type == "subscription":
            continue
        verdict = profile.route.local_check(profile, ctx.environ)
        if verdict is None or verdict.state == "healthy":
            continue
        findings.append(Finding("route-local-check", WARNING if verdict.usable else ERROR,
                                f"profile {profile.name!r}: {verdict.line()}",
                                why="the launcher skips this route" if not verdict.usable
                                else "the route may fail when claude starts", fix=_local_fix(profile)))
    return findings


def check_region_names(ctx: Context) -> list[Finding]:
    findings = []
    for profile in ctx.profiles():
        region = str(profile.options.get("region") or "")
        if profile.type in ("bedrock", "mantle") and region and not AWS_REGION.match(region):
            findings.append(Finding("aws-region", ERROR, f"profile {profile.name!r}: {region!r} is not an AWS "
                                    "region name", why="claude would call a host that does not exist",
                                    fix=f'region = "us-east-1" (for example) in [profiles.{profile.name}]'))
        if profile.type == "vertex":
            if region and not VERTEX_REGION.match(region):
                findings.append(Finding("vertex-region", ERROR, f"profile {profile.name!r}: {region!r} is not a "
                                        "Vertex region", fix=f'region = "us-east5" or "global" in [profiles.{profile.name}]'))
            project = str(profile.options.get("project_id") or "")
            if project and not GCP_PROJECT.match(project):
                findings.append(Finding("vertex-project", ERROR, f"profile {profile.name!r}: project_id {project!r} "
                                        "is not a Google Cloud project id",
                                        why="Vertex answers 403/404 for an unknown project",
                                        fix="gcloud projects list   (use the PROJECT_ID column)"))
    return findings


def check_base_urls(ctx: Context) -> list[Finding]:
    findings = []
    for profile in ctx.profiles():
        url = profile.options.get("base_url")
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            findings.append(Finding("base-url-invalid", ERROR, f"profile {profile.name!r}: base_url {url!r} is not "
                                    "an http(s) URL", why="claude cannot connect to it",
                                    fix=f'base_url = "https://…" in [profiles.{profile.name}]'))
        elif parts.scheme == "http" and parts.hostname not in LOOPBACK:
            findings.append(Finding("base-url-cleartext", WARNING, f"profile {profile.name!r}: base_url {url} uses "
                                    "plain http", why="the credential travels unencrypted over the network",
                                    fix=f"use https:// for [profiles.{profile.name}]"))
    return findings


def check_routes_summary(ctx: Context) -> list[Finding]:
    return [Finding("route", OK, f"profile {p.name!r}: {p.route.summary(p)}") for p in ctx.profiles()]


CHECKS = (check_routes_summary, check_route_local, check_region_names, check_base_urls)
