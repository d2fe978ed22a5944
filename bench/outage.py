#!/usr/bin/env python3
"""Outage replay (issue 11): a scripted timeline of route failures, lived through by the real claude.

    bash bench/run.sh                    # what you normally run (installs nothing new; see below)
    .venv/bin/python bench/outage.py --in-namespace [--cooldown 5] [--run-cap 90] [--json FILE]

``--in-namespace`` re-runs the script inside a loopback-only user+network namespace
(``unshare --user --map-root-user --net`` + ``ip link set lo up``, as ``scripts/test.sh`` does); it
refuses to run outside one. Everything lives in a throwaway directory: HOME (with a fake claude.ai
login in ``~/.claude/.credentials.json``), config, state dir; the only server is
``tests/fakeserver.py`` on 127.0.0.1 (also serving the status page). The real claude is
``$CLAUDE_FAILOVER_TEST_CLAUDE`` or the pinned one (``claude-code-versions``) under
``.cache/claude-code-<version>``. Needs the .venv
that ``bash scripts/test.sh`` creates (the launcher's console scripts).

Routes, in order: ``sub`` (subscription login), ``tok`` (setup-token OAuth), ``key`` (API key),
``gw`` (gateway). The fake server answers each route's credential as the timeline says; a healthy
route plays a tiny agent: it asks for one Bash call (``echo <run id> >> work.log``) and answers once
the conversation holds the tool's result. So a run that starts again from scratch on another route
runs the tool again, and ``work.log`` shows it: that is "work done twice".

Timeline (phase: what the fake does; what is exercised):
  healthy      everything answers.                                           2 launches, 1 run
  silent       the OAuth routes (sub, tok) answer 401 "Invalid bearer token" while the status page
               stays green; the first run's subscription dies *after* its tool call (mid-run).
               Launches spaced over more than one cooldown (bounce-back).    1 run, 4 launches, 1 run
  confirmed    the status page shows a major outage of Claude Code / claude.ai (open incident).
                                                                             3 launches, 1 run
  529-storm    the API key answers 529 as well (OAuth still down).           3 launches, 1 run
  black-hole   the gateway (cached healthy: it just served the storm) accepts and never answers; the
               API key's storm ends 3 s into the run (its cooldown still runs). 1 run, 1 launch
  total        the key answers 529 again, the gateway 402: every route fails definitely.
                                                                             2 launches, 1 run
  one-back     the API key answers again, right away (others still down; cooldowns still running:
               the lockout case).                                            4 launches over >1 cooldown, 1 run
  recovery     everything answers; the incident is resolved. Launches every ~1 s until one lands on
               ``sub`` (the preferred route), at most 4 cooldowns + 15 s.    then 1 run

Interactive launches (the exec path). The terminal UI needs a terminal, so a launch is measured as
"the launcher chose route X and claude's first turn on it failed or succeeded": the launcher runs
with no ``-p`` (so ``print_args.wants_supervision`` is false and it takes the exec path: decision,
environment builder, settings guard, ``os.execve``), and the configured ``claude`` is a two-line
shell wrapper that records ``$CLAUDE_FAILOVER_ACTIVE`` and ``exec``s the real claude with ``-p <prompt>``
prepended to the arguments the launcher gave it. claude keeps the launcher's pid, environment,
``--settings`` and hooks: the throwaway ``~/.claude/settings.json`` holds the StopFailure hook that
docs/health.md documents (``claude-failover-ctl report --from-hook``), so a launch's failure reaches
the cache exactly as an interactive session's would (without it nothing watches an exec'd claude).
Launches run with ``CLAUDE_CODE_MAX_RETRIES=1`` and ``API_TIMEOUT_MS=15000``: we count whether the
chosen route worked, not how long claude's own retries take.

Supervised runs: ``claude-failover -p <prompt> --allowedTools Bash`` with the user's defaults (no
``CLAUDE_CODE_MAX_RETRIES``, no ``API_TIMEOUT_MS``), killed at ``--run-cap`` seconds (90 by default;
a run killed there counts as failed and its time as "> cap").

Time compression: ``cooldown`` is 5 s (the default is 60 s), ``max_cooldown`` 20 s, ``healthy_ttl``
4 s, ``probe_timeout`` 2 s; the phases last a few cooldowns. "Recovery within one cooldown" is
judged against the configured 5 s.

Counting (ground truth is the timeline: a route "works" when the fake answers it normally):
  - a launch that failed while some route worked is a *discovery* failure when nobody (no launch, no
    run) had yet seen that route fail in its current outage and nobody could have known: the route
    fails silently (a claude-only credential while the status page is green) or its outage began
    less than ``healthy_ttl`` before the launch (the cached healthy verdict was right when made);
    every other such failure is *avoidable*;
  - a launch that exited 69 while some route worked is *refused*;
  - a supervised run that did not exit 0 while some route worked (at any moment of the run) *failed*;
  - *work done twice*: runs whose tool call executed more than once (lines in work.log);
  - *back on the preferred route*: from the recovery until the start of the first launch that lands
    on ``sub`` and works.

Before figures (issue 11's health model not yet in; main at df4a6ad; 2 CPUs shared with other jobs at
a load average of ~40, so each claude turn took 2-8 s; 2026-11-30; 21 launches and 9 supervised runs
in 4.8 min; also in the README's "Outage replay"):
  launches failed while some route worked: 1 discovery (the 529 storm's first launch on the key),
    4 avoidable (the subscription's silent 401 each time its cooldown ran out: bounce-back);
  launches refused (exit 69) while some route worked: 3 (lockout: the key was back, its cooldown ran);
  supervised runs failed while some route worked: 1 (the black-holed gateway, killed at 90 s while
    the key worked);
  work done twice: 1 (tool call on sub, sub died, resumed on tok which failed, restarted from scratch
    on key);
  longest supervised run: > 90 s (killed at the cap; the black-holed gateway);
  back on the preferred route after it recovered: 3.6 s (cooldown 5 s).
Timing-dependent figures moved between earlier runs of nearly the same timeline: avoidable 4-5,
refused 3-5, recovery 3.6-15.4 s (how long the status page's outage verdict stays cached). Rerun of
this timeline on main at e2d2409 (usage limits landed): discovery 1, avoidable 3, refused 3, failed
runs 1, work done twice 1, longest run > 90 s (cap), recovery 6.6 s; on main at c74ac4e with claude
2.1.332: 1, 4, 3, 1, 1, > 90 s, 6.8 s.

After figures (issue 11's health model: no lockout, half-open routes, live check, connect_timeout, the
session carried; claude 2.1.332; 2026-11-30; 2 CPUs shared with other jobs): two runs, 22 launches + 9
runs and 20 + 9: discovery 1, 1; avoidable 0, 0; refused 0, 0; failed runs 0, 0; work done twice 0, 0;
longest run 45.1 s, 43.3 s (the black-holed gateway: 3 x 10 s within connect_timeout, then the half-open
OAuth routes tried and failed over, then the key); back on the preferred route 5.3 s (re-admitted by the
background live check), 0.0 s (the first launch read the status page: incident resolved).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fakeserver import (FakeServer, after_tool, billing, hang, invalid_bearer, ok,  # noqa: E402
                              overloaded, tool_use, with_tools)

BIN = REPO / ".venv" / "bin"
LAUNCHER = str(BIN / "claude-failover")
ROUTES = ("sub", "tok", "key", "gw")
SILENT_KIND = {"sub", "tok"}          # routes we may not probe ourselves (claude-only tokens)
SECRETS = {"sub": "sk-ant-oat01-BENCH-sub-access", "tok": "sk-ant-oat01-BENCH-setup-token",
           "key": "sk-ant-api03-BENCH-key", "gw": "bench-gateway-token"}
PROMPT = "do the task"
WRAPPER = """#!/bin/sh
# a supervised attempt or a live check (both set CLAUDE_FAILOVER_SUPERVISED): claude as asked
[ -n "$CLAUDE_FAILOVER_SUPERVISED" ] && exec "$BENCH_REAL_CLAUDE" "$@"
printf '%s\\n' "$CLAUDE_FAILOVER_ACTIVE" > "$BENCH_ROUTE_FILE"
exec "$BENCH_REAL_CLAUDE" -p "$BENCH_PROMPT" "$@"
"""
OUTAGE_INCIDENT = {"name": "Elevated errors on Claude Code and claude.ai", "status": "investigating",
                   "components": [{"id": "cmp0000"}, {"id": "cmp0001"}]}


def in_loopback_namespace() -> bool:
    try:
        lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    except OSError:
        return False
    return sorted(line.split(":", 1)[0].strip() for line in lines if ":" in line) == ["lo"]


def reexec_in_namespace(argv: list[str]) -> int:
    args = [a for a in argv if a != "--in-namespace"]
    for unshare in (["unshare", "--user", "--map-root-user", "--net"], ["unshare", "--net"]):
        if subprocess.run([*unshare, "true"], capture_output=True).returncode == 0:
            script = 'ip link set lo up || exit 97; exec "$0" "$@"'
            return subprocess.call([*unshare, "--", "sh", "-c", script, sys.executable, __file__, *args])
    print("outage.py: cannot create a network namespace (unshare --user --net)", file=sys.stderr)
    return 1


def pinned_claude() -> str:
    """The pinned claude that scripts/test.sh installs (version from ./claude-code-versions)."""
    version = None
    for line in (REPO / "claude-code-versions").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "pinned":
            version = value.strip()
    return str(REPO / f".cache/claude-code-{version}/node_modules/.bin/claude")


class Bench:
    def __init__(self, tmp: Path, srv: FakeServer, claude: str, cooldown: float, run_cap: float) -> None:
        self.tmp, self.srv, self.claude, self.cooldown, self.run_cap = tmp, srv, claude, cooldown, run_cap
        self.state = {r: "ok" for r in ROUTES}      # ok | 401 | 401-after-tool | 529 | 402 | hang
        self.page_green = True
        self.outage_since = {r: None for r in ROUTES}
        self.seen_failing: set[str] = set()          # routes whose current outage some launch/run hit
        self.events: list[dict] = []
        self.runs = 0
        self.t0 = time.monotonic()
        self.healthy_ttl = cooldown * 0.8
        self.home = tmp / "home"
        self.work_log = self.home / "work.log"
        self.env = self._environment()
        self._config()

    # --- setup --------------------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANTHROPIC_", "CLAUDE_", "AWS_")) and k not in ("API_TIMEOUT_MS",)
               and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        for sub in ("home", "config", "state", "cache", "data"):
            (self.tmp / sub).mkdir(parents=True, exist_ok=True)
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.tmp / "config"),
                   XDG_STATE_HOME=str(self.tmp / "state"), XDG_CACHE_HOME=str(self.tmp / "cache"),
                   XDG_DATA_HOME=str(self.tmp / "data"),
                   CLAUDE_FAILOVER_CONFIG=str(self.tmp / "config" / "claude-failover" / "config.toml"),
                   CLAUDE_FAILOVER_STATE_DIR=str(self.tmp / "state" / "claude-failover"),
                   DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1", DISABLE_ERROR_REPORTING="1",
                   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", NO_PROXY="127.0.0.1,localhost",
                   no_proxy="127.0.0.1,localhost", BENCH_TOK=SECRETS["tok"], BENCH_KEY=SECRETS["key"],
                   BENCH_GW=SECRETS["gw"], BENCH_REAL_CLAUDE=self.claude, BENCH_PROMPT=PROMPT,
                   BENCH_ROUTE_FILE=str(self.tmp / "route"), PATH=f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}")
        return env

    def _config(self) -> None:
        (self.home / ".claude.json").write_text(json.dumps({"hasCompletedOnboarding": True}))
        claude_dir = self.home / ".claude"
        claude_dir.mkdir(mode=0o700)
        login = {"claudeAiOauth": {"accessToken": SECRETS["sub"], "refreshToken": "sk-ant-ort01-BENCH-refresh",
                                   "expiresAt": int((time.time() + 86400) * 1000), "scopes": ["user:inference"],
                                   "subscriptionType": "max"}}
        # the StopFailure hook of docs/health.md: a launch's failure reaches the cache as it would for a
        # user who set claude-failover up as documented (an exec'd claude is not watched otherwise)
        hook = {"hooks": {"StopFailure": [{"hooks": [{"type": "command",
                                                      "command": "claude-failover-ctl report --from-hook"}]}]}}
        (claude_dir / "settings.json").write_text(json.dumps(hook))
        creds = claude_dir / ".credentials.json"
        creds.write_text(json.dumps(login))
        creds.chmod(0o600)
        wrapper = self.tmp / "bin" / "claude"
        wrapper.parent.mkdir()
        wrapper.write_text(WRAPPER)
        wrapper.chmod(0o755)
        url = self.srv.url
        c = self.cooldown
        text = f'''claude = "{wrapper}"
order = ["sub", "tok", "key", "gw"]
cooldown = {c}
max_cooldown = {4 * c}
healthy_ttl = {self.healthy_ttl}
probe_timeout = 2.0
notify = false
status_url = "{url}/api/v2/summary.json"

[profiles.sub]
type = "subscription"
base_url = "{url}"

[profiles.tok]
type = "oauth-token"
base_url = "{url}"
secret_env = "BENCH_TOK"

[profiles.key]
type = "api-key"
base_url = "{url}"
secret_env = "BENCH_KEY"

[profiles.gw]
type = "gateway"
base_url = "{url}"
secret_env = "BENCH_GW"
'''
        path = Path(self.env["CLAUDE_FAILOVER_CONFIG"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    # --- the timeline -------------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() - self.t0

    def set_routes(self, **states: str) -> None:
        for route, state in states.items():
            was = self.state[route]
            self.state[route] = state
            if was == "ok" and state != "ok":
                self.outage_since[route] = self.now()
                self.seen_failing.discard(route)
            elif state == "ok":
                self.outage_since[route] = None

    def set_page(self, green: bool) -> None:
        self.page_green = green
        if green:
            resolved = dict(OUTAGE_INCIDENT, status="resolved")
            self.srv.set_status("none", incidents=[resolved])
        else:
            self.srv.set_status("major", {"Claude Code": "major_outage", "claude.ai": "major_outage",
                                          "Claude API (api.anthropic.com)": "operational"}, [OUTAGE_INCIDENT])

    def _apply(self, run_id: str) -> None:
        agent_tool = tool_use("Bash", {"command": f"echo {run_id} >> {self.work_log}"})
        for route in ROUTES:
            state = self.state[route]
            # a request offering no tools is a live check by claude (one word back, or the route's failure)
            behaviour = {"ok": with_tools(after_tool(agent_tool, ok("done")), ok("ok")),
                         "401": invalid_bearer(),
                         "401-after-tool": with_tools(after_tool(agent_tool, invalid_bearer()), invalid_bearer()),
                         "529": overloaded(), "402": billing(), "hang": hang()}[state]
            self.srv.behave(SECRETS[route], behaviour)

    def _unknowable(self, route: str | None, at: float) -> bool:
        """Nobody could have known yet: the route fails silently (claude-only credential, status page
        green), or its outage is younger than healthy_ttl (a fresh healthy verdict was right when made)."""
        if route not in ROUTES or self.state[route] == "ok":
            return False
        silent = route in SILENT_KIND and self.page_green
        since = self.outage_since[route]
        return silent or (since is not None and at - since < self.healthy_ttl)

    def working(self) -> list[str]:
        return [r for r in ROUTES if self.state[r] == "ok"]

    def _routes_in(self, start: float) -> list[tuple[str, int | None]]:
        by_secret = {v: k for k, v in SECRETS.items()}
        return [(by_secret.get(r["credential"], "?"), r.get("status")) for r in self.srv.requests
                if r["time"] >= start and r["method"] == "POST" and "/messages" in r["path"]]

    def _run(self, args: list[str], extra_env: dict[str, str], cap: float) -> tuple[int | None, float, str]:
        env = dict(self.env, **extra_env)
        started = time.monotonic()
        proc = subprocess.Popen([LAUNCHER, *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=str(self.home), start_new_session=True)
        try:
            out, err = proc.communicate(timeout=cap)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            code = None
        return code, time.monotonic() - started, (err or "").strip().splitlines()[-1:][0] if (err or "").strip() else ""

    def _work_count(self, run_id: str) -> int:
        try:
            return sum(1 for line in self.work_log.read_text().splitlines() if line.strip() == run_id)
        except OSError:
            return 0

    def launch(self, phase: str) -> dict:
        self.runs += 1
        run_id = f"launch{self.runs}"
        self._apply(run_id)
        route_file = Path(self.env["BENCH_ROUTE_FILE"])
        route_file.unlink(missing_ok=True)
        working = self.working()
        wall, begun = time.time(), self.now()
        code, took, last = self._run(["--allowedTools", "Bash"],
                                     {"CLAUDE_CODE_MAX_RETRIES": "1", "API_TIMEOUT_MS": "15000"}, 60)
        route = route_file.read_text().strip() if route_file.exists() else None
        ev = {"kind": "launch", "phase": phase, "t": round(self.now(), 1), "route": route, "exit": code,
              "seconds": round(took, 1), "working": working, "notice": last}
        if code == 69:
            ev["outcome"] = "refused"
        elif code == 0:
            ev["outcome"] = "ok"
        else:
            ev["outcome"] = "failed"
            ev["discovery"] = bool(working) and route not in self.seen_failing and self._unknowable(route, begun)
        if code != 0 and route and self.state.get(route, "ok") != "ok":
            self.seen_failing.add(route)
        ev["requests"] = self._routes_in(wall)
        self.events.append(ev)
        print(json.dumps(ev), flush=True)
        return ev

    def run(self, phase: str, change: tuple[float, dict[str, str]] | None = None) -> dict:
        """One supervised run; ``change`` = (after s, route states) changes the timeline mid-run."""
        self.runs += 1
        run_id = f"run{self.runs}"
        self._apply(run_id)
        working = set(self.working())
        wall = time.time()
        timer = None
        if change is not None:
            def later() -> None:
                self.set_routes(**change[1])
                self._apply(run_id)
            timer = threading.Timer(change[0], later)
            timer.start()
        code, took, last = self._run(["-p", PROMPT, "--allowedTools", "Bash"], {}, self.run_cap)
        if timer is not None:
            timer.join()
        working = sorted(working | set(self.working()), key=ROUTES.index)   # worked at some point of the run
        tried = self._routes_in(wall)
        for route, status in tried:
            if status != 200 and route in self.state and self.state[route] != "ok":
                self.seen_failing.add(route)
        ev = {"kind": "run", "phase": phase, "t": round(self.now(), 1), "exit": code, "seconds": round(took, 1),
              "working": working, "work_done": self._work_count(run_id), "requests": tried, "notice": last,
              "outcome": "ok" if code == 0 else "failed"}
        self.events.append(ev)
        print(json.dumps(ev), flush=True)
        return ev

    def pause(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def timeline(self) -> dict:
        c = self.cooldown
        self.set_page(True)
        print("# phase 0: all healthy", flush=True)
        self.launch("healthy")
        self.run("healthy")
        self.launch("healthy")

        print("# phase 1: silent OAuth outage (401, status page green); the subscription dies mid-run", flush=True)
        self.set_routes(sub="401-after-tool", tok="401")
        self.run("silent")
        self.set_routes(sub="401")
        for i in range(4):
            self.launch("silent")
            self.pause(0.6 * c)
        self.run("silent")

        print("# phase 2: the status page confirms (major outage, open incident)", flush=True)
        self.set_page(False)
        for i in range(3):
            self.launch("confirmed")
            self.pause(0.6 * c)
        self.run("confirmed")

        print("# phase 3: 529 storm on the API key", flush=True)
        self.set_routes(key="529")
        for i in range(3):
            self.launch("529-storm")
            self.pause(0.4 * c)
        self.run("529-storm")

        print("# phase 4: the gateway black-holes (accepts, never answers); the 529 storm ends 3 s later", flush=True)
        self.set_routes(gw="hang")
        self.run("black-hole", change=(3.0, {"key": "ok"}))   # the key works again 3 s into the run
        self.launch("black-hole")

        print("# phase 5: total outage, every route answers an error (the key 529, the gateway 402)", flush=True)
        self.set_routes(gw="402", key="529")
        self.launch("total")
        self.run("total")
        self.launch("total")

        print("# phase 6: the API key comes back", flush=True)
        self.set_routes(key="ok")
        for i in range(4):
            self.launch("one-back")
            self.pause(0.3 * c)
        self.run("one-back")

        print("# phase 7: recovery (everything answers, incident resolved)", flush=True)
        self.set_routes(sub="ok", tok="ok", gw="ok")
        self.set_page(True)
        back = self.now()
        recovered_after = None
        while self.now() - back < 4 * c + 15:
            started = self.now()
            ev = self.launch("recovery")
            if ev["route"] == "sub" and ev["outcome"] == "ok":
                recovered_after = round(started - back, 1)   # when that launch decided
                break
            self.pause(1.0)
        self.run("recovery")
        return {"recovered_after": recovered_after}

    def figures(self, extra: dict) -> dict:
        launches = [e for e in self.events if e["kind"] == "launch"]
        runs = [e for e in self.events if e["kind"] == "run"]
        failed_working = [e for e in launches if e["outcome"] == "failed" and e["working"]]
        return {
            "launches": len(launches),
            "runs": len(runs),
            "launch_discovery_failures": sum(1 for e in failed_working if e.get("discovery")),
            "launch_avoidable_failures": sum(1 for e in failed_working if not e.get("discovery")),
            "launches_refused_while_a_route_worked": sum(1 for e in launches
                                                         if e["outcome"] == "refused" and e["working"]),
            "runs_failed_while_a_route_worked": sum(1 for e in runs if e["outcome"] == "failed" and e["working"]),
            "work_done_twice": sum(1 for e in runs if e["work_done"] > 1),
            "longest_run_s": max((e["seconds"] for e in runs), default=0.0),
            "longest_run_capped": any(e["exit"] is None for e in runs),
            "recovery_s": extra["recovered_after"],
            "cooldown_s": self.cooldown,
        }


def report(f: dict, cap: float) -> str:
    longest = f"> {cap:g} s (killed at the cap)" if f["longest_run_capped"] else f"{f['longest_run_s']:.1f} s"
    recovery = "never (within the replay)" if f["recovery_s"] is None else f"{f['recovery_s']:.1f} s"
    rows = [
        ("launches that failed while some route worked: discovery", f["launch_discovery_failures"],
         "1 per silent outage"),
        ("launches that failed while some route worked: avoidable", f["launch_avoidable_failures"], "0"),
        ("launches refused (exit 69) while some route worked", f["launches_refused_while_a_route_worked"], "0"),
        ("supervised runs that failed while some route worked", f["runs_failed_while_a_route_worked"], "0"),
        ("runs that did their work twice", f["work_done_twice"], "0"),
        ("longest supervised run", longest, "<= 60 s"),
        ("back on the preferred route after it recovered", recovery, f"<= one cooldown ({f['cooldown_s']:g} s)"),
    ]
    out = [f"Outage replay: {f['launches']} launches, {f['runs']} supervised runs", "",
           "| figure | value | target |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def details(events: list[dict]) -> str:
    """One line per counted event (what went wrong, where), so the figures can be checked."""
    lines = []
    for e in events:
        what = None
        if e["kind"] == "launch" and e["outcome"] == "failed" and e["working"]:
            what = f"launch failed on {e['route']} ({'discovery' if e.get('discovery') else 'avoidable'})"
        elif e["kind"] == "launch" and e["outcome"] == "refused" and e["working"]:
            what = "launch refused (exit 69)"
        elif e["kind"] == "run" and (e["outcome"] == "failed" and e["working"] or e["work_done"] > 1):
            what = f"run {'failed' if e['outcome'] == 'failed' else 'ok'}, tool ran {e['work_done']}x"
        if what:
            tried = " ".join(f"{r}:{st}" for r, st in e["requests"]) or "no request"
            lines.append(f"  t={e['t']:>6.1f}s {e['phase']:<10} {what}; working: {','.join(e['working'])}; "
                         f"requests: {tried}; {e['seconds']:.1f} s")
    return "\n".join(["Counted events:", *lines]) if lines else "Counted events: none"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in-namespace", action="store_true", help="re-run inside a loopback-only network namespace")
    ap.add_argument("--cooldown", type=float, default=5.0, help="the bench config's cooldown (seconds)")
    ap.add_argument("--run-cap", type=float, default=90.0, help="kill a supervised run after this long")
    ap.add_argument("--json", help="also write the events and figures here")
    a = ap.parse_args(argv)
    if a.in_namespace and not in_loopback_namespace():
        return reexec_in_namespace(argv)
    if not in_loopback_namespace():
        print("outage.py: run inside a loopback-only network namespace: add --in-namespace (or use bench/run.sh)",
              file=sys.stderr)
        return 64
    claude = os.environ.get("CLAUDE_FAILOVER_TEST_CLAUDE") or pinned_claude()
    if not os.access(claude, os.X_OK) or not os.access(LAUNCHER, os.X_OK):
        print(f"outage.py: needs the real claude ({claude}) and the .venv's launcher ({LAUNCHER}); "
              "run `bash scripts/test.sh tests/test_classify.py -q` once to install both", file=sys.stderr)
        return 69
    tmp = Path(tempfile.mkdtemp(prefix="claude-failover-outage."))
    try:
        with FakeServer() as srv:
            bench = Bench(tmp, srv, claude, a.cooldown, a.run_cap)
            extra = bench.timeline()
            figures = bench.figures(extra)
        print()
        print(report(figures, a.run_cap))
        print()
        print(details(bench.events))
        if a.json:
            Path(a.json).write_text(json.dumps({"figures": figures, "events": bench.events}, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
