"""Our own state: the config (validated as the launcher does), the keyring, each profile's
secret (masked), the health cache."""

from __future__ import annotations

import os

from claude_failover.doctor.finding import ERROR, INFO, OK, WARNING, Context, Finding


def check_config(ctx: Context) -> list[Finding]:
    cfg, error = ctx.config(), ctx.config_error()
    if error is not None:
        return [Finding("config-invalid", ERROR, error.message,
                        why="the launcher refuses to start with this config (exit 78)",
                        fix=error.hint or (f"edit {ctx.config_path} at the position shown" if error.line is not None
                                           else f"put a readable TOML file at {ctx.config_path} (move aside what is there; "
                                                "`claude-failover-ctl config init` writes a commented one)"),
                        path=ctx.config_path)]
    if cfg.embedded:
        return [Finding("config-missing", INFO, f"no config file at {cfg.path}: the embedded default is used "
                        f"(routes: {', '.join(cfg.order) or 'none'})",
                        why="without a config there is no second route to fall back on",
                        fix="claude-failover-ctl config init", path=cfg.path)]
    return [Finding("config-ok", OK, f"config {cfg.path}: {len(cfg.profiles)} profile(s), order {', '.join(cfg.order)}",
                    path=cfg.path)]


def _uses_keyring(ctx: Context) -> list[str]:
    return [p.name for p in ctx.profiles() if any(kind == "keyring" for kind, _ in p.secret_sources)]


def check_keyring(ctx: Context) -> list[Finding]:
    from claude_failover import secret
    from claude_failover.errors import SecretError

    users = _uses_keyring(ctx)
    try:
        name = secret.backend_name()
    except SecretError as exc:
        if not users:
            return [Finding("keyring-unavailable", INFO, exc.message,
                            why="no profile keeps its secret in the keyring, so nothing needs it")]
        return [Finding("keyring-unavailable", ERROR, exc.message,
                        why=f"profile(s) {', '.join(users)} keep their secret in the keyring and cannot start",
                        fix=exc.hint or secret.NO_BACKEND_HINT)]
    except Exception as exc:  # keyring's own detection can fail in odd ways
        from claude_failover.log import debug_traceback

        debug_traceback("the keyring backend check failed")
        return [Finding("keyring-unavailable", ERROR if users else INFO, f"the keyring failed: {type(exc).__name__}",
                        fix=secret.NO_BACKEND_HINT)]
    return [Finding("keyring-ok", OK, f"keyring backend: {name}")]


def check_profile_secrets(ctx: Context) -> list[Finding]:
    from claude_failover import secret
    from claude_failover.errors import SecretError

    findings = []
    for profile in ctx.profiles():
        if not profile.secret_sources:
            continue
        wanted = " or ".join(secret.describe(s) for s in profile.secret_sources)
        try:
            found = secret.resolve(profile.name, profile.secret_sources, ctx.environ)
        except SecretError as exc:
            findings.append(Finding("secret-unreadable", ERROR, exc.message,
                                    why=f"the route {profile.name!r} cannot start without its secret",
                                    fix=exc.hint or secret.set_hint(profile.name, profile.secret_sources)))
            continue
        if found is None:
            findings.append(Finding("secret-missing", ERROR, f"profile {profile.name!r}: no secret in {wanted}",
                                    why=f"the route {profile.name!r} is skipped on every launch",
                                    fix=secret.set_hint(profile.name, profile.secret_sources)))
            continue
        findings.append(Finding("secret-ok", OK, f"profile {profile.name!r}: secret from {found.source} "
                                f"({secret.mask(found.value)})"))
    return findings


def check_health_cache(ctx: Context) -> list[Finding]:
    from claude_failover.config.durations import say

    from claude_failover import cache, claude_state

    path = cache.cache_path()
    if not os.path.exists(path):
        return [Finding("cache-empty", OK, f"no health cache yet ({path}); the next launch builds it", path=path)]
    if cache.is_corrupt(path):
        return [Finding("cache-corrupt", WARNING, f"the health cache {path} is not valid",
                        why="every launch re-probes all routes until it is rebuilt (it is, on the next write)",
                        fix="claude-failover-ctl doctor --fix (moves it aside; nothing else is lost)", path=path,
                        repair=lambda: f"moved to {claude_state.backup_aside(path, ctx.now)}")]
    data = cache.read(path)
    cfg = ctx.config()
    findings = []
    profiles = cfg.profiles if cfg else {}
    ttl = cfg.healthy_ttl if cfg else 300.0
    for name, item in sorted(data.get("routes", {}).items()):
        if cfg and name not in profiles:
            findings.append(Finding("cache-unknown-route", INFO, f"the health cache remembers {name!r}, "
                                    "which is no longer a profile", why="harmless; it is ignored", path=path))
            continue
        if name in profiles and cache.entry(data, name, profiles[name].fingerprint()) is None:
            findings.append(Finding("cache-stale", INFO, f"the cached verdict of {name!r} was recorded for "
                                    "other settings of that profile", why="it is ignored; the next launch re-probes",
                                    path=path))
            continue
        verdict = cache.verdict_of(item)
        if verdict is not None and ctx.now - verdict.checked_at > ttl:
            findings.append(Finding("cache-stale", INFO, f"{name}: last verdict ({verdict.line()}) is "
                                    f"{say(ctx.now - verdict.checked_at)} old (healthy_ttl {say(ttl)})",
                                    why="the next launch probes it again", path=path))
    pin = cache.active_pin(data, ctx.now)
    if pin and cfg and pin not in profiles:
        findings.append(Finding("cache-pin-unknown", WARNING, f"the pin names {pin!r}, which is not a profile",
                                why="the pin is ignored", fix="claude-failover-ctl unpin", path=path))
    elif pin:
        findings.append(Finding("cache-pinned", INFO, f"every launch uses {pin!r} (pinned)",
                                why="health decides nothing while a pin is set", fix="claude-failover-ctl unpin"))
    return findings or [Finding("cache-ok", OK, f"health cache {path} is readable")]


CHECKS = (check_config, check_keyring, check_profile_secrets, check_health_cache)
