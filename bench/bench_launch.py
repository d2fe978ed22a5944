#!/usr/bin/env python3
"""Launch benchmark for claude-failover (not a test): prints a Markdown table.

    .venv/bin/python bench/bench_launch.py [--runs 40] [--keyring]   (as root or with network for pip)

Measures, with a regular (non-editable) install of this checkout in ``.cache/bench-venv`` — what
``pipx install`` gives a user; the dev ``.venv`` is an editable install whose import hook costs
~15 ms per start — and a trivial program (/bin/true) configured as `claude`, against the fake
server (tests/fakeserver.py) on 127.0.0.1:
  - warm launch overhead (cached decision, no network) vs /bin/true directly, beside `python -c pass`
    — a route with no secret, and (``--keyring``) a route whose secret is in the keyring;
  - cold decision: 5 routes each answering in 300 ms, vs 1 such route;
  - a black-holed primary route: the decision lands within probe_timeout + 100 ms.
Medians of ``--runs`` runs. ``--keyring`` re-runs itself inside ``dbus-run-session`` with a
throwaway gnome-keyring (needs dbus and gnome-keyring installed; never touches your keyring).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BENCH_VENV = Path(os.environ.get("CLAUDE_FAILOVER_BENCH_VENV") or REPO / ".cache" / "bench-venv")
VENV_BIN = BENCH_VENV / "bin"
LAUNCHER = str(VENV_BIN / "claude-failover")
PYTHON = str(VENV_BIN / "python")
TRUE = shutil.which("true") or "/bin/true"
KEY = "sk-ant-api03-FAKE-bench-1"


CPU: dict[str, float] = {}  # label -> median CPU ms (user + sys) of the last timed() call


def timed(argv: list[str], env: dict[str, str], runs: int, before=None, stdin=subprocess.DEVNULL) -> float:
    """Median wall time in ms (the median CPU time goes to CPU[argv[0]])."""
    import resource

    samples, cpu = [], []
    for _ in range(runs):
        if before:
            before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        samples.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{argv[0]} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    CPU["last"] = statistics.median(cpu)
    return statistics.median(samples)


def interleaved(commands: list[tuple[list[str], dict[str, str]]], runs: int,
                stdin=subprocess.DEVNULL) -> list[tuple[float, float]]:
    """(median wall ms, median CPU ms) per command, running the commands in turn ``runs`` times."""
    wall: list[list[float]] = [[] for _ in commands]
    cpu: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, (argv, env) in enumerate(commands):
            wall[i].append(timed(argv, env, 1, stdin=stdin))
            cpu[i].append(CPU["last"])
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu)]


def environment(tmp: Path, config: str) -> dict[str, str]:
    (tmp / "config.toml").write_text(config)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "CLAUDE_", "AWS_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(tmp), CLAUDE_FAILOVER_CONFIG=str(tmp / "config.toml"),
               CLAUDE_FAILOVER_STATE_DIR=str(tmp / "state"), CLAUDE_FAILOVER_QUIET="1",
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", BENCH_KEY=KEY)
    return env


def api_route(name: str, url: str, secret: str = 'secret_env = "BENCH_KEY"') -> str:
    return f'[profiles.{name}]\ntype = "api-key"\nbase_url = "{url}"\n{secret}\n'


def install_checkout() -> None:
    """A regular install of this checkout (compiled bytecode, no editable finder) in BENCH_VENV."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not (VENV_BIN / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall",
                    str(REPO)], check=True, env=env, stdout=subprocess.DEVNULL)
    shutil.rmtree(REPO / "build", ignore_errors=True)  # setuptools' in-tree build dir


