"""Making the chosen route win over Claude Code's settings files.

STUB until issue 5. A settings-file ``env`` block or ``apiKeyHelper`` would replace the
credential we chose; ``guard_args`` returns extra claude arguments (e.g. ``--settings``) that
override them for this launch, or raises a FailoverError explaining why it cannot.

    guard_args(child_env: dict[str, str], claude_args: list[str], environ, cwd) -> list[str]
"""

from __future__ import annotations


def guard_args(child_env, claude_args, environ, cwd) -> list[str]:
    return []
