"""`ctl unpin`: remove a pin; launches follow health again."""

from __future__ import annotations

import click


@click.command("unpin")
def COMMAND():
    """Remove the pin: launches choose by health again."""
    from claude_failover import cache
    from claude_failover.errors import FailoverError

    previous = cache.active_pin(cache.read())
    if not cache.update(lambda data: data.__setitem__("pin", None)):
        raise FailoverError("the health cache is locked by another process; try again")
    click.echo(f"unpinned {previous}" if previous else "no pin was set")