def clear_cache(env):
    def run():
        try:
            os.unlink(os.path.join(env["CLAUDE_FAILOVER_STATE_DIR"], "health.json"))
        except FileNotFoundError:
            pass
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keyring", action="store_true", help="also measure a keyring route (dbus-run-session)")
    parser.add_argument("--inner-keyring", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.keyring and not args.inner_keyring:
        return subprocess.call(["dbus-run-session", "--", sys.executable, __file__, "--runs", str(args.runs),
                                "--inner-keyring"])
    from tests.fakeserver import FakeServer, hang, slow

    install_checkout()

    import contextlib
    import io

    rows: list[tuple[str, str, str]] = []
    # the fake server's thread reports connections our abandoned black-hole probes reset: not news
    with FakeServer() as srv, tempfile.TemporaryDirectory() as tmpdir, contextlib.redirect_stderr(io.StringIO()):
        tmp = Path(tmpdir)
        claude = f'claude = "{TRUE}"\nprobe_timeout = 2\n'

        plain_env = environment(tmp, "")  # (writes the config file: before the launcher's)
        env = environment(tmp, claude + api_route("plain", srv.url, 'secret = "none"'))
        subprocess.run([LAUNCHER], env=env, check=True)  # warm the cache
        # interleaved, one run of each in turn, so drift in machine speed hits all three alike
        (py, py_cpu), (direct, _), (warm, warm_cpu) = interleaved(
            [([PYTHON, "-c", "pass"], plain_env), ([TRUE], plain_env), ([LAUNCHER], env)], args.runs)
        rows += [("`python -c pass` (venv python)", f"{py:.1f} ms", f"CPU {py_cpu:.1f} ms"),
                 ("`/bin/true` directly", f"{direct:.1f} ms", ""),
                 ("warm launch, route without secret", f"{warm:.1f} ms",
                  f"{warm - direct:.1f} ms over /bin/true; {warm - py:+.1f} ms wall / {warm_cpu - py_cpu:+.1f} ms CPU "
                  f"vs `python -c pass` (goal ≤ 15)")]

        # an interactive launch (standard input a terminal): the launcher stays as claude's parent
        # (interactive = "continue", the default) or execs it (interactive = "exec")
        master, slave = os.openpty()
        try:
            (tmp / "exec").mkdir()
            env_exec = environment(tmp / "exec", claude + 'interactive = "exec"\n'
                                   + api_route("plain", srv.url, 'secret = "none"'))
            env_stay = environment(tmp, claude + api_route("plain", srv.url, 'secret = "none"'))
            for e in (env_exec, env_stay):
                subprocess.run([LAUNCHER], env=e, check=True, stdin=slave)
            (t_exec, c_exec), (t_stay, c_stay) = interleaved([([LAUNCHER], env_exec), ([LAUNCHER], env_stay)],
                                                             args.runs, stdin=slave)
        finally:
            os.close(master)
            os.close(slave)
        rows += [("warm launch on a terminal, `interactive = \"exec\"`", f"{t_exec:.1f} ms", f"CPU {c_exec:.1f} ms"),
                 ("warm launch on a terminal, staying as claude's parent (default)", f"{t_stay:.1f} ms",
                  f"{t_stay - t_exec:+.1f} ms wall / {c_stay - c_exec:+.1f} ms CPU vs exec")]

        if args.inner_keyring:
            rows.append(keyring_row(tmp, claude, srv.url, args.runs, warm))

        # cold decisions: every launch starts with an empty cache
        srv.default_behaviour = slow(0.3)
        env1 = environment(tmp, claude + 'order = ["r0"]\n' + api_route("r0", srv.url))
        one = timed([LAUNCHER], env1, max(5, args.runs // 4), before=clear_cache(env1))
        five = "order = [" + ", ".join(f'"r{i}"' for i in range(5)) + "]\n" + "".join(
            api_route(f"r{i}", srv.url) for i in range(5))
        env5 = environment(tmp, claude + five)
        many = timed([LAUNCHER], env5, max(5, args.runs // 4), before=clear_cache(env5))
        rows += [("cold launch, 1 route answering in 300 ms", f"{one:.0f} ms", f"decision ≈ {one - warm:.0f} ms"),
                 ("cold launch, 5 routes answering in 300 ms each", f"{many:.0f} ms",
                  f"decision ≈ {many - warm:.0f} ms = {(many - warm) / (one - warm):.2f} × the 1-route decision, "
                  f"{(many - warm) / 300:.2f} × one probe (goal ≤ 1.3)")]

        # a black-holed primary: probe_timeout 1 s
        srv.default_behaviour = "ok"
        srv.behave("sk-ant-api03-FAKE-hole-1", hang())
        env_bh = environment(tmp, f'claude = "{TRUE}"\nprobe_timeout = 1\norder = ["hole", "ok"]\n'
                             + api_route("hole", srv.url, 'secret_env = "HOLE"') + api_route("ok", srv.url))
        env_bh["HOLE"] = "sk-ant-api03-FAKE-hole-1"
        hole = timed([LAUNCHER], env_bh, max(5, args.runs // 8), before=clear_cache(env_bh))
        rows.append(("cold launch, black-holed primary (probe_timeout = 1 s)", f"{hole:.0f} ms",
                     f"decision ≈ {hole - warm:.0f} ms (goal ≤ 1100)"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs)\n")
    print(f"| measurement (median of {args.runs} runs; cold rows fewer) | wall time | note |")
    print("| --- | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def keyring_row(tmp: Path, claude: str, url: str, runs: int, warm: float) -> tuple[str, str, str]:
    """Start a throwaway gnome-keyring on this (private) session bus, store the key, measure."""
    kr_env = dict(os.environ, HOME=str(tmp / "kr"), XDG_DATA_HOME=str(tmp / "kr" / "data"),
                  XDG_RUNTIME_DIR=str(tmp / "kr" / "run"), XDG_CONFIG_HOME=str(tmp / "kr" / "config"))
    for d in ("data", "run", "config"):
        (tmp / "kr" / d).mkdir(parents=True, mode=0o700, exist_ok=True)
    exe = shutil.which("gnome-keyring-daemon")
    if not exe:
        return ("warm launch, keyring route", "n/a", "gnome-keyring-daemon not installed")
    daemon = subprocess.Popen([exe, "--foreground", "--unlock", "--components=secrets"], env=kr_env,
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    daemon.stdin.write(b"bench-password")
    daemon.stdin.close()
    try:
        env = environment(tmp, claude + api_route("kr", url, 'secret = "keyring"'))
        env.update(XDG_CONFIG_HOME=kr_env["XDG_CONFIG_HOME"])
        store = [PYTHON, "-c", "import keyring; keyring.set_password('claude-failover', 'kr', 'sk-ant-api03-FAKE-bench-1')"]
        for _ in range(50):
            if subprocess.run(store, env=env, stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run([LAUNCHER], env=env, check=True)
        value = timed([LAUNCHER], env, runs)
        return ("warm launch, keyring route (Secret Service)", f"{value:.1f} ms",
                f"{value - warm:+.1f} ms vs the route without secret (secretstorage import + D-Bus lookup)")
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
