"""Measuring hook for the load test (tests/test_reliability_load.py), never installed for users.

When CLAUDE_FAILOVER_TEST_LOCKLOG names a file, every acquisition of the health cache's lock by
this process appends one line to it: ``<wait seconds> <hold seconds> <got 1|0> <pid> <argv0>``.
Put this directory on PYTHONPATH to load it (Python imports ``sitecustomize`` at start-up).
"""

import os
import sys
import time

_LOG = os.environ.get("CLAUDE_FAILOVER_TEST_LOCKLOG")

if _LOG:
    try:
        from contextlib import contextmanager

        from claude_failover import cache as _cache

        _original = _cache._locked

        @contextmanager
        def _timed(path, timeout):
            start = time.monotonic()
            with _original(path, timeout) as got:
                acquired = time.monotonic()
                try:
                    yield got
                finally:
                    done = time.monotonic()
                    line = (f"{acquired - start:.6f} {done - acquired:.6f} {int(bool(got))} {os.getpid()} "
                            f"{os.path.basename(sys.argv[0] or '?')}\n")
                    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                    try:
                        os.write(fd, line.encode())
                    finally:
                        os.close(fd)

        _cache._locked = _timed
    except Exception:  # a measuring hook must never break the program it measures
        pass
