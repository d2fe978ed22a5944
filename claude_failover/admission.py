"""Admission: what the health cache says about each route right now, and whether a launch may use it.

This is the one place that turns stored knowledge (a verdict, a cooldown, a login newer than the
verdict) into a route's admission state:

- ``FRESH``: a recent usable verdict — a launch may take it without asking;
- ``COOLING``: a failure whose cooldown has not run out — a launch skips it without asking;
- ``STALE``: nothing known, a verdict too old, a cooldown over, or a login since — ask first (probe).

The chooser (:mod:`claude_failover.chooser`) only ever reads these states, so a new admission rule
(a half-open route re-admitted on evidence, a usage-limit skip until a reset time, a spend cap)
is one more branch in :func:`classify`.
"""

from __future__ import annotations

import time

from claude_failover import cache
from claude_failover.valueclass import record
from claude_failover.verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from claude_failover.config import Profile

FRESH, COOLING, STALE = "fresh", "cooling", "stale"


@record
class RouteState:
    """What the cache says about one route right now."""

    name: str
    profile: Profile
    verdict: Verdict | None
    item: dict | None
    kind: str                 # fresh | cooling | stale (needs a probe)
    cooldown_left: float = 0.0


def classify(cfg, data: dict, name: str, environ: dict[str, str], now: float | None = None) -> RouteState:
    now = time.time() if now is None else now
    profile = cfg.profiles[name]
    item = cache.entry(data, name, profile.fingerprint())
    verdict = cache.verdict_of(item)
    if verdict is None or login_changed(profile, environ, verdict):
        return RouteState(name, profile, verdict, item, STALE)
    if not verdict.usable:
        left = cache.cooldown_left(item, now)
        return RouteState(name, profile, verdict, item, COOLING if left > 0 else STALE, left)
    fresh = 0 <= now - verdict.checked_at < cfg.healthy_ttl
    return RouteState(name, profile, verdict, item, FRESH if fresh else STALE)


def plan(cfg, data: dict, environ: dict[str, str], exclude=frozenset(), now: float | None = None) -> list[RouteState]:
    """Every route of ``order`` (less ``exclude``) with its admission state."""
    return [classify(cfg, data, name, environ, now) for name in cfg.order if name not in exclude]


def login_changed(profile, environ, verdict: Verdict) -> bool:
    """The user logged in again (or claude rewrote its store) since the verdict: look again."""
    when = profile.route.login_stamp(profile, environ)
    return when is not None and when > verdict.checked_at
