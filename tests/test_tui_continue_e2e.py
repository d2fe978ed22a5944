"""Issue 13, items 2 and 4, in the real terminal UI (tmux) with the real claude: the launcher stays as
claude's thin parent; after a turn fails on its route, /exit asks to continue the conversation on the
next route and Enter resumes it there (also onto another config dir). When nothing failed nothing
changes, and the terminal behaves as with a plain claude: Ctrl-C, Ctrl-Z + fg under bash, signals,
exit status; `interactive = "exec"` keeps the exec.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, claude_env
from tests.launch import LAUNCHER, ctl, write_config
from tests.tui import subscription_login, trust_folder

TOK1 = "sk-ant-oat01-FAKE-cont-first"
KEY2 = "sk-ant-api03-FAKE-cont-second-0123456789"
SUB1 = "sk-ant-oat01-FAKE-cont-sub-a"
SUB2 = "sk-ant-oat01-FAKE-cont-sub-b"
HOOK = REPO / "contrib" / "stop-failure-hook.json"
REPLY = "hello from fake"
QUESTION = "Continue this conversation on"
PS1 = "test$"             # capture-pane drops the trailing space

pytestmark = pytest.mark.e2e


def env(ctl_on_path: bool = True, **extra):
    # contrib's hook runs `claude-failover-ctl` from PATH, as it would for a user
    ours = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != ours]
    path = ([ours] if ctl_on_path else []) + path
    return claude_env(T_TOK1=TOK1, T_KEY2=KEY2, CLAUDE_CODE_MAX_RETRIES="0", PATH=os.pathsep.join(path), **extra)


def prepare_dir(config_dir: Path, cwd: Path, hook: bool = True) -> None:
    """An onboarded config dir that trusts ``cwd`` and has the StopFailure hook (unless not ``hook``)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    if hook:
        shutil.copy(HOOK, config_dir / "settings.json")
    claude_json = config_dir.parent / ".claude.json" if config_dir.name == ".claude" else config_dir / ".claude.json"
    trust_folder(claude_json, cwd)


@pytest.fixture
def world(isolated_env, fake_server, claude_bin):
    """order ["first" (oauth-token, 401 on /v1/messages), "second" (api-key, answers)], one config dir."""
    def make(extra: str = "", hook: bool = True) -> Path:
        write_config(isolated_env.config_file, (
            f'claude = "{claude_bin}"\norder = ["first", "second"]\nprobe_timeout = 10\n{extra}'
            f'[profiles.first]\ntype = "oauth-token"\nbase_url = "{fake_server.url}"\nsecret_env = "T_TOK1"\n'
            f'[profiles.second]\ntype = "api-key"\nbase_url = "{fake_server.url}"\nsecret_env = "T_KEY2"\n'))
        cwd = isolated_env.home / "project"
        cwd.mkdir(exist_ok=True)
        prepare_dir(isolated_env.claude_dir, cwd, hook=hook)
        return cwd
    return make


def posts(server):
    return [r for r in server.requests if r["method"] == "POST" and r["path"].startswith("/v1/messages")
            and isinstance(r.get("body"), dict) and r["body"].get("max_tokens", 0) > 1]


def texts_of(request) -> str:
    return json.dumps(request["body"].get("messages"))


def failure_records(isolated_env) -> list[Path]:
    return sorted((isolated_env.state_dir / "launches").glob("*.json"))


