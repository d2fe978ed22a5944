"""`ctl uninstall-shim`: remove the `claude` shim that install-shim wrote (and nothing else)."""

from __future__ import annotations

import click

from claude_failover.shim import DEFAULT_DIR


@click.command("uninstall-shim")
@click.option("--dir", "directory", default=DEFAULT_DIR, show_default=True, metavar="DIR",
              help="The directory the shim was installed to.")
def COMMAND(directory):
    """Remove the `claude` shim; a `claude` that is not our shim is left alone."""
    from claude_failover import shim

    removed = shim.uninstall(directory)
    click.echo(f"removed {removed}" if removed else f"no shim in {directory}: nothing to do")
