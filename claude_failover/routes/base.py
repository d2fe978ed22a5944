"""The one small interface every route type implements.

A route type declares the config keys it accepts, where its secret goes, and how it turns a
profile (plus the resolved secret) into environment variables for claude. Health probing
lives beside it (``probe``): the default is a local check only; route types that can ask a
server without spending tokens override it.
"""

from __future__ import annotations

from claude_failover.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any

    from claude_failover.config import Profile


@record(frozen=True)
class Key:
    """A config key a route type accepts: its TOML type(s) and a one-line help."""

    types: tuple[type, ...]
    help: str
    required: bool = False


STR = (str,)
BOOL = (bool,)
NUM = (int, float)


class RouteType:
    name: str = ""
    title: str = ""
    keys: dict[str, Key] = {}
    # "required": needs a secret (keyring by default); "optional": only when the profile
    # names a source (secret_env / secret_cmd / secret = "keyring"); "never": takes none.
    secret: str = "never"
    secret_var: str | None = None
    min_claude: tuple[int, ...] | None = None  # oldest claude version that supports the route

    # --- validation -------------------------------------------------------------------
    def check(self, options: dict[str, Any]) -> list[tuple[str | None, str]]:
        """Semantic problems beyond key names and types: [(key or None, message)]."""
        return []

    # --- environment ------------------------------------------------------------------
    def child_env(self, profile: "Profile", secret: str | None) -> dict[str, str]:
        """Variables this route sets in claude's environment (after the scrub)."""
        raise NotImplementedError

    def also_remove(self, profile: "Profile") -> tuple[str, ...]:
        """Extra caller variables to remove for this route (beyond the common list)."""
        return ()

    def summary(self, profile: "Profile") -> str:
        """One line describing where this route goes, without secrets."""
        return self.title

    # --- health (issue 3 fills these in per type) ---------------------------------------
    def local_check(self, profile: "Profile", environ: dict[str, str]):
        """A verdict from local state only (no network), or None when nothing is known."""
        return None


def base_url_env(var: str, profile: "Profile") -> dict[str, str]:
    url = profile.options.get("base_url")
    return {var: url} if url else {}


def flag(profile: "Profile", key: str, var: str) -> dict[str, str]:
    return {var: "1"} if profile.options.get(key) else {}

