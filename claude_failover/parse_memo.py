"""Parsed files, remembered (a memo of parses): the launcher's ``.pyc``.

Parsing TOML and JSON needs ``tomllib``, ``json`` and ``re`` — about 25 ms of imports on this
machine, before any work, on every ``claude`` start. So a file we parsed is remembered as a
``marshal`` blob in the state dir, keyed by our version, the file's path and its *content* (length,
CRC-32 and Adler-32 of the bytes); the next launch reads the file — cheap — and, when the key
matches, takes the remembered result instead of parsing. Keying on content rather than on stat
fields matters: atomic replaces reuse inode numbers at once and file timestamps move in coarse
ticks, so two writes of the same size could otherwise look alike. A blob that cannot be read is
ignored and rewritten.

Only data that holds no secret is remembered: the *validated* config (validation rejects
secrets in it) and the health cache. Claude Code's settings files, which may hold secrets,
are never mirrored.
"""

from __future__ import annotations

import marshal
import os
import zlib

from claude_failover import __version__, paths

_MISS = object()


def _blob_path(kind: str) -> str:
    return os.path.join(paths.state_dir(), f"parsed-{kind}.marshal")


def _key(kind: str, path: str, raw: bytes) -> tuple:
    return (__version__, kind, path, len(raw), zlib.crc32(raw), zlib.adler32(raw))


def load(path: str, kind: str, parse, max_bytes: int):
    """``parse(raw bytes)`` of the file at ``path``, or its remembered result.

    Raises what ``open`` and ``parse`` raise; a failed parse is not remembered.
    """
    with open(path, "rb") as handle:
        return from_handle(handle, path, kind, parse, max_bytes)


def from_handle(handle, path: str, kind: str, parse, max_bytes: int):
    """:func:`load` for a file already open (binary) as ``handle``."""
    raw = handle.read(max_bytes)
    key = _key(kind, path, raw)
    cached = _recall(kind, key)
    if cached is not _MISS:
        return cached
    value = parse(raw)
    _store(kind, key, value)
    return value


def remember(path: str, kind: str, raw: bytes, value) -> None:
    """Record ``value`` as the parse of ``raw``, the bytes just written at ``path``."""
    _store(kind, _key(kind, path, raw), value)


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
