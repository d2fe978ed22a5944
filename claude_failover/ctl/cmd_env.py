"""`ctl env NAME`: the environment a route would give claude."""

from __future__ import annotations

import os
import shlex

import click

from claude_failover.ctl.common import load_config


@click.command("env")
@click.argument("name")
@click.option("--reveal", is_flag=True, help="Show secrets in full (they are masked otherwise).")
@click.pass_context
def COMMAND(ctx, name, reveal):
    """Print the variables route NAME sets and unsets, as shell lines.

    Secrets are masked unless --reveal; with --reveal the output can be eval'd:
    `eval "$(claude-failover-ctl env work-key --reveal)"`.
    """
    from claude_failover import environment
    from claude_failover.decision import resolve_secret

    cfg = load_config(ctx)
    profile = cfg.profile(name)
    environ = dict(os.environ)
    found = resolve_secret(profile, environ)
    child = environment.build(profile, found.value if found else None, environ,
                              preferred=cfg.order[0] if cfg.order else None)
    for var in child.unset:
        click.echo(f"unset {var}")
    for var, shown in child.display(reveal=reveal):
        click.echo(f"export {var}={shlex.quote(shown)}")
    if found and not reveal:
        click.echo(f"# secret from {found.source}; masked (use --reveal to show)", err=True)
