"""The launch decision with health knowledge: cached verdicts, parallel probes, cooldowns.

Contract used by the launcher, `ctl which` and the headless supervisor:

    decide_launch(cfg, environ, split, passthrough=False, exclude=frozenset()) -> Decision

Order of authority: ``--failover-profile`` / ``CLAUDE_FAILOVER_PROFILE`` > a pin (`ctl pin`) >
the first route in ``order`` that is healthy/degraded and not cooling down. ``exclude`` names
routes not to choose (the supervisor's already-failed routes).

Warm path (every route up to the chosen one has a fresh verdict): no network, no httpx,
tenacity, keyring or click import — only the chosen route's secret is resolved — and no cache
write unless something changed. Cold path: every route that could be chosen and lacks a fresh
verdict is probed in parallel under one deadline (``probe_timeout``); all verdicts are recorded
with one cache update.
"""

from __future__ import annotations

import os
import time

from claude_failover import cache
from claude_failover.decide import Decision, forced_profile, no_route_error, resolve_secret
from claude_failover.errors import NoRouteError, SecretError
from claude_failover.record import record
from claude_failover.verdict import INTERNAL, SOFT_REASONS, Verdict, ago, unhealthy

FRESH, COOLING, STALE = "fresh", "cooling", "stale"
FORCED_WHY = {"flag": "--failover-profile", "env": "$CLAUDE_FAILOVER_PROFILE",
              "pin": "pinned with `claude-failover-ctl pin`"}


@record
class RouteState:
    """What the cache says about one route right now."""

    name: str
    profile: object
    verdict: Verdict | None
    item: dict | None
    kind: str                 # fresh | cooling | stale (needs a probe)
    cooldown_left: float = 0.0


def route_state(cfg, data: dict, name: str, environ: dict[str, str], now: float | None = None) -> RouteState:
    now = time.time() if now is None else now
    profile = cfg.profiles[name]
    item = cache.entry(data, name, profile.fingerprint())
    verdict = cache.verdict_of(item)
    if verdict is None or _login_changed(profile, environ, verdict):
        return RouteState(name, profile, verdict, item, STALE)
    if not verdict.usable:
        left = cache.cooldown_left(item, now)
        return RouteState(name, profile, verdict, item, COOLING if left > 0 else STALE, left)
    fresh = 0 <= now - verdict.checked_at < cfg.healthy_ttl
    return RouteState(name, profile, verdict, item, FRESH if fresh else STALE)


def plan(cfg, data: dict, environ: dict[str, str], exclude=frozenset(), now: float | None = None) -> list[RouteState]:
    return [route_state(cfg, data, name, environ, now) for name in cfg.order if name not in exclude]


def _login_changed(profile, environ, verdict: Verdict) -> bool:
    """The user logged in again (or claude rewrote its store) since the verdict: look again."""
    when = profile.route.login_stamp(profile, environ)
    return when is not None and when > verdict.checked_at


# --- the decision ---------------------------------------------------------------------------

def decide_launch(cfg, environ, split, passthrough: bool = False, exclude=frozenset()) -> Decision:
    environ = dict(os.environ if environ is None else environ)
    preferred = cfg.order[0] if cfg.order else ""
    data = cache.read()
    name, how = forced_profile(cfg, split.get("profile"), environ)
    if name is None:
        pin = cache.active_pin(data)
        if pin in cfg.profiles and pin not in exclude:
            name, how = pin, "pin"
    if name is not None:
        profile = cfg.profile(name)
        try:
            secret = resolve_secret(profile, environ)
        except SecretError:
            if not passthrough:
                raise
            secret = None
        return Decision(profile, secret, preferred, why=FORCED_WHY[how], forced=how)

    states = plan(cfg, data, environ, exclude)
    if passthrough:
        return _passthrough(cfg, states, environ, preferred)
    strict = bool(split.get("strict")) or bool(cfg.strict)
    return Chooser(cfg, data, environ, states, preferred, strict).decide()


def _passthrough(cfg, states, environ, preferred) -> Decision:
    """claude's own commands (auth, --version…): no probe, never exit 69."""
    for state in states:
        if state.kind == COOLING:
            continue
        try:
            secret = resolve_secret(state.profile, environ)
        except SecretError:
            continue
        return Decision(state.profile, secret, preferred, why="management command (no probe)", forced="passthrough")
    first = cfg.profiles[states[0].name] if states else cfg.profiles[cfg.order[0]]
    return Decision(first, None, preferred, why="no usable route; management command passes through",
                    forced="passthrough")


