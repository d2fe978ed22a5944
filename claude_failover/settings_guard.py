"""Making the chosen route win over Claude Code's settings files, for one launch.

A settings ``env`` block beats the process environment, so a stale ``ANTHROPIC_API_KEY`` in
``~/.claude/settings.json`` would be sent next to (or instead of) the route we chose, and an
``apiKeyHelper`` would add its key. Measured on claude 2.1.328 (docs/doctor.md); tests/test_settings_guard_e2e.py holds on 2.1.332:

- ``--settings '{"env": {"VAR": ""}}'`` beats user, project, local and ~/.claude.json ``env``;
  an empty value counts as unset. ``{"apiKeyHelper": ""}`` switches a helper off.
- Only the last ``--settings`` counts: a user's own ``--settings`` is merged into ours.
- Nothing given on the command line beats managed settings: a conflict there refuses the launch.

So for each credential/provider variable a loaded settings file sets:
- the route does not set it -> ``""`` in our ``--settings``;
- the route sets it to a non-secret value (base URL, region, switch) -> that value;
- the route sets it to a secret (``ANTHROPIC_API_KEY``/``ANTHROPIC_AUTH_TOKEN``) -> ``""`` plus
  ``apiKeyHelper: "printenv CLAUDE_FAILOVER_KEY"``, the secret travelling in the child's
  environment as ``CLAUDE_FAILOVER_KEY`` (added to ``child_env``): no secret in argv or a file.
  claude then sends it as both ``x-api-key`` and ``Authorization: Bearer`` (measured);
- any other secret collision (e.g. ``CLAUDE_CODE_OAUTH_TOKEN``) refuses the launch.

Interactive launches deliver an ``ANTHROPIC_API_KEY`` (api-key routes, gateways with
``auth = "x-api-key"``) the same way, whatever the settings files say (``deliver_key``): in the
terminal UI, claude asks "Detected a custom API key in your environment … Do you want to use this
API key?" for a key in its environment, with "No" as the default, and once the key was rejected
(``customApiKeyResponses.rejected`` in ~/.claude.json) it silently sends the subscription's token
instead (with no login at all: "Not logged in", no request). A key from an ``apiKeyHelper`` is never asked about and
beats the login, rejected or not (measured on 2.1.328 in tmux, docs/interactive.md). ``-p`` never
asks, so print-mode runs keep the plain variable (``x-api-key`` only). ``ANTHROPIC_AUTH_TOKEN``
(bearer gateways) is not asked about either and stays as it is.

    guard_args(child_env, claude_args, environ, cwd, route) -> list[str]

Which variables beyond the credential/provider list belong to the route (its region, AWS profile,
credentials file) is the route type's answer (``RouteType.settings_owned``): nothing here knows a
route type by name.
"""

from __future__ import annotations

from claude_failover import claude_settings as cs
from claude_failover.credvars import CREDENTIAL_VARS, SECRET_VARS
from claude_failover.errors import EX_CONFIG, FailoverError
from claude_failover.print_args import MANAGEMENT_COMMANDS
from claude_failover.valueclass import factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from claude_failover.routes.base import RouteType

HELPER_VAR = "CLAUDE_FAILOVER_KEY"
HELPER_COMMAND = f"printenv {HELPER_VAR}"
# secrets that an apiKeyHelper can carry with the same effect (measured)
HELPER_CARRIES = ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")
# the variable claude asks about in its terminal UI; interactive launches carry it by the helper
DELIVERED = "ANTHROPIC_API_KEY"
SECRETISH_NAME = ("TOKEN", "SECRET", "PASSWORD", "API_KEY", "_KEY")
# the StopFailure hook an interactive launch that stays as claude's parent adds (report_hook below)
HOOK_EVENT = "StopFailure"
HOOK_MARK = cs.REPORT_HOOK_MARK          # what every spelling of our hook's command contains
HOOK_TIMEOUT = 15


class SettingsConflictError(FailoverError):
    """A settings file would override the chosen route and no argument can stop it."""

    exit_code = EX_CONFIG


@record
class Override:
    name: str              # a variable, or "apiKeyHelper"
    source: cs.SettingsFile
    action: str            # "unset", "route-value", "helper", "refuse"
    why: str = ""


