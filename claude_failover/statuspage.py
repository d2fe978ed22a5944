"""The public status page (Statuspage ``summary.json``) as a verdict for subscription routes.

Subscription and setup-token routes are never probed with their token (Anthropic authorises it
for Claude Code only), so the status page is their only live signal. Components that matter:
``Claude Code``, ``claude.ai`` and ``Claude API (api.anthropic.com)``; open incidents touching
them (or with no component listed) add a warning. A page we cannot read says nothing: it never
makes a route unhealthy by itself.

=================== ============================================
component status    verdict
=================== ============================================
operational         healthy
degraded_performance degraded (``overloaded``)
partial_outage      degraded (``outage``)
under_maintenance   degraded (``outage``)
major_outage        unhealthy (``outage``)
=================== ============================================
"""

from __future__ import annotations

import json
from typing import Any

from claude_failover.verdict import DEGRADED, HEALTHY, UNHEALTHY, Verdict

COMPONENTS = ("Claude Code", "claude.ai", "Claude API (api.anthropic.com)")
_RANK = {"operational": 0, "degraded_performance": 1, "under_maintenance": 2, "partial_outage": 2, "major_outage": 3}
_WORDS = {"degraded_performance": "degraded performance", "partial_outage": "partial outage",
          "major_outage": "major outage", "under_maintenance": "maintenance"}
_OPEN = ("investigating", "identified", "monitoring")


def parse(raw: bytes | str | dict, latency_ms: float | None = None) -> Verdict | None:
    """The verdict of a summary.json document; None when it is not one (say nothing)."""
    try:
        data = raw if isinstance(raw, dict) else json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    components = [c for c in _list(data.get("components")) if isinstance(c, dict)]
    ours = {c.get("name"): c for c in components if c.get("name") in COMPONENTS}
    ids = {c.get("id") for c in ours.values() if isinstance(c.get("id"), str) and c.get("id")}
    common: dict[str, Any] = {"source": "status-page", "latency_ms": latency_ms}

    worst_name, worst = None, "operational"
    for name in COMPONENTS:  # in that order: Claude Code first
        status = (ours.get(name) or {}).get("status")
        if isinstance(status, str) and _RANK.get(status, 0) > _RANK[worst]:
            worst_name, worst = name, status
    incident = _open_incident(data.get("incidents"), ids)

    if worst_name is not None:
        detail = f"status page: {worst_name} {_WORDS.get(worst, worst)}"
        if incident:
            detail += f" — {incident}"
        if worst == "major_outage":
            return Verdict(UNHEALTHY, "outage", detail, **common)
        return Verdict(DEGRADED, "overloaded" if worst == "degraded_performance" else "outage", detail, **common)
    if not ours:  # a page without our components: fall back to the page's overall indicator
        indicator = (data.get("status") or {}).get("indicator") if isinstance(data.get("status"), dict) else None
        if indicator not in ("none", "minor", "major", "critical", "maintenance"):
            return None
        if indicator == "critical":
            return Verdict(UNHEALTHY, "outage", "status page: major system outage", **common)
        if indicator != "none":
            return Verdict(DEGRADED, "outage", f"status page: {indicator} incident"
                           + (f" — {incident}" if incident else ""), **common)
    if incident:
        return Verdict(DEGRADED, "outage", f"status page: {incident}", **common)
    return Verdict(HEALTHY, **common)


def _open_incident(incidents: Any, component_ids: set) -> str | None:
    """The name of the first open incident touching our components (or naming none)."""
    if not isinstance(incidents, list):
        return None
    for incident in incidents:
        if not isinstance(incident, dict) or incident.get("status", "investigating") not in _OPEN:
            continue
        touched = [c.get("id") for c in _list(incident.get("components"))
                   if isinstance(c, dict) and isinstance(c.get("id"), str)]
        if touched and component_ids and not (set(touched) & component_ids):
            continue
        name = incident.get("name")
        return (name if isinstance(name, str) and name.isprintable() else "open incident")[:120]
    return None


def _list(value: Any) -> list:
    """A JSON array, or nothing (a page that is not the expected shape says nothing)."""
    return value if isinstance(value, list) else []
