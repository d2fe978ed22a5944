"""`ctl install-units`: keep the health cache warm in the background (systemd user timer / launchd agent).

A oneshot service runs ``claude-failover-ctl probe --notify`` every few minutes (with jitter), so
interactive launches find a fresh verdict in the cache and never wait on the network, and the
desktop hears about a route change (``notify``). The unit texts are rendered here (the copies in
the repository's ``systemd/`` and ``contrib/launchd/`` are generated from these functions).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import click

SERVICE = "claude-failover-probe.service"
TIMER = "claude-failover-probe.timer"
LAUNCHD_LABEL = "local.claude-failover.probe"
INTERVAL_S = 240        # below the default healthy_ttl (300 s) even with the jitter
JITTER_S = 45
PROBE_ARGS = ["probe", "--notify"]
# The static copies assume a pipx/pip --user install.
DEFAULT_SYSTEMD_CTL = "%h/.local/bin/claude-failover-ctl"
DEFAULT_LAUNCHD_CTL = "/Users/YOU/.local/bin/claude-failover-ctl"
# Units are not secret (the ctl path, the config path, PATH and the state dir; secrets are read at run
# time from their source, never written here) and live in the service manager's shared directories:
# 0644 like every unit, in a directory created with the usual 0755 and never chmod-ed (launchd even
# refuses an agent whose plist is writable by others). Our private files stay 0600 in 0700 dirs.
UNIT_MODE = 0o644


def systemd_quote(arg: str) -> str:
    """One ExecStart=/Environment= word: specifiers (%) and variables ($) escaped, quoted if needed."""
    arg = arg.replace("\\", "\\\\").replace("%", "%%").replace("$", "$$").replace('"', '\\"')
    return f'"{arg}"' if any(c.isspace() for c in arg) or not arg else arg


def render_service(exec_start: str, environment: dict[str, str] | None = None) -> str:
    env_lines = "".join(f"Environment={systemd_quote(f'{k}={v}')}\n" for k, v in sorted((environment or {}).items()))
    return f"""\
# claude-failover: refresh the route health cache (run by {TIMER}).
# Installed by `claude-failover-ctl install-units`; see docs/integrations.md.
[Unit]
Description=Refresh claude-failover's route health cache

[Service]
Type=oneshot
ExecStart={exec_start}
{env_lines}# A route being down is what this unit reports, not a failure of the unit (69 = no usable route).
SuccessExitStatus=69
TimeoutStartSec=2min
Nice=10
IOSchedulingClass=idle
NoNewPrivileges=yes
"""


def render_timer() -> str:
    return f"""\
# claude-failover: probe the configured routes every few minutes, with jitter.
# Installed by `claude-failover-ctl install-units`; see docs/integrations.md.
[Unit]
Description=Refresh claude-failover's route health cache every few minutes

