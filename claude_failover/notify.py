"""Desktop notifications when the active route changes or the preferred route recovers.

    route_changed(previous: str | None, current: str, preferred: str, reason: str) -> None

Uses ``notify-send`` (Linux desktops) or ``osascript`` (macOS) when present, and is a silent no-op
elsewhere. It never blocks and never raises: the notifier is started through ``sh -c '… &'`` so it
is detached (no zombie in a process that later execs claude, no wait on a slow or missing
notification daemon); only the ``sh`` that backgrounds it is waited for, at most ``TIMEOUT`` s.

Disable with ``notify = false`` in the config (callers holding a config pass ``cfg=``; otherwise the
default config file is read when a notification is due) or ``CLAUDE_FAILOVER_NOTIFY=0`` in the
environment.
Messages carry profile names and verdict reasons only, never a secret.
"""

from __future__ import annotations

import os
import shutil
import subprocess

ENV_VAR = "CLAUDE_FAILOVER_NOTIFY"
APP_NAME = "claude-failover"
TIMEOUT = 1.0
_OFF = {"0", "false", "no", "off"}

# AppleScript taking title and body as arguments, so nothing needs quoting.
_APPLESCRIPT = ("on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run")


def enabled(cfg=None, environ=None) -> bool:
    """False when ``CLAUDE_FAILOVER_NOTIFY`` is 0/false/no/off or the config says ``notify = false``."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR, "").strip().lower() in _OFF:
        return False
    return cfg is None or bool(getattr(cfg, "notify", True))


def message(previous: str | None, current: str, preferred: str, reason: str) -> tuple[str, str]:
    """(title, body) for a change of route. ``reason`` is a verdict line or the launcher's list of
    skipped routes ("max: expired login (401)"); a bare one is attributed to the route it is about."""
    if current == preferred:
        # a return after a usage limit says so ("max is back: 5-hour limit reset")
        again = reason if reason.startswith(f"{current} is back:") else "the preferred route is healthy again"
        body = again + (f" (was on {previous})" if previous else "")
        return f"Claude back on {current}", body
    about = previous if previous and previous != preferred else preferred
    if not reason:
        body = f"{preferred} is unavailable"
    elif any(f"{name}:" in reason for name in (preferred, previous) if name):
        body = reason
    else:
        body = f"{about}: {reason}"
    if previous and previous != preferred and f"{previous}:" not in body:
        body += f" (was on {previous})"
    return f"Claude fell back to {current}", body


def _command(title: str, body: str) -> list[str] | None:
    exe = shutil.which("notify-send")
    if exe:
        return [exe, f"--app-name={APP_NAME}", "--icon=dialog-information", title, body]
    exe = shutil.which("osascript")
    if exe:
        return [exe, *(part for line in _APPLESCRIPT for part in ("-e", line)), title, body]
    return None


def send(title: str, body: str) -> bool:
    """Start a desktop notification in the background; True when a notifier was started."""
    command = _command(title, body)
    sh = shutil.which("sh")
    if command is None or sh is None:
        return False
    try:
        proc = subprocess.Popen([sh, "-c", '"$@" </dev/null >/dev/null 2>&1 &', "sh", *command],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                close_fds=True, start_new_session=True)
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    except OSError:
        return False
    return True


def route_changed(previous, current, preferred, reason, cfg=None) -> None:
    """Tell the desktop that launches now use ``current`` (a fallback, or back on ``preferred``).

    Pass ``cfg`` when you hold the config; without it the default config file is read (only when a
    notification is due) so that ``notify = false`` is honoured either way.
    """
    if not current or previous == current or not enabled():
        return None
    if not enabled(cfg if cfg is not None else _default_config()):
        return None
    try:
        send(*message(previous, current, preferred, reason or ""))
    except Exception:  # a notification must never break a launch or a probe
        from claude_failover.log import debug_traceback

        debug_traceback("sending the desktop notification failed")
    return None


def _default_config():
    try:
        from claude_failover import config, paths

        return config.load(paths.config_path())
    except Exception:  # a broken config is reported elsewhere; it does not silence notifications
        from claude_failover.log import debug_traceback

        debug_traceback("reading the config for the notification failed")
        return None
