"""bench/outage.py's counting rules (the replay itself runs the real claude for minutes: bench/run.sh)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location("outage_bench",
                                              Path(__file__).resolve().parent.parent / "bench" / "outage.py")
outage = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(outage)


def bench(events, cooldown=5.0):
    b = object.__new__(outage.Bench)
    b.events, b.cooldown, b.healthy_ttl = events, cooldown, cooldown * 0.8
    b.state = {r: "ok" for r in outage.ROUTES}
    b.outage_since = {r: None for r in outage.ROUTES}
    b.seen_failing, b.page_green = set(), True
    return b


def launch(outcome, working, route="sub", discovery=False):
    return {"kind": "launch", "phase": "p", "t": 1.0, "route": route, "exit": {"ok": 0, "refused": 69}.get(outcome, 1),
            "seconds": 1.0, "working": working, "outcome": outcome, "discovery": discovery, "requests": []}


def run(outcome, working, work_done=1, seconds=2.0, exit=None):
    code = exit if exit is not None or outcome == "killed" else (0 if outcome == "ok" else 1)
    return {"kind": "run", "phase": "p", "t": 1.0, "exit": code, "seconds": seconds, "working": working,
            "work_done": work_done, "outcome": "ok" if outcome == "ok" else "failed", "requests": []}


def test_figures_count_only_what_happened_while_some_route_worked():
    events = [launch("failed", ["key"], discovery=True), launch("failed", ["key"]), launch("failed", []),
              launch("refused", ["key"]), launch("refused", []), launch("ok", ["sub"]),
              run("failed", ["key"]), run("failed", []), run("ok", ["key"], work_done=2, seconds=7.5),
              run("killed", [], work_done=0, seconds=90.1)]
    f = bench(events).figures({"recovered_after": 3.0})
    assert f["launch_discovery_failures"] == 1 and f["launch_avoidable_failures"] == 1
    assert f["launches_refused_while_a_route_worked"] == 1
    assert f["runs_failed_while_a_route_worked"] == 1 and f["work_done_twice"] == 1
    assert f["longest_run_s"] == 90.1 and f["longest_run_capped"] is True and f["recovery_s"] == 3.0
    table = outage.report(f, 90)
    assert "> 90 s (killed at the cap)" in table and "| 3.0 s |" in table
    assert outage.details(events).count("\n") == 5   # header + 5 counted events


def test_discovery_only_for_what_nobody_could_know():
    b = bench([])
    b.state["sub"], b.outage_since["sub"] = "401", 0.0
    assert b._unknowable("sub", at=100.0)                 # silent: claude-only credential, page green
    b.page_green = False
    assert not b._unknowable("sub", at=100.0)             # the status page shows it
    b.state["key"], b.outage_since["key"] = "529", 10.0
    assert b._unknowable("key", at=12.0)                  # younger than healthy_ttl (4 s)
    assert not b._unknowable("key", at=20.0)              # a probe would have seen it
    assert not b._unknowable("gw", at=20.0)               # working route
