"""What ctl commands share: loading the config the same way the launcher does."""

from __future__ import annotations

import click

from claude_failover import config as config_mod, paths


def config_path(ctx: click.Context) -> str:
    root = ctx.find_root()
    explicit = (root.obj or {}).get("config_path")
    return paths.config_path(explicit)


def load_config(ctx: click.Context):
    return config_mod.load(config_path(ctx))


def echo_json(data) -> None:
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=True))
