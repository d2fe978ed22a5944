"""Each route's local prerequisites, asked of the route type itself: its local check (shared with
the launcher) with its fix, its own doctor findings, the shape of a base URL. (Region names are config
validation, `RouteType.check`: a config that has them wrong does not load, and the doctor
reports that error.)"""

from __future__ import annotations

from urllib.parse import urlsplit

from claude_failover.doctor.finding import ERROR, INFO, WARNING, Context, Finding

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_route_local(ctx: Context) -> list[Finding]:
    """The route type's local check, as the launcher runs it (a route on a Claude Code login: see
    the login checks, doctor/credentials.py)."""
    findings = []
    for profile in ctx.profiles():
        route = profile.route
        if route.claude_login_dir(profile, ctx.environ) is not None:
            continue
        verdict = route.local_check(profile, ctx.environ)
        if verdict is None or verdict.state == "healthy":
            continue
        findings.append(Finding("route-local-check", WARNING if verdict.usable else ERROR,
                                f"profile {profile.name!r}: {verdict.line()}",
                                why="the launcher skips this route" if not verdict.usable
                                else "the route may fail when claude starts", fix=route.local_fix(profile)))
    return findings


def check_route_prerequisites(ctx: Context) -> list[Finding]:
    """What each route type checks beyond its local check and config validation."""
    return [finding for profile in ctx.profiles() for finding in profile.route.doctor_findings(profile)]


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
    """What each profile is (info: its health is what the other checks say, not this line)."""
    return [Finding("route", INFO, f"profile {p.name!r}: {p.route.summary(p)}") for p in ctx.profiles()]


CHECKS = (check_routes_summary, check_route_local, check_route_prerequisites, check_base_urls)
