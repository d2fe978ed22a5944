"""Supervised (headless) runs of claude: watch for a broken route, retry on the next.

STUB until issue 4. Contract used by the launcher:

    wants_supervision(split) -> bool
    supervise(cfg, decision, child, claude_path, claude_args, environ) -> int (exit code)
"""

from __future__ import annotations


def wants_supervision(split) -> bool:
    return False


def supervise(cfg, decision, child, claude_path, claude_args, environ) -> int:  # pragma: no cover
    raise NotImplementedError