@record
class Plan:
    env: dict[str, str] = factory(dict)     # our --settings env (no secrets)
    helper: str | None = None                              # our apiKeyHelper ("" = off)
    carry: str | None = None                               # variable whose value CLAUDE_FAILOVER_KEY takes
    overrides: list[Override] = factory(list)
    flag: cs.SettingsFile | None = None                    # the user's own --settings
    flag_index: int | None = None
    delivered: bool = False                                # the key left the environment for the helper
    hooked: bool = False                                   # a loaded settings file already has our hook
    hook: str | None = None                                # our StopFailure hook's command, added

    @property
    def refusals(self) -> list[Override]:
        return [o for o in self.overrides if o.action == "refuse"]

    @property
    def needed(self) -> bool:
        return bool(self.env) or self.helper is not None or self.hook is not None

    def settings(self) -> dict:
        """Our --settings object (merged into the user's own when given)."""
        merged: dict = dict(self.flag.data) if self.flag is not None and self.flag.data else {}
        if self.env:
            merged["env"] = {**(given if isinstance(given := merged.get("env"), dict) else {}), **self.env}
        if self.helper is not None:
            merged["apiKeyHelper"] = self.helper
        if self.hook is not None:   # next to the user's own --settings hooks (claude merges other files' hooks)
            hooks = dict(given) if isinstance(given := merged.get("hooks"), dict) else {}
            entries = list(given) if isinstance(given := hooks.get(HOOK_EVENT), list) else []
            entries.append({"hooks": [{"type": "command", "command": self.hook, "timeout": HOOK_TIMEOUT}]})
            merged["hooks"] = {**hooks, HOOK_EVENT: entries}
        return merged


def owned(name: str, child_env: dict[str, str], route: RouteType) -> bool:
    """Whether a settings value for ``name`` can change ``route`` launched with ``child_env``.

    Every credential/provider variable; ``CLAUDE_CONFIG_DIR`` when the launch has one; whatever
    the route type says it owns (:meth:`RouteType.settings_owned`: e.g. a Bedrock launch's region
    and AWS profile, a Vertex launch's credentials file).
    """
    if name in CREDENTIAL_VARS:
        return True
    if name == "CLAUDE_CONFIG_DIR":
        return bool(child_env.get(name))
    return route.settings_owned(name, child_env)


def plan(child_env: dict[str, str], claude_args: list[str], environ: dict[str, str], cwd: str,
         route: RouteType, platform: str | None = None) -> Plan:
    """What must be overridden for ``child_env``'s route to win (never raises)."""
    sources, flag, index = cs.settings_sources(claude_args)
    files = cs.discover(child_env, cwd, sources, flag, platform=platform, also=route.settings_vars)
    result = Plan(flag_index=index)
    if flag is not None:
        result.flag = next((f for f in files if f.scope == cs.FLAG), None)
    result.hooked = any(has_report_hook(f) for f in files)
    for name, setting in cs.effective_env(files).items():  # managed files come first: they win
        _plan_var(result, name, setting, child_env, route)
    helper = cs.effective_helper(files)
    managed_helper = next((f for f in files if f.scope == cs.MANAGED and f.api_key_helper and not f.error), None)
    if managed_helper is not None:
        result.overrides.append(Override("apiKeyHelper", managed_helper, "refuse",
                                         "managed settings set an apiKeyHelper, which claude uses before this route"))
    elif helper is not None and result.helper is None:
        result.helper = ""
        result.overrides.append(Override("apiKeyHelper", helper.winner, "unset"))
    return result


def _plan_var(result: Plan, name: str, setting: cs.Setting, child_env: dict[str, str], route: RouteType) -> None:
    ours = child_env.get(name, "")
    if setting.value == ours or not owned(name, child_env, route):
        return
    source = setting.winner
    if source.scope == cs.MANAGED:
        result.overrides.append(Override(name, source, "refuse",
                                         "managed settings set it and nothing on claude's command line beats them"))
        return
    if not ours:
        result.env[name] = ""
        result.overrides.append(Override(name, source, "unset"))
    elif name not in SECRET_VARS:
        result.env[name] = ours
        result.overrides.append(Override(name, source, "route-value"))
    elif name in HELPER_CARRIES and result.carry in (None, name):
        result.env[name] = ""
        result.helper = HELPER_COMMAND
        result.carry = name
        result.overrides.append(Override(name, source, "helper"))
    else:
        result.overrides.append(Override(name, source, "refuse",
                                         "the route's own secret would have to go on the command line"))


def has_report_hook(settings: cs.SettingsFile) -> bool:
    """Whether a settings file claude loads runs `claude-failover-ctl report --from-hook` (contrib's hook,
    any spelling of the command). A look at the text, not a parse: the launch path imports no json for it;
    the words name nothing else."""
    return settings.reports and not settings.error


def hook_command() -> str:
    """contrib/stop-failure-hook.json's command, our ctl named by the launcher's own interpreter (claude's
    hooks may get another PATH); no secret: the hook finds the route in claude's environment."""
    from claude_failover.key_helper import module_command

    ctl = module_command("claude_failover.ctl")
    return f"trap '' HUP INT TERM; [ -n \"$CLAUDE_FAILOVER_SUPERVISED\" ] || {ctl} {HOOK_MARK}"


def report_hook(result: Plan) -> None:
    """An interactive launch that stays as claude's parent needs the StopFailure hook to learn that a turn
    failed (continuation.py): add it by our --settings unless a settings file already runs it (one report,
    not two). claude runs --settings hooks next to the settings files' hooks (measured on 2.1.332,
    tests/test_settings_hooks_e2e.py). A user's own --settings that cannot be merged without a refusal
    (unreadable, or a file with a secret we would have to inline) is left alone: the hook is not worth
    failing a launch for."""
    if result.hooked:
        return
    flag = result.flag
    if not result.needed and flag is not None and (flag.error or _secret_in(flag.data or {})):
        return
    result.hook = hook_command()


