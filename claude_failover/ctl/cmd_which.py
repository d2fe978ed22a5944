"""`ctl which`: which route a launch would take now, and why."""

from __future__ import annotations

import os

import click

from claude_failover.ctl.common import echo_json, load_config


@click.command("which")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--profile", "forced", metavar="NAME", help="As if launched with --failover-profile NAME.")
@click.pass_context
def COMMAND(ctx, as_json, forced):
    """Show which route a launch would take now, and why."""
    from claude_failover import argv as argv_mod, binary
    from claude_failover.errors import ClaudeNotFoundError
    from claude_failover.launcher import _decide

    from claude_failover.errors import NoRouteError

    cfg = load_config(ctx)
    split = argv_mod.split(["--failover-profile", forced] if forced else [])
    try:
        decision = _decide(cfg, dict(os.environ), split, False)
    except NoRouteError as exc:
        if as_json:
            echo_json({"profile": None, "error": exc.message, "hint": exc.hint, "config": cfg.path,
                       "embedded_default": cfg.embedded})
        else:
            click.echo(f"none — a launch would exit 69: {exc.message}")
            click.echo(f"  config: {cfg.path}{' (not found: embedded default)' if cfg.embedded else ''}")
            click.echo(f"  fix:    {exc.hint}")
        return exc.exit_code
    try:
        claude = binary.find_claude(cfg.claude, dict(os.environ), cfg.path)
    except ClaudeNotFoundError:
        claude = None
    profile = decision.profile
    if as_json:
        echo_json({
            "profile": profile.name, "type": profile.type, "summary": profile.route.summary(profile),
            "why": decision.why, "fallback": decision.fallback, "preferred": decision.preferred,
            "forced": decision.forced, "secret_source": decision.secret.source if decision.secret else None,
            "claude": claude, "config": cfg.path, "embedded_default": cfg.embedded,
            "skipped": {name: v.to_dict() for name, v in decision.verdicts.items() if not v.usable},
        })
        return
    click.echo(f"{profile.name} ({profile.type}) — {profile.route.summary(profile)}")
    click.echo(f"  why:    {decision.why}")
    for name, verdict in decision.verdicts.items():
        if not verdict.usable:
            click.echo(f"  skipped {name}: {verdict.line()}")
    if decision.secret:
        click.echo(f"  secret: from {decision.secret.source}")
    click.echo(f"  config: {cfg.path}{' (not found: embedded default)' if cfg.embedded else ''}")
    click.echo(f"  claude: {claude or 'NOT FOUND (install Claude Code or set `claude = ...`)'}")