def wait_for_record(isolated_env, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = failure_records(isolated_env)
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("the StopFailure hook wrote no failure record for this run")


def exit_claude(session) -> None:
    session.type("/exit")
    session.press("Enter")


def launched(tui, cwd: Path, *args: str, ctl_on_path: bool = True):
    """The launcher under sh, which prints its exit status (tmux's own pane status can lag on a busy machine)."""
    import shlex

    return tui(["sh", "-c", f"{shlex.join([LAUNCHER, *args])}; echo EXIT=$?"], env=env(ctl_on_path), cwd=cwd)


def hooks_we_added(session) -> list[str]:
    """The StopFailure hook commands in the running claude's own `--settings` argument."""
    (job,) = wait_until(lambda: children(pane_pid(session)), "the launcher")
    (claude,) = wait_until(lambda: children(job), "claude under the launcher")
    argv = [a.decode() for a in Path(f"/proc/{claude}/cmdline").read_bytes().split(b"\0")]
    settings = json.loads(argv[argv.index("--settings") + 1]) if "--settings" in argv else {}
    return [h["command"] for e in settings.get("hooks", {}).get("StopFailure", []) for h in e["hooks"]]


def exit_status(session) -> int:
    screen = session.wait_for("EXIT=")
    value = screen.split("EXIT=")[-1]
    return int(value[:len(value) - len(value.lstrip("0123456789"))])


def fail_then_continue(session, isolated_env, fake_server, failed: str, nxt: str, credential: str) -> None:
    """A turn fails on ``failed``; the status line says what to do; /exit, Enter: the conversation
    goes on with ``credential`` on ``nxt``."""
    session.wait_for("❯")
    session.submit("remember the word pineapple")
    session.wait_for("401")
    record = wait_for_record(isolated_env)
    line = ctl(["statusline", "--no-color"], env=env(CLAUDE_FAILOVER_LAUNCH=record.stem)).stdout
    assert f"{failed} failed — /exit, then Enter to continue on {nxt}" in line, line
    exit_claude(session)
    screen = session.wait_for(QUESTION)
    assert f"{failed} failed (authentication failed, 401). Continue this conversation on {nxt}? [Y/n]" in screen, screen
    fake_server.clear_requests()
    session.press("Enter")
    session.wait_for("pineapple")       # the resumed conversation shows the earlier turn
    session.wait_for("❯")
    session.submit("what was the word?")
    session.wait_for(REPLY)
    sent = posts(fake_server)
    assert sent and all(r["credential"] == credential for r in sent), [r["credential"] for r in sent]
    assert "pineapple" in texts_of(sent[-1]) and "what was the word?" in texts_of(sent[-1])
    assert not failure_records(isolated_env)    # the parent took the record
    exit_claude(session)
    assert exit_status(session) == 0


def test_a_failed_turn_continues_on_the_next_route(world, isolated_env, fake_server, tui):
    cwd = world()
    fake_server.behave(TOK1, "oauth_expired", path_prefix="/v1/messages")
    session = launched(tui, cwd)
    assert hooks_we_added(session) == []   # the user's settings run contrib's hook: no second one (one report)
    fail_then_continue(session, isolated_env, fake_server, "first", "second", KEY2)


def test_a_new_user_without_the_hook_gets_the_question_too(world, isolated_env, fake_server, tui):
    """No StopFailure hook in any settings file, no `claude-failover-ctl` on PATH: the launcher adds the hook
    by --settings (our ctl by this interpreter's path), and the failed turn still offers to continue."""
    cwd = world(hook=False)
    fake_server.behave(TOK1, "oauth_expired", path_prefix="/v1/messages")
    session = launched(tui, cwd, ctl_on_path=False)
    (command,) = hooks_we_added(session)
    assert f"{sys.executable} -m claude_failover.ctl report --from-hook" in command
    fail_then_continue(session, isolated_env, fake_server, "first", "second", KEY2)


def test_continue_onto_a_subscription_with_another_config_dir(isolated_env, fake_server, claude_bin, tui):
    """The second account's config dir has never seen the session: the transcript is carried there."""
    a, b = isolated_env.home / "acct-a", isolated_env.home / "acct-b"
    write_config(isolated_env.config_file, (
        f'claude = "{claude_bin}"\norder = ["max", "max2"]\nprobe_timeout = 10\n'
        f'status_url = "{fake_server.url}/api/v2/summary.json"\n'
        f'[profiles.max]\ntype = "subscription"\nconfig_dir = "{a}"\nbase_url = "{fake_server.url}"\n'
        f'[profiles.max2]\ntype = "subscription"\nconfig_dir = "{b}"\nbase_url = "{fake_server.url}"\n'))
    cwd = isolated_env.home / "project"
    cwd.mkdir()
    for d, token in ((a, SUB1), (b, SUB2)):
        prepare_dir(d, cwd)
        subscription_login(d, token)
    fake_server.behave(SUB1, "oauth_expired", path_prefix="/v1/messages")
    session = launched(tui, cwd)
    fail_then_continue(session, isolated_env, fake_server, "max", "max2", SUB2)
    assert list((b / "projects").glob("*/*.jsonl"))


def test_answering_no_ends_with_claudes_exit_status(world, isolated_env, fake_server, tui):
    cwd = world()
    fake_server.behave(TOK1, "oauth_expired", path_prefix="/v1/messages")
    session = launched(tui, cwd)
    session.wait_for("❯")
    session.submit("hi")
    session.wait_for("401")
    wait_for_record(isolated_env)
    exit_claude(session)
    session.wait_for(QUESTION)
    session.submit("n")
    assert exit_status(session) == 0
    assert all(r["credential"] == TOK1 for r in posts(fake_server))   # no turn on the next route


def test_nothing_failed_nothing_changes(world, isolated_env, fake_server, tui):
    cwd = world()
    session = launched(tui, cwd)
    session.wait_for("❯")
    session.submit("hi")
    session.wait_for(REPLY)
    exit_claude(session)
    assert exit_status(session) == 0
    shown = session.screen(history=True)
    assert "claude-failover" not in shown and QUESTION not in shown, shown
    # a non-zero status passes through too: claude exits 1 for a session it cannot find
    session = launched(tui, cwd, "--resume", "00000000-0000-4000-8000-000000000000")
    assert exit_status(session) == 1
    assert "claude-failover" not in session.screen(history=True)


# ---- the terminal: processes seen from /proc --------------------------------------------------------

def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def state_of(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2:].split()[0]


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def alive(pid: int) -> bool:
    try:
        return state_of(pid) != "Z"
    except OSError:
        return False


def pane_pid(session) -> int:
    return int(session.tmux("display-message", "-p", "#{pane_pid}").stdout.strip())


def wait_until(check, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def in_bash(tui, cwd: Path):
    rc = cwd.parent / "bashrc"
    rc.write_text(f"PS1='{PS1} '\n")
    session = tui(["bash", "--rcfile", str(rc), "--noprofile", "-i"], env=env(), cwd=cwd)
    session.wait_for(PS1)
    return session


def start_in_bash(session, argv: str) -> tuple[int, int]:
    """Run ``argv`` from the pane's bash; (the job's process, claude's process) once claude's prompt shows."""
    bash = pane_pid(session)
    session.submit("clear")
    session.wait_for("❯", gone=True)
    session.submit(argv)
    session.wait_for("❯")
    (job,) = wait_until(lambda: children(bash), "the job's process")
    if b"claude-failover" not in Path(f"/proc/{job}/cmdline").read_bytes():
        return job, job                    # claude itself (a plain claude, or exec'd)
    (claude,) = wait_until(lambda: children(job), "claude under the launcher")
    return job, claude


def rc_after(session, marker: str, *pids: int) -> int:
    """The job's exit status as bash reports it (``$?``), once ``pids`` have ended."""
    wait_until(lambda: not any(alive(p) for p in pids), f"{pids} to end")
    session.submit(f"echo {marker}=$?")

    def shown():
        return next((line for line in session.screen().splitlines() if line.startswith(f"{marker}=")), None)
    value = wait_until(shown, f"{marker}= on the screen").split("=", 1)[1]
    return int(value[:len(value) - len(value.lstrip("0123456789"))])   # leftovers of claude's screen may follow


def test_the_launcher_stays_as_a_thin_parent_and_exec_remains(world, isolated_env, tui):
    cwd = world()
    session = in_bash(tui, cwd)
    job, claude = start_in_bash(session, LAUNCHER)
    assert job != claude and "claude-failover" in Path(f"/proc/{job}/cmdline").read_text()
    seen = environ_of(claude)
    assert seen["CLAUDE_FAILOVER_PID"] == f"parent:{job}" and seen.get("CLAUDE_FAILOVER_LAUNCH")
    exit_claude(session)
    assert rc_after(session, "rc", job, claude) == 0

    world('interactive = "exec"\n')
    job, claude = start_in_bash(session, LAUNCHER)
    assert job == claude                   # exec'd: the job's process is claude itself
    seen = environ_of(claude)
    assert seen["CLAUDE_FAILOVER_PID"] == str(claude) and "CLAUDE_FAILOVER_LAUNCH" not in seen
    exit_claude(session)
    assert rc_after(session, "rc2", job, claude) == 0


def test_ctrl_c_goes_to_claude_not_the_parent(world, isolated_env, fake_server, tui):
    cwd = world()
    session = in_bash(tui, cwd)
    job, claude = start_in_bash(session, LAUNCHER)
    session.type("half a thought")
    session.press("C-c")                   # claude clears the input; the parent ignores it
    session.wait_for("half a thought", gone=True)
    time.sleep(1.0)
    assert alive(job) and alive(claude)
    session.submit("hi")
    session.wait_for(REPLY)
    session.press("C-c")
    session.press("C-c")                   # twice on an empty prompt: claude exits
    assert rc_after(session, "rc", job, claude) == 0
    assert not alive(job) and not alive(claude)


def test_a_window_resize_reaches_claude(world, isolated_env, fake_server, tui):
    """claude shares the terminal with its thin parent: the kernel's SIGWINCH reaches it; it redraws."""
    cwd = world()
    session = tui(["sh", "-c", f"{LAUNCHER}; echo EXIT=$?"], env=env(), cwd=cwd, width=100, height=30)
    session.wait_for("❯")
    assert "─" * 100 in session.screen() and "─" * 101 not in session.screen()
    session.tmux("resize-window", "-x", "140", "-y", "35")
    wait_until(lambda: "─" * 140 in session.screen(), "claude's prompt frame redrawn 140 columns wide")
    session.submit("hi")
    session.wait_for(REPLY)
    exit_claude(session)
    assert exit_status(session) == 0


def test_ctrl_z_and_fg_under_bash(world, isolated_env, fake_server, tui):
    cwd = world()
    session = in_bash(tui, cwd)
    job, claude = start_in_bash(session, LAUNCHER)
    session.press("C-z")
    screen = session.wait_for("Stopped")
    assert "Claude Code is suspended" in session.screen(history=True), screen
    wait_until(lambda: state_of(job) == "T" and state_of(claude) == "T", "both processes stopped")
    session.submit("fg")
    session.wait_for("❯")
    wait_until(lambda: state_of(job) != "T" and state_of(claude) != "T", "both processes continued")
    session.submit("hi")
    session.wait_for(REPLY)
    exit_claude(session)
    assert rc_after(session, "rc", job, claude) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_to_the_launcher_reaches_claude_with_plain_claudes_status(world, isolated_env, tui, claude_bin,
                                                                          signum):
    cwd = world()
    session = in_bash(tui, cwd)
    job, claude = start_in_bash(session, claude_bin)   # plain claude first: what the shell reports
    os.kill(claude, signum)
    plain = rc_after(session, "plain", job, claude)
    job, claude = start_in_bash(session, LAUNCHER)
    os.kill(job, signum)
    ours = rc_after(session, "ours", job, claude)
    assert ours == plain, (ours, plain)
    assert not alive(claude)


def test_claude_killed_by_a_signal_gives_the_shell_128_plus_n(world, isolated_env, tui):
    """`kill -9` of claude: the launcher dies of the same signal, so the shell's `$?` is 137 (under sh:
    claude killed that way leaves the terminal in its own modes, where bash's line editor gets lost)."""
    cwd = world()
    session = launched(tui, cwd)
    session.wait_for("❯")
    (job,) = wait_until(lambda: children(pane_pid(session)), "the launcher")
    (claude,) = wait_until(lambda: children(job), "claude under the launcher")
    os.kill(claude, signal.SIGKILL)
    assert exit_status(session) == 128 + signal.SIGKILL
    assert not alive(job)
