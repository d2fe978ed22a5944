"""`ctl doctor`: find every local auth pitfall, explain it, fix what is safe."""

from __future__ import annotations

import click

from claude_failover.ctl.common import config_path, echo_json

LABELS = {"error": "ERROR", "warning": "WARNING", "info": "info", "ok": "ok"}
JSON_VERSION = 1


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema in docs/doctor.md).")
@click.option("--fix", is_flag=True,
              help="Apply the safe repairs: move a corrupt credentials store or health cache aside to a "
                   "timestamped backup (never delete), chmod 600 a readable credentials file.")
@click.option("--quiet", "-q", is_flag=True, help="Show only warnings and errors.")
@click.pass_context
def COMMAND(ctx, as_json, fix, quiet):
    """Find auth pitfalls: shell variables, Claude Code settings files, the login store, the real
    claude, your config, keyring, routes and health cache. For each: what it saw, why it matters,
    and the command that fixes it. Secrets are never printed.

    Exit status: 0 when nothing is wrong (only ok/info), 1 when an error or a warning was found.
    """
    from claude_failover import doctor

    context = doctor.Context.current(config_path(ctx))
    findings = doctor.run(context)
    fixed = doctor.apply_fixes(findings) if fix else []
    if fixed:  # look again: what is left after the repairs
        findings = doctor.run(doctor.Context.current(config_path(ctx)))
    code = doctor.exit_code(findings)
    if as_json:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in doctor.SEVERITIES}
        echo_json({"version": JSON_VERSION, "ok": code == 0, "exit_code": code, "counts": counts,
                   "fixed": [{"id": f.id, "path": f.path, "action": f.fixed} for f in fixed],
                   "findings": [f.to_dict() for f in _ordered(findings)]})
    else:
        _print_report(findings, fixed, quiet)
        if fix and not fixed:
            click.echo("--fix: nothing was fixed (no finding has a safe automatic fix; the fix lines above say "
                       "what to do by hand)" if code else "--fix: nothing to fix")
    ctx.exit(code)


def _ordered(findings):
    from claude_failover.doctor import SEVERITIES

    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def _print_report(findings, fixed, quiet: bool) -> None:
    for f in fixed:
        click.echo(f"fixed    {f.id}: {f.fixed}")
    if fixed:
        click.echo()
    for f in _ordered(findings):
        if quiet and f.severity in ("ok", "info"):
            continue
        mark = " (fixable)" if f.repair else ""
        click.echo(f"{LABELS[f.severity]:<8} {f.saw}  [{f.id}]{mark}")
        if f.severity == "ok":
            continue
        if f.why:
            click.echo(f"         why: {f.why}")
        if f.fix:
            click.echo(f"         fix: {f.fix}")
    problems = [f for f in findings if f.severity in ("error", "warning")]
    errors = sum(1 for f in problems if f.severity == "error")
    click.echo()
    if problems:
        hint = "  `claude-failover-ctl doctor --fix` repairs those marked fixable." if any(f.repair for f in problems) else ""
        click.echo(f"{len(problems)} problem(s): {errors} error(s), {len(problems) - errors} warning(s).{hint}")
    else:
        click.echo("No problems found.")
