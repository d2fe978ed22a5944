"""Route types: one module each in this package, one class each, found by name.

The naming rule is the one type -> module table: ``type = "foo-bar"`` in a profile is the module
``claude_failover/routes/foo_bar.py`` and its ``ROUTE`` (an instance of a
:class:`~claude_failover.routes.base.RouteType` subclass). Modules whose name starts with ``_``
and ``base`` are not route types. Adding a route type is adding one module (docs/architecture.md).

:func:`get` imports only the module asked for (the warm path: no directory listing, no importlib);
:func:`type_names` lists the directory (validation errors, the doctor, completion).
"""

from __future__ import annotations

import sys

from claude_failover.routes.base import RouteType

_NOT_TYPES = ("base",)
_loaded: dict[str, RouteType] = {}
_names: tuple[str, ...] | None = None


def module_name(type_name: str) -> str | None:
    """The module of ``type_name`` ("api-key" -> "api_key"), or None when it cannot be a type."""
    stem = type_name.replace("-", "_")
    if not stem or stem[0] in "_0123456789" or stem in _NOT_TYPES or not stem.isidentifier() \
            or not stem.isascii() or stem != stem.lower():
        return None
    return stem


def get(type_name: str) -> RouteType:
    """The RouteType for ``type_name`` (KeyError when there is no such route type)."""
    route = _loaded.get(type_name)
    if route is not None:
        return route
    stem = module_name(type_name) if isinstance(type_name, str) else None
    if stem is None:
        raise KeyError(type_name)
    name = f"{__name__}.{stem}"
    try:
        __import__(name)  # not importlib.import_module: importing importlib costs ~1 ms on the warm path
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise KeyError(type_name) from None
        raise
    route = getattr(sys.modules[name], "ROUTE", None)
    if not isinstance(route, RouteType):
        raise KeyError(type_name)
    _loaded[type_name] = route
    return route


def type_names() -> tuple[str, ...]:
    """Every route type this install has, sorted (one directory listing, then remembered)."""
    global _names
    if _names is None:
        import os

        found = set()
        for path in __path__:
            try:
                entries = os.listdir(path)
            except OSError:
                continue
            for entry in entries:
                stem, dot, ext = entry.rpartition(".")
                if dot and ext == "py" and module_name(stem) == stem:
                    found.add(stem.replace("_", "-"))
        _names = tuple(sorted(found))
    return _names


def __getattr__(name: str):
    if name == "TYPE_NAMES":  # computed on first use: a warm launch never lists the directory
        return type_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
