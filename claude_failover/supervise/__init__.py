"""Supervised (headless) runs of claude: watch for a broken route, retry on the next.

Contract used by the launcher (which asks ``print_args.wants_supervision(split)`` first):

    supervise(cfg, launch, claude_path, environ, split) -> int (exit code)

``launch`` is the first attempt as :func:`claude_failover.prepare.prepare_launch` made it; every
retry is prepared by the same function from the next decision (``chooser.choose`` with the failed
routes excluded). claude runs as a child (never exec'd, :mod:`.child`); its stderr streams through
live; its stdout is kept per attempt (``text``, ``json``: only the final attempt's reaches the
caller) or passed through live (``stream-json``: each line as it comes, except a failed attempt's
``result`` event, which is replaced by a ``{"type":"system","subtype":"failover_retry",…}`` event
when a retry follows; :mod:`.output`). A route failure (see :mod:`claude_failover.run_failure`) is
recorded in the health cache and the run is retried once on each next healthy route — resuming
the session when the failed attempt had already done work (:mod:`.retry`). Signals go to the child
(:mod:`.signals`); Ctrl-C ends the run with 130. Standard input is read once (:mod:`.stdin`).
"""

from __future__ import annotations

import signal

from claude_failover import print_args
from claude_failover.log import emit
from claude_failover.supervise import retry, usage
from claude_failover.supervise.child import run_attempt
from claude_failover.supervise.output import retry_event, write_out
from claude_failover.supervise.signals import Signals
from claude_failover.supervise.stdin import capture_stdin
from claude_failover.verdict import Verdict, healthy


def supervise(cfg, launch, claude_path, environ, split) -> int:
    from claude_failover.prepare import prepare_launch
    from claude_failover.route_change import notify_change

    base_args = split.claude_args
    fmt = print_args.output_format(base_args)
    stream_input = print_args.input_format(base_args) == "stream-json"
    no_persistence = print_args.has_option(base_args, "--no-session-persistence")
    decision = launch.decision
    retry_off = ("--failover-no-retry" if split.get("no-retry") else
                 "--input-format stream-json cannot be replayed" if stream_input else
                 f"the route was chosen by {decision.why}" if decision.forced else None)
    stdin = capture_stdin(stream_input)

    pending: list = []              # background look-ups of a retry-after (joined at the end)
    signals = Signals()
    signals.install()
    try:
        failed: dict[str, Verdict] = {}
        feed = stdin
        # wait_for_reset: a preferred plan that resets soon rather than a paid route now
        target = None if decision.forced else usage.wait_target(cfg, decision.profile)
        if target is not None:
            if not usage.wait_for_reset(target, decision.profile.name, signals):
                return 130 if signals.received == signal.SIGINT else 143
            nxt = retry.next_decision(cfg, environ, split, failed)
            if nxt is not None and nxt.profile.name != decision.profile.name:
                launch = prepare_launch(cfg, nxt, environ, split)
        session_id: str | None = None   # the run's session, carried across every attempt
        worked = False                  # some attempt did work: every later one resumes
        while True:
            profile = launch.decision.profile
            attempt = run_attempt(claude_path, launch.args, launch.env, feed, fmt,
                                  float(cfg.stall_timeout), retry.known_bad(launch.decision), signals)
            if signals.received is not None:
                write_out(attempt.out)
                return 130 if signals.received == signal.SIGINT else attempt.code
            usage.account(profile, attempt)   # limit, windows, cost: usage_state (best effort)
            if attempt.failure is None:
                if attempt.code == 0:
                    retry.record(cfg, profile, healthy(detail="a supervised run succeeded", source="run"), environ)
                write_out(attempt.out)
                return attempt.code
            verdict = profile.route.read_run_failure(attempt.failure)
            learning = retry.record(cfg, profile, verdict, environ)
            if learning is not None:
                pending.append(learning)
            emit("warning", f"claude-failover: {profile.name}: {verdict.line()} — the run failed on this route",
                 event="route_failed", profile=profile.name, reason=verdict.reason, status=verdict.status)
            if retry_off:
                emit("info", f"claude-failover: not retrying ({retry_off})", event="no_retry")
                write_out(attempt.out)
                return attempt.code
            failed[profile.name] = verdict
            alternative = usage.alternative(cfg, environ, split, failed) if attempt.limit is not None else None
            wait = usage.wait_target(cfg, alternative) if attempt.limit is not None else None
            if wait is not None and wait[0] in failed:
                # its reset is near and the rest is paid: wait, then the same route again
                instead = alternative.name if alternative is not None else None
                if not usage.wait_for_reset(wait, instead, signals):
                    write_out(attempt.out)
                    return 130 if signals.received == signal.SIGINT else attempt.code
                del failed[wait[0]]
            nxt = retry.next_decision(cfg, environ, split, failed)
            if nxt is None:
                error = retry.all_failed(failed, None)
                if fmt == "stream-json":  # the last attempt's own failed result is on stdout already
                    write_out(attempt.out)
                    error.result_written = True
                raise error
            session_id = attempt.session_id or launch.session_id or session_id
            resume = retry.should_resume(attempt, launch.child.env, fmt, session_id, no_persistence, worked)
            worked = worked or resume
            previous_env = launch.env
            launch = prepare_launch(cfg, nxt, environ, split, resume=session_id if resume else None)
            if resume and session_id and not retry.carry(session_id, previous_env, launch.env):
                emit("warning", f"claude-failover: session {session_id} cannot be carried to {nxt.profile.name}'s "
                     "config dir; starting afresh", event="resume_lost", session_id=session_id)
                resume, worked = False, False
                launch = prepare_launch(cfg, nxt, environ, split)
            feed = b"" if resume else stdin
            emit("warning", f"claude-failover: retrying on {nxt.profile.name} ({nxt.profile.type})"
                 + (f", resuming session {session_id}" if resume else ""),
                 event="failover_retry", profile=nxt.profile.name, failed=profile.name,
                 resume=resume, session_id=session_id if resume else None)
            if fmt == "stream-json":
                write_out(retry_event(profile.name, verdict, nxt.profile.name, resume, session_id))
            notify_change(profile.name, nxt.profile.name, nxt.preferred, verdict.line(), cfg)
    finally:
        signals.restore()
        for thread in pending:
            thread.join(timeout=float(cfg.probe_timeout) + 1)
