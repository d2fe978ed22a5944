"""Recording what we learned in the health cache: verdicts, status pages, the last launch.

Every write of verdicts goes through :func:`record_verdicts` (one locked cache update). On a
launch the write is best-effort (:func:`record_or_warn`: one warning line, the launch goes on);
management commands let :class:`~claude_failover.errors.StateWriteError` end them with one line.
"""

from __future__ import annotations

import os
import time

from claude_failover import cache
from claude_failover import admission
from claude_failover.admission import login_changed
from claude_failover.verdict import INTERNAL, Verdict, healthy


def record_verdicts(cfg, verdicts: dict[str, Verdict], environ: dict[str, str] | None = None,
                    pages: dict[str, Verdict] | None = None, last: dict | None = None,
                    lock_timeout: float = 2.0) -> bool:
    """Record verdicts (and status pages, and the last decision) with one locked cache update.

    False when the lock was not had within ``lock_timeout`` (a launch gives up rather than wait;
    management commands pass a longer wait and report a failure). Raises StateWriteError when the
    state dir cannot be written."""
    environ = dict(os.environ if environ is None else environ)

    def mutate(data: dict) -> None:
        for name, verdict in verdicts.items():
            if verdict.reason == INTERNAL:  # our bug, not the route's failure: never recorded
                continue
            if not admission.storable(verdict):  # this process's environment: never a cooldown
                continue
            profile = cfg.profiles[name]
            fingerprint = profile.fingerprint()
            old = cache.entry(data, name, fingerprint)
            doubt = admission.next_doubt(cfg, profile, old, verdict, environ, data.get("status_pages"))
            item = cache.record(data, name, fingerprint, verdict, cfg.cooldown, cfg.max_cooldown,
                                keep_failures=_keep_failures(cfg, data, profile, verdict, environ))
            if doubt:
                item["doubt"] = doubt
        if pages:
            stored = data.setdefault("status_pages", {})
            for url, verdict in pages.items():
                stored[url] = verdict.to_dict()
                _page_evidence(cfg, data, url, verdict, environ)
        if last is not None:
            data["last"] = last

    return cache.update(mutate, lock_timeout=lock_timeout)


def _page_evidence(cfg, data: dict, url: str, page: Verdict, environ) -> None:
    """A status page read now: routes in doubt that it speaks for note trouble, or are re-admitted
    when it shows their incident resolved."""
    for name, profile in cfg.profiles.items():
        if admission.status_page_url(cfg, profile) != url:
            continue
        item = cache.entry(data, name, profile.fingerprint())
        doubt = admission.doubt_of(profile, item, environ)
        if item is None or doubt is None:
            continue
        doubt, resolved = admission.page_resolves(doubt, page)
        if not resolved:
            item["doubt"] = doubt
            continue
        item.pop("doubt", None)
        verdict = cache.verdict_of(item)
        if verdict is None or not verdict.usable:
            cache.record(data, name, profile.fingerprint(),
                         healthy(source="status-page", detail="the status page shows the incident resolved"),
                         cfg.cooldown, cfg.max_cooldown)


def floor_cooldown(cfg, profile, retry_after: float) -> bool:
    """A ``retry-after`` learnt after the failure was recorded: the cooldown lasts at least that
    long from now (best-effort, like every write on a run)."""
    now = time.time()

    def mutate(data: dict) -> None:
        item = cache.entry(data, profile.name, profile.fingerprint())
        if item is None:
            return
        until = now + min(retry_after, 7 * 86400)
        current = item.get("cooldown_until")
        if not isinstance(current, (int, float)) or current < until:
            item["cooldown_until"] = until
        if isinstance(item.get("verdict"), dict):
            item["verdict"]["retry_after"] = retry_after

    from claude_failover.errors import StateWriteError

    try:
        return cache.update(mutate, lock_timeout=2.0)
    except StateWriteError:   # the run goes on without it (its failure itself was recorded)
        return False


_warned = False


def record_or_warn(cfg, verdicts: dict[str, Verdict], environ=None, *, pages=None, last=None,
                   lock_timeout: float = 2.0, warn_locked: bool = False) -> bool:
    """:func:`record_verdicts` for a launch: a state dir that cannot be written is one warning line
    (the launch goes on); so is a lock not had in time when ``warn_locked`` (a run's failure)."""
    from claude_failover.config.durations import say

    from claude_failover.errors import StateWriteError
    from claude_failover.log import emit

    global _warned
    try:
        done = record_verdicts(cfg, verdicts, environ, pages=pages, last=last, lock_timeout=lock_timeout)
    except StateWriteError as exc:
        if not _warned:  # one line per launch, however many writes it tries
            _warned = True
            emit("warning", f"claude-failover: warning: {exc.message}; going on without it ({exc.hint})",
                 event="cache_write_failed")
        return False
    if not done and warn_locked:
        emit("warning", f"claude-failover: warning: the health cache stayed locked for {say(lock_timeout)}; "
             f"not recorded: {', '.join(f'{n} {v.line()}' for n, v in verdicts.items())}",
             event="cache_locked")
    return done


def _keep_failures(cfg, data, profile, verdict: Verdict, environ) -> bool:
    """A route whose failure was *reported* (a claude run) and is now judged usable only from
    local state or the status page has not proven anything: keep counting its failures, so a
    route that keeps failing in claude cools down longer each time (circuit breaker)."""
    if not verdict.usable or verdict.source == "probe":
        return False
    old = cache.verdict_of(cache.entry(data, profile.name, profile.fingerprint()))
    if old is None or old.source not in ("report", "run"):
        return False
    if login_changed(profile, environ, old):
        return False
    return time.time() - old.checked_at < 2 * cfg.max_cooldown


def probe_routes(cfg, names, environ: dict[str, str] | None = None, timeout: float | None = None):
    """Probe ``names`` now (ignoring the cache's freshness), record and return the verdicts
    (`ctl probe`, `status --refresh`, `which --refresh`)."""
    from claude_failover import probes

    environ = dict(os.environ if environ is None else environ)
    data = cache.read()
    data_for_probe = {k: v for k, v in data.items() if k != "status_pages"}  # refresh the page too
    results, ctx = probes.run(cfg, [cfg.profiles[n] for n in names], environ, data_for_probe, timeout=timeout)
    verdicts = {name: results[name][0] for name in names}
    if not record_verdicts(cfg, verdicts, environ, pages={u: v for u, v in ctx.pages.items() if v is not None},
                           lock_timeout=10.0):
        from claude_failover.errors import FailoverError

        raise FailoverError("the health cache stayed locked by other processes for 10 s; the verdicts were not recorded",
                            hint="try again")
    return verdicts
