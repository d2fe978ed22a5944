"""When the route changes: the ``last`` record in the health cache and the desktop notification.

The ``last`` record (what `ctl statusline` and `ctl status` show as the route in use) is built
here and nowhere else, from a :class:`~claude_failover.decision.Decision`.
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


def last_record(decision, now: float | None = None) -> dict:
    """The cache's ``last`` entry for a launch that takes ``decision``."""
    return {"profile": decision.profile.name, "preferred": decision.preferred, "fallback": decision.fallback,
            "at": time.time() if now is None else now, "reason": reason(decision)}


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
    last = last_record(decision)
    cache.update(lambda d: d.__setitem__("last", last))
    notify_change(previous, decision.profile.name, decision.preferred, last["reason"], cfg)
    return previous, decision.profile.name
