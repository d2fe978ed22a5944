"""Claude Code's session transcripts: where one lives, whether it did work, carrying it to another config dir.

claude keeps a session's transcript in ``<config dir>/projects/<cwd slug>/<session-id>.jsonl``
(measured on 2.1.328 and 2.1.332). ``claude --resume <id>`` looks only under its own config dir:
run with another ``CLAUDE_CONFIG_DIR`` (a second subscription account) it prints ``No conversation
found with session ID: <id>`` and exits 1. Copying the transcript file to the same relative path
under the other config dir makes the resume work there (measured in tmux, docs/interactive.md).
So every resume onto another route — the supervisor's retries and the interactive "continue on
the next route" — calls :func:`carry` first; within one config dir it does nothing.
"""

from __future__ import annotations

import glob
import os

from claude_failover.claude_state import config_dir

TOOL_USE = b'"tool_use"'
READ_LIMIT = 32 * 1024 * 1024


def transcripts(env: dict[str, str], session_id: str) -> list[str]:
    """The transcript files of ``session_id`` under the config dir that ``env`` selects."""
    root = config_dir(env)
    return glob.glob(os.path.join(glob.escape(root), "projects", "*", glob.escape(f"{session_id}.jsonl")))


def has_work(env: dict[str, str], session_id: str) -> bool:
    """The session's transcript shows a tool call: starting it afresh would do that work twice."""
    for path in transcripts(env, session_id):
        try:
            with open(path, "rb") as handle:
                if TOOL_USE in handle.read(READ_LIMIT):
                    return True
        except OSError:
            continue
    return False


def carry(session_id: str, source_env: dict[str, str], target_env: dict[str, str]) -> bool:
    """Make ``session_id`` resumable under ``target_env``'s config dir.

    True when the transcript is there (already, or copied now); False when there is nothing to
    carry or the copy failed (the caller then starts afresh or says so). The copy is 0600, written
    atomically, and never replaces a transcript the target already has.
    """
    source_root, target_root = config_dir(source_env), config_dir(target_env)
    if os.path.realpath(source_root) == os.path.realpath(target_root):
        return bool(transcripts(source_env, session_id))
    if transcripts(target_env, session_id):
        return True
    from claude_failover.paths import atomic_write

    carried = False
    for path in transcripts(source_env, session_id):
        relative = os.path.relpath(path, source_root)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            destination = os.path.join(target_root, relative)
            os.makedirs(os.path.dirname(destination), mode=0o700, exist_ok=True)  # claude's own dir: never chmod-ed
            atomic_write(destination, data, private_dir=False)
            carried = True
        except OSError:
            from claude_failover.log import debug_traceback

            debug_traceback(f"copying session {session_id} to {target_root}")
    return carried
