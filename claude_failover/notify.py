"""Desktop notifications when the active route changes. STUB until issue 6.

    route_changed(previous: str | None, current: str, preferred: str, reason: str) -> None
"""

from __future__ import annotations


def route_changed(previous, current, preferred, reason) -> None:
    return None
