#!/usr/bin/env python3
"""What reading the subscription login from the macOS keychain costs a launch (not a test).

    .venv/bin/python bench/bench_keychain.py [--runs 40]

Runs on Linux with the macOS branch switched on (tests/data/platform/sitecustomize.py) and the
`security` stand-in (tests/data/platform/standins/security, a sh script) first on PATH, so it
measures our side of the read: importing subprocess, fork/exec of a small program, parsing its
JSON. The real `security` (a native tool talking to securityd) costs more than the stand-in; time
it on a Mac with `time security find-generic-password -s "Claude Code-credentials" -w >/dev/null`.

Rows (medians, interleaved run by run so machine drift hits all alike), each a launch of the
subscription route with /bin/true as claude:
  - warm, Linux credentials file vs warm, "macOS" keychain: a warm launch trusts the cached
    verdict, so neither reads the store (the difference is noise);
  - re-deciding on every launch (healthy_ttl = 1 ms), Linux file vs "macOS" keychain: the difference is
    what one keychain read adds to a launch that has to look at the login.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO / "tests" / "data" / "platform"
LAUNCHER = Path(sys.executable).parent / "claude-failover"
LOGIN = {"claudeAiOauth": {"accessToken": "bench", "refreshToken": "bench", "expiresAt": 99999999999999}}


def setup(tmp: Path, mac: bool, ttl: str) -> dict[str, str]:
    home = tmp / "home"
    (tmp / "keychain").mkdir(parents=True)
    home.mkdir()
    if mac:
        (tmp / "keychain" / "Claude Code-credentials").write_text(json.dumps(LOGIN))
    else:
        (home / ".claude").mkdir()
        (home / ".claude" / ".credentials.json").write_text(json.dumps(LOGIN))
    config = tmp / "config.toml"
    config.write_text(f'claude = "/bin/true"\nhealthy_ttl = {ttl}\n'
                      '[profiles.max]\ntype = "subscription"\nprobe = false\n')
    env = {"HOME": str(home), "PATH": f"{PLATFORM / 'standins'}:/usr/bin:/bin", "PYTHONPATH": str(PLATFORM),
           "CLAUDE_FAILOVER_CONFIG": str(config), "CLAUDE_FAILOVER_STATE_DIR": str(tmp / "state"),
           "STANDIN_KEYCHAIN": str(tmp / "keychain"), "CLAUDE_FAILOVER_NOTIFY": "0"}
    if mac:
        env["CLAUDE_FAILOVER_TEST_PLATFORM"] = "darwin"
    return env


def launch(env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(LAUNCHER)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SystemExit(f"launch failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        cases = {}
        for label, mac, ttl in (("warm, Linux credentials file", False, '"5m"'),
                                ("warm, macOS keychain", True, '"5m"'),
                                ("re-decide each launch, Linux credentials file", False, "0.001"),
                                ("re-decide each launch, macOS keychain", True, "0.001")):
            env = setup(Path(tmp) / str(len(cases)), mac, ttl)
            launch(env)                                   # the cold decision fills the cache
            cases[label] = env
        samples = {label: [] for label in cases}
        for _ in range(runs):
            for label, env in cases.items():
                samples[label].append(launch(env))
    print(f"| launch of a subscription route (/bin/true as claude), median of {runs} | wall |")
    print("| --- | --- |")
    for label, values in samples.items():
        print(f"| {label} | {statistics.median(values):.1f} ms |")
    labels = list(samples)
    read = statistics.median(samples[labels[3]]) - statistics.median(samples[labels[2]])
    print(f"\none keychain read (stand-in `security`) adds {read:.1f} ms to a launch that reads the login")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
