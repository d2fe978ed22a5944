"""Driving the real terminal UI in tests: a detached tmux session of fixed size.

    tui = Tui(tmp_path, env, cwd)             # own tmux server (socket in tmp_path), no user config
    tui.start([LAUNCHER])                     # or [claude_bin, ...]; the pane stays after exit
    tui.wait_for("❯")                         # poll capture-pane until the text shows (generous timeout)
    tui.type("hi"); tui.press("Enter")
    tui.wait_exit() -> exit status            # after /exit
    tui.kill()                                # always (the ``tui`` fixture does it)

``trust_folder(claude_json, cwd)`` answers claude's first-run screens (onboarding, folder trust) in
the throwaway HOME's ~/.claude.json before claude starts; ``subscription_login(config_dir, token)``
writes a subscription login (the credentials file) that the fake server can then answer as it likes.
Everything runs inside the test's namespace and HOME; the session is killed however the test ends.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

_SERIAL = itertools.count()
WIDTH, HEIGHT = 150, 40
TIMEOUT = 45.0            # generous: 2 CPUs shared with other runs


class TuiTimeout(AssertionError):
    pass


class Tui:
    def __init__(self, tmp: Path, env: dict[str, str], cwd: Path, width: int = WIDTH, height: int = HEIGHT):
        if shutil.which("tmux") is None:
            raise AssertionError("tmux is needed for terminal UI tests (scripts/test.sh installs it)")
        self.sock = str(tmp / f"tmux-{next(_SERIAL)}.sock")   # own server per session: no race with a kill
        self.conf = tmp / "tmux.conf"
        # the pane stays after its command exits, so the exit status and last screen can be read
        self.conf.write_text("set -g remain-on-exit on\nset -g history-limit 5000\n")
        self.env = {**env, "TERM": "xterm-256color"}
        self.env.pop("TMUX", None)
        self.cwd = cwd
        self.size = (width, height)
        self.started = False

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-S", self.sock, "-f", str(self.conf), *args], env=self.env,
                              capture_output=True, text=True, check=check, timeout=15)

    def start(self, argv: list[str]) -> None:
        import shlex

        w, h = self.size
        self.tmux("new-session", "-d", "-x", str(w), "-y", str(h), "-c", str(self.cwd), shlex.join(argv))
        self.started = True

    def screen(self, history: bool = False) -> str:
        args = ["capture-pane", "-p", "-J"] + (["-S", "-"] if history else [])
        return self.tmux(*args, check=False).stdout

    def wait_for(self, *texts: str, timeout: float = TIMEOUT, gone: bool = False) -> str:
        """Poll until one of ``texts`` is on the screen (or, with ``gone``, none is); returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if any(t in shown for t in texts) != gone:
                return shown
            if time.monotonic() > deadline:
                raise TuiTimeout(f"{'still' if gone else 'never'} saw {texts!r} within {timeout}s; screen:\n{shown}")
            time.sleep(0.2)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)
        time.sleep(0.2)   # let the UI take the text before a following Enter

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def submit(self, text: str) -> None:
        self.type(text)
        self.press("Enter")

    def dead(self) -> bool:
        out = self.tmux("display-message", "-p", "#{pane_dead}", check=False).stdout.strip()
        return out == "1"

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while not self.dead():
            if time.monotonic() > deadline:
                raise TuiTimeout(f"the program did not exit within {timeout}s; screen:\n{self.screen()}")
            time.sleep(0.2)
        for _ in range(25):   # the status may show a moment after the pane is marked dead
            status = self.tmux("display-message", "-p", "#{pane_dead_status} #{pane_dead_signal}").stdout.split()
            if status:
                break
            time.sleep(0.2)
        else:
            return -1
        return int(status[0]) if len(status) == 1 else 128 + int(status[-1])  # a death by signal n: 128+n

    def kill(self) -> None:
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False


def trust_folder(claude_json: Path, cwd: Path, **extra) -> dict:
    """Answer onboarding and the folder-trust dialog for ``cwd`` in ``claude_json`` (before claude starts)."""
    state = json.loads(claude_json.read_text()) if claude_json.exists() else {}
    state["hasCompletedOnboarding"] = True
    state.setdefault("projects", {}).setdefault(str(cwd), {})["hasTrustDialogAccepted"] = True
    state.update(extra)
    claude_json.write_text(json.dumps(state))
    return state


def subscription_login(config_dir: Path, token: str, plan: str = "max") -> Path:
    """A subscription login in ``config_dir``/.credentials.json that does not expire during the test."""
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / ".credentials.json"
    path.write_text(json.dumps({"claudeAiOauth": {
        "accessToken": token, "refreshToken": "sk-ant-ort01-FAKE-refresh",
        "expiresAt": int((time.time() + 86400) * 1000), "scopes": ["user:inference", "user:profile"],
        "subscriptionType": plan}}))
    os.chmod(path, 0o600)
    return path
