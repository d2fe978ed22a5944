"""Durations as the config file and `ctl pin --for` read them (seconds, "90s", "5m", "2h", "1h30m"), and
as every message prints them (:func:`say`: "2 s", "0.5 s", "5 min", "1.5 h")."""

from __future__ import annotations

DURATION = r"^(?:(\d+(?:\.\d+)?)\s*h\s*)?(?:(\d+(?:\.\d+)?)\s*m\s*)?(?:(\d+(?:\.\d+)?)\s*s?)?$"
MAX_SECONDS = 7 * 86400


class DurationError(ValueError):
    """Not a duration, or out of range; the message names ``what`` (a key or an option)."""


def parse_duration(value: object, what: str | None = None) -> float:
    """Seconds from a number or a string like 2, "90s", "5m", "2h" or "1h30m" (more than 0, at most
    7 days). Raises DurationError with a one-line message naming ``what``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        import re

        text = value.strip() if isinstance(value, str) else ""
        match = re.match(DURATION, text) if 0 < len(text) <= 64 else None
        if not match or not any(match.groups()):
            shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else repr(value[:40] + "…")
            start = f"{what} must be a duration" if what else "expected a duration"
            raise DurationError(f"{start} like 2, \"90s\", \"5m\" or \"2h\", not {shown}")
        hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if not 0 < seconds <= MAX_SECONDS or seconds != seconds:
        raise DurationError(f"{what or 'a duration'} must be more than 0 and at most 7 days")
    return seconds


def say(seconds: float) -> str:
    """A duration as messages print it: "2 s" (not "1.98519 s"), "0.5 s", "45 s", "5 min", "1.5 h"."""
    if seconds < 0.95:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f}".removesuffix(".0") + " h"
