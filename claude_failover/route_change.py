"""When the route changes: the ``last`` record in the health cache, the route-switch history
(``ctl history``) and the desktop notification.

The ``last`` record (what `ctl statusline` and `ctl status` show as the route in use) is built
here and nowhere else, from a :class:`~claude_failover.decision.Decision`; so is the history line
(:func:`switched`). A route that returns after a usage limit is announced in the limit's words
("max is back: 5-hour limit reset", :func:`limit_over`).
"""

from __future__ import annotations

import os
import time


def reason(decision) -> str:
    """One line saying why the route is what it is (the notification's body, ``last.reason``)."""
    if decision.fallback:
        notice = decision.notice() or ""
        return notice.split(" — ", 1)[1] if " — " in notice else f"{decision.preferred} unavailable"
    if decision.warning:
        return decision.warning
    return "preferred route healthy again" if decision.profile.name == decision.preferred else decision.why


def last_record(decision, now: float | None = None, back: str | None = None) -> dict:
    """The cache's ``last`` entry for a launch that takes ``decision`` (``back``: the words of a
    limit that is over, from :func:`limit_over`)."""
    return {"profile": decision.profile.name, "preferred": decision.preferred, "fallback": decision.fallback,
            "at": time.time() if now is None else now, "reason": back or reason(decision)}


def limit_over(route: str) -> str | None:
    """``route`` was chosen again after a usage limit whose reset passed: forget the limit and
    return the words that say so ("max is back: 5-hour limit reset"); None when there was none."""
    from claude_failover import usage_state

    ended = usage_state.ended_limit(route)
    usage_state.clear_limit(route)   # best effort: a lost write only repeats these words next time
    return ended[0].back_words(route) if ended is not None else None


def kind_of(previous: str | None, current: str, preferred: str) -> str:
    """The history's kind of a switch: back (to the preferred route), fallback (away from it), switch."""
    if current == preferred:
        return "back"
    return "fallback" if previous in (None, preferred) else "switch"


def retry_at(decision) -> float | None:
    """When the preferred route left behind is tried again, as far as the decision knows."""
    verdict = decision.verdicts.get(decision.preferred) if decision.fallback else None
    if verdict is None or not verdict.retry_after:
        return None
    return verdict.checked_at + verdict.retry_after


def switched(previous: str | None, decision, cfg=None, back: str | None = None) -> None:
    """Launches now take ``decision``'s route instead of ``previous``: one history line
    (``ctl history``) and the desktop notification. Never raises for our bookkeeping."""
    current, why = decision.profile.name, back or reason(decision)
    try:
        from claude_failover import history

        history.append_switch(previous, current, why, kind_of(previous, current, decision.preferred),
                              until=retry_at(decision))
    except Exception:  # the history is bookkeeping: it never stops a launch (CLAUDE_FAILOVER_DEBUG=1 shows it)
        from claude_failover.log import debug_traceback

        debug_traceback("writing the route-switch history failed")
    notify_change(previous, current, decision.preferred, why, cfg)


def previous_route(data: dict) -> str | None:
    last = data.get("last")
    return last.get("profile") if isinstance(last, dict) else None


def notify_change(previous, current, preferred, why, cfg=None) -> None:
    """Tell the desktop the route changed; never raises (a notification must not stop a launch)."""
    try:
        from claude_failover import notify

        notify.route_changed(previous, current, preferred, why, cfg=cfg)
    except Exception:  # a notification must never stop a launch; our bug shows with CLAUDE_FAILOVER_DEBUG=1
        from claude_failover.log import debug_traceback

        debug_traceback("sending the route-changed notification failed")


def note_route(cfg, environ: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """After a refresh (`ctl probe --notify`): when the route a launch would now take (predicted
    from the cache alone) differs from the last one, record it and send the route-changed
    notification. Returns (previous, current)."""
    from claude_failover import cache, chooser

    environ = dict(os.environ if environ is None else environ)
    data = cache.read()
    previous = previous_route(data)
    prediction = chooser.predict(cfg, environ, data=data)
    decision = prediction.decision
    if decision is None or prediction.how == chooser.UNVERIFIED:
        return previous, None
    if prediction.would_probe or decision.profile.name == previous:
        return previous, decision.profile.name
    from claude_failover import usage_state

    name = decision.profile.name
    back = limit_over(name) if usage_state.limit_record(name, usage_state.read()) else None
    last = last_record(decision, back=back)
    cache.update(lambda d: d.__setitem__("last", last))
    switched(previous, decision, cfg, back=back)
    return previous, name