def explain(override: Override) -> str:
    """One sentence for a refusal (shared by the launcher's error and the doctor)."""
    what = "an apiKeyHelper" if override.name == "apiKeyHelper" else override.name
    return f"{override.source.title} ({override.source.path}) sets {what}: {override.why}"


def refusal_error(result: Plan) -> SettingsConflictError:
    lines = [explain(o) for o in result.refusals]
    paths = sorted({o.source.path for o in result.refusals})
    return SettingsConflictError(
        "a Claude Code settings file would override the chosen route:\n  " + "\n  ".join(lines),
        hint=f"remove the entry from {', '.join(paths)} (or ask its administrator); "
             "`claude-failover-ctl doctor` explains every settings file")


def deliver_key(result: Plan, child_env: dict[str, str], claude_args: list[str]) -> None:
    """Interactive launch with an ``ANTHROPIC_API_KEY``: carry it through our apiKeyHelper instead.

    The variable leaves the child's environment (no custom-key prompt, no silent switch to the
    subscription after an earlier "No"); ``guard_args`` then puts the key in ``CLAUDE_FAILOVER_KEY``
    and the helper (``key_helper``) prints it — or, after a 401, the next key route's (item 3).
    """
    from claude_failover.print_args import wants_print

    if not child_env.get(DELIVERED) or wants_print(claude_args) or result.carry not in (None, DELIVERED):
        return
    from claude_failover import key_helper

    result.helper = key_helper.command()
    result.carry = DELIVERED
    result.delivered = True
    # claude re-runs the helper after a 401 and every TTL: a long TTL makes a re-run mean a 401
    child_env.setdefault(key_helper.TTL_VAR, key_helper.TTL_MS)
    child_env[key_helper.SESSION_VAR] = key_helper.new_session()


def _secret_in(settings: dict) -> str | None:
    """The name of a value in ``settings['env']`` that looks like a secret (never the value)."""
    from claude_failover.config.secret_shapes import looks_like_secret

    env = given if isinstance(given := settings.get("env"), dict) else {}
    for name, value in env.items():
        text = value if isinstance(value, str) else ""
        if text and (name in SECRET_VARS or any(s in name.upper() for s in SECRETISH_NAME) or looks_like_secret(text)):
            return name
    return None


def guard_args(child_env: dict[str, str], claude_args: list[str], environ, cwd, route: RouteType,
               hook: bool = False) -> list[str]:
    """Extra claude arguments that make ``route`` (launched with ``child_env``) win over settings files;
    with ``hook`` (an interactive launch that stays as claude's parent) also our StopFailure hook.

    May add ``CLAUDE_FAILOVER_KEY`` to ``child_env`` (the helper strategy above). Raises
    SettingsConflictError (exit 78) where no argument can win.
    """
    if claude_args and claude_args[0] in MANAGEMENT_COMMANDS:
        return []
    result = plan(child_env, claude_args, environ, cwd, route)
    if result.refusals:
        raise refusal_error(result)
    deliver_key(result, child_env, claude_args)
    if hook:
        report_hook(result)
    if not result.needed:
        return []
    if result.flag is not None and result.flag.error:
        raise SettingsConflictError(
            f"your --settings ({result.flag.path}) cannot be read ({result.flag.error}), and claude-failover "
            "must merge its overrides into it (claude uses only the last --settings)",
            hint="fix the --settings value, or pass it as inline JSON")
    merged = result.settings()
    if result.flag is not None and result.flag.path != "(inline JSON)":
        leaked = _secret_in(merged)
        if leaked:
            raise SettingsConflictError(
                f"your --settings file {result.flag.path} sets {leaked}; claude-failover must pass that file's "
                "content inline to merge its overrides (claude uses only the last --settings), which would put "
                "a secret on the command line",
                hint=f"move {leaked} out of {result.flag.path} (claude-failover sets the route's credential)")
    if result.carry:
        child_env[HELPER_VAR] = child_env[result.carry]
    if result.delivered:
        del child_env[DELIVERED]
    return ["--settings", dumps(merged)]


def dumps(value) -> str:
    """``json.dumps(value, separators=(",", ":"))`` without importing json (it imports re and enum, which an
    interactive launch, now always given --settings for its hook, would pay for)."""
    if isinstance(value, str):
        out = ['"']
        for c in value:
            o = ord(c)
            if c in '"\\':
                out.append("\\" + c)
            elif 0x20 <= o < 0x7F:
                out.append(c)
            elif o > 0xFFFF:
                o -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
            else:
                out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}.get(c) or "\\u%04x" % o)
        out.append('"')
        return "".join(out)
    if value is True or value is False or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value - value == 0:   # finite
        return repr(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    import json   # anything else (NaN, …): whatever json makes of it

    return json.dumps(value, separators=(",", ":"))
