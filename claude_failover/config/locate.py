"""Where a key sits in TOML text: the file:line:column a config error points at."""

from __future__ import annotations

from claude_failover.errors import ConfigError


class Locator:
    """Finds keys and tables in one TOML text; :meth:`fail` raises a located ConfigError."""

    def __init__(self, text: str, path: str):
        self.text, self.path = text, path
        self._lines: list[str] | None = None

    def fail(self, message: str, table: tuple[str, ...] = (), key: str | None = None,
             hint: str | None = None):
        line, column = self.locate(table, key)
        raise ConfigError(message, self.path, line, column, hint)

    def fail_inner(self, message: str, table: tuple[str, ...], key: str, inner: str, hint: str | None = None):
        """Like :meth:`fail` for ``inner`` inside the table value ``key`` (``[table.key]`` or an
        inline ``key = { inner = … }``)."""
        line, column = self.locate(table + (key,), inner)
        if line is None:
            line, column = self.locate(table, key)
            if line is not None and self._lines is not None:
                found = self._lines[line - 1].find(inner, (column or 1) - 1)
                column = found + 1 if found >= 0 else column
        raise ConfigError(message, self.path, line, column, hint)

    def locate(self, table: tuple[str, ...], key: str | None) -> tuple[int | None, int | None]:
        """Best-effort position of ``key`` in ``[table]`` (or of the table header)."""
        import re

        if self._lines is None:
            self._lines = self.text.splitlines()
        current: tuple[str, ...] = ()
        header_pos: tuple[int | None, int | None] = (None, None)
        key_re = re.compile(r"^(\s*)([\"']?)([A-Za-z0-9_.-]+)\2\s*=")
        for number, line in enumerate(self._lines, 1):
            header = re.match(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line)
            if header:
                current = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                if current == table:
                    header_pos = (number, line.index("[") + 1)
                continue
            if key is None:
                continue
            match = key_re.match(line)
            if not match:
                continue
            dotted = tuple(part.strip("\"'") for part in match.group(3).split("."))
            full = current + dotted
            if full == table + (key,) or full[: len(table) + 1] == table + (key,):
                return number, len(match.group(1)) + 1
        if key is None or header_pos[0] is not None:
            return header_pos
        return (None, None)
