"""The health cache: one JSON file in the state dir, 0600, replaced atomically.

Readers never lock (an atomic rename means they always see a whole file); writers take an
exclusive ``fcntl`` lock on a side file for the read-merge-write, waiting at most ``lock_timeout``
(and giving up on the write rather than delaying a launch). A corrupt or unreadable file is
treated as empty, kept aside as ``health.json.corrupt`` for inspection, and rebuilt.

Shape (``version`` 1)::

    {"version": 1,
     "routes": {"<profile>": {"fingerprint": "…", "verdict": {…Verdict…},
                               "failures": 2, "cooldown_until": 1700000000.0}},
     "pin": {"profile": "work-key", "until": 1700007200.0 | null},
     "last": {"profile": "work-key", "preferred": "max", "fallback": true, "at": …, "reason": "…"},
     "status_pages": {"<summary.json url>": {…Verdict…}}}
"""

from __future__ import annotations

import os
import time

from claude_failover import parse_memo, paths
from claude_failover.verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any, Callable

VERSION = 1
FILENAME = "health.json"


def cache_path() -> str:
    return os.path.join(paths.state_dir(), FILENAME)


def empty() -> dict[str, Any]:
    return {"version": VERSION, "routes": {}, "pin": None, "last": None}


def read(path: str | None = None) -> dict[str, Any]:
    """The cache's content; an empty cache when missing or corrupt (never raises)."""
    path = path or cache_path()
    try:
        return parse_memo.load(path, "health", _parse, 8 * 1024 * 1024)
    except (OSError, ValueError, RecursionError):  # missing, unreadable or corrupt: start afresh
        return empty()


def _parse(raw: bytes) -> dict[str, Any]:
    import json

    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("routes"), dict):
        raise ValueError("not a health cache")
    data.setdefault("pin", None)
    data.setdefault("last", None)
    return data


def is_corrupt(path: str | None = None) -> bool:
    """Whether the cache file exists but is not a valid health cache (the doctor asks)."""
    try:
        with open(path or cache_path(), "rb") as handle:
            _parse(handle.read(8 * 1024 * 1024))
    except FileNotFoundError:
        return False
    except (OSError, ValueError, RecursionError):
        return True
    return False


class _locked:
    """An exclusive ``flock`` on ``<path>.lock``, waited for at most ``timeout`` seconds.

    ``with _locked(path, 2.0) as got:`` — ``got`` is False when the wait ran out. (A class, not
    ``contextlib``: that import costs ~5 ms on the launch path.)
    """

    def __init__(self, path: str, timeout: float):
        self.path, self.timeout, self.fd, self.held = path, timeout, -1, False   # fd: opened by __enter__

    def __enter__(self) -> bool:
        paths.ensure_private_dir(os.path.dirname(self.path))
        self.fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl
        except ImportError:  # Windows: best effort without a lock
            return True
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.005)

    def __exit__(self, *exc) -> None:
        if self.held:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def update(mutate: Callable[[dict[str, Any]], None], path: str | None = None,
           lock_timeout: float = 2.0) -> bool:
    """Apply ``mutate`` to the freshest content under the lock and write it back.

    Returns False (and writes nothing) when the lock could not be had in time; raises
    :class:`~claude_failover.errors.StateWriteError` when the state dir cannot be written (a
    missing permission, a path that is a file): callers on a launch warn and go on.
    """
    path = path or cache_path()
    try:
        return _update(mutate, path, lock_timeout)
    except OSError as exc:
        from claude_failover.errors import StateWriteError

        raise StateWriteError.from_os(path, exc) from None


def _update(mutate: Callable[[dict[str, Any]], None], path: str, lock_timeout: float) -> bool:
    with _locked(path, lock_timeout) as got:
        if not got:
            return False
        try:  # one parse under the lock (the mirror makes it free when nothing changed)
            data = parse_memo.load(path, "health", _parse, 8 * 1024 * 1024)
        except FileNotFoundError:
            data = empty()
        except (OSError, ValueError, RecursionError):  # corrupt: keep it aside for inspection, rebuild
            try:
                os.replace(path, path + ".corrupt")
            except OSError:
                pass
            data = empty()
        mutate(data)
        import json

        raw = json.dumps(data, indent=1, sort_keys=True).encode()
        paths.atomic_write(path, raw)
        parse_memo.remember(path, "health", raw, data)
    return True


# --- helpers on the content -----------------------------------------------------------------

def entry(data: dict[str, Any], name: str, fingerprint: str | None = None) -> dict[str, Any] | None:
    """The cache entry of a profile, ignored when it was recorded for other settings."""
    item = data.get("routes", {}).get(name)
    if not isinstance(item, dict):
        return None
    if fingerprint and item.get("fingerprint") not in (None, fingerprint):
        return None
    return item


def verdict_of(item: dict[str, Any] | None) -> Verdict | None:
    if not item or not isinstance(item.get("verdict"), dict):
        return None
    return Verdict.from_dict(item["verdict"])


def cooldown_left(item: dict[str, Any] | None, now: float | None = None) -> float:
    if not item:
        return 0.0
    until = item.get("cooldown_until")
    if not isinstance(until, (int, float)):
        return 0.0
    return max(0.0, until - (time.time() if now is None else now))


def record(data: dict[str, Any], name: str, fingerprint: str | None, verdict: Verdict,
           cooldown: float = 60.0, max_cooldown: float = 1800.0, keep_failures: bool = False) -> dict[str, Any]:
    """Store ``verdict`` for ``name``; a failure starts or doubles its cooldown (circuit breaker).

    A healthy or degraded verdict closes the breaker (failures reset to 0, unless
    ``keep_failures``: a verdict that proves nothing, so the next failure cools down longer).
    A soft failure (unreachable/timeout) cools down like any other. ``retry_after`` is a floor.
    """
    old = entry(data, name, fingerprint) or {}
    previous = _failures(old.get("failures"))
    item: dict[str, Any] = {"fingerprint": fingerprint, "verdict": verdict.to_dict()}
    if verdict.usable:
        item["failures"] = previous if keep_failures else 0
        item["cooldown_until"] = None
    else:
        failures = previous + 1
        # the exponent is capped: 2 ** 1024 no longer converts to a float (a route failing every
        # probe of the 4-minute timer gets there in under three days)
        wait = min(max_cooldown, cooldown * (2 ** min(failures - 1, 40)))
        if verdict.retry_after:
            wait = max(wait, min(verdict.retry_after, 7 * 86400))
        item["failures"] = failures
        item["cooldown_until"] = verdict.checked_at + wait
    data.setdefault("routes", {})[name] = item
    return item


def _failures(value) -> int:
    """A stored failure count; anything but a sane non-negative int (hand edits) counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, 1_000_000)


def forget(data: dict[str, Any], name: str) -> None:
    data.get("routes", {}).pop(name, None)


def active_pin(data: dict[str, Any], now: float | None = None) -> str | None:
    pin = data.get("pin")
    if not isinstance(pin, dict) or not isinstance(pin.get("profile"), str):
        return None
    until = pin.get("until")
    if isinstance(until, (int, float)) and until <= (time.time() if now is None else now):
        return None
    return pin["profile"]
