"""What a doctor check returns, and what every check may look at."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

OK, INFO, WARNING, ERROR = "ok", "info", "warning", "error"
SEVERITIES = (ERROR, WARNING, INFO, OK)   # worst first


@dataclass
class Finding:
    id: str                 # stable, kebab-case: what kind of finding (scripts match on it)
    severity: str           # ok | info | warning | error
    saw: str                # what the doctor saw (never a secret)
    why: str = ""           # why it matters
    fix: str = ""           # the command or edit that fixes it
    path: str | None = None  # the file concerned, when there is one
    repair: Callable[[], str] | None = field(default=None, repr=False, compare=False)  # --fix
    fixed: str | None = None       # what --fix did
    fix_failed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "saw": self.saw, "why": self.why, "fix": self.fix,
                "path": self.path, "fixable": self.repair is not None, "fixed": self.fixed}


@dataclass
class Context:
    """The world one doctor run looks at (tests build one around a fixture HOME)."""

    environ: dict[str, str]
    cwd: str
    config_path: str
    now: float = field(default_factory=time.time)
    platform: str = sys.platform
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def current(cls, config_path: str) -> "Context":
        return cls(environ=dict(os.environ), cwd=os.getcwd(), config_path=config_path)

    def config(self):
        """The config as the launcher loads it, or None (the error is in :meth:`config_error`)."""
        if "config" not in self._cache:
            from claude_failover import config as config_mod
            from claude_failover.errors import FailoverError

            try:
                self._cache["config"], self._cache["config_error"] = config_mod.load(self.config_path), None
            except FailoverError as exc:
                self._cache["config"], self._cache["config_error"] = None, exc
        return self._cache["config"]

    def config_error(self):
        self.config()
        return self._cache["config_error"]

    def profiles(self) -> list:
        cfg = self.config()
        return [cfg.profiles[name] for name in cfg.profiles] if cfg else []

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]
