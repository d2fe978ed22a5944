"""Load on the health cache: 50 concurrent processes — launches, `ctl probe`, `ctl report` — sharing one cache.

Claims checked (the suite runs ~12 s; `bench/reliability.py` runs the same load for a full minute):
  - the cache file is valid (strict) JSON at every moment: a reader thread polls it throughout;
  - no verdict that should be kept is lost: every `ctl report` of a distinct route is counted in that
    route's failure count at the end, every `ctl probe` of a distinct route left its verdict;
  - no process waits on another's lock longer than the probe deadline (measured inside the real
    console scripts by tests/data/reliability/sitecustomize.py), and no write is given up.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakeserver import FakeServer
from tests.launch import CTL, LAUNCHER

HOOK_DIR = Path(__file__).resolve().parent / "data" / "reliability"
KEY = "sk-ant-api03-FAKE-load-1"
PROBE_TIMEOUT = 2.0


@dataclass
class LoadResult:
    duration: float
    workers: int
    ops: dict = field(default_factory=dict)          # kind -> successful runs
    errors: list = field(default_factory=list)       # (kind, exit code, stderr tail)
    launch_ms: list = field(default_factory=list)    # wall time of each launch
    polls: int = 0
    invalid: list = field(default_factory=list)      # what the reader saw that was not valid JSON
    lock_waits: list = field(default_factory=list)   # seconds, every acquisition
    launch_lock_waits: list = field(default_factory=list)  # seconds, launches only
    lock_holds: list = field(default_factory=list)
    lock_given_up: int = 0                           # launch writes given up (by design, after the deadline)
    ctl_given_up: int = 0                            # ctl writes given up (must be 0)
    lost: list = field(default_factory=list)         # verdicts that should have been kept

    @property
    def writes(self) -> int:
        return len(self.lock_waits) - self.lock_given_up - self.ctl_given_up

    def figures(self) -> dict:
        waits = sorted(self.lock_waits) or [0.0]
        launches = sorted(self.launch_ms) or [0.0]
        return {
            "duration_s": round(self.duration, 1), "workers": self.workers, "ops": dict(self.ops),
            "errors": len(self.errors), "cache_polls": self.polls, "invalid_reads": len(self.invalid),
            "cache_writes": self.writes, "writes_per_s": round(self.writes / self.duration, 1),
            "lock_wait_max_ms": round(waits[-1] * 1000, 1),
            "launch_lock_wait_max_ms": round(max(self.launch_lock_waits or [0.0]) * 1000, 1),
            "lock_wait_p99_ms": round(waits[int(0.99 * (len(waits) - 1))] * 1000, 1),
            "lock_hold_max_ms": round(max(self.lock_holds or [0.0]) * 1000, 1),
            "launch_writes_given_up": self.lock_given_up, "ctl_writes_given_up": self.ctl_given_up,
            "lost_verdicts": len(self.lost),
            "launch_p50_ms": round(statistics.median(launches), 1), "launch_max_ms": round(launches[-1], 1),
        }


def load_config(url: str, reporters: int, probers: int) -> str:
    route = '[profiles.{name}]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "LOAD_KEY"\n'
    names = ["lead"] + [f"rep-{i:02d}" for i in range(reporters)] + [f"probe-{i:02d}" for i in range(probers)]
    # launches use "lead" only; the other routes are outside `order` (reachable by name), so their
    # verdicts come from `ctl report` / `ctl probe` alone and can be counted exactly
    head = (f'order = ["lead"]\nclaude = "/bin/true"\nhealthy_ttl = "1s"\n'
            f'probe_timeout = {PROBE_TIMEOUT}\nnotify = false\n\n')
    return head + "\n".join(route.format(name=n, url=url) for n in names)


def run_load(tmp: Path, base_env: dict[str, str], duration: float = 12.0, workers: int = 50,
             min_writes: int = 0, min_polls: int = 0, max_duration: float = 0.0) -> LoadResult:
    """Run the load for ``duration`` seconds with ``workers`` concurrent processes; return the figures.

    With ``min_writes`` / ``min_polls`` the load goes on past ``duration`` (up to ``max_duration``)
    until that many cache writes were made and reads polled: a busy machine does less in the same
    seconds, and the claims need the work, not the time.
    """
    reporters, probers = workers // 5, workers // 5
    launchers = workers - reporters - probers
    result = LoadResult(duration, workers)
    state = tmp / "state"
    lock_log = tmp / "locks.log"
    with FakeServer() as server:
        config = tmp / "config.toml"
        config.write_text(load_config(server.url, reporters, probers))
        env = dict(base_env, CLAUDE_FAILOVER_CONFIG=str(config), CLAUDE_FAILOVER_STATE_DIR=str(state),
                   CLAUDE_FAILOVER_QUIET="1", LOAD_KEY=KEY, CLAUDE_FAILOVER_TEST_LOCKLOG=str(lock_log),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(HOOK_DIR), base_env.get("PYTHONPATH")])))
        cache_file = state / "health.json"
        stop = threading.Event()
        lock = threading.Lock()
        reports: dict[str, int] = {}
        probed: dict[str, float] = {}

        def reader():
            def strict(name):
                raise ValueError(f"non-standard JSON constant {name}")

            while not stop.is_set():
                try:
                    raw = cache_file.read_bytes()
                except FileNotFoundError:
                    time.sleep(0.002)
                    continue
                result.polls += 1
                try:
                    data = json.loads(raw, parse_constant=strict)
                    assert isinstance(data, dict) and data.get("version") == 1 and isinstance(data["routes"], dict)
                except (ValueError, AssertionError, KeyError) as exc:
                    result.invalid.append(f"{type(exc).__name__}: {raw[:80]!r}")
                time.sleep(0.002)

        def worker(kind: str, index: int):
            if kind == "report":
                argv = [CTL, "report", f"rep-{index:02d}", "--reason", "rate-limited", "--detail", "load test"]
            elif kind == "probe":
                argv = [CTL, "probe", f"probe-{index:02d}", "--timeout", "20"]  # CPU-starved: no 2 s deadline
            elif kind == "launch-dry-run":
                argv = [LAUNCHER, "--failover-dry-run"]
            else:
                argv = [LAUNCHER]  # claude = /bin/true: exec'd, exits 0
            while not stop.is_set():
                started, wall = time.time(), time.monotonic()
                done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, timeout=60, cwd=str(tmp))
                elapsed = (time.monotonic() - wall) * 1000
                with lock:
                    if done.returncode != 0:
                        result.errors.append((kind, done.returncode, done.stderr[-300:].decode("utf-8", "replace")))
                        continue
                    result.ops[kind] = result.ops.get(kind, 0) + 1
                    if kind.startswith("launch"):
                        result.launch_ms.append(elapsed)
                    elif kind == "report":
                        reports[f"rep-{index:02d}"] = reports.get(f"rep-{index:02d}", 0) + 1
                    else:
                        probed[f"probe-{index:02d}"] = started

        kinds = (["report"] * reporters + ["probe"] * probers
                 + ["launch-dry-run", "launch-exec"] * (launchers // 2) + ["launch-dry-run"] * (launchers % 2))
        counters: dict[str, int] = {}
        threads = [threading.Thread(target=reader, daemon=True)]
        for kind in kinds:
            counters[kind] = counters.get(kind, -1) + 1
            threads.append(threading.Thread(target=worker, args=(kind, counters[kind]), daemon=True))
        start = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(duration)
        while time.monotonic() - start < max_duration and (result.polls < min_polls
                                                           or _writes_so_far(lock_log) < min_writes):
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(90)
        result.duration = time.monotonic() - start

    data = json.loads(cache_file.read_text())
    routes = data["routes"]
    for name, count in reports.items():
        got = (routes.get(name) or {}).get("failures")
        if got != count or (routes[name]["verdict"].get("source") != "report"):
            result.lost.append(f"{name}: {count} reports, cache says failures={got}")
    for name, started in probed.items():
        verdict = (routes.get(name) or {}).get("verdict") or {}
        if verdict.get("state") != "healthy" or verdict.get("checked_at", 0) < started - 1:
            result.lost.append(f"{name}: last probe at {started:.2f} not in the cache ({verdict})")
    for line in lock_log.read_text().splitlines() if lock_log.exists() else []:
        wait, hold, got, _pid, prog = line.split()
        result.lock_waits.append(float(wait))
        result.lock_holds.append(float(hold))
        if prog == "claude-failover":
            result.launch_lock_waits.append(float(wait))
            result.lock_given_up += got == "0"
        else:
            result.ctl_given_up += got == "0"
    return result


def _writes_so_far(lock_log: Path) -> int:
    try:
        return sum(1 for line in lock_log.read_text().splitlines() if line.split()[2:3] == ["1"])
    except OSError:
        return 0


# A launch gives up its (best-effort) cache write after lock_timeout = 2 s = the default probe
# deadline; timer and scheduler slack on a loaded machine add to the measured wait (50 processes on
# 2 CPUs, beside whatever else runs: the overrun grows with the load). A lock that is not given up
# would wait for its holders' whole runs instead.
SLACK = 2.0


def test_fifty_processes_share_one_cache(isolated_env, tmp_path):
    result = run_load(tmp_path, dict(os.environ), duration=8.0, workers=50, min_writes=25, min_polls=150,
                      max_duration=120.0)
    figures = result.figures()
    print("load figures:", json.dumps(figures))
    assert not result.errors, result.errors[:5]
    assert result.polls > 100 and not result.invalid, result.invalid[:5]
    assert not result.lost, result.lost
    assert result.ctl_given_up == 0, figures
    assert result.writes > 20, figures
    assert max(result.launch_lock_waits) <= PROBE_TIMEOUT + SLACK, figures
    assert set(result.ops) == {"report", "probe", "launch-dry-run", "launch-exec"}, figures
    # every state file is private
    state = tmp_path / "state"
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    for path in state.rglob("*"):
        assert oct(path.stat().st_mode & 0o777) == ("0o700" if path.is_dir() else "0o600"), path
