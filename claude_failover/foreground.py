"""claude as the child of a thin parent that keeps the terminal exactly as a plain claude has it (POSIX).

    status = run(path, args, env)     # the raw wait status of claude
    return end_like(status)           # the exit code, or the same death by signal

The parent stays in the process group the shell made for the job, and claude joins it (no
``setpgid``, no ``tcsetpgrp``): the terminal's signals (Ctrl-C, Ctrl-\\, Ctrl-Z, window resizes)
reach claude from the kernel as they would reach a plain claude, and the shell's job control sees
one job. While claude runs the parent

- ignores SIGINT and SIGQUIT (claude handles Ctrl-C itself; the parent must not die of it),
- forwards SIGTERM and SIGHUP to claude (``kill <the launcher's pid>`` ends claude; a terminal
  hang-up reaches both),
- ignores SIGTSTP/SIGTTIN/SIGTTOU and instead *follows* claude: when claude stops (it handles
  Ctrl-Z itself: puts the terminal back, prints "Claude Code is suspended", stops), ``waitpid``
  reports it and the parent stops itself with the same signal, so the shell sees the job stopped
  only after claude has finished suspending; ``fg`` continues the whole group (the parent also
  sends claude a SIGCONT, for a ``kill -CONT`` of the parent alone).

claude is started with ``posix_spawn`` (no fork of the Python process, no ``subprocess`` import),
with the signals the parent changed reset to their defaults in the child (as the shell would give
them; a signal the caller had ignored stays ignored, as with exec). The wait is a plain blocking
``waitpid``: no polling, no thread.

Imports: ``_signal`` (the C module) rather than ``signal``, whose enum wrapper costs ~6 ms at every
launch.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # the same functions and constants, typed
    import signal as sig
else:
    try:
        import _signal as sig
    except ImportError:  # pragma: no cover - an interpreter without the C module's name
        import signal as sig

IGNORED = ("SIGINT", "SIGQUIT")
FORWARDED = ("SIGTERM", "SIGHUP")
FOLLOWED = ("SIGTSTP", "SIGTTIN", "SIGTTOU")       # job-control stops: the parent stops when claude does
RESET = ("SIGPIPE", "SIGXFSZ")                       # Python ignores these; a shell gives claude the default
# deaths the parent repeats on itself (no core dump); any other signal ends the parent with 128+n
REPEATED = ("SIGHUP", "SIGINT", "SIGKILL", "SIGPIPE", "SIGTERM", "SIGALRM", "SIGUSR1", "SIGUSR2")


def _num(name: str) -> int | None:
    return getattr(sig, name, None)


class _Parent:
    def __init__(self) -> None:
        self.child = 0
        self.pending: int | None = None     # a signal to forward that came before claude started
        self.old: dict = {}                 # signal -> the handler before ours

    def set(self, signum: int, handler) -> None:
        self.old[signum] = sig.signal(signum, handler)

    def forward(self, signum, frame) -> None:
        if not self.child:
            self.pending = signum
        else:
            try:
                os.kill(self.child, signum)
            except OSError:
                pass

    def restore(self) -> None:
        for signum, old in self.old.items():
            try:
                sig.signal(signum, old)
            except (OSError, ValueError, TypeError):
                pass


def run(path: str, args: list[str], env: dict[str, str]) -> int:
    """Run claude in the foreground as our child; its raw wait status when it ends (or dies)."""
    parent = _Parent()
    reset = [n for n in map(_num, RESET) if n is not None]
    try:
        for name in IGNORED + FOLLOWED:
            signum = _num(name)
            if signum is None or sig.getsignal(signum) == sig.SIG_IGN:
                continue    # ignored by our caller: claude inherits that, as it would with exec
            parent.set(signum, sig.SIG_IGN)
            reset.append(signum)
        for name in FORWARDED:
            signum = _num(name)
            if signum is not None and sig.getsignal(signum) != sig.SIG_IGN:
                parent.set(signum, parent.forward)
                reset.append(signum)
        try:
            parent.child = os.posix_spawn(path, [path, *args], env, setsigdef=reset)
        except OSError as exc:
            from claude_failover.execute import cannot_run

            raise cannot_run(path, exc) from None
        if parent.pending is not None:
            parent.forward(parent.pending, None)
        while True:
            _, status = os.waitpid(parent.child, os.WUNTRACED)   # EINTR is retried (PEP 475)
            if not os.WIFSTOPPED(status):
                return status
            _stop_like(parent, os.WSTOPSIG(status))
    finally:
        parent.restore()


def _stop_like(parent: _Parent, signum: int) -> None:
    """claude stopped: stop ourselves the same way (the shell sees its job stopped); go on when continued."""
    if signum not in [_num(n) for n in FOLLOWED]:
        signum = sig.SIGSTOP
    old = sig.signal(signum, sig.SIG_DFL) if signum != sig.SIGSTOP else None
    try:
        os.kill(os.getpid(), signum)        # returns once something continues us (`fg`, `bg`, kill -CONT)
    finally:
        if old is not None:
            sig.signal(signum, old)
    try:
        os.kill(parent.child, sig.SIGCONT)  # continued alone (kill -CONT of the parent): claude too
    except OSError:
        pass


def end_like(status: int) -> int:
    """The exit code for claude's wait status; for a death by a plain terminating signal, die of it
    too (the shell then reports exactly what it reports for a plain claude: 128+n)."""
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        if signum in [_num(n) for n in REPEATED]:
            import sys

            sys.stdout.flush()
            sys.stderr.flush()
            try:
                if signum != sig.SIGKILL:
                    sig.signal(signum, sig.SIG_DFL)
                os.kill(os.getpid(), signum)
            except (OSError, ValueError):
                pass
        return 128 + signum
    return 1
