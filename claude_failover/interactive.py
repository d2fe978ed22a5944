"""An interactive launch that stays as claude's thin parent, so a conversation survives its route.

    if interactive.stays(cfg, split, passthrough): ... interactive.run(cfg, launch, claude_path, environ, split)

Why a parent and not exec: claude's exit status does not tell a failed session from a good one (it
exits 0 after a turn that failed with 401, measured), and a subscription cannot be swapped into a
running claude, so continuing elsewhere needs a new claude started *after* this one ends — by
someone who is still there. The parent is :mod:`.foreground` (the terminal, signals, job control
and exit status stay claude's); its only work after claude ends is one failing ``open`` of the
run's failure record (:mod:`.continuation`) when nothing failed. When the StopFailure hook saw a
route failure in this run, the parent asks

    max failed (authentication failed, 401). Continue this conversation on work-key? [Y/n]

and on Enter starts ``claude --resume <session>`` on the next route (``prepare_launch``, the same
as a launch), after carrying the transcript to that route's config dir (``sessions.carry``).

``interactive = "exec"`` in the config keeps the plain exec; so do non-POSIX systems, a standard
input that is not a terminal, and claude's management commands (``claude --version``, ``auth``, …).
"""

from __future__ import annotations

import os
import sys

from claude_failover import continuation


def stays(cfg, split, passthrough: bool) -> bool:
    """Whether this launch runs claude as the child of a staying launcher (else: exec)."""
    from claude_failover import print_args

    return (os.name == "posix" and hasattr(os, "posix_spawn") and not passthrough
            and not print_args.runs_supervised(split)
            and cfg.settings.get("interactive", "continue") == "continue" and _isatty(0))


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def run(cfg, launch, claude_path: str, environ: dict[str, str], split) -> int:
    from claude_failover import foreground

    while True:
        status = foreground.run(claude_path, launch.args, launch.env)
        record = continuation.read(launch.env, remove=True)
        if record is None or not os.WIFEXITED(status) or launch.decision.forced:
            return foreground.end_like(status)
        nxt = _next_route(cfg, environ, split, record, launch)
        line = continuation.failed_line(record)
        if nxt is None:
            _say(f"claude-failover: {line}; no other route can take this conversation now "
                 f"(claude-failover-ctl status). Resume it later with: claude --resume {record['session_id']}")
            return foreground.end_like(status)
        if not _ask(f"{line}. Continue this conversation on {nxt.profile.name}? [Y/n] "):
            return foreground.end_like(status)
        launch = _resumed(cfg, nxt, environ, split, record["session_id"], launch)


def _next_route(cfg, environ, split, record: dict, launch):
    """The next route (the one chooser, real mode; the failed route and the run's own excluded)."""
    from claude_failover.chooser import choose
    from claude_failover.errors import FailoverError

    failed = frozenset({record["route"], launch.decision.profile.name})
    try:
        nxt = choose(cfg, environ, split, False, exclude=failed)
    except FailoverError:
        return None
    return None if nxt.profile.name in failed else nxt


def _resumed(cfg, nxt, environ, split, session: str, launch):
    """The launch that continues ``session`` on ``nxt`` (a fresh conversation when it cannot be carried)."""
    from claude_failover import sessions
    from claude_failover.prepare import prepare_launch

    resumed = prepare_launch(cfg, nxt, environ, split, resume=session, parent=True)
    if sessions.carry(session, launch.env, resumed.env):
        _say(f"claude-failover: continuing on {nxt.profile.name} ({nxt.profile.type}), session {session}")
        return resumed
    _say(f"claude-failover: session {session} could not be carried to {nxt.profile.name}'s config dir; "
         f"starting a new conversation on {nxt.profile.name}")
    return prepare_launch(cfg, nxt, environ, split, parent=True)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _ask(question: str) -> bool:
    """Ask on the terminal; Enter or y = yes; n, end of input or Ctrl-C = no."""
    _cooked()
    sys.stderr.write(question)
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        answer = ""
    if not answer.endswith("\n"):
        sys.stderr.write("\n")
        return False
    return answer.strip().lower() in ("", "y", "yes")


def _cooked() -> None:
    """Line editing and echo on (claude normally restores them when it exits; a crash may not)."""
    try:
        import termios
    except ImportError:  # pragma: no cover - POSIX has it
        return
    try:
        attrs = termios.tcgetattr(0)
        attrs[0] |= termios.ICRNL
        attrs[3] |= termios.ICANON | termios.ECHO | termios.ISIG
        termios.tcsetattr(0, termios.TCSANOW, attrs)
    except (OSError, termios.error):
        pass
