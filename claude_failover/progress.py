"""A one-line spinner on stderr while a launch waits for probes longer than ~300 ms.

Only when stderr is a terminal, and not with CLAUDE_FAILOVER_QUIET=1 or CLAUDE_FAILOVER_LOG=json;
otherwise nothing at all. The line is erased before claude starts, so it leaves no trace.
"""

from __future__ import annotations

import os
import sys
import time

DELAY = 0.3
FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """Call :meth:`tick` while waiting; :meth:`close` when done (also a context manager)."""

    def __init__(self, what: str, stream=None, environ=None, delay: float = DELAY):
        environ = os.environ if environ is None else environ
        self.stream = sys.stderr if stream is None else stream
        self.what = what
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        self.frame = 0
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError, OSError):
            tty = False
        self.enabled = (tty and environ.get("CLAUDE_FAILOVER_QUIET") not in ("1", "true", "yes")
                        and environ.get("CLAUDE_FAILOVER_LOG", "").lower() != "json")

    def tick(self) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        self.frame = (self.frame + 1) % len(FRAMES)
        self._write(f"\r\x1b[2Kclaude-failover: {self.what} {FRAMES[self.frame]}")
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self._write("\r\x1b[2K")
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
