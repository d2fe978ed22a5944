"""The config's shape: its top-level settings with their defaults, the keys every profile may
have, and the two value types the rest of the package uses (:class:`Config`, :class:`Profile`).

A route type's own keys are declared by the route type (``RouteType.keys``), not here.
"""

from __future__ import annotations

from claude_failover.valueclass import factory, record
from claude_failover.schema import BOOL, NUM, STR, Key

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any

    from claude_failover.routes.base import RouteType

DEFAULT_STATUS_URL = "https://status.claude.com/api/v2/summary.json"

# Top-level settings: key -> (Key, default). Durations accept seconds or "90s", "5m", "2h".
SETTINGS: dict[str, tuple[Key, Any]] = {
    "probe_timeout": (Key(NUM + STR, "one deadline for all probes of a launch"), 2.0),
    "healthy_ttl": (Key(NUM + STR, "how long a healthy verdict is trusted"), 300.0),
    "cooldown": (Key(NUM + STR, "first skip period of a failing route (doubles while it fails)"), 60.0),
    "max_cooldown": (Key(NUM + STR, "longest skip period"), 1800.0),
    "stall_timeout": (Key(NUM + STR, "headless: no output for this long on a known-bad route = failed"), 120.0),
    "connect_timeout": (Key(NUM + STR, "headless: a route that sends no response at all for this long is "
                            "abandoned for the next one"), 30.0),
    "strict": (Key(BOOL, "exit 69 unless a route is verified healthy"), False),
    "status_url": (Key(STR, "the Statuspage summary.json used for subscription routes"), DEFAULT_STATUS_URL),
    "notify": (Key(BOOL, "desktop notification when the active route changes"), True),
    "interactive": (Key(STR, '"continue" (stay as claude\'s parent: after a route failure, offer the next route) '
                             'or "exec" (hand the process over to claude)'), "continue"),
}
INTERACTIVE_MODES = ("continue", "exec")
DURATIONS = {"probe_timeout", "healthy_ttl", "cooldown", "max_cooldown", "stall_timeout", "connect_timeout"}

TOP_KEYS = {"order": Key((list,), "fallback priority"), "claude": Key(STR, "path of the real claude"),
            "profiles": Key((dict,), "the routes"), **{k: spec for k, (spec, _) in SETTINGS.items()}}

COMMON_PROFILE_KEYS = {
    "type": Key(STR, "the route type", required=True),
    "description": Key(STR, "free text shown by `ctl status`"),
    "model": Key(STR, "ANTHROPIC_MODEL for this route"),
    "env": Key((dict,), "extra variables, applied last"),
    "secret": Key(STR, '"keyring" (default where a secret is needed) or "none"'),
    "secret_env": Key(STR, "read the secret from this environment variable"),
    "secret_cmd": Key(STR, "read the secret from the first line this command prints"),
    "status_url": Key(STR, "Statuspage summary.json for this route's health"),
    "probe": Key(BOOL, "live-probe this route (default true where a probe exists)"),
    # usage limits and spend (spend.py parses them; docs/limits.md)
    "switch_at": Key(NUM + STR, "plan routes: leave at this % of a plan window (default 100: at the limit)"),
    "max_spend": Key(STR, 'skip the route once it cost this much per period: "20/day", "5/week", "200/month"'),
    "wait_for_reset": Key(NUM + STR, "supervised runs: wait for this route's reset when it is this close "
                                     "rather than pay for another route"),
    "live_check": Key(BOOL, "while the route is in doubt, check it with one minimal run of claude "
                      "(default: on for subscription and oauth-token)"),
}
LIMIT_KEYS = ("switch_at", "max_spend", "wait_for_reset")


@record
class Profile:
    name: str
    type: str
    options: dict[str, Any]           # type-specific keys
    env: dict[str, str] = factory(dict)
    model: str | None = None
    description: str | None = None
    status_url: str | None = None
    probe: bool = True
    live_check: bool | None = None    # None: livecheck's default for the route type
    # ordered secret sources: ("keyring", name) | ("env", VAR) | ("cmd", command)
    secret_sources: tuple[tuple[str, str], ...] = ()
    switch_at: float = 100.0                          # % of a plan window (plan routes)
    max_spend: tuple[float, str] | None = None        # (USD, "day" | "week" | "month")
    wait_for_reset: float = 0.0                       # seconds; 0 = never wait

    @property
    def route(self) -> RouteType:
        from claude_failover import routes  # not at module level: routes import nothing from config

        return routes.get(self.type)

    def fingerprint(self) -> str:
        """A stable digest of this profile's settings (never of the secret itself)."""
        import zlib

        blob = repr(_canonical([self.type, self.options, self.env, self.model, self.secret_sources]))
        return f"{zlib.crc32(blob.encode()):08x}"  # change detection only (json/hashlib cost ms to import)


def _canonical(value):
    """Nested data with dicts as sorted item tuples and lists as tuples: a stable repr()."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


@record
class Config:
    path: str
    order: list[str]
    profiles: dict[str, Profile]
    claude: str | None = None
    settings: dict[str, Any] = factory(lambda: {k: d for k, (_, d) in SETTINGS.items()})
    embedded: bool = False   # True when no file exists and the embedded default is used

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["settings"][name]
        except KeyError:
            raise AttributeError(name) from None

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            from claude_failover.config.validate import suggest

            from claude_failover.errors import UsageError

            # a name given on the command line (or in $CLAUDE_FAILOVER_PROFILE): a usage error, exit 64
            raise UsageError(f"no profile named {name!r} in {self.path}{suggest(name, self.profiles)}",
                             hint=f"profiles: {', '.join(self.order) or '(none)'}")
        return self.profiles[name]
