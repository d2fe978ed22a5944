"""`claude-failover`: the transparent launcher (alias it as `claude`).

Kept free of click, httpx and keyring on the warm path: argv split, config load, cached
decision, environment build, exec. Our own options carry the reserved prefix ``--failover-``.
"""

from __future__ import annotations

import os
import sys

from claude_failover.errors import FailoverError, UsageError

HELP = """\
usage: claude-failover [--failover-OPTION ...] [claude arguments ...]

Runs the real `claude` on the first healthy route of your config, with exactly that route's
environment. Every argument except the options below goes to claude unchanged.

  --failover-profile NAME   use this profile (also: CLAUDE_FAILOVER_PROFILE)
  --failover-config PATH    config file (also: CLAUDE_FAILOVER_CONFIG)
  --failover-dry-run        print the chosen route, the exact claude arguments and environment
                            (secrets masked); don't run
  --failover-strict         exit 69 unless a route is verified healthy
  --failover-supervise      run claude as a supervised child (default for -p/--print)
  --failover-no-retry       with supervision: do not retry a failed run on the next route
  --failover-help           this text
  --failover-version        print claude-failover's version (claude --version prints claude's)

Quiet the fallback notice with CLAUDE_FAILOVER_QUIET=1. Manage routes with claude-failover-ctl.
Exit codes: 64 usage, 69 no usable route, 78 config error, 127 claude not found; otherwise claude's.
"""



def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except FailoverError as exc:
        from claude_failover.log import emit_error

        emit_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `claude-failover --failover-dry-run | head`
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def run(argv: list[str]) -> int:
    from claude_failover import argv as argv_mod

    split = argv_mod.split(argv)
    try:
        return _run(split)
    except FailoverError as exc:  # a script reading claude's JSON on stdout gets a failed result too
        _failed_result(split, exc)
        raise


def _failed_result(split, exc: FailoverError) -> None:
    from claude_failover import print_args

    line = print_args.failed_result(split.claude_args, exc)
    if line is not None and not split.get("dry-run") and not getattr(exc, "result_written", False):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _run(split) -> int:
    if split.get("help"):
        sys.stdout.write(HELP)
        return 0
    if split.get("version"):
        from claude_failover import __version__

        sys.stdout.write(f"claude-failover {__version__}\n")
        return 0
    environ = dict(os.environ)
    _guard_loop(environ)

    from claude_failover import config as config_mod, paths

    explicit = split.get("config")
    path = paths.config_path(explicit if isinstance(explicit, str) else None)
    if explicit and not os.path.lexists(path):
        raise UsageError(f"--failover-config: no such file: {path}")
    cfg = config_mod.load(path)

    from claude_failover import binary

    claude_path = binary.find_claude(cfg.claude, environ, cfg.path)
    first = split.claude_args[0] if split.claude_args else ""
    from claude_failover import print_args

    passthrough = first in print_args.MANAGEMENT_COMMANDS
    from claude_failover.chooser import choose

    decision = choose(cfg, environ, split, passthrough)

    from claude_failover import interactive
    from claude_failover.prepare import prepare_launch

    stays = interactive.stays(cfg, split, passthrough)
    launch = prepare_launch(cfg, decision, environ, split, parent=stays)
    if split.get("dry-run"):
        _print_dry_run(launch, claude_path)
        return 0
    notice = decision.notice()
    if notice and environ.get("CLAUDE_FAILOVER_QUIET") not in ("1", "true", "yes"):
        from claude_failover.log import emit_notice

        emit_notice(notice, decision)
    if print_args.wants_supervision(split):
        from claude_failover.supervise import supervise

        return supervise(cfg, launch, claude_path, environ, split)
    if stays:   # an interactive claude as our child: a route failure can continue on the next route
        return interactive.run(cfg, launch, claude_path, environ, split)
    from claude_failover.execute import exec_claude

    return exec_claude(claude_path, launch.args, launch.env)


def _guard_loop(environ: dict[str, str]) -> None:
    from claude_failover.credvars import ACTIVE_VAR, PID_VAR

    if environ.get(ACTIVE_VAR) and environ.get(PID_VAR) in (str(os.getpid()), f"parent:{os.getppid()}"):
        raise FailoverError(
            "loop: the `claude` that claude-failover started leads back to claude-failover",
            hint="set `claude = \"/path/to/real/claude\"` in the config (see `claude-failover-ctl doctor`)")


def _print_dry_run(launch, claude_path: str) -> None:
    """The chosen route, and exactly the arguments and route variables claude would get."""
    import shlex

    decision, out = launch.decision, sys.stdout
    out.write(f"route:   {decision.profile.name} ({decision.profile.type}) — {decision.profile.route.summary(decision.profile)}\n")
    out.write(f"why:     {decision.why}\n")
    if decision.secret:
        out.write(f"secret:  from {decision.secret.source}\n")
    out.write(f"claude:  {claude_path}\n")
    out.write(f"args:    {shlex.join(launch.args) if launch.args else '(none)'}\n")
    for name, shown in launch.child.display():
        out.write(f"set:     {name}={shown}\n")
    for name in launch.child.unset:
        out.write(f"unset:   {name}\n")
