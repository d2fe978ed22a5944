"""Parsed files, remembered: the launcher's ``.pyc``.

Parsing TOML and JSON needs ``tomllib``, ``json`` and ``re`` — about 25 ms of imports on this
machine, before any work, on every ``claude`` start. So a file we parsed is remembered as a
``marshal`` blob in the state dir, keyed by our version and the file's path, inode, size,
mtime and ctime (nanoseconds); the next launch whose file has the same key reads the blob
instead. Any edit or atomic replace of the file changes the key, and a blob that cannot be
read is ignored and rewritten.

Only data that holds no secret is remembered: the *validated* config (validation rejects
secrets in it) and the health cache. Claude Code's settings files, which may hold secrets,
are never mirrored.
"""

from __future__ import annotations

import marshal
import os

from claude_failover import __version__, paths

_MISS = object()


def _blob_path(kind: str) -> str:
    return os.path.join(paths.state_dir(), f"parsed-{kind}.marshal")


def _key(kind: str, path: str, st: os.stat_result) -> tuple:
    return (__version__, kind, path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def load(path: str, kind: str, parse, max_bytes: int):
    """``parse(raw bytes)`` of the file at ``path``, or its remembered result.

    Raises what ``open`` and ``parse`` raise; a failed parse is not remembered.
    """
    with open(path, "rb") as handle:
        return from_handle(handle, path, kind, parse, max_bytes)


def from_handle(handle, path: str, kind: str, parse, max_bytes: int):
    """:func:`load` for a file already open (binary) as ``handle``."""
    key = _key(kind, path, os.fstat(handle.fileno()))
    cached = _recall(kind, key)
    if cached is not _MISS:
        return cached
    value = parse(handle.read(max_bytes))
    _store(kind, key, value)
    return value


def remember(path: str, kind: str, value) -> None:
    """Record ``value`` as the parse of the file just written at ``path``."""
    try:
        _store(kind, _key(kind, path, os.stat(path)), value)
    except OSError:
        pass


def _recall(kind: str, key: tuple):
    try:
        with open(_blob_path(kind), "rb") as handle:
            stored_key, value = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return _MISS
    return value if stored_key == key else _MISS


def _store(kind: str, key: tuple, value) -> None:
    try:
        paths.atomic_write(_blob_path(kind), marshal.dumps((key, value)))
    except (OSError, ValueError):  # unwritable state dir, or a value marshal can't hold
        pass
