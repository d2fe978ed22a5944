"""`claude-failover-ctl doctor`: find every local auth pitfall, explain it, fix what is safe.

Each check is a small function ``check_*(ctx) -> list[Finding]`` in a module named for what it
inspects; :func:`run` calls them all. A check that crashes becomes an error finding (the doctor
itself never dies on a user's odd state). Secrets are never put in a finding: at most
:func:`claude_failover.secret.mask`.
"""

from __future__ import annotations

import importlib

from claude_failover.doctor.finding import ERROR, INFO, OK, SEVERITIES, WARNING, Context, Finding

__all__ = ["Context", "Finding", "OK", "INFO", "WARNING", "ERROR", "SEVERITIES", "run", "exit_code",
           "apply_fixes", "MODULES"]

# in report order
MODULES = ("ours", "claude_binary", "environment", "settings_files", "credentials", "key_answers", "route_prereqs")


def checks():
    for name in MODULES:
        module = importlib.import_module(f"claude_failover.doctor.{name}")
        yield from module.CHECKS


def run(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks():
        try:
            findings.extend(check(ctx))
        except Exception as exc:  # a doctor must finish its round
            from claude_failover.log import debug_traceback

            debug_traceback(f"the doctor check {check.__name__} crashed")
            findings.append(Finding(f"{check.__name__.removeprefix('check_').replace('_', '-')}-crashed", ERROR,
                                    f"the check {check.__name__} failed: {type(exc).__name__}",
                                    why="a bug in claude-failover's doctor; the other checks still ran",
                                    fix="report it with the output of `claude-failover-ctl doctor --json`"))
    return findings


def exit_code(findings: list[Finding]) -> int:
    """1 when an error or a warning was found, else 0 (info and ok never fail)."""
    return 1 if any(f.severity in (ERROR, WARNING) for f in findings) else 0


def apply_fixes(findings: list[Finding]) -> list[Finding]:
    """Run each finding's safe repair; returns the findings that were repaired (``fixed`` set)."""
    done = []
    for finding in findings:
        if finding.repair is None:
            continue
        try:
            finding.fixed = finding.repair()
        except OSError as exc:
            finding.fixed = None
            finding.fix_failed = f"{exc.strerror or exc}"
        else:
            done.append(finding)
    return done