class Chooser:
    """One launch decision: walk ``order`` over cached knowledge, probe what is needed, choose."""

    def __init__(self, cfg, data, environ, states, preferred, strict):
        self.cfg, self.data, self.environ = cfg, data, environ
        self.states, self.preferred, self.strict = states, preferred, strict
        self.known: dict[str, Verdict] = {s.name: s.verdict for s in states if s.kind != STALE}
        self.secrets: dict[str, object] = {}
        self.changed: dict[str, Verdict] = {}
        self.pages: dict[str, Verdict] = {}
        self.deadline = time.monotonic() + cfg.probe_timeout
        self.probed = False

    def decide(self) -> Decision:
        if not self.states:
            raise NoRouteError("every route is excluded", hint="claude-failover-ctl status shows the routes")
        while True:
            todo = self._todo()
            if todo and self.deadline - time.monotonic() > 0.02:
                self._probe(todo)
            elif todo:  # out of time: still unknown (not recorded: it was never asked)
                for state in todo:
                    self.known[state.name] = unhealthy("timeout", "no time left in probe_timeout")
            chosen = self._first_usable()
            if chosen is None:
                return self._finish(self._nothing_usable())
            secret = self._secret(chosen)
            if secret is not False:
                return self._finish(self._decision(chosen, secret))

    def _todo(self) -> list[RouteState]:
        """Unknown routes that come before the first route known to be usable."""
        todo = []
        for state in self.states:
            verdict = self.known.get(state.name)
            if verdict is None:
                todo.append(state)
            elif verdict.usable:
                break
        return todo

    def _probe(self, todo: list[RouteState]) -> None:
        from claude_failover import probes
        from claude_failover.progress import Progress

        def enough(results: dict) -> bool:
            for state in self.states:
                verdict = self.known.get(state.name) or (results.get(state.name) or (None,))[0]
                if verdict is None:
                    return False
                if verdict.usable:
                    return True
            return False

        with Progress("checking routes…", environ=self.environ) as progress:
            results, ctx = probes.run(self.cfg, [s.profile for s in todo], self.environ, self.data,
                                      timeout=max(0.0, self.deadline - time.monotonic()),
                                      enough=enough, tick=progress.tick)
        self.probed = True
        self.pages.update({url: v for url, v in ctx.pages.items() if v is not None})
        for name, (verdict, secret) in results.items():
            self._learn(name, verdict)
            if secret is not None:
                self.secrets[name] = secret

    def _learn(self, name: str, verdict: Verdict) -> None:
        self.known[name] = verdict
        self.changed[name] = verdict

    def _first_usable(self) -> RouteState | None:
        for state in self.states:
            verdict = self.known.get(state.name)
            if verdict is not None and verdict.usable:
                return state
        return None

    def _secret(self, state: RouteState):
        """The route's resolved secret (None when it takes none); False when it failed (now known)."""
        if state.name in self.secrets:
            return self.secrets[state.name]
        try:
            return resolve_secret(state.profile, self.environ)
        except SecretError as exc:
            self._learn(state.name, unhealthy("misconfigured", exc.message, source="local"))
            return False

    def _before(self, name: str) -> dict[str, Verdict]:
        """Verdicts of the routes ahead of ``name`` in order (the ones we skipped)."""
        skipped = {}
        for state in self.states:
            if state.name == name:
                break
            if state.name in self.known:
                skipped[state.name] = self.known[state.name]
        return skipped

    def _decision(self, state: RouteState, secret, warning: str | None = None) -> Decision:
        verdict = self.known[state.name]
        skipped = self._before(state.name)
        if skipped:
            why = "fallback: " + "; ".join(f"{n} {v.line()}" for n, v in skipped.items())
        elif state.name in self.changed:
            why = "first route in order; probed now"
        else:
            why = f"first route in order; {verdict.state} {_age(verdict)} ago (cached)"
        decision = Decision(state.profile, secret or None, self.preferred, why=why,
                            verdicts={**skipped, state.name: verdict}, warning=warning)
        # a live warning (status page, probe) is worth a line; a local hint waits for `ctl status`
        if warning is None and verdict.state == "degraded" and verdict.detail and verdict.source != "local":
            decision.warning = f"{state.name} is degraded: {verdict.line()}"
            if decision.fallback:
                decision.warning = f"{decision.notice().removeprefix('claude-failover: ')}; {verdict.line()}"
        return decision

    def _nothing_usable(self) -> Decision:
        rows = {s.name: self.known[s.name] for s in self.states if s.name in self.known}
        if not self.strict:
            for state in self.states:
                verdict = self.known.get(state.name)
                if verdict is None or verdict.reason not in SOFT_REASONS:
                    continue
                secret = self._secret(state)
                if secret is False:
                    continue
                others = "; ".join(f"{n}: {v.line()}" for n, v in rows.items() if n != state.name)
                warning = (f"no route verified healthy; trying {state.name} ({state.profile.type}) anyway — "
                           f"{state.name}: {verdict.line()}" + (f"; {others}" if others else ""))
                return self._decision(state, secret, warning=warning)
        self._record()
        error = no_route_error(self.cfg, rows)
        if self.strict and any(v.reason in SOFT_REASONS for v in rows.values()):
            error.hint = "strict mode: only a route verified healthy is used; " + (error.hint or "")
        raise error

    # --- bookkeeping ------------------------------------------------------------------------
    def _finish(self, decision: Decision) -> Decision:
        previous = (self.data.get("last") or {}).get("profile")
        current = decision.profile.name
        last = None
        if previous != current:
            last = {"profile": current, "preferred": self.preferred, "fallback": decision.fallback,
                    "at": time.time(), "reason": _reason(decision)}
        self._record(last)
        if previous != current and (previous is not None or decision.fallback):
            notify_change(previous, current, self.preferred, _reason(decision), self.cfg)
        return decision

    def _record(self, last: dict | None = None) -> None:
        if self.changed or self.pages or last:
            record_verdicts(self.cfg, self.changed, self.environ, pages=self.pages, last=last)


