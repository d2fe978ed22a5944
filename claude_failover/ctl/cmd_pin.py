"""`ctl pin`: make launches use one route, for a while or until `ctl unpin`."""

from __future__ import annotations

import time

import click

from claude_failover.ctl.cmd_completion import complete_profiles
from claude_failover.ctl.common import load_config


def parse_duration(text: str) -> float:
    """"2h", "90m", "30s", "1h30m" or plain seconds, the way the config file reads durations."""
    from claude_failover.config.durations import DurationError, parse_duration as parse
    from claude_failover.errors import UsageError

    try:
        return parse(text)
    except DurationError as exc:
        raise UsageError(f"--for: {exc}") from None


@click.command("pin")
@click.argument("name", shell_complete=complete_profiles)
@click.option("--for", "duration", metavar="DURATION", help='How long, e.g. "2h" or "30m" (default: until unpin).')
@click.pass_context
def COMMAND(ctx, name, duration):
    """Pin launches to route NAME (overrides health; `--failover-profile` still wins)."""
    from claude_failover import cache
    from claude_failover.errors import FailoverError

    cfg = load_config(ctx)
    cfg.profile(name)
    until = time.time() + parse_duration(duration) if duration else None
    if not cache.update(lambda data: data.__setitem__("pin", {"profile": name, "until": until})):
        raise FailoverError("the health cache is locked by another process; try again")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(until)) if until else "until `claude-failover-ctl unpin`"
    click.echo(f"pinned {name} {'until ' + when if until else when}")
