"""The one interface every route type implements; every method has a default here.

A route type is one class in one module (``routes/<type>.py``, ``ROUTE = TheClass()``) that owns
everything about it:

- config: ``keys`` it accepts, :meth:`check` (semantics beyond names and types), whether it takes a
  secret (``secret``, :meth:`needs_secret`) and where the secret goes (``secret_var``);
- environment: :meth:`child_env` (the variables it sets), :meth:`also_remove`, ``settings_vars`` and
  :meth:`settings_owned` (variables a Claude Code settings file must not change for it), ``min_claude``;
- health: :meth:`local_check` (no network), :meth:`probe` (live, inside the probe deadline),
  :meth:`can_probe` (whether our own client can verify it), :meth:`login_stamp` (re-login detection),
  :meth:`claude_login_dir` (the Claude Code login it runs on, if any), :meth:`read_run_failure`
  (what claude's error words mean on this route);
- doctor: :meth:`doctor_findings` (prerequisites beyond :meth:`check`, which validation and the doctor share) and :meth:`local_fix`
  (the command that fixes a failed local check).

Nothing here imports the rest of the package at module level (the warm path loads this module and
one route module); probes and doctor helpers are imported inside the methods that use them.
"""

from __future__ import annotations

from claude_failover.schema import BOOL, NUM, STR, Key

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any

    from claude_failover.config.model import Profile
    from claude_failover.doctor.finding import Finding
    from claude_failover.probes import ProbeContext
    from claude_failover.verdict import Verdict

__all__ = ["BOOL", "NUM", "STR", "Key", "RouteType", "base_url_env", "flag"]


class RouteType:
    name: str = ""
    title: str = ""
    keys: dict[str, Key] = {}
    # "required": needs a secret (keyring by default); "optional": only when the profile
    # names a source (secret_env / secret_cmd / secret = "keyring"); "never": takes none.
    secret: str = "never"
    secret_var: str | None = None
    # variables (beyond the credential/provider list) a Claude Code settings file could set to change
    # this route: the settings guard overrides them (see settings_owned)
    settings_vars: tuple[str, ...] = ()
    min_claude: tuple[int, ...] | None = None  # oldest claude version that supports the route
    # billed by a plan's usage windows (a subscription), not per token: claude reports its windows
    # (`switch_at` applies) and using it costs nothing extra (`wait_for_reset` never waits to avoid it)
    plan: bool = False

    # --- config -----------------------------------------------------------------------------
    def check(self, options: dict[str, Any]) -> list[tuple[str | None, str]]:
        """Semantic problems beyond key names and types: [(key or None, message)]."""
        return []

    def needs_secret(self, options: dict[str, Any]) -> bool:
        """Whether a profile with these options takes a secret at all (asked unless secret == "never")."""
        return self.secret != "never"

    # --- environment ------------------------------------------------------------------------
    def child_env(self, profile: Profile, secret: str | None) -> dict[str, str]:
        """Variables this route sets in claude's environment (after the scrub)."""
        raise NotImplementedError

    def also_remove(self, profile: Profile) -> tuple[str, ...]:
        """Extra caller variables to remove for this route (beyond the common list)."""
        return ()

    def settings_owned(self, name: str, child_env: dict[str, str]) -> bool:
        """Whether a settings file's value for ``name`` (not a credential variable: those are always
        guarded) would change this route, given the launch environment ``child_env``: by default one
        of ``settings_vars`` that the launch has."""
        return name in self.settings_vars and bool(child_env.get(name))

    def summary(self, profile: Profile) -> str:
        """One line describing where this route goes, without secrets."""
        return self.title

    # --- health -----------------------------------------------------------------------------
    def local_check(self, profile: Profile, environ: dict[str, str]) -> Verdict | None:
        """A verdict from local state only (no network), or None when nothing is known."""
        return None

    def can_probe(self, profile: Profile) -> bool:
        """Whether our own HTTP client can verify this route live (with its credential or none).

        False for routes only claude itself can use (a subscription login, a setup-token, SigV4,
        Google ADC, Entra ID): their health comes from local state, the status page and claude's runs.
        Capability only: ``probe = false`` in the profile is the user's choice, checked elsewhere.
        """
        return False

    def probe(self, profile: Profile, secret: str | None, ctx: ProbeContext) -> Verdict | None:
        """What can be learnt live inside ``ctx``'s deadline, or None (nothing: the local verdict stands).

        May return a verdict without verifying the credential (the status page): see :meth:`can_probe`.
        """
        return None

    def read_run_failure(self, verdict: Verdict) -> Verdict:
        """A failure read from a claude run's output (``run_failure``), as it applies to this route:
        claude's words can mean another thing per provider. Unchanged by default."""
        return verdict

    def claude_login_dir(self, profile: Profile, environ: dict[str, str]) -> str | None:
        """The Claude Code config dir whose stored login this route runs on, or None."""
        return None

    def login_stamp(self, profile: Profile, environ: dict[str, str]) -> float | None:
        """A time that moves forward when the user logs in again (a verdict older than it is stale)."""
        return None

    # --- doctor -----------------------------------------------------------------------------
    def doctor_findings(self, profile: Profile) -> list[Finding]:
        """Prerequisites beyond the local check that the doctor reports (name shapes and the like)."""
        return []

    def local_fix(self, profile: Profile) -> str:
        """The command that fixes a failed :meth:`local_check`."""
        return "claude-failover-ctl status"


def base_url_env(var: str, profile: Profile) -> dict[str, str]:
    url = profile.options.get("base_url")
    return {var: url} if url else {}


def flag(profile: Profile, key: str, var: str) -> dict[str, str]:
    return {var: "1"} if profile.options.get(key) else {}
