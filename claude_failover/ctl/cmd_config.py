"""`ctl config`: init, path, show, validate."""

from __future__ import annotations

import os

import click

from claude_failover.ctl.common import config_path, echo_json, load_config


@click.group("config")
def COMMAND():
    """Create, locate, show and validate the config file."""


@COMMAND.command("path")
@click.pass_context
def config_path_cmd(ctx):
    """Print the config file's path (whether or not it exists)."""
    click.echo(config_path(ctx))


@COMMAND.command("validate")
@click.pass_context
def validate(ctx):
    """Check the config; exit 78 with file:line:column on the first problem."""
    cfg = load_config(ctx)
    if cfg.embedded:
        click.echo(f"no config at {cfg.path}: the embedded default is used ({', '.join(cfg.order)})")
    else:
        click.echo(f"{cfg.path}: ok ({len(cfg.profiles)} profiles: {', '.join(cfg.order)})")


@COMMAND.command("show")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def show(ctx, as_json):
    """Show the effective config, defaults filled in (it never holds secrets: a profile's secret
    source is shown as the key that names it, e.g. `secret_env = "VAR"`)."""
    cfg = load_config(ctx)
    data = {
        "config": cfg.path, "embedded_default": cfg.embedded, "order": cfg.order, "claude": cfg.claude,
        "settings": cfg.settings,
        "profiles": {n: _profile_keys(p) for n, p in cfg.profiles.items()},
    }
    if as_json:
        echo_json(data)
        return
    click.echo(f"# {cfg.path}{' (not found: embedded default)' if cfg.embedded else ''}")
    click.echo(f"order = {cfg.order!r}".replace("'", '"'))
    if cfg.claude:
        click.echo(f'claude = "{cfg.claude}"')
    for key, value in cfg.settings.items():
        click.echo(f"{key} = {_toml(value)}")
    for name, body in data["profiles"].items():
        click.echo(f"\n[profiles.{name}]")
        for key, value in body.items():
            click.echo(f"{key} = {_toml(value)}")


def _usage_keys(profile) -> dict:
    """switch_at (plan routes), max_spend, wait_for_reset with their defaults (docs/limits.md)."""
    keys: dict = {"switch_at": profile.switch_at} if profile.route.plan else {}
    if profile.max_spend:
        keys["max_spend"] = f"{profile.max_spend[0]:g}/{profile.max_spend[1]}"
    if profile.wait_for_reset:
        keys["wait_for_reset"] = profile.wait_for_reset
    return keys


def _profile_keys(profile) -> dict:
    """A profile as config keys (only real keys: what `config show` prints could be pasted back)."""
    body = {"type": profile.type, **profile.options}
    for key in ("model", "description", "status_url"):
        if getattr(profile, key):
            body[key] = getattr(profile, key)
    if not profile.probe:
        body["probe"] = False
    if profile.env:
        body["env"] = profile.env
    body.update(_usage_keys(profile))
    for kind, arg in profile.secret_sources:  # the one source validation allows
        body.update({"env": {"secret_env": arg}, "cmd": {"secret_cmd": arg}}.get(kind, {"secret": "keyring"}))
    if not profile.secret_sources and profile.route.secret != "never":
        body["secret"] = "none"
    return body


def _toml(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


@COMMAND.command("init")
@click.option("--force", is_flag=True, help="Replace an existing config (the old one is kept as .bak).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the template instead of writing it.")
@click.pass_context
def init(ctx, force, to_stdout):
    """Write a commented config built from what this machine has (logins, keys, cloud settings)."""
    from claude_failover import paths
    from claude_failover.errors import UsageError
    from claude_failover.template import render

    text = render(dict(os.environ))
    if to_stdout:
        click.echo(text, nl=False)
        return
    path = config_path(ctx)
    if os.path.exists(path):
        if not force:
            raise UsageError(f"{path} exists; not overwriting it", hint="claude-failover-ctl config init --force (keeps a .bak)")
        with open(path, "rb") as old:
            paths.atomic_write(path + ".bak", old.read())
    paths.atomic_write(path, text)
    click.echo(f"wrote {path}")
    click.echo("next: `claude-failover-ctl config validate`, then `claude-failover-ctl which`")
