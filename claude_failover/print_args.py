"""What the supervisor reads from, and changes in, claude's print-mode command line.

claude parses its options with commander: an option takes a required value (``--model X``), an
optional one (``--resume [id]``: the next word when it does not start with ``-``), several
(``--allowedTools A B``: every following word that does not start with ``-``), or none. The
first remaining word is the prompt. The tables below come from ``claude --help`` of 2.1.332
(plus the hidden ``--max-turns`` / ``--permission-prompt-tool``); an option missing from them
is taken as a flag, which at worst makes a resumed run repeat the prompt instead of replacing it.
tests/test_claude_drift.py fails when the pinned claude has a value-taking option or a subcommand
these tables do not classify.
"""

from __future__ import annotations

VALUE = frozenset({
    "--agent", "--agents", "--append-system-prompt", "--append-system-prompt-file", "--autocompact",
    "--debug-file", "--effort", "--environment", "--fallback-model", "--input-format", "--json-schema",
    "--max-budget-usd", "--max-turns", "--model", "-n", "--name", "--output-format", "--permission-mode",
    "--permission-prompt-tool", "--permission-prompts", "--plugin-dir", "--plugin-url",
    "--remote-control-session-name-prefix", "--session-id", "--setting-sources", "--settings",
    "--system-prompt", "--system-prompt-file", "--system-prompt-snapshot", "--resume-session-at",
})
OPTIONAL_VALUE = frozenset({"-r", "--resume", "--cloud", "-d", "--debug", "--from-pr", "--prompt-suggestions",
                            "--remote-control", "--teleport", "-w", "--worktree"})
VARIADIC = frozenset({"--add-dir", "--allowedTools", "--allowed-tools", "--betas", "--disallowedTools",
                      "--disallowed-tools", "--file", "--mcp-config", "--tools"})
PRINT_FLAGS = frozenset({"-p", "--print"})
# claude's own subcommands and their aliases, and --version/--help (as the first argument): they never
# probe, never exit 69 for want of a route, and take no --settings (commander rejects it after a
# subcommand: "error: unknown option '--settings'"). Neither 2.1.94 nor 2.1.332 has `config` or
# `migrate-installer` any more (`claude config` is a prompt), so they are not here.
MANAGEMENT_COMMANDS = frozenset({
    "--version", "-v", "--help", "-h",
    "agents", "attach", "auth", "auto-mode", "doctor", "gateway", "import", "install", "kill", "logs",
    "mcp", "plugin", "plugins", "purge", "respawn", "rm", "setup-token", "stop", "ultrareview", "update",
    "upgrade",
})
# Options that pick the session; a resumed retry replaces them with its own --resume.
SESSION_OPTIONS = frozenset({"-r", "--resume", "-c", "--continue", "--session-id", "--fork-session"})

RESUME_PROMPT = ("Your previous turn was cut off by an API error (claude-failover switched to another "
                 "route). Continue the task from where you left off; do not repeat work already done.")


def _scan(args: list[str]):
    """Yield (index, option or None, value indices) for each option / positional word."""
    i, n = 0, len(args)
    while i < n:
        arg = args[i]
        if arg == "--":
            for j in range(i + 1, n):
                yield j, None, []
            return
        if not arg.startswith("-") or arg == "-":
            yield i, None, []
            i += 1
            continue
        name = arg.split("=", 1)[0]
        if "=" in arg and name.startswith("--"):
            yield i, name, []
            i += 1
            continue
        values: list[int] = []
        if name in VALUE and i + 1 < n:
            values = [i + 1]
        elif name in OPTIONAL_VALUE and i + 1 < n and not args[i + 1].startswith("-"):
            values = [i + 1]
        elif name in VARIADIC:
            j = i + 1
            while j < n and not args[j].startswith("-"):
                values.append(j)
                j += 1
        yield i, name, values
        i += 1 + len(values)


