"""The probe engine: every route's health checked in parallel under one deadline.

Each route type owns its checks (:mod:`claude_failover.routes`): ``local_check`` from local state,
then ``probe(profile, secret, ctx) -> Verdict | None`` for what it can learn live inside the
deadline of ``ctx`` (None: nothing, the local verdict stands). This package is only the engine:
:func:`run` (parallel threads, one deadline, a black-holed endpoint abandoned, never waited for),
:class:`ProbeContext` (deadline, cache snapshot, the status page fetched once per run),
:mod:`.http` (the one HTTP request, retried) and :func:`worst` (combining verdicts); answers are
classified by :mod:`claude_failover.classify`.

A check that raises is our bug, never the route's failure: its verdict has reason ``internal``
(unhealthy, so this launch prefers a route that was verified; "soft", so it is still tried when
nothing else is usable, unless ``strict``), it is never recorded in the health cache (no cooldown:
the next launch checks again), its detail says so, and ``CLAUDE_FAILOVER_DEBUG=1`` prints the
traceback.

Nothing here is imported on the launcher's warm path; httpx is imported by :mod:`.http` only
when a request is actually made.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from claude_failover.config.durations import say
from claude_failover.log import debug_traceback
from claude_failover.verdict import DEGRADED, HEALTHY, INTERNAL, UNHEALTHY, Verdict, healthy, unhealthy

_RANK = {HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2}
_KEYRING_LOCK = threading.Lock()  # one keyring conversation at a time
PAGE_MARGIN = 0.1  # seconds before the deadline when a status page stops being awaited
SECRET_MARGIN = 0.05  # a secret_cmd is killed this long before the deadline, so its own message is the verdict


@dataclass
class ProbeContext:
    """What a probe may use: the config, the caller's environment, the deadline, the cache."""

    cfg: Any
    environ: dict[str, str]
    deadline: float                      # time.monotonic() value
    data: dict = field(default_factory=dict)   # a snapshot of the health cache
    pages: dict = field(default_factory=dict)  # status_url -> Verdict fetched during this run
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _waits: dict = field(default_factory=dict)
    reading_secret: set = field(default_factory=set)  # routes whose secret_cmd is running now

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def status_page(self, url: str) -> Verdict | None:
        """The status page's verdict: from the cache when fresh, else fetched once per run."""
        with self._lock:
            if url in self.pages:
                return self.pages[url]
            fresh = cached_page(self.data, url, self.cfg.healthy_ttl)
            if fresh is not None:
                return fresh
            event = self._waits.get(url)
            if event is None:
                event = self._waits[url] = threading.Event()
                threading.Thread(target=self._fetch_page, args=(url, event), name="status-page", daemon=True).start()
        # Stop waiting a little before the deadline whatever the page does (black hole, slow drip):
        # a page we cannot read says nothing, it must not make the route time out.
        event.wait(max(0.0, self.remaining() - PAGE_MARGIN))
        return self.pages.get(url)

    def _fetch_page(self, url: str, event: threading.Event) -> None:
        from claude_failover import statuspage
        from claude_failover.probes import http

        verdict = None
        try:
            answer = http.fetch(url, {"accept": "application/json"}, self, margin=PAGE_MARGIN)
            if isinstance(answer, tuple) and answer[0] == 200:
                verdict = statuspage.parse(answer[1], latency_ms=answer[2])
        except Exception:  # our bug (statuspage.parse): a status page never breaks a probe
            debug_traceback(f"reading the status page {url}")
            verdict = None
        finally:
            with self._lock:  # a new dict: a reader iterating the old one is never disturbed
                self.pages = {**self.pages, url: verdict}
            event.set()


def cached_page(data: dict, url: str, ttl: float, now: float | None = None) -> Verdict | None:
    item = (data.get("status_pages") or {}).get(url)
    verdict = Verdict.from_dict(item) if isinstance(item, dict) else None
    now = time.time() if now is None else now
    if verdict is None or not (0 <= now - verdict.checked_at < ttl):
        return None
    return verdict