[Timer]
OnStartupSec=1min
OnUnitActiveSec={INTERVAL_S // 60}min
RandomizedDelaySec={JITTER_S}s
AccuracySec=15s

[Install]
WantedBy=timers.target
"""


def render_plist(program: list[str], environment: dict[str, str] | None = None,
                 log_path: str = "/tmp/claude-failover-probe.log") -> str:
    import plistlib

    agent = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": program,
        "StartInterval": INTERVAL_S,
        "RunAtLoad": True,
        "ProcessType": "Background",
        "LowPriorityIO": True,
        "Nice": 10,
        "StandardOutPath": log_path,
        "StandardErrorPath": log_path,
    }
    if environment:
        agent["EnvironmentVariables"] = dict(sorted(environment.items()))
    return plistlib.dumps(agent, sort_keys=False).decode()


def _probe_argv(ctx) -> tuple[list[str], dict[str, str]]:
    """(argv of the probe, environment to carry): our ctl, the config and state dir if non-default."""
    from claude_failover.shim import launcher_command

    argv = launcher_command("claude-failover-ctl")
    explicit = (ctx.find_root().obj or {}).get("config_path")
    if explicit:
        argv += ["--config", os.path.abspath(os.path.expanduser(explicit))]
    env = {"PATH": os.environ.get("PATH", os.defpath)}  # so the probe finds the real claude
    if os.environ.get("CLAUDE_FAILOVER_STATE_DIR"):
        env["CLAUDE_FAILOVER_STATE_DIR"] = os.path.abspath(os.path.expanduser(os.environ["CLAUDE_FAILOVER_STATE_DIR"]))
    return argv + PROBE_ARGS, env


def _default_dir(kind: str) -> str:
    if kind == "launchd":
        return os.path.expanduser("~/Library/LaunchAgents")
    base = os.environ.get("XDG_CONFIG_HOME")
    base = base if base and os.path.isabs(base) else os.path.expanduser("~/.config")
    return os.path.join(base, "systemd", "user")


def enable_commands(kind: str, directory: str) -> list[list[str]]:
    if kind == "launchd":
        plist = os.path.join(directory, f"{LAUNCHD_LABEL}.plist")
        return [["launchctl", "bootout", f"gui/{os.getuid()}/{LAUNCHD_LABEL}"],
                ["launchctl", "bootstrap", f"gui/{os.getuid()}", plist]]
    return [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", TIMER]]


def _enable(kind: str, directory: str) -> str | None:
    """Run the enable commands; None on success, else why not."""
    import shutil

    commands = enable_commands(kind, directory)
    if shutil.which(commands[0][0]) is None:
        return f"{commands[0][0]} not found"
    for i, command in enumerate(commands):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{shlex.join(command)}` failed: {exc}"
        if done.returncode != 0 and not (kind == "launchd" and i == 0):  # bootout of a not-loaded agent fails
            last = (done.stderr or done.stdout).strip().splitlines()
            return f"`{shlex.join(command)}` exited {done.returncode}" + (f": {last[-1]}" if last else "")
    return None


@click.command("install-units")
@click.option("--kind", type=click.Choice(["systemd", "launchd"]), default=None,
              help="systemd user units (default on Linux) or a launchd agent (default on macOS).")
@click.option("--dir", "directory", metavar="DIR",
              help="Where to write them (default ~/.config/systemd/user or ~/Library/LaunchAgents).")
@click.option("--no-enable", is_flag=True, help="Only write the files; print the commands that enable them.")
@click.option("--print", "to_stdout", is_flag=True, help="Print the files instead of writing them.")
@click.pass_context
def COMMAND(ctx, kind, directory, no_enable, to_stdout):
    """Install a background probe that keeps the health cache warm.

    systemd: claude-failover-probe.service (oneshot `claude-failover-ctl probe --notify`) and
    claude-failover-probe.timer (every 4 min, 45 s jitter), enabled with `systemctl --user`.
    launchd: an agent running the same probe every 4 min. When enabling is not possible here the
    commands to run are printed instead.
    """
    from claude_failover import paths

    kind = kind or ("launchd" if sys.platform == "darwin" else "systemd")
    directory = os.path.abspath(os.path.expanduser(directory or _default_dir(kind)))
    argv, env = _probe_argv(ctx)
    if kind == "launchd":
        log = os.path.join(paths.ensure_private_dir(paths.state_dir()), "probe.log")
        files = {f"{LAUNCHD_LABEL}.plist": render_plist(argv, env, log)}
    else:
        files = {SERVICE: render_service(" ".join(systemd_quote(a) for a in argv), env), TIMER: render_timer()}
    if to_stdout:
        for name, text in files.items():
            click.echo(f"# --- {name}\n{text}")
        return
    for name, text in files.items():
        target = os.path.join(directory, name)
        paths.atomic_write(target, text, mode=UNIT_MODE, private_dir=False)
        click.echo(f"wrote {target}")
    click.echo(f"probe command: {shlex.join(argv)}")
    why = "--no-enable" if no_enable else _enable(kind, directory)
    if why is None:
        click.echo(f"enabled: {TIMER if kind == 'systemd' else LAUNCHD_LABEL} (every {INTERVAL_S // 60} min)")
        return
    if not no_enable:
        click.echo(f"warning: could not enable the units here ({why})", err=True)
    click.echo("enable them with:")
    for command in enable_commands(kind, directory):
        click.echo(f"  {shlex.join(command)}")
