"""`claude-failover-ctl`: manage routes, secrets and health.

Each command lives in its own module ``ctl/cmd_<name>.py`` exporting ``COMMAND`` (a click
command or group); they are discovered, and imported only when used (or listed by --help).
Every expected failure is a FailoverError: one ``claude-failover: error:`` line and its exit
code; click's usage errors exit 64.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from claude_failover import __version__
from claude_failover.errors import EX_USAGE, FailoverError


def _modules() -> dict[str, str]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("cmd_"):
            found[info.name[4:].replace("_", "-")] = f"{__name__}.{info.name}"
    return found


# click >= 8.2 raises this for a bare group invocation; treat it as --help.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(_modules())

    def get_command(self, ctx, name):
        module = _modules().get(name)
        if module is None:
            return None
        return importlib.import_module(module).COMMAND


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claude-failover", message="%(prog)s %(version)s")
@click.option("--config", "config_path", envvar="CLAUDE_FAILOVER_CONFIG", metavar="PATH",
              help="Config file (default: $CLAUDE_FAILOVER_CONFIG or the platform config dir).")
@click.pass_context
def cli(ctx, config_path):
    """Manage claude-failover: routes, secrets, health, and integrations.

    The launcher itself is `claude-failover` (alias it as `claude`).
    """
    ctx.obj = {"config_path": config_path}


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="claude-failover-ctl", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except FailoverError as exc:
        from claude_failover.log import emit_error

        emit_error(exc)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except _NO_ARGS_IS_HELP as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EX_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
