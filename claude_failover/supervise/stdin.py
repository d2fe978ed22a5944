"""A supervised run's standard input, read once so every attempt gets the same bytes."""

from __future__ import annotations

import os
import sys

STDIN_GRACE = 3.0             # as claude: no stdin data within 3 s = none


def capture_stdin(stream_input: bool) -> bytes | None:
    """Our stdin, read once so every attempt gets it; None = a terminal or a live stream (inherit)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return b""
    if stream_input or os.isatty(fd):
        return None
    import select

    try:
        ready, _, _ = select.select([fd], [], [], STDIN_GRACE)
    except (OSError, ValueError):
        return b""
    if not ready:
        return b""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
