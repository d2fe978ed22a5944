"""`ctl install-shim`: a `claude` shim first on PATH, for shells where aliases do not apply."""

from __future__ import annotations

import click

from claude_failover.shim import DEFAULT_DIR


@click.command("install-shim")
@click.option("--dir", "directory", default=DEFAULT_DIR, show_default=True, metavar="DIR",
              help="Where to write the `claude` shim; this dir must come before the real claude's on PATH.")
@click.option("--print", "to_stdout", is_flag=True, help="Print the shim instead of writing it.")
def COMMAND(directory, to_stdout):
    """Install a `claude` shim that runs claude-failover.

    Cron jobs, editors, scripts and non-interactive shells ignore aliases and look `claude` up on
    PATH; the shim (a two-line sh script exec'ing the launcher) makes them fail over too. An existing
    `claude` that is not our shim (the real Claude Code) is never overwritten. Warns when DIR is not
    on PATH or comes after the real claude's directory.
    """
    from claude_failover import shim

    if to_stdout:
        click.echo(shim.render(shim.launcher_command()), nl=False)
        return
    result = shim.install(directory)
    verb = "updated" if result.replaced else "installed"
    click.echo(f"{verb} {result.path} -> {' '.join(result.command)}")
    for line in result.advice:
        click.echo(f"warning: {line}", err=True)
    if not result.advice:
        click.echo("`claude` now runs claude-failover everywhere (run `hash -r` in open shells); "
                   "check with `claude --failover-dry-run`")
