"""The one place that builds claude's environment (aws-vault style).

Start from the caller's environment, remove every variable by which Claude Code picks a
credential or a provider (``credvars.CREDENTIAL_VARS``) plus any the route owns, then add
exactly the chosen route's, the profile's ``model`` and ``env`` table, and our sentinels.
"""

from __future__ import annotations

import os

from claude_failover.config import Profile
from claude_failover.valueclass import factory, record
from claude_failover.credvars import (ACTIVE_VAR, CREDENTIAL_VARS, HELPER_VARS, LAUNCH_VAR, PID_VAR, PREFERRED_VAR,
                                      SECRET_VARS)


@record
class ChildEnv:
    env: dict[str, str]
    set: dict[str, str]                  # what the route put there (values may be secret)
    unset: list[str] = factory(list)   # caller variables removed
    secret_vars: frozenset[str] = frozenset()

    def __repr__(self) -> str:  # env holds the secret: never in a repr
        return f"ChildEnv(set={dict(self.display())!r}, unset={self.unset!r})"

    def display(self, reveal: bool = False) -> list[tuple[str, str]]:
        """(name, shown value) for each variable we set; secrets masked unless ``reveal``."""
        from claude_failover.secret import mask

        return [(k, v if reveal or k not in self.secret_vars else mask(v)) for k, v in sorted(self.set.items())]


def build(profile: Profile, secret: str | None, base: dict[str, str] | None = None,
          preferred: str | None = None, pid: int | None = None) -> ChildEnv:
    base = dict(os.environ if base is None else base)
    route_env = profile.route.child_env(profile, secret)
    if profile.model:
        route_env["ANTHROPIC_MODEL"] = profile.model
    route_env.update(profile.env)
    route_env[ACTIVE_VAR] = profile.name
    route_env[PID_VAR] = str(os.getpid() if pid is None else pid)
    if preferred:
        route_env[PREFERRED_VAR] = preferred

    remove = set(CREDENTIAL_VARS) | set(HELPER_VARS) | {LAUNCH_VAR} | set(profile.route.also_remove(profile))
    unset = sorted(name for name in remove if name in base and name not in route_env)
    for name in remove:
        base.pop(name, None)
    base.update(route_env)
    secret_vars = {k for k in route_env if k in SECRET_VARS}
    if secret and profile.route.secret_var:
        secret_vars.add(profile.route.secret_var)
    return ChildEnv(env=base, set=route_env, unset=unset, secret_vars=frozenset(secret_vars))


def settle(child: ChildEnv, before: dict[str, str], env: dict[str, str]) -> ChildEnv:
    """``child`` with its final environment ``env`` (after the settings guard and a supervised run's
    bounds changed it; ``before``: what :func:`build` made): what claude gets, exactly, for
    ``--failover-dry-run`` — an interactive API-key launch shows ``CLAUDE_FAILOVER_KEY`` (masked)
    and the helper's variables instead of ``ANTHROPIC_API_KEY``."""
    shown = {k: v for k, v in child.set.items() if k in env}
    shown.update((k, v) for k, v in env.items() if before.get(k) != v)
    if shown == child.set and env is child.env:
        return child
    secret_vars = {k for k in child.secret_vars if k in shown} | ({HELPER_VARS[0]} & set(shown))
    unset = sorted(set(child.unset) | {k for k in before if k not in env and k not in child.set})
    return ChildEnv(env=env, set=shown, unset=unset, secret_vars=frozenset(secret_vars))
