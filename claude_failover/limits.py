"""Reading a plan's usage limit from what claude itself reports: window, reset time, words.

Claude Code learns a subscription's limits from the ``anthropic-ratelimit-unified-*`` headers of its
own requests; we never send the token. What reaches us (measured on claude 2.1.328, docs/limits.md):

- the limit line it prints (``-p`` text, the ``result`` of ``--output-format json``, the StopFailure
  hook's ``last_assistant_message``): ``You've hit your 5-hour limit · resets 9:48am (UTC)``,
  ``You've hit your weekly limit · resets Dec 2, 10:21am (America/New_York)``, or no reset at all.
  The time is claude's local clock, rounded down to the minute, with its time zone in brackets;
  a date is added when the reset is more than a day away (and the year when it is not this year);
- the JSON result's ``api_error: "usage_limit_reached"`` (``api_error_status: 429``);
- in ``stream-json`` a ``{"type": "rate_limit_event", "rate_limit_info": {"status": "rejected",
  "resetsAt": <unix s>, "rateLimitType": "five_hour", "unifiedWindows": {...}}}`` event — the exact
  reset — and the failed assistant message's ``api_error_params.rate_limit_info`` (same fields);
- an HTTP ``retry-after`` (our own probes of API-key routes).

Every wording of the pinned binary's limit line is listed in ``NAMES`` (the binary's own table:
five_hour "5-hour limit", seven_day "weekly limit", seven_day_opus "Opus limit", seven_day_sonnet
"Sonnet limit", seven_day_overage_included "Fable limit", overage "usage credit limit", and the
spend limits of organisations). A limit whose reset cannot be read gets ``UNKNOWN_RESET_WAIT``:
long enough not to bounce back to an exhausted plan, short enough to be re-checked soon.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

# A limit with no readable reset is skipped this long, then tried again (never a 60 s cooldown:
# a plan window lasts hours; an hour's wait costs at most an hour of the paid fallback).
UNKNOWN_RESET_WAIT = 3600.0
# No reset is believed further away than this (a weekly window plus a day of slack).
MAX_RESET_AHEAD = 8 * 86400.0
# claude prints the reset rounded down to the minute: the real reset lies within the next 60 s.
MINUTE = 60.0

# claude's limit names (its ``You've hit your <name>`` line) -> our window key. Longest first.
NAMES: tuple[tuple[str, str], ...] = (
    ("channel's monthly spend limit", "spend"),
    ("channel's monthly usage limit", "spend"),
    ("org's monthly spend limit", "spend"),
    ("org's monthly usage limit", "spend"),
    ("team's pooled group budget", "spend"),
    ("individual spend limit", "spend"),
    ("individual usage limit", "spend"),
    ("monthly spend limit", "spend"),
    ("monthly limit", "spend"),
    ("usage credit limit", "overage"),
    ("5-hour limit", "five_hour"),
    ("session limit", "five_hour"),      # claude treats "session limit" as the five-hour window
    ("weekly limit", "seven_day"),
    ("Opus limit", "seven_day_opus"),
    ("Sonnet limit", "seven_day_sonnet"),
    ("Fable limit", "seven_day_overage_included"),
    ("fast limit", "fast"),
    ("usage limit", "usage"),
    ("limit", "usage"),
)
# rateLimitType (stream-json, headers) -> the same keys; unknown types pass through.
WINDOW_WORDS = {
    "five_hour": "5-hour limit", "seven_day": "weekly limit", "seven_day_opus": "Opus limit",
    "seven_day_sonnet": "Sonnet limit", "seven_day_overage_included": "Fable limit",
    "overage": "usage credit limit", "spend": "spend limit", "fast": "fast-mode limit",
    "usage": "usage limit", "org_paused": "organisation usage paused", "rate": "rate limit",
}

_NAME_ALT = "|".join(re.escape(name) for name, _ in NAMES)
_HIT = re.compile(r"you(?:'|’)ve (?:hit|reached) your (" + _NAME_ALT + r")\b", re.I)   # "reached": 2.1.332's Fable wording
_OTHER = (
    (re.compile(r"you(?:'|’)re out of usage credits", re.I), "overage"),
    (re.compile(r"usage is paused for your organization", re.I), "org_paused"),
    (re.compile(r"fast limit reached", re.I), "fast"),
    (re.compile(r"\bspend limit reached\b", re.I), "spend"),   # a gateway's own words, shown as-is
    (re.compile(r"\busage limit reached\b", re.I), "usage"),
)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# "resets 9:48am (UTC)", "resets at 7am", "resets Dec 2, 10:21am (America/New_York)",
# "resets Dec 2, 2027, 3am (Europe/Paris)", "resets Aug 8" (a gateway's date, UTC)
_RESETS = re.compile(
    r"\bresets\s+(?:at\s+)?"
    r"(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>\d{4}))?(?:,\s*|\s+(?=\d))?)?"
    r"(?:(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm))?"
    r"(?:\s*\((?P<tz>[A-Za-z][A-Za-z0-9_+\-/]{0,63})\))?", re.I)
# "resets in 1h 5m", "resets in 45s" (fast mode)
_RESETS_IN = re.compile(r"\bresets in\s+((?:\d+\s*[dhms]\s*)+)", re.I)
_DURATION_PART = re.compile(r"(\d+)\s*([dhms])", re.I)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class Limit:
    """A usage limit claude reported. ``resets_at`` is unix seconds, or None when unknown."""

    window: str                     # five_hour, seven_day, seven_day_opus, …, spend, usage
    resets_at: float | None = None
    text: str = ""                  # our words, e.g. "5-hour limit · resets 9:48am (UTC)"
    exact: bool = False             # the reset came as a number (stream-json, headers), not a rounded clock time
    source: str = "text"            # text, json, stream, hook, retry-after, statusline

    def skip_until(self, now: float | None = None) -> float:
        """Until when a route at this limit is skipped: the reset (capped), else a re-checked hour."""
        now = time.time() if now is None else now
        if self.resets_at is not None and now < self.resets_at <= now + MAX_RESET_AHEAD:
            return self.resets_at
        return now + UNKNOWN_RESET_WAIT

    def words(self) -> str:
        """What happened, in a few words: "5-hour limit"."""
        return WINDOW_WORDS.get(self.window, self.window.replace("_", " ") + " limit")

    def back_words(self, route: str) -> str:
        """The notification when the route returns by itself: "max is back: 5-hour limit reset"."""
        return f"{route} is back: {self.words()} reset"

    def to_dict(self) -> dict:
        return {"window": self.window, "resets_at": self.resets_at, "text": self.text, "exact": self.exact,
                "source": self.source}

    @classmethod
    def from_dict(cls, data: dict) -> "Limit | None":
        if not isinstance(data, dict) or not isinstance(data.get("window"), str):
            return None
        resets = data.get("resets_at")
        resets = float(resets) if isinstance(resets, (int, float)) and not isinstance(resets, bool) else None
        return cls(data["window"], resets, str(data.get("text") or ""), data.get("exact") is True,
                   str(data.get("source") or "text"))


def best(*limits: "Limit | None") -> Limit | None:
    """The most useful of several readings of one failure: an exact reset beats a clock time,
    a known reset beats none, a named window beats the generic "usage"."""
    found = [item for item in limits if item is not None]
    if not found:
        return None
    return max(found, key=lambda item: (item.resets_at is not None and item.exact, item.resets_at is not None,
                                        item.window != "usage"))


# --- the limit line ---------------------------------------------------------------------------

def from_text(text: str, now: float | None = None, local: tzinfo | None = None,
              source: str = "text") -> Limit | None:
    """The usage limit named in claude's output (any wording of 2.1.328), or None.

    ``now`` and ``local`` (the time zone claude ran in, for a reset printed without one) are for
    tests; by default the clock and this machine's zone.
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[-4000:]
    window, name, start = None, "", 0
    found = _HIT.search(text)
    if found:
        name, start = found.group(1), found.end()
        window = dict((n.lower(), w) for n, w in NAMES)[name.lower()]
    else:
        for pattern, key in _OTHER:
            other = pattern.search(text)
            if other:
                window, name, start = key, WINDOW_WORDS[key], other.end()
                break
    if window is None:
        return None
    now = time.time() if now is None else now
    rest = text[start:start + 400].split("\n", 1)[0]
    resets_at, when = None, ""
    relative = _RESETS_IN.search(rest)
    if relative:
        seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _DURATION_PART.findall(relative.group(1)))
        resets_at, when = now + seconds, "in " + " ".join(relative.group(1).split())
    else:
        for clock in _RESETS.finditer(rest):
            if clock.group("mon") or clock.group("hour"):
                resets_at = _reset_time(clock, now, local)
                when = " ".join(clock.group(0).split()[1:])
                break
    words = f"{name} · resets {when}" if when else name
    return Limit(window, resets_at, words, exact=False, source=source)


def _zone(name: str | None, local: tzinfo | None) -> tzinfo | None:
    if not name:
        return local
    if name.upper() in ("UTC", "GMT", "Z"):
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError, ImportError):  # unknown zone, no tzdata: the local zone
        return local


def _reset_time(found: re.Match, now: float, local: tzinfo | None) -> float | None:
    """Unix seconds of a printed reset (the end of the printed minute, as claude rounds down)."""
    zone = _zone(found.group("tz"), local)
    if found.group("mon") and not found.group("hour") and not found.group("tz"):
        zone = timezone.utc  # a gateway's "resets Aug 8" is a UTC date
    current = datetime.fromtimestamp(now, zone) if zone is not None else datetime.fromtimestamp(now).astimezone()
    hour, minute = 0, 0
    if found.group("hour"):
        hour = int(found.group("hour")) % 12 + (12 if found.group("ampm").lower() == "pm" else 0)
        minute = int(found.group("minute") or 0)
        if minute > 59:
            return None
    try:
        if found.group("mon"):
            month, day = _MONTHS[found.group("mon")[:3].lower()], int(found.group("day"))
            year = int(found.group("year")) if found.group("year") else current.year
            when = current.replace(year=year, month=month, day=day, hour=hour, minute=minute, second=0,
                                   microsecond=0)
            if not found.group("year") and when < current - timedelta(days=1):
                when = when.replace(year=year + 1)   # a reset is ahead: "Jan 2" printed in December
        else:
            when = current.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if when + timedelta(seconds=MINUTE) <= current:
                when += timedelta(days=1)            # a time of day already past: tomorrow's
    except ValueError:  # Feb 30
        return None
    if when.tzinfo is None:
        when = when.astimezone()
    # a wall-clock time in a DST gap or fold: datetime picks one reading; a minute's error is fine
    return when.timestamp() + MINUTE


# --- structured signals -----------------------------------------------------------------------

def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def from_rate_limit_info(info: object, source: str = "stream") -> Limit | None:
    """claude's ``rate_limit_info`` (stream-json ``rate_limit_event``, ``api_error_params``):
    a Limit when its status is ``rejected``; the reset is exact."""
    if not isinstance(info, dict) or info.get("status") != "rejected":
        return None
    kind = given if isinstance(given := info.get("rateLimitType"), str) else "usage"
    resets = _number(info.get("resetsAt"))
    if info.get("isUsingOverage") is True or (info.get("overageStatus") == "rejected" and kind == "usage"):
        resets = _number(info.get("overageResetsAt")) or resets
    text = WINDOW_WORDS.get(kind, kind.replace("_", " ") + " limit")
    return Limit(kind, resets, text, exact=resets is not None, source=source)


def from_event(event: dict) -> Limit | None:
    """A limit in one ``stream-json`` event: the ``rate_limit_event`` or a failed assistant message."""
    if not isinstance(event, dict):
        return None
    if event.get("type") == "rate_limit_event":
        return from_rate_limit_info(event.get("rate_limit_info"))
    if event.get("type") == "assistant" and (event.get("is_api_error_message") or event.get("error")):
        params = given if isinstance(given := event.get("api_error_params"), dict) else {}
        exact = from_rate_limit_info(params.get("rate_limit_info"))
        message = given if isinstance(given := event.get("message"), dict) else {}
        text = " ".join(b.get("text", "") for b in message.get("content") or []
                        if isinstance(b, dict) and isinstance(b.get("text"), str))
        return best(exact, from_text(text, source="stream"))
    if event.get("type") == "result":
        return from_result(event, source="stream")
    return None


def windows_from_event(event: dict) -> dict[str, dict]:
    """Window usage from a ``rate_limit_event`` (any status): ``{"five_hour": {"used_percentage": 100.0,
    "resets_at": 1796032104}}``, the statusline's shape, for recording."""
    info = event.get("rate_limit_info") if isinstance(event, dict) else None
    windows = info.get("unifiedWindows") if isinstance(info, dict) else None
    out = {}
    for name, item in (windows or {}).items() if isinstance(windows, dict) else ():
        if isinstance(item, dict) and (used := _number(item.get("utilization"))) is not None:
            out[name] = {"used_percentage": min(100.0, max(0.0, used * 100)),
                         "resets_at": _number(item.get("resetsAt"))}
    return out


def from_result(obj: dict, now: float | None = None, source: str = "json") -> Limit | None:
    """The ``result`` object of ``--output-format json``: ``api_error: "usage_limit_reached"`` or a
    limit line in ``result``."""
    if not isinstance(obj, dict) or obj.get("is_error") is not True:
        return None
    text = given if isinstance(given := obj.get("result"), str) else ""
    found = from_text(text, now, source=source)
    if found is None and obj.get("api_error") == "usage_limit_reached":
        return Limit("usage", None, "usage limit", source=source)
    return found


def from_hook(event: dict, now: float | None = None) -> Limit | None:
    """The StopFailure hook's input: ``error: "rate_limit"`` with the limit line in
    ``last_assistant_message`` (2.1.328 sends no ``error_details``). None for a plain rate limit."""
    if not isinstance(event, dict) or event.get("error") != "rate_limit":
        return None
    details = event.get("error_details")
    exact = from_rate_limit_info(details.get("rate_limit_info"), "hook") if isinstance(details, dict) else None
    text = event.get("last_assistant_message")
    return best(exact, from_text(text, now, source="hook") if isinstance(text, str) else None)


def from_retry_after(seconds: float | None, now: float | None = None, window: str = "rate") -> Limit | None:
    """A ``retry-after`` (seconds, as classify.parse_retry_after reads it) as a limit with an exact end."""
    if seconds is None or seconds != seconds or seconds < 0:
        return None
    now = time.time() if now is None else now
    return Limit(window, now + min(seconds, MAX_RESET_AHEAD), f"retry after {int(seconds)} s", exact=True,
                 source="retry-after")


def from_run(output: str | bytes, output_format: str = "text", now: float | None = None) -> Limit | None:
    """The limit a finished ``claude -p`` run reported, from all it printed, in any output format."""
    if isinstance(output, bytes):
        output = output.decode("utf-8", "replace")
    if output_format == "text":
        return from_text(output[-4000:], now)
    import json

    found: list[Limit | None] = []
    for line in output.splitlines()[-200:]:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            continue
        found.append(from_event(event) if output_format == "stream-json" else from_result(event, now))
    return best(*found)


__all__ = ["Limit", "best", "from_text", "from_event", "from_rate_limit_info", "windows_from_event",
           "from_result", "from_hook", "from_retry_after", "from_run", "NAMES", "WINDOW_WORDS",
           "UNKNOWN_RESET_WAIT"]
