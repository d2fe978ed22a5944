"""The one chooser: which route a launch takes — for real, or predicted.

    choose(cfg, environ, split, passthrough=False, exclude=frozenset()) -> Decision     (real mode)
    predict(cfg, environ, split=None, data=None, secrets=False) -> Prediction            (predict mode)

Order of authority: ``--failover-profile`` / ``CLAUDE_FAILOVER_PROFILE`` > a pin (`ctl pin`) >
the first route in ``order`` that admission (:mod:`claude_failover.admission`) lets through and
that is healthy/degraded. ``exclude`` names routes not to choose (the supervisor's failed routes).
With nothing verified usable and not strict, a route that may only be offline (unreachable,
timeout) is tried anyway, with a warning.

Half-open routes (admission: failed in a claude run, not re-admitted yet): a supervised run
(``trial``) takes one in its place in ``order`` — the run falls over if it fails, and a success
re-admits it; an interactive launch takes one only when nothing verified works, and says so.

No lockout: when nothing is usable from the cache (real mode), the launch re-checks before it
refuses — every route our probe can verify is probed now, cooldown or not, under the same
deadline; a route that cannot be probed and whose failure came from a claude run is tried with a
warning rather than refused. Exit 69 only when every route is bad now; the error gives each
route's reason, when it will be tried again, and the ways out. A launch that passes over a route in
doubt starts its live check in the background (:mod:`claude_failover.livecheck`), never waiting.

**Real mode** (the launcher, every retry of the supervisor). Warm path (every route up to the
chosen one has a fresh verdict): no network, no httpx, tenacity, keyring or click import — only
the chosen route's secret is resolved — and no cache write unless something changed. Cold path:
every route that could be chosen and lacks a fresh verdict is probed in parallel under one
deadline (``probe_timeout``); all verdicts, and the ``last`` record when the route changed, are
written with one best-effort cache update; a change of route sends the desktop notification.

**Predict mode** (`ctl which`, `ctl status`, `ctl statusline`, `ctl probe --notify`): the same walk
over the same admission states, from the cache alone. No network (a route that needs a probe is
listed in ``Prediction.would_probe`` instead), no cache write, no notification. Secrets: with
``secrets=True`` (`ctl which`) the chosen route's secret is resolved, as a launch would — the
keyring is asked only for that one route, which is what it takes to say whether it resolves; with
``secrets=False`` (status, statusline, notifier) no secret source is touched and the prediction
assumes it resolves.
"""

from __future__ import annotations

import os
import time

from claude_failover import cache
from claude_failover.admission import (CLAUDE_RUN_SOURCES, COOLING, HALF_OPEN, HELD, STALE, RouteState, page_resolves,
                                      plan, status_page_url, verifiable)
from claude_failover.decision import Decision, forced_profile, no_route_error, resolve_secret
from claude_failover.errors import FailoverError, NoRouteError, SecretError
from claude_failover.valueclass import factory, record
from claude_failover.verdict import DEGRADED, HEALTHY, SOFT_REASONS, UNHEALTHY, Verdict, ago, unhealthy

REAL, PREDICT = "real", "predict"
FORCED_WHY = {"flag": "--failover-profile", "env": "$CLAUDE_FAILOVER_PROFILE",
              "pin": "pinned with `claude-failover-ctl pin`"}
UNVERIFIED = "unverified"
HALF_OPEN_HOW = "half-open"


@record
class Prediction:
    """What a launch would do now, from the cache alone."""

    decision: Decision | None          # None: a launch would probe first, or find no route
    would_probe: list[str] = factory(list)   # routes a launch would probe before deciding
    how: str | None = None             # "flag", "env", "pin", "unverified" (tried anyway), "half-open", or None
    error: FailoverError | None = None  # what a launch would fail with (NoRouteError: exit 69)
    held: dict = factory(dict)         # routes held back by their usage (limit, switch_at, max_spend): name -> why


def choose(cfg, environ, split, passthrough: bool = False, exclude=frozenset()) -> Decision:
    """The launch decision (real mode): probes what it must, records what it learned."""
    environ = dict(os.environ if environ is None else environ)
    from claude_failover import print_args

    chooser = Chooser(cfg, environ, cache.read(), REAL, strict=bool(split.get("strict")) or bool(cfg.strict),
                      exclude=exclude, trial=print_args.wants_supervision(split))
    decision = chooser.run(split.get("profile"), passthrough)
    assert decision is not None  # only predict mode answers "would probe first"; real mode probes or raises
    return decision


