"""Spend caps and plan thresholds of a profile: parsing ``max_spend``, ``switch_at``, ``wait_for_reset``,
and the periods a cap counts in.

``max_spend = "20/day"`` (also ``"5/week"``, ``"200/month"``, ``"$20 / day"``): an amount in USD per
calendar period in local time — a day from midnight, a week from Monday, a month from the 1st. The
amounts spent are claude's own cost reports, kept by usage_state.py per local day; a route over its
cap is skipped until its period ends.

The parse functions raise ``ValueError`` with a one-line message naming the key; config.py wraps it
with the file, line and column.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

PERIODS = ("day", "week", "month")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_max_spend(value) -> tuple[float, str]:
    """``"20/day"`` -> (20.0, "day"). A non-negative amount; the period is day, week or month."""
    hint = 'max_spend: expected an amount in USD per period, like "20/day", "5/week" or "200/month"'
    if not isinstance(value, str) or "/" not in value:
        raise ValueError(f"{hint}, not {value!r}")
    amount, _, period = value.partition("/")
    amount = amount.strip().lstrip("$").strip()
    if amount.lower().endswith("usd"):
        amount = amount[:-3].strip()
    period = period.strip().lower()
    period = {"d": "day", "daily": "day", "w": "week", "weekly": "week", "m": "month", "monthly": "month",
              "mo": "month"}.get(period, period)
    try:
        number = float(amount)
    except ValueError:
        raise ValueError(f"{hint}, not {value!r}") from None
    if period not in PERIODS:
        raise ValueError(f"max_spend: the period must be day, week or month, not {period!r}")
    if not 0 <= number < float("inf"):
        raise ValueError(f"max_spend: the amount must be 0 or more, not {amount!r}")
    return number, period


def parse_switch_at(value) -> float:
    """A percentage of a plan window (``90``, ``"90%"``): at or above it the next launch falls back.
    1–100; 100 (the default) switches only at the limit itself."""
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        number = float("nan")
    if not 1 <= number <= 100:
        raise ValueError(f"switch_at: expected a percentage from 1 to 100 (default 100), not {value!r}")
    return number


def parse_wait_for_reset(value) -> float:
    """A duration (``"30m"``, ``"2h"``, ``"1h30m"``, ``"90s"``, or seconds as a number) -> seconds.
    0 turns waiting off."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text, seconds, number = value.strip().lower().replace(" ", ""), 0.0, ""
        for char in text:
            if char.isdigit() or char == ".":
                number += char
            elif char in _UNITS and number:
                seconds += float(number) * _UNITS[char]
                number = ""
            else:
                seconds = float("nan")
                break
        if number:  # a bare number is seconds
            try:
                seconds += float(number)
            except ValueError:
                seconds = float("nan")
    else:
        seconds = float("nan")
    if not 0 <= seconds <= 7 * 86400:
        raise ValueError(f'wait_for_reset: expected a duration up to 7 days, like "30m", "2h" or "1h30m", '
                         f"not {value!r}")
    return seconds


def period_bounds(period: str, now: float | None = None) -> tuple[date, date]:
    """[first day, first day after) of the local-time period containing ``now``."""
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    if period == "day":
        return today, today + timedelta(days=1)
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    if period == "month":
        start = today.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def period_end(period: str, now: float | None = None) -> float:
    """Unix seconds of local midnight that ends the period containing ``now``."""
    end = period_bounds(period, now)[1]
    return datetime(end.year, end.month, end.day).timestamp()


def day_key(now: float | None = None) -> str:
    """The local date a cost is counted on: ``"2026-11-30"``."""
    return datetime.fromtimestamp(time.time() if now is None else now).date().isoformat()


def spent_in(days: dict[str, float], period: str, now: float | None = None) -> float:
    """The sum of per-day amounts (``{"2026-11-30": 1.25}``) inside the period containing ``now``."""
    start, end = period_bounds(period, now)
    first, after = start.isoformat(), end.isoformat()
    return sum(amount for day, amount in days.items()
               if isinstance(amount, (int, float)) and first <= day < after)


def over_cap(days: dict[str, float], cap: tuple[float, str], now: float | None = None) -> tuple[bool, float, float]:
    """(over the cap now, spent in the period, when the period ends) for a route's per-day spend."""
    amount, period = cap
    spent = spent_in(days, period, now)
    return spent >= amount, spent, period_end(period, now)
