"""Claude Code's settings files: where they are, what they hold, which one wins.

Measured on the real claude 2.1.328 (see docs/doctor.md for the commands; the e2e tests hold on 2.1.332):

- user: ``~/.claude/settings.json`` (``$CLAUDE_CONFIG_DIR/settings.json`` when that is set);
- shared project: ``<cwd>/.claude/settings.json`` — read from the working directory only, not
  from the repository root or a directory in between;
- local project: ``<cwd>/.claude/settings.local.json`` and ``<repo root>/.claude/settings.local.json``;
- managed: ``/etc/claude-code/managed-settings.json`` (Linux; macOS:
  ``/Library/Application Support/ClaudeCode/managed-settings.json``) plus ``managed-settings.d/*.json``;
- ``~/.claude.json`` (``$CLAUDE_CONFIG_DIR/.claude.json``): claude's own state file. Its ``env`` block
  IS applied (below every settings file, and even with ``--setting-sources``); an ``apiKeyHelper``
  there is ignored.

Precedence, highest first: managed > ``--settings`` (only the last one given counts) > local >
project > user > ``~/.claude.json``. A settings ``env`` value beats the process environment; an
empty value counts as unset. A file that is not valid JSON (trailing comma, comment) is ignored
as a whole: claude prints one "did not load" line, without a position — we give line and column.

Cheap on the launcher's warm path: stdlib only, a few ``stat`` calls, and a file is parsed only
when it exists and mentions ``env`` or ``apiKeyHelper`` (unless ``full`` is asked for).
"""

from __future__ import annotations

import os
import sys

from claude_failover.credvars import CREDENTIAL_VARS
from claude_failover.valueclass import factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any

MANAGED, FLAG, LOCAL, PROJECT, USER, GLOBAL = "managed", "flag", "local", "project", "user", "global"
SCOPE_TITLES = {
    MANAGED: "managed settings", FLAG: "--settings", LOCAL: "local project settings",
    PROJECT: "shared project settings", USER: "user settings", GLOBAL: "~/.claude.json",
}
# the values of claude's --setting-sources
SOURCE_NAMES = {USER: "user", PROJECT: "project", LOCAL: "local"}
# What can change any route (see settings_guard.owned): a file that names none of these, nor one of
# the launched route's own variables (RouteType.settings_vars, passed as ``also``), is not parsed on
# the launch path (a harmless `env` block — telemetry flags — costs no JSON import).
_GUARDED = CREDENTIAL_VARS + ("CLAUDE_CONFIG_DIR",)
_INTERESTING = (b'"apiKeyHelper"',) + tuple(f'"{name}"'.encode() for name in _GUARDED)
# in a file: claude-failover's StopFailure hook (contrib/stop-failure-hook.json; settings_guard.report_hook)
REPORT_HOOK_MARK = "report --from-hook"
MAX_BYTES = 32 * 1024 * 1024


@record
class SettingsFile:
    scope: str
    path: str                        # a file path, or "(inline JSON)" for --settings '{...}'
    exists: bool = False
    data: dict[str, Any] | None = None
    error: str | None = None         # why it does not load (claude ignores it as a whole)
    line: int | None = None
    column: int | None = None
    mode: int | None = None
    skipped: bool = False            # existed but was not parsed (nothing relevant in it)
    reports: bool = False            # names our StopFailure hook (REPORT_HOOK_MARK; a look, no parse)

    @property
    def title(self) -> str:
        return SCOPE_TITLES[self.scope]

    @property
    def where(self) -> str:
        """``path:line:column`` of the problem (or just the path)."""
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    @property
    def env(self) -> dict[str, str]:
        """The ``env`` block as claude applies it (values as strings)."""
        block = (self.data or {}).get("env")
        if not isinstance(block, dict):
            return {}
        return {str(k): _as_text(v) for k, v in block.items()}

    @property
    def api_key_helper(self) -> str | None:
        helper = (self.data or {}).get("apiKeyHelper")
        if self.scope == GLOBAL:  # measured: claude ignores it there
            return None
        return helper if isinstance(helper, str) and helper else None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"   # measured: {"ANTHROPIC_AUTH_TOKEN": null} sends "Bearer null"
    import json

    return json.dumps(value)


