"""What a supervised attempt tells about its route's usage, kept in usage_state: the limit it hit
(until the reset), the plan windows its stream reported, and what it cost; and ``wait_for_reset``:
waiting for a plan's reset instead of paying for another route.

All of it is bookkeeping: a write that cannot happen is lost (usage_state never raises for I/O);
the run goes on.
"""

from __future__ import annotations

import sys
import time

from claude_failover import usage_state
from claude_failover.log import emit

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from claude_failover.config import Profile

WAIT_SLACK = 1.0          # wait this much past the reset before trying the route again
LINE_EVERY = 60.0         # without a terminal: a progress line this often


def account(profile, attempt, now: float | None = None) -> float | None:
    """Record what ``attempt`` (supervise.child.Attempt) on ``profile`` says about its usage; returns
    until when the route is at a limit (None when it is not)."""
    name = profile.name
    if attempt.windows:
        usage_state.record_windows(name, attempt.windows, now)
    if attempt.cost:
        usage_state.record_run_cost(name, attempt.session_id, attempt.cost, now)
    if attempt.limit is not None:
        return usage_state.record_limit(name, attempt.limit, now)
    if attempt.failure is None and attempt.code == 0 and usage_state.limit_record(name, usage_state.read()):
        usage_state.clear_limit(name)   # it answered: whatever limit it had is over
    return None


def paid(profile) -> bool:
    """Using this route costs money per use (an API key, a cloud, a gateway): not a plan."""
    return not getattr(profile.route, "plan", False)


def wait_target(cfg, chosen, usage: dict | None = None, now: float | None = None):
    """(route name, hold verdict, until) of a route ahead of ``chosen`` (a Profile) in ``order``
    that is at a usage limit ending within its ``wait_for_reset``, when ``chosen`` is paid; the
    soonest such reset. None when nothing is worth waiting for."""
    from claude_failover.admission import limit_hold

    if chosen is not None and not paid(chosen):
        return None
    now = time.time() if now is None else now
    usage = usage_state.read() if usage is None else usage
    best = None
    for name in cfg.order:
        if chosen is not None and name == chosen.name:
            break
        wait = float(getattr(cfg.profiles[name], "wait_for_reset", 0.0) or 0.0)
        held = limit_hold(name, usage, now) if wait > 0 else None
        if held is not None and held[1] - now <= wait and (best is None or held[1] < best[2]):
            best = (name, held[0], held[1])
    return best


def alternative(cfg, environ, split, failed) -> Profile | None:
    """The profile a retry would take now (predicted: no probe, no write, no notification), the
    failed routes left out; None when there is none."""
    from claude_failover import chooser

    try:
        prediction = chooser.predict(cfg, environ, split)
    except Exception:  # a prediction is only advice here; our bug shows with CLAUDE_FAILOVER_DEBUG=1
        from claude_failover.log import debug_traceback

        debug_traceback("predicting the retry's route failed")
        return None
    decision = prediction.decision
    if decision is not None and decision.profile.name not in failed:
        return decision.profile
    for name in prediction.would_probe or []:
        if name not in failed:
            return cfg.profiles[name]
    return None


def wait_for_reset(target, instead: str | None, signals, stream=None) -> bool:
    """Wait until ``target``'s reset (plus a second) with a progress line on stderr; False when a
    signal ended the wait (the run stops)."""
    from claude_failover.verdict import ago

    name, verdict, until = target
    stream = sys.stderr if stream is None else stream
    left = until + WAIT_SLACK - time.time()
    paying = f" rather than paying for {instead}" if instead else ""
    emit("warning", f"claude-failover: {name}: {verdict.line()}; waiting {ago(max(0.0, left))} for its reset"
         f"{paying} (wait_for_reset)", event="wait_for_reset", profile=name,
         until=round(until, 3), instead=instead)
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError, OSError):
        tty = False
    shown, last_line = False, time.monotonic()
    while True:
        left = until + WAIT_SLACK - time.time()
        if signals.received is not None:
            break
        if left <= 0:
            break
        if tty:
            _write(stream, f"\r\x1b[2Kclaude-failover: waiting for {name}'s reset: {ago(left)} left")
            shown = True
        elif time.monotonic() - last_line >= LINE_EVERY:
            emit("info", f"claude-failover: still waiting for {name}'s reset: {ago(left)} left", event="waiting")
            last_line = time.monotonic()
        time.sleep(min(1.0, max(0.05, left)))
    if shown:
        _write(stream, "\r\x1b[2K")
    return signals.received is None


def _write(stream, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass
