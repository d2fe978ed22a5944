"""What claude told us about each route's plan windows, limits and spend: ``usage.json`` in the state dir.

Separate from the health cache: it is written by the statusline (often, from inside claude), by the
StopFailure hook and by supervised runs, and read by the chooser and ``ctl status``. Everything in it
comes from claude's own reports — statusline input, limit messages, ``total_cost_usd`` — never from a
request of ours. 0600, replaced atomically (paths.atomic_write) under a short ``flock``; a write
that cannot happen (locked, disk full, read-only) is skipped: our bookkeeping never breaks claude's
status line or a launch. Writers compare first and write only when something changed.

Shape (``version`` 1)::

    {"version": 1,
     "routes": {"max": {
         "windows": {"five_hour": {"used_percentage": 42.0, "resets_at": 1796032104},
                     "seven_day": {"used_percentage": 12.0, "resets_at": 1796500000}},
         "windows_at": 1796020000.0,                   # when the windows last changed
         "limit": {"window": "five_hour", "resets_at": 1796032104, "until": 1796032104,
                   "exact": true, "source": "stream", "text": "5-hour limit", "at": 1796020000.0}}},
     "spend": {"work-key": {"<session id>": {"usd": 1.25, "days": {"2026-11-30": 1.25}, "at": …},
                            "run:<session id>:<time>": {"usd": 0.1, "days": {…}, "at": …}}}}

Spend is per session, so repeated statusline calls for one session (whose ``total_cost_usd`` only
grows) count each cent once: the increase since the last report is added to the local day it was
seen on. ``-p`` runs add their ``total_cost_usd`` under a key of their own.
"""

from __future__ import annotations

import os
import time

from claude_failover import paths

VERSION = 1
FILENAME = "usage.json"
MAX_BYTES = 2 * 1024 * 1024
KEEP_DAYS = 62              # spend older than two months is dropped (the longest cap period is a month)
MAX_SESSIONS = 2000         # per route
WINDOWS = ("five_hour", "seven_day")
LOCK_WAIT = 0.25            # seconds: the statusline never waits longer for a busy file


def state_path() -> str:
    return os.path.join(paths.state_dir(), FILENAME)


def empty() -> dict:
    return {"version": VERSION, "routes": {}, "spend": {}}


def _parse(raw: bytes) -> dict:
    import json

    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("not a usage state file")
    if not isinstance(data.get("routes"), dict):
        data["routes"] = {}
    if not isinstance(data.get("spend"), dict):
        data["spend"] = {}
    return data


def read(path: str | None = None) -> dict:
    """The state; empty when missing, unreadable or corrupt (never raises)."""
    try:
        with open(path or state_path(), "rb") as handle:
            return _parse(handle.read(MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return empty()


def read_quick(path: str | None = None) -> dict:
    """:func:`read` for a launch: through parse_memo (a remembered parse: no ``json`` import while
    the file is unchanged); empty when missing or corrupt (never raises)."""
    from claude_failover import parse_memo

    try:
        return parse_memo.load(path or state_path(), "usage", _parse, MAX_BYTES)
    except (OSError, ValueError, RecursionError):
        return empty()


def update(mutate, path: str | None = None, lock_timeout: float = LOCK_WAIT) -> bool:
    """Apply ``mutate(data) -> bool`` (True: it changed something) to the freshest state under the
    lock and write it back only then. False when nothing was written (unchanged, locked, or the
    write failed: best effort)."""
    from claude_failover.cache import _locked

    path = path or state_path()
    try:
        with _locked(path, lock_timeout) as got:
            if not got:
                return False
            data = read(path)
            if not mutate(data):
                return False
            import json

            # no parse_memo.remember here: the statusline writes often and a second file would double
            # its cost; the next launch parses once (read_quick) and remembers it itself
            paths.atomic_write(path, json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
            return True
    except OSError:  # a read-only or full state dir: the record is lost, nothing else breaks
        return False


# --- plan windows and limits --------------------------------------------------------------------

def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def clean_windows(rate_limits) -> dict | None:
    """claude's statusline ``rate_limits`` (or limits.windows_from_event's result) reduced to
    ``{"five_hour": {"used_percentage": 42.0, "resets_at": 1796032104}}``; None when absent."""
    if not isinstance(rate_limits, dict):
        return None
    out = {}
    for name, item in rate_limits.items():
        if not isinstance(name, str) or not isinstance(item, dict):
            continue
        used = _number(item.get("used_percentage"))
        if used is None:
            continue
        out[name] = {"used_percentage": round(min(100.0, max(0.0, used)), 1),
                     "resets_at": _number(item.get("resets_at"))}
    return out


def _route(data: dict, name: str) -> dict:
    routes = data.setdefault("routes", {})
    if not isinstance(routes.get(name), dict):
        routes[name] = {}
    return routes[name]


def _set_windows(data: dict, route: str, windows: dict, now: float) -> bool:
    item = _route(data, route)
    if item.get("windows") == windows:
        return False
    item["windows"], item["windows_at"] = windows, now
    return True


def _add_cost(data: dict, route: str, key: str, usd: float, now: float, cumulative: bool) -> bool:
    from claude_failover.spend import day_key

    ledger = data.setdefault("spend", {}).setdefault(route, {})
    if not isinstance(ledger, dict):
        ledger = data["spend"][route] = {}
    entry = ledger.get(key) if isinstance(ledger.get(key), dict) else None
    previous = _number(entry.get("usd")) if entry else None
    if cumulative and previous is not None:
        if usd == previous:
            return False
        added = usd - previous if usd > previous else 0.0   # a lower total (a restart): nothing new spent
    else:
        added = usd
    entry = entry or {"usd": 0.0, "days": {}}
    if not isinstance(entry.get("days"), dict):
        entry["days"] = {}
    entry["usd"], entry["at"] = usd if cumulative else (previous or 0.0) + usd, now
    if added > 0:
        day = day_key(now)
        entry["days"][day] = round(_number(entry["days"].get(day)) or 0.0, 6) + added
    ledger[key] = entry
    _prune(ledger, now)
    return True


def _prune(ledger: dict, now: float) -> None:
    """Drop entries last touched more than KEEP_DAYS ago, then the oldest beyond MAX_SESSIONS."""
    cutoff = now - KEEP_DAYS * 86400
    for key in [k for k, v in ledger.items() if not isinstance(v, dict) or (_number(v.get("at")) or 0) < cutoff]:
        del ledger[key]
    if len(ledger) > MAX_SESSIONS:
        for key in sorted(ledger, key=lambda k: _number(ledger[k].get("at")) or 0)[:len(ledger) - MAX_SESSIONS]:
            del ledger[key]


def record_statusline(route: str | None, payload: dict, now: float | None = None, path: str | None = None,
                      data: dict | None = None) -> bool:
    """Record what one statusline input says about the active ``route``: its ``rate_limits`` windows
    and the session's ``cost.total_cost_usd``. Writes only when something changed; True if it wrote.
    Never raises for bad input or an unwritable state dir. ``data``: the state as just read (saves
    a read)."""
    if not route or not isinstance(payload, dict):
        return False
    now = time.time() if now is None else now
    windows = clean_windows(payload.get("rate_limits"))
    cost = given if isinstance(given := payload.get("cost"), dict) else {}
    usd = _number(cost.get("total_cost_usd"))
    session = payload.get("session_id") if isinstance(payload.get("session_id"), str) else None
    if windows is None and (usd is None or not session):
        return False
    if not _changed(read(path) if data is None else data, route, windows, session, usd):
        return False   # the common case: one read, no lock, no write

    def mutate(data):
        changed = windows is not None and _set_windows(data, route, windows, now)
        if usd is not None and session:
            changed = _add_cost(data, route, session[:128], usd, now, cumulative=True) or changed
        return changed

    return update(mutate, path)


def _changed(data: dict, route: str, windows: dict | None, session: str | None, usd: float | None) -> bool:
    item = data["routes"].get(route) if isinstance(data["routes"].get(route), dict) else {}
    if windows is not None and item.get("windows") != windows:
        return True
    if usd is not None and session:
        ledger = data["spend"].get(route) if isinstance(data["spend"].get(route), dict) else {}
        entry = given if isinstance(given := ledger.get(session[:128]), dict) else {}
        return _number(entry.get("usd")) != usd
    return False


def record_windows(route: str, windows: dict | None, now: float | None = None, path: str | None = None) -> bool:
    """Record plan windows read elsewhere (a stream-json ``rate_limit_event``)."""
    windows = clean_windows(windows)
    if not route or not windows:
        return False
    now = time.time() if now is None else now
    return update(lambda data: _set_windows(data, route, windows, now), path, lock_timeout=2.0)


def record_limit(route: str, limit, now: float | None = None, path: str | None = None) -> float:
    """Record that ``route`` hit ``limit`` (a limits.Limit); returns until when to skip it.
    A later reading of the same limit keeps the better reset (limits.best)."""
    from claude_failover import limits as limits_mod

    now = time.time() if now is None else now

    def mutate(data):
        item = _route(data, route)
        previous = given if isinstance(given := item.get("limit"), dict) else {}
        old = limits_mod.Limit.from_dict(previous)
        still = (_number(previous.get("until")) or 0) > now
        same = old is not None and still and old.window == limit.window
        chosen = (limits_mod.best(old, limit) or limit) if same else limit
        record = {**chosen.to_dict(), "until": chosen.skip_until(now)}
        if {k: v for k, v in previous.items() if k != "at"} == record:
            return False    # the same limit reported again: nothing to write
        item["limit"] = {**record, "at": now}
        return True

    update(mutate, path, lock_timeout=2.0)
    current = limit_of(route, now, path)
    return current[1] if current else limit.skip_until(now)


def clear_limit(route: str, path: str | None = None) -> bool:
    """Forget ``route``'s limit (it answered again)."""
    def mutate(data):
        item = data["routes"].get(route)
        return isinstance(item, dict) and item.pop("limit", None) is not None

    return update(mutate, path, lock_timeout=2.0)


def limit_record(route: str, data: dict) -> dict | None:
    """The raw limit record of ``route`` (``until`` may have passed), or None. No imports: the
    launch's admission reads it."""
    routes = data.get("routes") if isinstance(data, dict) else None
    item = routes.get(route) if isinstance(routes, dict) else None
    record = item.get("limit") if isinstance(item, dict) else None
    return record if isinstance(record, dict) else None


def ended_limit(route: str, now: float | None = None, data: dict | None = None):
    """(limits.Limit, until) when ``route`` has a recorded limit whose reset has passed (it is back)."""
    from claude_failover.limits import Limit

    now = time.time() if now is None else now
    record = limit_record(route, read() if data is None else data)
    until = _number(record.get("until")) if record else None
    limit = Limit.from_dict(record) if record else None
    if limit is None or until is None or until > now:
        return None
    return limit, until


def limit_of(route: str, now: float | None = None, path: str | None = None, data: dict | None = None):
    """(limits.Limit, until) while ``route`` is at a recorded limit, else None."""
    from claude_failover.limits import Limit

    now = time.time() if now is None else now
    data = read(path) if data is None else data
    item = data["routes"].get(route) if isinstance(data["routes"].get(route), dict) else {}
    record = item.get("limit") if isinstance(item.get("limit"), dict) else None
    until = _number(record.get("until")) if record else None
    limit = Limit.from_dict(record) if record else None
    if limit is None or until is None or until <= now:
        return None
    return limit, until


def windows_of(route: str, now: float | None = None, path: str | None = None, data: dict | None = None) -> dict:
    """The route's last reported windows whose reset has not passed (claude drops those too)."""
    now = time.time() if now is None else now
    data = read(path) if data is None else data
    item = data["routes"].get(route) if isinstance(data["routes"].get(route), dict) else {}
    windows = given if isinstance(given := item.get("windows"), dict) else {}
    return {name: w for name, w in windows.items() if isinstance(w, dict)
            and ((resets := _number(w.get("resets_at"))) is None or resets > now)}


def over_switch_at(route: str, switch_at: float, now: float | None = None, path: str | None = None,
                   data: dict | None = None) -> tuple[str, dict] | None:
    """(window, its reading) when the statusline last reported a window of ``route`` at or above
    ``switch_at`` percent (still before its reset); None otherwise (and always for 100+: the
    limit itself is reported as a limit)."""
    if switch_at >= 100:
        return None
    for name, window in sorted(windows_of(route, now, path, data).items()):
        used = _number(window.get("used_percentage"))
        if used is not None and used >= switch_at:
            return name, window
    return None


# --- spend --------------------------------------------------------------------------------------

def record_run_cost(route: str, session_id: str | None, usd, now: float | None = None,
                    path: str | None = None) -> bool:
    """Add a ``-p`` run's ``total_cost_usd`` to ``route``'s ledger (each run counted once)."""
    usd = _number(usd)
    if not route or usd is None or usd <= 0:
        return False
    now = time.time() if now is None else now
    key = f"run:{(session_id or '-')[:128]}:{now:.3f}"
    return update(lambda data: _add_cost(data, route, key, usd, now, cumulative=False), path, lock_timeout=2.0)


def spend_days(route: str, path: str | None = None, data: dict | None = None) -> dict[str, float]:
    """``{"2026-11-30": 1.25, …}``: what ``route`` cost per local day, all sessions and runs summed."""
    data = read(path) if data is None else data
    ledger = data["spend"].get(route) if isinstance(data["spend"].get(route), dict) else {}
    days: dict[str, float] = {}
    for entry in ledger.values():
        for day, amount in ((entry.get("days") or {}).items() if isinstance(entry, dict) else ()):
            if isinstance(day, str) and _number(amount) is not None:
                days[day] = days.get(day, 0.0) + float(amount)
    return days


def over_cap(route: str, cap: tuple[float, str], now: float | None = None, path: str | None = None,
             data: dict | None = None) -> tuple[bool, float, float]:
    """(is ``route`` over its ``max_spend`` now, spent in the period, when the period ends)."""
    from claude_failover import spend

    return spend.over_cap(spend_days(route, path, data), cap, now)


# --- words for the chooser, the notification and `ctl status` -------------------------------------

def local_time(at: float, now: float | None = None) -> str:
    """A time in local time, short: "09:48" today, "Thu 07:00" within a week, else "Dec 12 07:00"."""
    return _local(at, time.time() if now is None else now)


def _local(at: float, now: float) -> str:
    """A reset in local time: "09:48" today, "Thu 07:00" within a week, else "Dec 12 07:00"."""
    when = time.localtime(at)
    if time.strftime("%Y-%m-%d", when) == time.strftime("%Y-%m-%d", time.localtime(now)):
        return time.strftime("%H:%M", when)
    return time.strftime("%a %H:%M" if at - now < 6 * 86400 else "%b %d %H:%M", when)


def switch_words(route: str, switch_at: float, now: float | None = None, data: dict | None = None) -> str | None:
    """Why the next launch leaves ``route`` before its wall: "5-hour window at 92% (switch_at 90%)"."""
    found = over_switch_at(route, switch_at, now, data=data)
    if found is None:
        return None
    name, window = found
    return f"{WINDOW_NAMES.get(name, name)} at {window['used_percentage']:.0f}% (switch_at {switch_at:.0f}%)"


WINDOW_NAMES = {"five_hour": "5-hour window", "seven_day": "weekly window"}


def summary(route: str, max_spend: tuple[float, str] | None = None, now: float | None = None,
            data: dict | None = None) -> dict:
    """What ``ctl status`` shows for ``route`` (JSON-ready): its windows with local reset times, a
    limit it is at, and its spend in the cap's period (or today) against the cap."""
    from claude_failover import spend as spend_mod

    now = time.time() if now is None else now
    data = read() if data is None else data
    windows = {name: {**w, "resets_local": _local(w["resets_at"], now) if _number(w.get("resets_at")) else None}
               for name, w in sorted(windows_of(route, now, data=data).items())}
    out: dict = {"windows": windows, "limit": None, "spend": None}
    current = limit_of(route, now, data=data)
    if current is not None:
        limit, until = current
        out["limit"] = {"window": limit.window, "words": limit.words(), "until": until,
                        "until_local": _local(until, now), "exact": limit.exact}
    days = spend_days(route, data=data)
    period = max_spend[1] if max_spend else "day"
    spent = spend_mod.spent_in(days, period, now)
    if days or max_spend:
        out["spend"] = {"usd": round(spent, 4), "period": period, "cap": max_spend[0] if max_spend else None,
                        "period_end": spend_mod.period_end(period, now),
                        "over": bool(max_spend and spent >= max_spend[0])}
    return out


def summary_words(item: dict) -> str:
    """One line of :func:`summary`: "5h 42% (resets 09:48) · 7d 17% (resets Thu 07:00) · $3.20 of $20/day"."""
    parts = []
    if item.get("limit"):
        parts.append(f"at its {item['limit']['words']} until {item['limit']['until_local']}")
    for name, w in item.get("windows", {}).items():
        short = {"five_hour": "5h", "seven_day": "7d"}.get(name, name)
        resets = f" (resets {w['resets_local']})" if w.get("resets_local") else ""
        parts.append(f"{short} {w['used_percentage']:.0f}%{resets}")
    money = item.get("spend")
    if money:
        cap = f" of ${money['cap']:g}/{money['period']}" if money.get("cap") is not None else f" this {money['period']}"
        parts.append(f"${money['usd']:.2f}{cap}" + (" — over its cap" if money.get("over") else ""))
    return " · ".join(parts)
