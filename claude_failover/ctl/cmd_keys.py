"""`ctl keys`: secrets in the OS keyring (service `claude-failover`, user = profile name)."""

from __future__ import annotations

import sys

import click

from claude_failover.ctl.cmd_completion import complete_profiles
from claude_failover.ctl.common import load_config


@click.group("keys")
def COMMAND():
    """Store, list and remove route secrets in the OS keyring."""


def _forget_health(name: str) -> None:
    """Drop the route's cached verdict: the new secret is probed, not skipped for an old failure."""
    from claude_failover import cache

    try:
        done = cache.update(lambda data: cache.forget(data, name), lock_timeout=10.0)
    except OSError as exc:
        done = False
        click.echo(f"warning: could not update the health cache: {exc.strerror or exc}", err=True)
    if not done:
        click.echo(f"note: the health cache still holds {name}'s old verdict; "
                   f"`claude-failover-ctl probe {name}` refreshes it", err=True)


@COMMAND.command("set")
@click.argument("name", shell_complete=complete_profiles)
@click.pass_context
def keys_set(ctx, name):
    """Store the secret for profile NAME.

    Reads a hidden prompt on a terminal, or the first line of standard input otherwise
    (for scripts: `pass show anthropic | claude-failover-ctl keys set work-key`).
    """
    from claude_failover import secret

    cfg = load_config(ctx)
    profile = cfg.profile(name)  # an unknown name: a usage error (64), nothing stored
    if ("keyring", name) not in profile.secret_sources:
        click.echo(f"note: profile {name!r} does not read the keyring (it uses "
                   f"{', '.join(secret.describe(s) for s in profile.secret_sources) or 'no secret'})", err=True)
    if sys.stdin.isatty():
        value = click.prompt(f"Secret for {name}", hide_input=True, confirmation_prompt=False)
    else:
        try:
            value = sys.stdin.buffer.readline().decode("utf-8")
        except UnicodeDecodeError:
            from claude_failover.errors import UsageError

            raise UsageError("the secret on standard input is not UTF-8 text: nothing stored") from None
    value = value.strip()
    if not value:
        from claude_failover.errors import UsageError

        raise UsageError("empty secret: nothing stored")
    secret.keyring_set(name, value)
    _forget_health(name)
    click.echo(f"stored secret for {name} in the keyring ({secret.mask(value)})")


@COMMAND.command("rm")
@click.argument("name", shell_complete=complete_profiles)
def keys_rm(name):
    """Remove the secret of profile NAME from the keyring."""
    from claude_failover import secret

    if secret.keyring_delete(name):
        _forget_health(name)
        click.echo(f"removed secret for {name}")
    else:
        click.echo(f"no secret stored for {name}")


@COMMAND.command("list")
@click.pass_context
def keys_list(ctx):
    """List the profiles that use a secret, masked (last 4 characters), and where it comes from."""
    from claude_failover import secret
    from claude_failover.errors import SecretError

    cfg = load_config(ctx)
    for name in cfg.order:
        profile = cfg.profiles[name]
        if not profile.secret_sources:
            continue
        try:
            found = secret.resolve(name, profile.secret_sources)
            wanted = " or ".join(secret.describe(s) for s in profile.secret_sources)
            shown = f"{secret.mask(found.value)}  from {found.source}" if found else f"(not set: looked in {wanted})"
        except SecretError as exc:
            shown = f"(unavailable: {exc.message})"
        click.echo(f"{name:<20} {shown}")
