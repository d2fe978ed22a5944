"""Route types, one module each, imported only when a profile uses them."""

from __future__ import annotations

import sys

from claude_failover.routes.base import RouteType

_MODULES = {
    "subscription": "subscription",
    "oauth-token": "oauth_token",
    "api-key": "api_key",
    "gateway": "gateway",
    "bedrock": "bedrock",
    "mantle": "mantle",
    "vertex": "vertex",
    "foundry": "foundry",
}

TYPE_NAMES = tuple(_MODULES)
_loaded: dict[str, RouteType] = {}


def get(type_name: str) -> RouteType:
    """The RouteType for ``type_name`` (KeyError when unknown)."""
    if type_name not in _loaded:
        name = f"claude_failover.routes.{_MODULES[type_name]}"
        __import__(name)  # not importlib.import_module: importing importlib costs ~1 ms on the warm path
        _loaded[type_name] = sys.modules[name].ROUTE
    return _loaded[type_name]
