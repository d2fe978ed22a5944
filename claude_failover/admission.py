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
- ``HALF_OPEN``: a route we cannot probe ourselves whose failure was seen in a claude run, cooldown
  over, and no evidence since that it works again (:func:`doubt_of`): a supervised run may try it
  (it falls over if it fails); an interactive launch takes it only when nothing verified works.

A verdict of this process's own environment (source ``local``: a missing secret, a region) is
never stored (:func:`storable`), and an old one read from the cache is looked at again (STALE).

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

FRESH, COOLING, STALE, HELD, HALF_OPEN = "fresh", "cooling", "stale", "held", "half-open"
# Verdicts that come from a run of claude itself on the route (the supervisor, the StopFailure
# hook through `ctl report`, a live check): first-hand evidence for routes we cannot probe.
CLAUDE_RUN_SOURCES = frozenset({"run", "report", "live-check"})
LOCAL = "local"
# Route types whose public status page speaks for them (its incident resolved is evidence).
STATUS_PAGE_TYPES = frozenset({"subscription", "oauth-token"})


@record
class RouteState:
    """What the cache says about one route right now."""

    name: str
    profile: Profile
    verdict: Verdict | None
    item: dict | None
    kind: str                 # fresh | cooling | stale (needs a probe) | held (usage) | half-open
    cooldown_left: float = 0.0
    hold: Verdict | None = None   # held: why (a verdict of its own, never recorded in the health cache)
    until: float | None = None    # held: when the hold ends by itself
    doubt: dict | None = None   # in doubt: failed in a claude run, not re-admitted yet (doubt_of)


def classify(cfg, data: dict, name: str, environ: dict[str, str], now: float | None = None) -> RouteState:
    now = time.time() if now is None else now
    profile = cfg.profiles[name]
    item = cache.entry(data, name, profile.fingerprint())
    verdict = cache.verdict_of(item)
    if verdict is None or login_changed(profile, environ, verdict) or not storable(verdict):
        return RouteState(name, profile, verdict, item, STALE)
    doubt = doubt_of(profile, item, environ)
    if not verdict.usable:
        left = cache.cooldown_left(item, now)
        if left > 0:
            return RouteState(name, profile, verdict, item, COOLING, left, doubt=doubt)
        return RouteState(name, profile, verdict, item, HALF_OPEN if doubt else STALE, doubt=doubt)
    if doubt:   # a green status page or a local check proves nothing about a claude-run failure
        return RouteState(name, profile, verdict, item, HALF_OPEN, doubt=doubt)
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


def storable(verdict: Verdict) -> bool:
    """Whether a verdict says something about the route for every process: a failure of this
    process's own environment (a missing variable, keyring entry or region: source ``local``)
    does not — it is recomputed by each launch, never cached as a cooldown."""
    return verdict.usable or verdict.source != LOCAL


def verifiable(profile) -> bool:
    """Our own probe can verify the route live (its type can, and the profile did not turn it off)."""
    return bool(profile.probe) and profile.route.can_probe(profile)


def doubt_of(profile, item: dict | None, environ: dict[str, str]) -> dict | None:
    """The route's doubt record when it is in doubt, else None.

    A route is in doubt when a claude run saw it fail and we cannot probe it ourselves
    (``verifiable`` is false), until evidence re-admits it: a claude run or live check on it
    succeeded, its login changed since (``login_stamp``), or its status page showed the incident
    resolved (:func:`next_doubt` clears the record for those). The clock alone never does."""
    doubt = item.get("doubt") if item else None
    if not isinstance(doubt, dict) or verifiable(profile):
        return None
    since = doubt.get("since")
    when = profile.route.login_stamp(profile, environ)
    if when is not None and isinstance(since, (int, float)) and when > since:
        return None
    return doubt


def status_page_url(cfg, profile) -> str | None:
    """The status page that speaks for ``profile`` (its incident resolved re-admits the route)."""
    if profile.status_url:
        return profile.status_url
    return cfg.status_url if profile.type in STATUS_PAGE_TYPES else None


def next_doubt(cfg, profile, old_item: dict | None, verdict: Verdict, environ: dict[str, str],
               pages: dict | None = None) -> dict | None:
    """The doubt record to store with ``verdict`` (None: not in doubt). The rule:

    - a usable verdict from a claude run or live check: re-admitted (no doubt);
    - a failure seen in a claude run on a route we cannot probe: in doubt from now (``page_bad``
      remembers whether its status page already showed trouble) — except a limit (rate-limited, a
      retry-after), which says itself when it ends;
    - anything else (a probe, the status page, a local check) keeps the doubt as it was."""
    old = doubt_of(profile, old_item, environ)
    if verifiable(profile):
        return None
    if verdict.usable and verdict.source in CLAUDE_RUN_SOURCES:
        return None
    if not verdict.usable and verdict.source in CLAUDE_RUN_SOURCES:
        if verdict.reason == "rate-limited" or verdict.retry_after:
            return old   # a limit says when it ends (usage rules, retry-after): not a silent breakage
        url = status_page_url(cfg, profile)
        page = (pages or {}).get(url) if url else None
        bad = bool(old and old.get("page_bad")) or (isinstance(page, dict) and page.get("state") != "healthy")
        return {"since": verdict.checked_at, "reason": verdict.reason, "line": verdict.line()[:200],
                "page_bad": bad}
    return old


def page_resolves(doubt: dict, page: Verdict) -> tuple[dict | None, bool]:
    """A status page verdict seen while a route is in doubt: (the new doubt record, resolved?).
    A page showing trouble marks the doubt; a healthy page after trouble resolves it."""
    if page.state != "healthy":
        return {**doubt, "page_bad": True}, False
    if doubt.get("page_bad") and page.checked_at >= (doubt.get("since") or 0):
        return None, True
    return doubt, False