def predict(cfg, environ=None, split=None, data: dict | None = None, secrets: bool = False,
            now: float | None = None, usage: dict | None = None) -> Prediction:
    """What a launch would do now (predict mode): no network, no writes, no notification.
    ``usage``: usage_state's content (read from its file when not given)."""
    environ = dict(os.environ if environ is None else environ)
    strict = bool(split and split.get("strict")) or bool(cfg.strict)
    chooser = Chooser(cfg, environ, cache.read() if data is None else data, PREDICT, strict=strict,
                      secrets=secrets, now=now, usage=usage)
    held = {s.name: s.hold for s in chooser.states if s.kind == HELD and s.hold is not None}
    try:
        decision = chooser.run(split.get("profile") if split else None)
    except FailoverError as exc:  # no route (exit 69), an unknown forced profile, a secret that fails
        return Prediction(None, chooser.pending, None, exc, held)
    if decision is None:
        return Prediction(None, chooser.pending, held=held)
    how = decision.forced or (UNVERIFIED if decision.warning and chooser.unverified else None) or (
        HALF_OPEN_HOW if decision.profile.name in chooser.half_open else None)
    return Prediction(decision, chooser.pending, how, held=held)


class Chooser:
    """One decision: walk ``order`` over the admission states, learn what is needed, choose."""

    def __init__(self, cfg, environ, data, mode: str, strict: bool = False, exclude=frozenset(),
                 secrets: bool = True, now: float | None = None, usage: dict | None = None,
                 trial: bool = False):
        self.cfg, self.environ, self.data, self.mode = cfg, environ, data, mode
        self.strict, self.exclude, self.resolve = strict, exclude, secrets
        # routes excluded with their verdicts (the supervisor's failed routes): said in the reason
        self.excluded: dict[str, Verdict] = dict(exclude) if isinstance(exclude, dict) else {}
        self.preferred = cfg.order[0] if cfg.order else ""
        self.now = time.time() if now is None else now
        if usage is None:
            from claude_failover import usage_state

            usage = usage_state.read_quick()
        self.usage = usage
        self.states: list[RouteState] = plan(cfg, data, environ, exclude, now=now, usage=usage)
        # a held route (usage: limit, switch_at, max_spend) is known unusable for its hold's reason
        self.known: dict[str, Verdict] = {}
        for s in self.states:
            if s.kind == HELD and s.hold is not None:
                self.known[s.name] = s.hold
            elif s.kind not in (STALE, HALF_OPEN) and s.verdict is not None:
                self.known[s.name] = s.verdict
        # half-open: a supervised run tries it in its place; otherwise skipped until nothing else works
        self.half_open: dict[str, Verdict] = {s.name: _half_open_verdict(s, trial, self.now)
                                              for s in self.states if s.kind == HALF_OPEN}
        self.known.update(self.half_open)
        self.trial = trial
        self.rechecked = False
        self.page_asked: set[str] = set()
        self.secrets: dict[str, object] = {}
        self.changed: dict[str, Verdict] = {}
        self.pages: dict[str, Verdict] = {}
        self.pending: list[str] = []        # predict mode: routes a launch would probe first
        self.unverified = False
        self.deadline = time.monotonic() + cfg.probe_timeout

    # --- the walk ---------------------------------------------------------------------------
    def run(self, option: str | None, passthrough: bool = False) -> Decision | None:
        name, how = forced_profile(self.cfg, option, self.environ)
        if name is None:
            pin = cache.active_pin(self.data)
            if pin in self.cfg.profiles and pin not in self.exclude:
                name, how = pin, "pin"
        if name is not None and how is not None:  # (forced_profile names both or neither)
            return self._forced(name, how, passthrough)
        if passthrough:
            return self._passthrough()
        if not self.states:
            raise NoRouteError("every route is excluded", hint="claude-failover-ctl status shows the routes")
        while True:
            todo = self._todo()
            if todo:
                self._learn_todo(todo)
            chosen = self._first_usable()
            if chosen is None and self._recheck():
                continue
            if chosen is None:
                decision = self._nothing_usable()
                return decision if decision is None else self._finish(decision)
            secret = self._secret(chosen)
            if secret is not False:
                return self._finish(self._decision(chosen, secret))

    def _forced(self, name: str, how: str, passthrough: bool) -> Decision:
        profile = self.cfg.profile(name)
        secret = None
        if self.resolve:
            try:
                secret = resolve_secret(profile, self.environ, self.cfg.probe_timeout)
            except SecretError:
                if not passthrough:
                    raise
        return Decision(profile, secret, self.preferred, why=FORCED_WHY[how], forced=how)

    def _passthrough(self) -> Decision:
        """claude's own commands (auth, --version…): no probe, never exit 69."""
        for state in self.states:
            if state.kind == COOLING:
                continue
            try:
                secret = resolve_secret(state.profile, self.environ, self.cfg.probe_timeout)
            except SecretError:
                continue
            return Decision(state.profile, secret, self.preferred, why="management command (no probe)",
                            forced="passthrough")
        first = self.cfg.profiles[self.states[0].name] if self.states else self.cfg.profiles[self.cfg.order[0]]
        return Decision(first, None, self.preferred, why="no usable route; management command passes through",
                        forced="passthrough")

    def _todo(self) -> list[RouteState]:
        """Unknown routes that come before the first route known to be usable."""
        todo = []
        for state in self.states:
            verdict = self.known.get(state.name)
            if verdict is None or self._page_may_readmit(state):
                if state.name not in self.pending:
                    todo.append(state)
                    self.page_asked.add(state.name)
            elif verdict.usable:
                break
        return todo

    def _page_may_readmit(self, state: RouteState) -> bool:
        """A route in doubt whose status page may hold evidence: a half-open one (its page may show
        trouble, or the trouble resolved), or a cooling one whose page showed trouble (it may show the
        incident resolved). Read when the cached copy is older than ``healthy_ttl`` (real mode: once
        a launch)."""
        if state.doubt is None or state.name in self.page_asked or self.mode == PREDICT:
            return False
        if not (state.kind == HALF_OPEN or (state.kind == COOLING and state.doubt.get("page_bad"))):
            return False
        url = status_page_url(self.cfg, state.profile)
        page = (self.data.get("status_pages") or {}).get(url) if url else None
        when = page.get("checked_at") if isinstance(page, dict) else None
        return url is not None and not (isinstance(when, (int, float)) and 0 <= self.now - when < self.cfg.healthy_ttl)

    def _learn_todo(self, todo: list[RouteState]) -> None:
        if self.mode == PREDICT:  # no network: a launch would ask these first
            self.pending.extend(s.name for s in todo)
        elif self.deadline - time.monotonic() > 0.02:
            self._probe(todo)
        else:  # out of time: still unknown (not recorded: it was never asked)
            for state in todo:
                self.known[state.name] = unhealthy("timeout", "no time left in probe_timeout")

    def _probe(self, todo: list[RouteState]) -> None:
        from claude_failover import probes
        from claude_failover.progress import Progress

        asked = {s.name for s in todo}

        def enough(results: dict) -> bool:
            for state in self.states:
                result = (results.get(state.name) or (None,))[0]
                if state.name in asked and state.doubt is not None and state.kind in (HALF_OPEN, COOLING):
                    if result is None:
                        return False   # its page is what this probe is for: wait for it
                    continue           # whatever it says, the decision walks on (``_learn``)
                verdict = self.known.get(state.name) or result
                if verdict is None:
                    return False
                if verdict.usable:
                    return True
            return False

        with Progress("checking routes…", environ=self.environ) as progress:
            results, ctx = probes.run(self.cfg, [s.profile for s in todo], self.environ, self.data,
                                      timeout=max(0.0, self.deadline - time.monotonic()),
                                      enough=enough, tick=progress.tick)
        self.pages.update({url: v for url, v in ctx.pages.items() if v is not None})
        for name, (verdict, secret) in results.items():
            self._learn(name, verdict)
            if secret is not None:
                self.secrets[name] = secret

    def _learn(self, name: str, verdict: Verdict) -> None:
        state = next((s for s in self.states if s.name == name), None)
        if state is not None and state.doubt is not None and state.kind in (HALF_OPEN, COOLING) \
                and (verdict.usable or verdict.source == "status-page"):   # a probe of a route in doubt: evidence only
            url = status_page_url(self.cfg, state.profile)
            page = self.pages.get(url) if url else None
            if not (page is not None and verdict.state == HEALTHY and page_resolves(state.doubt, page)[1]):
                return   # still in doubt: what the walk knew stands (the page itself is recorded)
            self.half_open.pop(name, None)   # the page shows the incident resolved (recording clears the doubt)
        self.changed[name] = verdict
        self.known[name] = verdict

    def _recheck(self) -> bool:
        """Nothing usable from the cache: probe now every route our probe can verify that this
        launch has not asked yet, cooldown or not (real mode; predict mode lists them). True when
        something was (or, predicting, would be) asked."""
        if self.rechecked:
            return False
        self.rechecked = True
        again = [s for s in self.states if s.name not in self.changed and verifiable(s.profile) and s.kind != HELD
                 and not (self.known.get(s.name) and self.known[s.name].source == "local")]
        if not again:
            return False
        if self.mode == PREDICT:
            self.pending.extend(s.name for s in again if s.name not in self.pending)
            return True
        if self.deadline - time.monotonic() <= 0.02:   # the walk spent the deadline: one more
            self.deadline = time.monotonic() + self.cfg.probe_timeout
        self._probe(again)
        return True

    def _first_usable(self) -> RouteState | None:
        for state in self.states:
            verdict = self.known.get(state.name)
            if verdict is not None and verdict.usable:
                return state
        return None

    def _secret(self, state: RouteState):
        """The route's resolved secret (None when it takes none, or when predicting without
        secrets); False when it failed (now known)."""
        if state.name in self.secrets:
            return self.secrets[state.name]
        if not self.resolve:
            return None
        try:
            return resolve_secret(state.profile, self.environ, self.cfg.probe_timeout)
        except SecretError as exc:   # this process's environment: shown, never cached
            fix = f" (fix: {exc.hint})" if exc.hint else ""
            self._learn(state.name, unhealthy("misconfigured", exc.message + fix, source="local"))
            return False

    def _before(self, name: str) -> dict[str, Verdict]:
        """Verdicts of the routes ahead of ``name`` in order (the ones we skipped, excluded ones too)."""
        skipped = {}
        for other in self.cfg.order:
            if other == name:
                break
            verdict = self.known.get(other) or self.excluded.get(other)
            if verdict is not None:
                skipped[other] = verdict
        return skipped

    def _decision(self, state: RouteState, secret, warning: str | None = None) -> Decision:
        verdict = self.known[state.name]
        skipped = self._before(state.name)
        if skipped:
            why = "fallback: " + "; ".join(f"{n}: {v.line()}" for n, v in skipped.items())
        elif state.name in self.changed:
            why = "first route in order; probed now"
        else:
            why = f"first route in order; {verdict.state} {_age(verdict)} ago (cached)"
        decision = Decision(state.profile, secret or None, self.preferred, why=why,
                            verdicts={**skipped, state.name: verdict}, warning=warning)
        # a live warning (status page, probe) is worth a line; a local hint waits for `ctl status`
        if warning is None and verdict.state == "degraded" and verdict.detail and verdict.source != "local":
            fallback = decision.notice() if decision.fallback else None  # before the warning replaces it
            if fallback:
                decision.warning = f"{fallback.removeprefix('claude-failover: ')}; {state.name} is degraded: {verdict.line()}"
            else:
                decision.warning = f"{state.name} is degraded: {verdict.line()}"
        return decision

    def _nothing_usable(self) -> Decision | None:
        if self.pending:  # predict mode: a launch would probe these before deciding
            return None
        rows = {s.name: self.known[s.name] for s in self.states if s.name in self.known}
        if not self.strict:
            for kind in ("soft", "half-open", "unprovable"):   # the likeliest to work first
                for state in self.states:
                    verdict = self.known.get(state.name)
                    if verdict is None or self._fallback_kind(state, verdict) != kind:
                        continue
                    secret = self._secret(state)
                    if secret is False:
                        continue
                    why = {"soft": "no route verified healthy",
                           "half-open": "half-open route, as nothing verified works",
                           "unprovable": "no route verified healthy; it cannot be checked from here"}[kind]
                    others = "; ".join(f"{n}: {v.line()}" for n, v in rows.items() if n != state.name)
                    warning = (f"{why}; trying {state.name} ({state.profile.type}) anyway — "
                               f"{state.name}: {verdict.line()}" + (f"; {others}" if others else ""))
                    self.unverified = kind != "half-open"
                    return self._decision(state, secret, warning=warning)
        self._record()
        error = no_route_error(self.cfg, rows, self._retry_times() if self.mode == REAL else {})
        if self.strict and any(v.reason in SOFT_REASONS for v in rows.values()):
            error.hint = "strict mode: only a route verified healthy is used; " + (error.hint or "")
        raise error

    def _fallback_kind(self, state: RouteState, verdict: Verdict) -> str | None:
        """How a route that is not usable may still be tried when nothing verified works: ``soft``
        (we may only be offline), ``half-open`` (failed in a claude run, cooldown over), or
        ``unprovable`` (we cannot probe it and its failure came from a claude run, not from its
        environment or status page: not known bad *now*); None: bad now."""
        if state.kind == HELD:   # held back by its usage: ends by itself, not by trying it
            return None
        if state.name in self.half_open:
            return "half-open"
        if verdict.reason in SOFT_REASONS:
            return "soft"
        if not verifiable(state.profile) and verdict.source in CLAUDE_RUN_SOURCES and state.name not in self.changed \
                and not self._page_says_down(state):
            return "unprovable"
        return None

    def _page_says_down(self, state: RouteState) -> bool:
        """The route's status page (read this launch, or cached within ``healthy_ttl``) shows a major
        outage of its components: the route is bad now, whatever a claude run said before."""
        url = status_page_url(self.cfg, state.profile)
        if url is None:
            return False
        page = self.pages.get(url)
        if page is None:
            stored = (self.data.get("status_pages") or {}).get(url)
            page = Verdict.from_dict(stored) if isinstance(stored, dict) else None
            if page is not None and not 0 <= self.now - page.checked_at < self.cfg.healthy_ttl:
                page = None
        return page is not None and page.state == UNHEALTHY

    def _retry_times(self) -> dict[str, float]:
        """Seconds until each route's cooldown ends (what the refusal says), from the cache as
        this launch left it."""
        data = cache.read()
        left = {}
        for state in self.states:
            item = cache.entry(data, state.name, state.profile.fingerprint())
            left[state.name] = cache.cooldown_left(item)
        return left

    # --- bookkeeping (real mode only) -------------------------------------------------------
    def _finish(self, decision: Decision) -> Decision:
        if self.mode == PREDICT:
            return decision
        self._start_live_checks(decision.profile.name)
        last = self.data.get("last")
        previous = last.get("profile") if isinstance(last, dict) else None
        current = decision.profile.name
        from claude_failover import usage_state

        back = usage_state.limit_record(current, self.usage)   # a limit it had: over now, as it was chosen
        if previous == current and back is None:  # the warm path: nothing to say, nothing more to import
            self._record()
            return decision
        from claude_failover import route_change

        back_words = route_change.limit_over(current) if back is not None else None
        if previous == current:
            self._record()
            return decision
        self._record(route_change.last_record(decision, back=back_words))
        if previous is not None or decision.fallback:
            route_change.switched(previous, decision, self.cfg, back=back_words)
        return decision

    def _start_live_checks(self, chosen: str | None) -> None:
        """Routes in doubt that this launch passes over: start their live check, detached (at most
        one start per cooldown per route; never waits, never fails the launch)."""
        for state in self.states:
            if state.name == chosen:
                break
            if state.doubt is None or state.name in self.exclude:
                continue
            from claude_failover import livecheck

            if livecheck.wanted(state.profile, True, state.profile.live_check):
                livecheck.start_background(self.cfg, state.profile, self.environ)

    def _record(self, last: dict | None = None) -> None:
        if self.mode == PREDICT or not (self.changed or self.pages or last):
            return
        from claude_failover.recording import record_or_warn

        record_or_warn(self.cfg, self.changed, self.environ, pages=self.pages, last=last)


def _half_open_verdict(state: RouteState, trial: bool, now: float) -> Verdict:
    """What the walk sees for a half-open route: usable for a trial (a supervised run), skipped
    otherwise; its words say why."""
    since = state.doubt.get("since") if state.doubt else None
    when = f" {ago(max(0.0, now - since))} ago" if isinstance(since, (int, float)) else ""
    line = state.doubt.get("line") if state.doubt else None
    failed = f"failed in a claude run{when}" + (f" ({line})" if line else "")
    reason = (state.doubt or {}).get("reason") or "unknown"
    if trial:
        return Verdict(DEGRADED, reason, f"half-open: {failed}; trying it (falls over if it fails)", source="run")
    return Verdict(UNHEALTHY, reason, f"half-open: {failed}; not re-admitted yet", source="run")


def _age(verdict: Verdict, now: float | None = None) -> str:
    return ago(max(0.0, (time.time() if now is None else now) - verdict.checked_at))