def worst(*verdicts: Verdict | None) -> Verdict | None:
    """The worst of the given verdicts (the later one on a tie: it is the live one)."""
    best = None
    for verdict in verdicts:
        if verdict is not None and (best is None or _RANK[verdict.state] >= _RANK[best.state]):
            best = verdict
    return best


def internal_verdict(what: str, exc: BaseException) -> Verdict:
    """The verdict of a check that raised inside claude-failover (our bug): reason ``internal``."""
    return unhealthy(INTERNAL, f"not verified: {what} failed inside claude-failover ({type(exc).__name__}); "
                     "CLAUDE_FAILOVER_DEBUG=1 shows the traceback")


def check(profile, ctx: ProbeContext):
    """(verdict, resolved secret or None) for one route: local state, then the live probe."""
    from claude_failover.decision import local_verdict

    start = time.monotonic()
    if any(kind == "keyring" for kind, _ in profile.secret_sources):
        with _KEYRING_LOCK:
            local, found = local_verdict(profile, ctx.environ)
    else:
        ctx.reading_secret.add(profile.name)
        try:
            local, found = local_verdict(profile, ctx.environ, timeout=max(0.0, ctx.remaining() - SECRET_MARGIN))
        finally:
            ctx.reading_secret.discard(profile.name)
    if local is not None and not local.usable:
        return local, found
    live = None
    if profile.probe:
        try:
            live = profile.route.probe(profile, found.value if found else None, ctx)
        except Exception as exc:  # our bug, not the route's failure (see the module docstring)
            debug_traceback(f"the live probe of profile {profile.name!r} ({profile.type}) raised")
            live = internal_verdict("the live probe", exc)
    verdict = worst(local, live)
    if verdict is None:
        what = "local checks only" if profile.probe else "not probed (probe = false)"
        verdict = healthy(source="local", detail=what)
    if verdict.latency_ms is None:
        verdict.latency_ms = round((time.monotonic() - start) * 1000, 1)
    return verdict, found


def run(cfg, profiles, environ: dict[str, str], data: dict | None = None, timeout: float | None = None,
        enough: Callable[[dict], bool] | None = None, tick: Callable[[], None] | None = None):
    """Probe ``profiles`` in parallel under one deadline.

    Returns ``(results, ctx)``: ``results`` maps name -> (Verdict, Resolved | None) for every
    profile (a route still running at the deadline gets a ``timeout`` verdict). ``enough(results)``
    may end the wait early, when the decision no longer depends on the routes still running.
    ``tick`` is called about every 50 ms while waiting (the progress indicator).
    """
    timeout = cfg.probe_timeout if timeout is None else timeout
    ctx = ProbeContext(cfg, dict(environ), time.monotonic() + timeout, data or {})
    results: dict[str, tuple[Verdict, Any]] = {}
    stage: dict[str, str] = {}
    done = threading.Condition()

    def work(profile):
        try:
            outcome = check(profile, ctx)
        except Exception as exc:  # our bug (local check, secret lookup): never a route failure
            debug_traceback(f"checking profile {profile.name!r} ({profile.type}) raised")
            outcome = (internal_verdict("the check", exc), None)
        with done:
            results[profile.name] = outcome
            done.notify_all()

    for profile in profiles:
        stage[profile.name] = "running"
        threading.Thread(target=work, args=(profile,), name=f"probe-{profile.name}", daemon=True).start()
    with done:
        while len(results) < len(profiles) and not (enough and enough(results)):
            left = ctx.remaining()
            if left <= 0:
                break
            done.wait(min(left, 0.05))
            if tick:
                tick()
        final = dict(results)
    for profile in profiles:
        if profile.name not in final and not (enough and enough(final)):
            if profile.name in ctx.reading_secret and any(k == "cmd" for k, _ in profile.secret_sources):
                # a local fault, not the network's: not "soft", so it is not tried again at once
                final[profile.name] = (unhealthy("misconfigured", f"profile {profile.name!r} has no secret: "
                                                 f"secret_cmd for {profile.name} did not finish within {say(timeout)}",
                                                 source="local"), None)
                continue
            final[profile.name] = (unhealthy("timeout", f"no answer within probe_timeout ({say(timeout)})",
                                             latency_ms=round(timeout * 1000, 1)), None)
    return final, ctx
