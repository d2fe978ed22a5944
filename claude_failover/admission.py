"""Admission: what the health cache says about each route right now, and whether a launch may use it.

This is the one place that turns stored knowledge (a verdict, a cooldown, a login newer than the
verdict) into a route's admission state:

- ``FRESH``: a recent usable verdict — a launch may take it without asking;
- ``COOLING``: a failure whose cooldown has not run out — a launch skips it without asking;
- ``STALE``: nothing known, a verdict too old, a cooldown over, or a login since — ask first (probe);
- ``HELD``: held back by its usage (``usage.json``, :mod:`claude_failover.usage_state`) whatever its
  health — at a plan's limit until the reset, a plan window at or past ``switch_at`` until that
  window resets, over its ``max_spend`` until the period ends. No probe can lift it (a status page
  saying "all good" says nothing about one account's limit); it ends by itself at ``until``.

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

FRESH, COOLING, STALE, HELD = "fresh", "cooling", "stale", "held"


@record
class RouteState:
    """What the cache says about one route right now."""

    name: str
    profile: Profile
    verdict: Verdict | None
    item: dict | None
    kind: str                 # fresh | cooling | stale (needs a probe) | held (usage)
    cooldown_left: float = 0.0
    hold: Verdict | None = None   # held: why (a verdict of its own, never recorded in the health cache)
    until: float | None = None    # held: when the hold ends by itself


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


def plan(cfg, data: dict, environ: dict[str, str], exclude=frozenset(), now: float | None = None,
         usage: dict | None = None) -> list[RouteState]:
    """Every route of ``order`` (less ``exclude``) with its admission state; ``usage`` is
    usage_state's content (read from its file when not given)."""
    now = time.time() if now is None else now
    if usage is None:
        from claude_failover import usage_state

        usage = usage_state.read_quick()
    states = []
    for name in cfg.order:
        if name in exclude:
            continue
        state = classify(cfg, data, name, environ, now)
        held = usage_hold(cfg.profiles[name], usage, now)
        if held is not None:
            state.kind, state.hold, state.until = HELD, held[0], held[1]
        elif limit_ended(state, usage, now):
            state.kind, state.cooldown_left = STALE, 0.0
        states.append(state)
    return states


# --- usage rules: a route held back by what claude reported about its usage (docs/limits.md) ------

def usage_hold(profile, usage: dict, now: float) -> tuple[Verdict, float] | None:
    """(why, until when) a launch must not take ``profile`` for its usage, whatever its health;
    None when nothing holds it. The first rule that holds wins: a limit, then switch_at, then
    max_spend."""
    return (limit_hold(profile.name, usage, now) or switch_at_hold(profile, usage, now)
            or spend_hold(profile, usage, now))


def limit_ended(state: RouteState, usage: dict, now: float) -> bool:
    """A route cooling down for a usage limit whose reset has now passed: the cooldown (a minute at
    least, doubling) must not outlast the reset claude gave; look again now."""
    if state.kind != COOLING or state.verdict is None or state.verdict.reason != "rate-limited":
        return False
    from claude_failover import usage_state

    record = usage_state.limit_record(state.name, usage)
    until = record.get("until") if record else None
    return isinstance(until, (int, float)) and not isinstance(until, bool) and until <= now


def limit_hold(name: str, usage: dict, now: float) -> tuple[Verdict, float] | None:
    """At a plan's usage limit claude reported (run, hook) until its reset (a re-checked hour when
    claude gave none): usage_state.record_limit wrote ``until``."""
    from claude_failover import usage_state

    record = usage_state.limit_record(name, usage)
    if record is None:
        return None
    until = record.get("until")
    if not isinstance(until, (int, float)) or isinstance(until, bool) or until <= now:
        return None
    words = str(record.get("text") or "usage limit")
    return (Verdict("unhealthy", reason="rate-limited", detail=f"{words} (until {usage_state.local_time(until, now)})",
                    retry_after=until - now, source="usage", checked_at=now), float(until))


def switch_at_hold(profile, usage: dict, now: float) -> tuple[Verdict, float] | None:
    """A plan window the statusline last reported at or past the profile's ``switch_at``, until
    that window resets (claude drops a window once its reset passed; so do we)."""
    switch_at = getattr(profile, "switch_at", 100.0)
    if switch_at >= 100:
        return None
    from claude_failover import usage_state

    found = usage_state.over_switch_at(profile.name, switch_at, now, data=usage)
    if found is None:
        return None
    name, window = found
    resets = window.get("resets_at")
    until = float(resets) if isinstance(resets, (int, float)) and not isinstance(resets, bool) else now + 3600.0
    words = usage_state.switch_words(profile.name, switch_at, now, data=usage) or f"{name} at {switch_at:g}%"
    return (Verdict("unhealthy", reason="rate-limited", detail=f"{words}; until {usage_state.local_time(until, now)}",
                    retry_after=until - now, source="usage", checked_at=now), until)


def spend_hold(profile, usage: dict, now: float) -> tuple[Verdict, float] | None:
    """The route's spend in the current period (claude's own cost reports) reached ``max_spend``:
    held until the period ends (local midnight; Monday; the 1st)."""
    cap = getattr(profile, "max_spend", None)
    if not cap:
        return None
    from claude_failover import usage_state

    over, spent, end = usage_state.over_cap(profile.name, (float(cap[0]), str(cap[1])), now, data=usage)
    if not over:
        return None
    detail = (f"spent ${spent:.2f} of its ${float(cap[0]):g}/{cap[1]} (max_spend); "
              f"until {usage_state.local_time(end, now)}")
    return (Verdict("unhealthy", reason="spend-cap", detail=detail, retry_after=end - now, source="usage",
                    checked_at=now), end)


def login_changed(profile, environ, verdict: Verdict) -> bool:
    """The user logged in again (or claude rewrote its store) since the verdict: look again."""
    when = profile.route.login_stamp(profile, environ)
    return when is not None and when > verdict.checked_at
