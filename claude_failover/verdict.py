"""A route's health verdict: the one shape probes, reports, the cache and `ctl status` share."""

from __future__ import annotations

import time

from claude_failover.valueclass import as_dict, factory, record

HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"
STATES = (HEALTHY, DEGRADED, UNHEALTHY)

# Reason classes, and the words we show for them.
REASONS = {
    "auth-invalid": "invalid credentials",
    "expired": "expired login",
    "permission": "permission denied",
    "billing": "billing problem",
    "rate-limited": "rate limited",
    "overloaded": "overloaded",
    "outage": "service outage",
    "unreachable": "unreachable",
    "timeout": "timed out",
    "misconfigured": "misconfigured",
    "spend-cap": "over its spend cap",
    "unknown": "unknown failure",
}
# A check that raised inside claude-failover: our bug, never the route's failure (never recorded).
# Not in REASONS: nothing outside our own probe engine may report it (`ctl report --reason`).
INTERNAL = "internal"
# Failures that are not proof that the route is broken: we may be offline, or the fault is ours.
SOFT_REASONS = frozenset({"unreachable", "timeout", INTERNAL})


@record
class Verdict:
    state: str
    reason: str | None = None      # one of REASONS when not healthy
    detail: str = ""               # one human line, never a secret
    status: int | None = None      # HTTP status, when there was one
    latency_ms: float | None = None
    retry_after: float | None = None  # seconds, from a retry-after header
    source: str = "probe"          # probe | local | report | run | status-page
    checked_at: float = factory(time.time)

    @property
    def usable(self) -> bool:
        return self.state != UNHEALTHY

    @property
    def definite(self) -> bool:
        """An unhealthy verdict that is not merely 'we could not reach it'."""
        return self.state == UNHEALTHY and self.reason not in SOFT_REASONS

    def line(self) -> str:
        """``expired OAuth login (401)`` — the short reason used in notices and tables."""
        if self.state == HEALTHY:
            return "healthy"
        text = self.detail or REASONS.get(self.reason or "unknown", self.reason or "unknown")
        return f"{text} ({self.status})" if self.status else text

    def to_dict(self) -> dict:
        return {k: v for k, v in as_dict(self).items() if v is not None and v != ""}

    @classmethod
    def from_dict(cls, data: dict) -> "Verdict | None":
        try:
            state = data["state"]
            if state not in STATES:
                return None
            reason = data.get("reason")
            if reason is not None and reason not in REASONS:
                reason = "unknown"
            return cls(state=state, reason=reason, detail=str(data.get("detail", ""))[:300],
                       status=_num(data.get("status"), int), latency_ms=_num(data.get("latency_ms"), float),
                       retry_after=_num(data.get("retry_after"), float), source=str(data.get("source", "probe")),
                       checked_at=_num(data.get("checked_at"), float) or 0.0)
        except (KeyError, TypeError, AttributeError):
            return None


def _num(value, kind):
    # not a bool, NaN or infinity (json reads 1e400 as inf; int(inf) raises)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1e18 < value < 1e18:
        return None
    return kind(value)


def ago(seconds: float) -> str:
    """``45s``, ``4m``, ``1.5h``: a short duration for notices and tables."""
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def healthy(**kw) -> Verdict:
    return Verdict(HEALTHY, **kw)


def unhealthy(reason: str, detail: str = "", **kw) -> Verdict:
    return Verdict(UNHEALTHY, reason=reason, detail=detail, **kw)