# --- where ------------------------------------------------------------------------------------

def managed_dir(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform == "darwin":
        return "/Library/Application Support/ClaudeCode"
    if platform.startswith("win"):
        return os.path.join(os.environ.get("ProgramData", r"C:\ProgramData"), "ClaudeCode")
    return "/etc/claude-code"


def user_dir(environ: dict[str, str]) -> str:
    from claude_failover.claude_state import config_dir

    return config_dir(environ)


def global_config_path(environ: dict[str, str]) -> str:
    chosen = environ.get("CLAUDE_CONFIG_DIR")
    if chosen:
        return os.path.join(os.path.abspath(os.path.expanduser(chosen)), ".claude.json")
    return os.path.join(_home(environ), ".claude.json")


def _home(environ: dict[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def repo_root(cwd: str) -> str | None:
    """The nearest directory at or above ``cwd`` holding ``.git`` (a dir or a worktree file)."""
    current = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def candidates(environ: dict[str, str], cwd: str, sources: frozenset[str] | None = None,
               platform: str | None = None) -> list[tuple[str, str]]:
    """(scope, path) of every file claude would read, highest precedence first.

    ``sources`` is claude's ``--setting-sources`` (None: all of user, project, local).
    """
    sources = frozenset(SOURCE_NAMES.values()) if sources is None else sources
    found: list[tuple[str, str]] = []
    mdir = managed_dir(platform)
    found.append((MANAGED, os.path.join(mdir, "managed-settings.json")))
    dropins = os.path.join(mdir, "managed-settings.d")
    try:
        names = sorted(n for n in os.listdir(dropins) if n.endswith(".json"))
    except OSError:
        names = []
    found.extend((MANAGED, os.path.join(dropins, n)) for n in names)
    cwd = os.path.abspath(cwd)
    if "local" in sources:
        found.append((LOCAL, os.path.join(cwd, ".claude", "settings.local.json")))
        root = repo_root(cwd)
        if root and root != cwd:
            found.append((LOCAL, os.path.join(root, ".claude", "settings.local.json")))
    if "project" in sources:
        found.append((PROJECT, os.path.join(cwd, ".claude", "settings.json")))
    user = os.path.join(user_dir(environ), "settings.json")
    if "user" in sources and user not in {p for _, p in found}:
        found.append((USER, user))
    found.append((GLOBAL, global_config_path(environ)))
    return found


# --- reading ----------------------------------------------------------------------------------

def parse(raw: bytes | str, settings: SettingsFile) -> SettingsFile:
    """Fill ``settings`` from ``raw``: data, or the error with its line and column."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            settings.error = "not valid UTF-8 text"
            prefix = raw[: exc.start] if isinstance(raw, bytes) else b""
            settings.line = prefix.count(b"\n") + 1
            settings.column = exc.start - (prefix.rfind(b"\n") + 1) + 1
            return settings
    text = raw[1:] if raw.startswith("\ufeff") else raw
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        settings.error = f"JSON syntax error: {exc.msg}"
        settings.line, settings.column = exc.lineno, exc.colno
        return settings
    except RecursionError:
        settings.error = "JSON nested too deeply"
        return settings
    if not isinstance(data, dict):
        settings.error = "not a JSON object ({...})"
        settings.line, settings.column = 1, 1
        return settings
    settings.data = data
    return settings


def _interesting(scope: str, raw: bytes, also: tuple[str, ...] = ()) -> bool:
    """Could this file hold an ``env`` block or ``apiKeyHelper``? (A cheap look, no parse.)

    ``~/.claude.json`` is large and its MCP servers have ``env`` blocks of their own; claude writes
    it with two-space indentation, so a top-level ``env`` key starts a line with exactly two spaces.
    """
    if scope == GLOBAL and raw.startswith(b'{\n  "') and b'\n  "env":' not in raw:
        return False
    return any(marker in raw for marker in _INTERESTING) or any(f'"{name}"'.encode() in raw for name in also)


def load(scope: str, path: str, full: bool = False, also: tuple[str, ...] = ()) -> SettingsFile:
    """Read one settings file. With ``full`` False a file that names no guarded variable (nor one
    of ``also``) and no ``apiKeyHelper`` is not parsed (``skipped``): nothing in it can change a route."""
    settings = SettingsFile(scope, path)
    try:
        with open(path, "rb") as handle:
            settings.exists = True
            settings.mode = os.fstat(handle.fileno()).st_mode & 0o7777
            raw = handle.read(MAX_BYTES)
            settings.reports = REPORT_HOOK_MARK.encode() in raw
    except FileNotFoundError:
        return settings
    except IsADirectoryError:
        settings.exists, settings.error = True, "is a directory, not a file"
        return settings
    except OSError as exc:
        settings.exists = True
        settings.error = f"cannot read: {exc.strerror or exc}"
        return settings
    if not full and not _interesting(scope, raw, also):
        settings.skipped = True
        return settings
    return parse(raw, settings)


def inline(value: str, cwd: str, full: bool = True) -> SettingsFile:
    """The value of ``claude --settings VALUE``: inline JSON or a file path (relative to cwd)."""
    if value.lstrip().startswith("{"):
        return parse(value, SettingsFile(FLAG, "(inline JSON)", exists=True, reports=REPORT_HOOK_MARK in value))
    path = os.path.join(cwd, os.path.expanduser(value))
    found = load(FLAG, path, full=full)
    if not found.exists:
        found.error = "no such file"
    return found


def discover(environ: dict[str, str], cwd: str, sources: frozenset[str] | None = None,
             flag: str | None = None, full: bool = False, platform: str | None = None,
             also: tuple[str, ...] = ()) -> list[SettingsFile]:
    """Every settings file claude would read, highest precedence first (missing ones excluded
    unless ``full``). ``flag`` is the value of the command line's ``--settings``; ``also``: more
    variable names that make a file worth parsing (the launched route's own)."""
    result: list[SettingsFile] = []
    for scope, path in candidates(environ, cwd, sources, platform):
        item = load(scope, path, full=full, also=also)
        if item.exists or full:
            result.append(item)
    if flag is not None:
        position = next((i for i, f in enumerate(result) if f.scope != MANAGED), len(result))
        result.insert(position, inline(flag, cwd, full=True))
    return result


# --- what wins --------------------------------------------------------------------------------

@record
class Setting:
    """One variable (or ``apiKeyHelper``) as claude would see it: the winning file and the others."""

    name: str
    value: str
    winner: SettingsFile
    shadowed: list[SettingsFile] = factory(list)


def effective_env(files: list[SettingsFile]) -> dict[str, Setting]:
    """Each ``env`` variable set by a loaded file, with the file that wins (files in precedence order)."""
    result: dict[str, Setting] = {}
    for item in files:
        if item.error:
            continue
        for name, value in item.env.items():
            if name in result:
                result[name].shadowed.append(item)
            else:
                result[name] = Setting(name, value, item)
    return result


def effective_helper(files: list[SettingsFile]) -> Setting | None:
    found: Setting | None = None
    for item in files:
        if item.error or item.data is None or "apiKeyHelper" not in item.data or item.scope == GLOBAL:
            continue
        value = item.data.get("apiKeyHelper")
        value = value if isinstance(value, str) else ""
        if found is None:
            found = Setting("apiKeyHelper", value, item)
        else:
            found.shadowed.append(item)
    return found if found and found.value else None


def settings_sources(claude_args: list[str]) -> tuple[frozenset[str] | None, str | None, int | None]:
    """(``--setting-sources`` as a set or None, the last ``--settings`` value or None, its index)
    from claude's own arguments (up to a ``--``)."""
    sources: frozenset[str] | None = None
    flag: str | None = None
    index: int | None = None
    i = 0
    while i < len(claude_args):
        arg = claude_args[i]
        if arg == "--":
            break
        for option in ("--setting-sources", "--settings"):
            value = None
            if arg == option and i + 1 < len(claude_args):
                value, step = claude_args[i + 1], 2
            elif arg.startswith(option + "="):
                value, step = arg[len(option) + 1:], 1
            if value is None:
                continue
            if option == "--settings":
                flag, index = value, i
            else:
                sources = frozenset(s.strip() for s in value.split(",") if s.strip())
            i += step - 1
            break
        i += 1
    return sources, flag, index
