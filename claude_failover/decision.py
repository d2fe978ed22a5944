"""The value a launch decision produces, and its parts: the Decision (route, secret, why, the
notice line), secret resolution, the local verdict, the forced profile and the no-route error.
Decisions are made by :mod:`claude_failover.chooser`.
"""

from __future__ import annotations

from claude_failover import secret as secrets
from claude_failover.config import Config, Profile
from claude_failover.errors import NoRouteError, SecretError
from claude_failover.valueclass import factory, record
from claude_failover.verdict import Verdict, unhealthy


@record
class Decision:
    profile: Profile
    secret: secrets.Resolved | None
    preferred: str
    why: str = "first usable route in order"       # human reason for `ctl which`
    forced: str | None = None                       # "flag", "env", "pin" when not decided by health
    verdicts: dict[str, Verdict] = factory(dict)  # what we knew of routes considered
    warning: str | None = None

    @property
    def fallback(self) -> bool:
        return self.forced is None and self.profile.name != self.preferred

    def notice(self) -> str | None:
        """The one stderr line shown when the launch does not use the preferred route."""
        if self.warning:
            return f"claude-failover: {self.warning}"
        if not self.fallback:
            return None
        skipped = [f"{name}: {v.line()}" for name, v in self.verdicts.items()
                   if name != self.profile.name and not v.usable]
        why = f" — {'; '.join(skipped)}" if skipped else ""
        return f"claude-failover: using {self.profile.name} ({self.profile.type}){why}"


def resolve_secret(profile: Profile, environ: dict[str, str],
                   timeout: float | None = None) -> secrets.Resolved | None:
    """The profile's secret (None when it takes none); raises SecretError when it is missing.
    ``timeout``: the seconds a secret_cmd may take (a launch gives probe_timeout or what is left of it)."""
    if not profile.secret_sources:
        return None
    return secrets.require(profile.name, profile.secret_sources, environ, timeout)


def local_verdict(profile: Profile, environ: dict[str, str],
                  timeout: float | None = None) -> tuple[Verdict | None, secrets.Resolved | None]:
    """(an unhealthy verdict or None, the resolved secret) from local state only."""
    try:
        found = resolve_secret(profile, environ, timeout)
    except SecretError as exc:
        fix = f" (fix: {exc.hint})" if exc.hint else ""
        return unhealthy("misconfigured", exc.message + fix, source="local"), None
    return profile.route.local_check(profile, environ), found


def forced_profile(cfg: Config, option: str | None, environ: dict[str, str]) -> tuple[str | None, str | None]:
    if option:
        return option, "flag"
    env_choice = environ.get("CLAUDE_FAILOVER_PROFILE")
    if env_choice:
        return env_choice, "env"
    return None, None


def no_route_error(cfg: Config, verdicts: dict[str, Verdict], retry_in: dict[str, float] | None = None) -> NoRouteError:
    """Exit 69: each route's reason and when a launch tries it again, and the ways out."""
    from claude_failover.verdict import ago

    rows = []
    for name in cfg.order:
        if name not in verdicts:
            continue
        left = (retry_in or {}).get(name)
        when = f" — tried again in {ago(left)}" if left else ""
        rows.append(f"  {name:<16} {verdicts[name].line()}{when}")
    return NoRouteError("no usable route:\n" + "\n".join(rows),
                        hint="use one anyway: claude --failover-profile NAME; check again now: "
                             "claude-failover-ctl probe; details: claude-failover-ctl status")
