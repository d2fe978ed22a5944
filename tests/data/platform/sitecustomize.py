"""Test hook, never installed for users: pretend to be another platform.

With this directory on PYTHONPATH and ``CLAUDE_FAILOVER_TEST_PLATFORM=darwin`` in the environment,
the process starts with ``sys.platform`` switched before anything of ours (or platformdirs, which
picks its conventions at import) is imported, so the macOS branches — keychain, launchd, paths —
run on Linux against stand-ins for ``security``/``launchctl``/``osascript`` on PATH
(tests/test_platforms.py, bench/bench_keychain.py). Only ``darwin`` is meaningful: a POSIX kernel
underneath behaves like macOS's; Windows branches are tested in-process instead.
"""

import os
import sys

_PLATFORM = os.environ.get("CLAUDE_FAILOVER_TEST_PLATFORM")
if _PLATFORM:
    sys.platform = _PLATFORM
