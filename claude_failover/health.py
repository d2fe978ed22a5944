"""The launch decision with health knowledge.

STUB until issue 3: delegates to local checks (:mod:`claude_failover.decide`) and the pin.
Issue 3 replaces the body with cached verdicts, parallel probes under one deadline, cooldowns.
Contract used by the launcher, `ctl which` and the headless supervisor:

    decide_launch(cfg, environ, split, passthrough, exclude=frozenset()) -> Decision

``exclude`` names routes not to choose (the supervisor's already-failed routes).
"""

from __future__ import annotations

from claude_failover import cache
from claude_failover.decide import Decision, decide


def decide_launch(cfg, environ, split, passthrough: bool = False, exclude=frozenset()) -> Decision:
    if exclude:
        from dataclasses import replace

        cfg = replace(cfg, order=[n for n in cfg.order if n not in exclude])
    return decide(cfg, environ, split.get("profile"), cache.active_pin(cache.read()), passthrough)