def option_value(args: list[str], *names: str) -> str | None:
    """The value of the last of ``names`` given (``--opt v`` or ``--opt=v``), else None."""
    found = None
    for i, name, values in _scan(args):
        if name in names:
            if "=" in args[i]:
                found = args[i].split("=", 1)[1]
            elif values:
                found = args[values[0]]
    return found


def has_option(args: list[str], *names: str) -> bool:
    return any(name in names for _, name, _ in _scan(args))


def wants_print(args: list[str]) -> bool:
    return has_option(args, *PRINT_FLAGS)


def output_format(args: list[str]) -> str:
    return option_value(args, "--output-format") or "text"


def input_format(args: list[str]) -> str:
    return option_value(args, "--input-format") or "text"


def prompt_index(args: list[str]) -> int | None:
    for i, name, _ in _scan(args):
        if name is None:
            return i
    return None


def controls_session(args: list[str]) -> bool:
    """The caller chose the session (resume, continue, fixed id) or turned persistence off."""
    return has_option(args, *SESSION_OPTIONS, "--no-session-persistence")


def with_session_id(args: list[str], session_id: str) -> list[str]:
    """``args`` plus ``--session-id`` (so a text-mode run's session is known), placed first."""
    return ["--session-id", session_id, *args]


def resume_args(args: list[str], session_id: str, prompt: str | None = RESUME_PROMPT) -> list[str]:
    """``args`` continuing ``session_id``: the caller's session options and prompt replaced
    (``prompt`` None: no prompt, an interactive claude that waits for the person)."""
    drop: set[int] = set()
    prompt_at = prompt_index(args)
    if prompt_at is not None:
        drop.add(prompt_at)
    for i, name, values in _scan(args):
        if name in SESSION_OPTIONS:
            drop.add(i)
            drop.update(values)
    kept = [a for i, a in enumerate(args) if i not in drop]
    if kept and kept[-1] == "--":
        kept.pop()
    return [*([prompt] if prompt is not None else []), "--resume", session_id, *kept]


def wants_supervision(split) -> bool:
    """Supervise (run claude as a child) for print mode or --failover-supervise, never for a dry run."""
    if split.get("dry-run"):
        return False
    return runs_supervised(split)


def runs_supervised(split) -> bool:
    """Whether this launch runs (or, for a dry run, would run) claude supervised."""
    return bool(split.get("supervise")) or wants_print(split.claude_args)


def failed_result(args: list[str], error, seconds: float = 0.0) -> str | None:
    """For a print-mode run with ``--output-format json``/``stream-json`` that fails before claude
    starts (no usable route, no claude): one line shaped like claude's own failed result, so a script
    parsing stdout gets ``"type": "result", "is_error": true``; None for any other run.

    claude's own failed result (2.1.332, measured; docs/claude-code.md) carries ``type``, ``subtype``
    (``"success"`` even on errors), ``is_error``, ``result`` (the error text), ``session_id``,
    ``duration_ms``, ``duration_api_ms``, ``num_turns``, ``total_cost_usd``, ``usage``,
    ``permission_denials``, ``terminal_reason``, ``uuid``. Nothing ran here, so: ``subtype``
    ``"error_during_execution"`` (the SDK's subtype for a run that failed), no session
    (``session_id`` null unless the caller fixed one), zero cost and turns, ``terminal_reason``
    ``"claude_failover_error"``, and ``claude_failover`` holding our exit code and hint.
    """
    if not wants_print(args) or output_format(args) not in ("json", "stream-json"):
        return None
    import json
    import uuid

    return json.dumps({
        "type": "result", "subtype": "error_during_execution", "is_error": True,
        "result": f"claude-failover: {error.message}",
        "session_id": option_value(args, "--session-id"), "duration_ms": round(seconds * 1000),
        "duration_api_ms": 0, "num_turns": 0, "total_cost_usd": 0,
        "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0},
        "permission_denials": [], "terminal_reason": "claude_failover_error", "uuid": str(uuid.uuid4()),
        "claude_failover": {"exit_code": error.exit_code, "error": error.message, "hint": error.hint},
    }, ensure_ascii=False)
