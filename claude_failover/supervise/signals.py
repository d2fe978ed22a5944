"""Signals during a supervised run: forwarded to the running child; the first one is remembered."""

from __future__ import annotations

import signal
import subprocess
import time

FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP")


class Signals:
    """Forwards SIGINT/SIGTERM/SIGHUP to the running child and remembers the first one."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.at = 0.0
        self.proc: subprocess.Popen | None = None
        self._old: dict[int, signal._HANDLER] = {}   # (typeshed's name for a handler signal.signal returns)

    def install(self) -> None:
        for name in FORWARDED:
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except (ValueError, OSError):  # not the main thread
                pass

    def restore(self) -> None:
        for sig, old in self._old.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError, TypeError):
                pass

    def _handle(self, signum, frame) -> None:
        if self.received is None or signum == signal.SIGINT:
            self.received, self.at = signum, time.monotonic()
        self.forward(signum)

    def forward(self, signum: int) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signum)
            except OSError:
                pass
