"""Retry policy of a supervised run: record the failure, choose the next route, resume or restart."""

from __future__ import annotations

from claude_failover import sessions
from claude_failover.errors import NoRouteError
from claude_failover.verdict import HEALTHY, Verdict


def record(cfg, profile, verdict: Verdict, environ):
    """Record a run's verdict; a run failure must not be lost silently: a failed write is a warning.

    claude's output never carries a 429's ``retry-after`` (measured, 2.1.332: the text, the json
    result and stream-json name only the status). For a route our probe can verify, a rate-limited
    run failure without a known wait is probed once, in the background, so the header's wait
    becomes the cooldown's floor as it is for a probe; returns that thread (or None)."""
    from claude_failover.recording import record_or_warn

    record_or_warn(cfg, {profile.name: verdict}, environ, lock_timeout=10.0, warn_locked=True)
    from claude_failover.admission import verifiable

    if verdict.reason != "rate-limited" or verdict.retry_after or not verifiable(profile):
        return None
    import threading

    thread = threading.Thread(target=_learn_retry_after, args=(cfg, profile, dict(environ)), daemon=True)
    thread.start()
    return thread


def _learn_retry_after(cfg, profile, environ) -> None:
    from claude_failover import probes
    from claude_failover.recording import floor_cooldown

    results, _ = probes.run(cfg, [profile], environ)
    seen = results.get(profile.name, (None, None))[0]
    if seen is not None and seen.reason == "rate-limited" and seen.retry_after:
        floor_cooldown(cfg, profile, seen.retry_after)


def known_bad(decision) -> bool:
    """The route already has a failure on record (cache or this launch's verdicts)."""
    from claude_failover import cache

    profile = decision.profile
    seen = decision.verdicts.get(profile.name)
    if seen is not None and seen.state != HEALTHY:
        return True
    item = cache.entry(cache.read(), profile.name, profile.fingerprint())
    verdict = cache.verdict_of(item)
    return (verdict is not None and not verdict.usable) or cache.cooldown_left(item) > 0


def next_decision(cfg, environ, split, failed: dict[str, Verdict]):
    """The next route (the one chooser, real mode, failed routes excluded); None when it is a failed one."""
    from claude_failover.chooser import choose

    try:
        nxt = choose(cfg, environ, split, False, exclude=dict(failed))   # named with why in the reason
    except NoRouteError as exc:
        raise all_failed(failed, exc) from None
    if nxt.profile.name in failed:
        return None
    return nxt


def should_resume(attempt, env: dict[str, str], fmt: str, session_id: str | None, no_persistence: bool,
                  worked: bool = False) -> bool:
    """Continue the run's session when an attempt had already done work — this one, or any before
    it (``worked``): once a tool has run, no later attempt starts afresh."""
    if not session_id or no_persistence:
        return False
    if worked:
        return True
    if not attempt.did_work:   # text mode says nothing; json only counts turns: read the transcript
        attempt.did_work = sessions.has_work(env, session_id)
    return bool(attempt.did_work)


def carry(session_id: str, source_env: dict[str, str], target_env: dict[str, str]) -> bool:
    """The session's transcript is where the next route's claude looks for it (its config dir)."""
    return sessions.carry(session_id, source_env, target_env)


def all_failed(failed: dict[str, Verdict], exc: NoRouteError | None) -> NoRouteError:
    rows = [f"  {name:<16} {verdict.line()}" for name, verdict in failed.items()]
    if exc is not None:
        rows += [line for line in exc.message.splitlines()[1:] if not line.split() or line.split()[0] not in failed]
    return NoRouteError("every route failed for this run:\n" + "\n".join(rows),
                        hint="claude-failover-ctl status (or doctor) shows details")