def _reason(decision: Decision) -> str:
    if decision.fallback:
        notice = decision.notice() or ""
        return notice.split(" — ", 1)[1] if " — " in notice else f"{decision.preferred} unavailable"
    if decision.warning:
        return decision.warning
    return "preferred route healthy again" if decision.profile.name == decision.preferred else decision.why


def notify_change(previous, current, preferred, reason, cfg=None) -> None:
    """Tell the desktop the route changed; never raises (a notification must not stop a launch)."""
    try:
        from claude_failover import notify

        notify.route_changed(previous, current, preferred, reason, cfg=cfg)
    except Exception:  # a notification must never stop a launch
        pass


def _age(verdict: Verdict, now: float | None = None) -> str:
    return ago(max(0.0, (time.time() if now is None else now) - verdict.checked_at))


# --- recording --------------------------------------------------------------------------------

def record_verdicts(cfg, verdicts: dict[str, Verdict], environ: dict[str, str] | None = None,
                    pages: dict[str, Verdict] | None = None, last: dict | None = None,
                    lock_timeout: float = 2.0) -> bool:
    """Record verdicts (and status pages, and the last decision) with one locked cache update.

    False when the lock was not had within ``lock_timeout`` (a launch gives up rather than wait;
    management commands pass a longer wait and report a failure)."""
    environ = dict(os.environ if environ is None else environ)

    def mutate(data: dict) -> None:
        for name, verdict in verdicts.items():
            if verdict.reason == INTERNAL:  # our bug, not the route's failure: never recorded
                continue
            profile = cfg.profiles[name]
            fingerprint = profile.fingerprint()
            cache.record(data, name, fingerprint, verdict, cfg.cooldown, cfg.max_cooldown,
                         keep_failures=_keep_failures(cfg, data, profile, verdict, environ))
        if pages:
            stored = data.setdefault("status_pages", {})
            for url, verdict in pages.items():
                stored[url] = verdict.to_dict()
        if last is not None:
            data["last"] = last

    return cache.update(mutate, lock_timeout=lock_timeout)


def _keep_failures(cfg, data, profile, verdict: Verdict, environ) -> bool:
    """A route whose failure was *reported* (a claude run) and is now judged usable only from
    local state or the status page has not proven anything: keep counting its failures, so a
    route that keeps failing in claude cools down longer each time (circuit breaker)."""
    if not verdict.usable or verdict.source == "probe":
        return False
    old = cache.verdict_of(cache.entry(data, profile.name, profile.fingerprint()))
    if old is None or old.source not in ("report", "run"):
        return False
    if _login_changed(profile, environ, old):
        return False
    return time.time() - old.checked_at < 2 * cfg.max_cooldown


# --- ctl probe / status helpers ----------------------------------------------------------------

def probe_routes(cfg, names, environ: dict[str, str] | None = None, timeout: float | None = None):
    """Probe ``names`` now (ignoring the cache's freshness), record and return the verdicts."""
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


def would_launch(cfg, data: dict, environ: dict[str, str]) -> tuple[str | None, list[str], str | None]:
    """(route a launch would take from the cache alone, routes it would probe first, forced how)."""
    name, how = forced_profile(cfg, None, environ)
    if name is None:
        pin = cache.active_pin(data)
        if pin in cfg.profiles:
            name, how = pin, "pin"
    if name is not None:
        return name, [], how
    probe_first = []
    for state in plan(cfg, data, environ):
        if state.kind == STALE:
            probe_first.append(state.name)
        elif state.kind == FRESH:
            return state.name, probe_first, None
    return None, probe_first, None


def note_route(cfg, environ: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """After a refresh (`ctl probe --notify`): when the route a launch would now take differs from
    the last one, record it and send the route-changed notification. Returns (previous, current)."""
    environ = dict(os.environ if environ is None else environ)
    data = cache.read()
    current, probe_first, how = would_launch(cfg, data, environ)
    previous = (data.get("last") or {}).get("profile")
    if current is None or probe_first or current == previous:
        return previous, current
    preferred = cfg.order[0]
    states = {s.name: s for s in plan(cfg, data, environ)}
    skipped = [f"{n}: {states[n].verdict.line()}" for n in cfg.order[: cfg.order.index(current)]
               if n in states and states[n].verdict is not None] if current in cfg.order else []
    reason = "; ".join(skipped) or ("preferred route healthy again" if current == preferred else "route changed")
    last = {"profile": current, "preferred": preferred, "fallback": current != preferred and how is None,
            "at": time.time(), "reason": reason}
    cache.update(lambda d: d.__setitem__("last", last))
    notify_change(previous, current, preferred, reason, cfg)
    return previous, current
