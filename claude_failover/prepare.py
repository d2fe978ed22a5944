"""From a decision to what claude gets: its environment and its arguments.

    prepare_launch(cfg, decision, environ, split, resume=None) -> Launch

The one place that builds them, used by the launcher (exec, or the supervisor's first attempt),
by ``--failover-dry-run`` (which prints exactly ``Launch.args``) and by every retry of the
supervisor. What goes in:

- the route's environment (:mod:`claude_failover.environment`), and for a supervised run the
  bounds on claude's own retries (:func:`supervised_env`);
- claude's arguments: the caller's, the settings-guard override (``--settings …`` when a settings
  file would change the route), and for a supervised text run that does not name its session a
  ``--session-id <uuid>`` (so a retry can resume it); a retry that resumes gets
  ``print_args.resume_args`` instead of the caller's prompt.

Kept on the warm path: no heavy import (``uuid`` only when a session is named).
"""

from __future__ import annotations

import os

from claude_failover import print_args
from claude_failover.credvars import LAUNCH_VAR, PID_VAR
from claude_failover.valueclass import record

SUPERVISED_VAR = "CLAUDE_FAILOVER_SUPERVISED"   # set in the child: its hooks need not report again
DEFAULT_MAX_RETRIES = "2"     # claude's own retries on a supervised run (its default, 10, costs > 60 s)


@record
class Launch:
    decision: object            # the Decision this launch carries out
    child: object               # environment.ChildEnv: the route's variables (what dry-run shows)
    env: dict                   # the whole environment claude gets
    args: list                  # claude's arguments, exactly
    supervised: bool
    session_id: str | None = None   # the --session-id we named, or the session a retry resumes
    resumed: bool = False


def prepare_launch(cfg, decision, environ: dict[str, str], split, resume: str | None = None,
                   cwd: str | None = None, parent: bool = False) -> Launch:
    """The environment and arguments for running claude on ``decision``'s route.

    ``split`` is the launcher's argv split (its ``claude_args`` are the caller's arguments, never
    modified); ``resume`` a session id a supervised retry (or an interactive continuation)
    continues; ``parent``: claude runs as the child of an interactive launcher that stays
    (``interactive.py``), which names this run in ``CLAUDE_FAILOVER_LAUNCH``."""
    from claude_failover import environment, settings_guard

    base = list(split.claude_args)
    supervised = print_args.runs_supervised(split)  # a dry run shows the supervised run's argv
    child = environment.build(decision.profile, decision.secret.value if decision.secret else None,
                              environ, preferred=decision.preferred)
    if parent:
        child.set[LAUNCH_VAR] = child.env[LAUNCH_VAR] = os.urandom(8).hex()
        child.set[PID_VAR] = child.env[PID_VAR] = f"parent:{os.getpid()}"  # claude is our child: see PID_VAR
    before = dict(child.env)
    guard = settings_guard.guard_args(child.env, base, environ, os.getcwd() if cwd is None else cwd,
                                      decision.profile.route, hook=parent)
    child = environment.settle(child, before, supervised_env(child.env, cfg) if supervised else child.env)
    env = child.env
    if resume:
        args = print_args.resume_args(base, resume, prompt=print_args.RESUME_PROMPT if supervised else None)
        return Launch(decision, child, env, args + guard, supervised, session_id=resume, resumed=True)
    args, session_id = base + guard, None
    if supervised and names_session(base):
        import uuid

        session_id = str(uuid.uuid4())
        args = print_args.with_session_id(args, session_id)
    return Launch(decision, child, env, args, supervised, session_id=session_id)


def request_timeout_ms(cfg, retries: str) -> int:
    """claude's wait for response headers per attempt: ``connect_timeout`` shared by its attempts
    (1 + ``CLAUDE_CODE_MAX_RETRIES``), never more than ``stall_timeout``, at least 1 s."""
    try:
        attempts = 1 + max(0, int(retries))
    except ValueError:
        attempts = 1 + int(DEFAULT_MAX_RETRIES)
    share = float(cfg.connect_timeout) / attempts
    return max(1000, int(min(share, float(cfg.stall_timeout)) * 1000))


def names_session(args: list[str]) -> bool:
    """A supervised text run that does not choose its own session gets a ``--session-id`` from us
    (json and stream-json runs report theirs)."""
    return print_args.output_format(args) == "text" and not print_args.controls_session(args)


def supervised_env(env: dict[str, str], cfg) -> dict[str, str]:
    """Bound claude's own retries and request wait unless the user chose them.

    ``API_TIMEOUT_MS`` bounds how long claude waits for a streaming request's response headers,
    not the generation (measured with claude 2.1.332: 3000 ms abandons a black hole in ~4 s while
    a 12 s trickle of events completes). So a route that never answers costs at most
    ``connect_timeout`` over claude's attempts (each gets an equal share), and a long, quiet
    generation is never cut."""
    env = dict(env)
    env.setdefault("CLAUDE_CODE_MAX_RETRIES", DEFAULT_MAX_RETRIES)
    env.setdefault("API_TIMEOUT_MS", str(request_timeout_ms(cfg, env["CLAUDE_CODE_MAX_RETRIES"])))
    env[SUPERVISED_VAR] = "1"
    env[PID_VAR] = f"parent:{os.getpid()}"  # claude is our child: see credvars.PID_VAR
    return env
