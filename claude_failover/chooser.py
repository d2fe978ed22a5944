"""The one chooser: which route a launch takes — for real, or predicted.

    choose(cfg, environ, split, passthrough=False, exclude=frozenset()) -> Decision     (real mode)
    predict(cfg, environ, split=None, data=None, secrets=False) -> Prediction            (predict mode)

Order of authority: ``--failover-profile`` / ``CLAUDE_FAILOVER_PROFILE`` > a pin (`ctl pin`) >
the first route in ``order`` that admission (:mod:`claude_failover.admission`) lets through and
that is healthy/degraded. ``exclude`` names routes not to choose (the supervisor's failed routes).
With nothing verified usable and not strict, a route that may only be offline (unreachable,
timeout) is tried anyway, with a warning.

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
from claude_failover.admission import COOLING, HELD, STALE, RouteState, plan
from claude_failover.decision import Decision, forced_profile, no_route_error, resolve_secret
from claude_failover.errors import FailoverError, NoRouteError, SecretError
from claude_failover.valueclass import factory, record
from claude_failover.verdict import SOFT_REASONS, Verdict, ago, unhealthy

REAL, PREDICT = "real", "predict"
FORCED_WHY = {"flag": "--failover-profile", "env": "$CLAUDE_FAILOVER_PROFILE",
              "pin": "pinned with `claude-failover-ctl pin`"}
UNVERIFIED = "unverified"


@record
class Prediction:
    """What a launch would do now, from the cache alone."""

    decision: Decision | None          # None: a launch would probe first, or find no route
    would_probe: list[str] = factory(list)   # routes a launch would probe before deciding
    how: str | None = None             # "flag", "env", "pin", "unverified" (tried anyway), or None
    error: FailoverError | None = None  # what a launch would fail with (NoRouteError: exit 69)
    held: dict = factory(dict)         # routes held back by their usage (limit, switch_at, max_spend): name -> why


def choose(cfg, environ, split, passthrough: bool = False, exclude=frozenset()) -> Decision:
    """The launch decision (real mode): probes what it must, records what it learned."""
    environ = dict(os.environ if environ is None else environ)
    chooser = Chooser(cfg, environ, cache.read(), REAL, strict=bool(split.get("strict")) or bool(cfg.strict),
                      exclude=exclude)
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
    how = decision.forced or (UNVERIFIED if decision.warning and chooser.unverified else None)
    return Prediction(decision, chooser.pending, how, held=held)


class Chooser:
    """One decision: walk ``order`` over the admission states, learn what is needed, choose."""

    def __init__(self, cfg, environ, data, mode: str, strict: bool = False, exclude=frozenset(),
                 secrets: bool = True, now: float | None = None, usage: dict | None = None):
        self.cfg, self.environ, self.data, self.mode = cfg, environ, data, mode
        self.strict, self.exclude, self.resolve = strict, exclude, secrets
        # routes excluded with their verdicts (the supervisor's failed routes): said in the reason
        self.excluded: dict[str, Verdict] = dict(exclude) if isinstance(exclude, dict) else {}
        self.preferred = cfg.order[0] if cfg.order else ""
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
            elif s.kind != STALE and s.verdict is not None:
                self.known[s.name] = s.verdict
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
                secret = resolve_secret(profile, self.environ)
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
                secret = resolve_secret(state.profile, self.environ)
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
            if verdict is None:
                if state.name not in self.pending:
                    todo.append(state)
            elif verdict.usable:
                break
        return todo

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
        """The route's resolved secret (None when it takes none, or when predicting without
        secrets); False when it failed (now known)."""
        if state.name in self.secrets:
            return self.secrets[state.name]
        if not self.resolve:
            return None
        try:
            return resolve_secret(state.profile, self.environ)
        except SecretError as exc:
            self._learn(state.name, unhealthy("misconfigured", exc.message, source="local"))
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
                decision.warning = f"{decision.warning}; {verdict.line()}"  # (= notice() less its prefix)
        return decision

    def _nothing_usable(self) -> Decision | None:
        if self.pending:  # predict mode: a launch would probe these before deciding
            return None
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
                self.unverified = True
                return self._decision(state, secret, warning=warning)
        self._record()
        error = no_route_error(self.cfg, rows)
        if self.strict and any(v.reason in SOFT_REASONS for v in rows.values()):
            error.hint = "strict mode: only a route verified healthy is used; " + (error.hint or "")
        raise error

    # --- bookkeeping (real mode only) -------------------------------------------------------
    def _finish(self, decision: Decision) -> Decision:
        if self.mode == PREDICT:
            return decision
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

    def _record(self, last: dict | None = None) -> None:
        if self.mode == PREDICT or not (self.changed or self.pages or last):
            return
        from claude_failover.recording import record_or_warn

        record_or_warn(self.cfg, self.changed, self.environ, pages=self.pages, last=last)


def _age(verdict: Verdict, now: float | None = None) -> str:
    return ago(max(0.0, (time.time() if now is None else now) - verdict.checked_at))
