#!/usr/bin/env python3
"""`ctl statusline` benchmark (not a test): prints a Markdown table.

    .venv/bin/python bench/bench_statusline.py [--runs 40] [--baseline-ref main]

Claude Code runs the statusLine command after every update, so recording the plan windows and the
session's cost there must stay within a few milliseconds of what the command cost before. Measured
in one run, same machine, same load, a throwaway state dir, claude's statusline JSON on stdin
(subscriber payload: ``rate_limits`` + ``cost``):
  - ``python -c 'import claude_failover.ctl'`` — the floor every ctl command pays;
  - the baseline: this command as ``--baseline-ref`` has it (exported with ``git archive``; skipped
    when the ref has no such tree), with the same input;
  - this checkout, input unchanged since the last call (the common case: one read, no write);
  - this checkout, the cost changing on every call (a write each time: lock, fsync, rename);
  - this checkout, no stdin (nothing to record).
Medians of ``--runs`` rounds (the variants take turns), wall and CPU milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def interleaved(variants, runs) -> list[tuple[float, float]]:
    """(median wall ms, median CPU ms) per variant ``(argv, env, stdin_for)``; the variants take turns,
    run after run, so the machine's changing load falls on all of them alike."""
    import resource

    walls = [[] for _ in variants]
    cpus = [[] for _ in variants]
    for i in range(runs):
        for n, (argv, env, stdin_for) in enumerate(variants):
            data = stdin_for(i) if stdin_for else None
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, env=env, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  stdin=None if data is not None else subprocess.DEVNULL)
            walls[n].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[n].append((after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime) * 1000)
            if done.returncode != 0:
                raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus)]


def payload(cost: float) -> bytes:
    reset = int(time.time()) + 3600
    return json.dumps({"session_id": "bench-session", "model": {"display_name": "Opus"},
                       "cost": {"total_cost_usd": cost},
                       "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": reset},
                                       "seven_day": {"used_percentage": 12, "resets_at": reset + 86400}}}).encode()


def export(ref: str, into: Path) -> Path | None:
    """``git archive <ref> claude_failover`` unpacked under ``into``; None when that fails."""
    archive = into / "baseline.tar"
    with open(archive, "wb") as out:
        done = subprocess.run(["git", "-C", str(REPO), "archive", ref, "claude_failover"], stdout=out,
                              stderr=subprocess.DEVNULL)
    if done.returncode != 0:
        return None
    with tarfile.open(archive) as tar:
        tar.extractall(into / "baseline", filter="data") if hasattr(tarfile, "data_filter") \
            else tar.extractall(into / "baseline")
    return into / "baseline"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--baseline-ref", default="main", help="git ref to compare with (default: main)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_FAILOVER_", "ANTHROPIC_"))}
        env.update(CLAUDE_FAILOVER_STATE_DIR=str(tmp / "state"), CLAUDE_FAILOVER_CONFIG=str(tmp / "none.toml"),
                   CLAUDE_FAILOVER_ACTIVE="max", CLAUDE_FAILOVER_PREFERRED="max", HOME=str(tmp), NO_COLOR="1")
        py = sys.executable
        here = dict(env, PYTHONPATH=str(REPO))
        cmd = [py, "-c", "from claude_failover.ctl import main; raise SystemExit(main())", "statusline"]
        variants = [("`import claude_failover.ctl` (floor)", [py, "-c", "import claude_failover.ctl"], here, None)]
        base = export(a.baseline_ref, tmp)
        if base is not None:
            baseline_env = dict(env, PYTHONPATH=str(base), CLAUDE_FAILOVER_STATE_DIR=str(tmp / "state-base"))
            variants.append((f"before: `{a.baseline_ref}`, subscriber input", cmd, baseline_env,
                             lambda i: payload(1.0)))
        subprocess.run(cmd, env=here, input=payload(1.0), stdout=subprocess.DEVNULL, check=True)
        variants += [("after: input unchanged (read, no write)", cmd, here, lambda i: payload(1.0)),
                     ("after: cost changes every call (write)", cmd, dict(here, CLAUDE_FAILOVER_STATE_DIR=str(
                         tmp / "state-write")), lambda i: payload(1.0 + (i + 1) / 100)),
                     ("after: no stdin", cmd, here, None)]
        results = interleaved([v[1:] for v in variants], a.runs)
        rows = [(v[0], r) for v, r in zip(variants, results)]
    print(f"| `ctl statusline` ({a.runs} runs, medians) | wall ms | CPU ms |")
    print("| --- | ---: | ---: |")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.1f} | {cpu:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
