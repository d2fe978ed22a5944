"""TOML text -> a validated :class:`Config`: every key known, every type right, every problem
located (file:line:column, :mod:`.locate`), a typo answered with what was probably meant.

Imported only when a config file must be parsed: a warm launch reuses the validated result
remembered by :mod:`claude_failover.parse_memo`.
"""

from __future__ import annotations

import os
import re

from claude_failover import routes
from claude_failover.config.durations import DurationError, parse_duration
from claude_failover.config.locate import Locator
from claude_failover.config.model import (COMMON_PROFILE_KEYS, DURATIONS, INTERACTIVE_MODES, SETTINGS, TOP_KEYS, Config,
                                         Profile)
from claude_failover.config.secret_shapes import looks_like_secret, secret_header, secretish_key
from claude_failover.credvars import SECRET_VARS
from claude_failover.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

PROFILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


def parse(raw: bytes | str, path: str = "<config>") -> Config:
    text = _decode(raw, path)
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _split_toml_error(str(exc))
        if line is None:  # "at end of document": point at the last character
            line = text.count("\n") + 1
            column = len(text.rsplit("\n", 1)[-1]) + 1
        comma = _trailing_comma(text, line, column) if column is not None else None
        if comma is not None:
            message, (line, column) = "a trailing comma before `}` (TOML inline tables allow none)", comma
        raise ConfigError(f"TOML syntax error: {message}", path, line, column) from None
    except RecursionError:
        raise ConfigError("arrays or tables nested too deeply", path) from None
    return _validate(data, text, path)


def _decode(raw: bytes | str, path: str) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise ConfigError("not valid UTF-8 text (TOML files are UTF-8)", path, line, column) from None
    return text[1:] if text.startswith("\ufeff") else text


def _trailing_comma(text: str, line: int, column: int) -> tuple[int, int] | None:
    """(line, column) of the comma when the error sits on the `}` after a trailing comma."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
    after = text[offset:].lstrip()
    before = text[:offset].rstrip()
    if not (after.startswith("}") and before.endswith(",")):
        return None
    at = len(before) - 1
    comma_line = text.count("\n", 0, at) + 1
    return comma_line, at - (text.rfind("\n", 0, at) + 1) + 1


def _split_toml_error(message: str) -> tuple[str, int | None, int | None]:
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if match:
        return message[: match.start()], int(match.group(1)), int(match.group(2))
    match = re.search(r"\s*\(at end of document\)\s*$", message)
    if match:
        return message[: match.start()] + " (at end of file)", None, None
    return message, None, None


def suggest(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


SECRET_HINT = "store it in the keyring: `claude-failover-ctl keys set {name}` (or use secret_env / secret_cmd)"


def _validate(data: dict[str, Any], text: str, path: str) -> Config:
    check = Locator(text, path)
    for key, value in data.items():
        if key not in TOP_KEYS:
            check.fail(f"unknown setting {key!r}{suggest(key, TOP_KEYS)}", (), key)
        if not TOP_KEYS[key].accepts(value):
            check.fail(f"{key!r} must be {TOP_KEYS[key].type_name()}", (), key)

    settings = {k: d for k, (_, d) in SETTINGS.items()}
    for key in SETTINGS:
        if key in data:
            settings[key] = _duration(data[key], check, key) if key in DURATIONS else data[key]
    if settings["interactive"] not in INTERACTIVE_MODES:
        check.fail(f"'interactive' must be one of {', '.join(map(repr, INTERACTIVE_MODES))}", (), "interactive")

    raw_profiles = data.get("profiles", {})
    if not raw_profiles:
        check.fail("no profiles: add at least one [profiles.NAME] table", (), "profiles",
                   hint="`claude-failover-ctl config init` writes a commented starting point")
    profiles = {name: _profile(name, table, check) for name, table in raw_profiles.items()}

    order = data.get("order")
    if order is None:
        order = list(profiles)
    if not order:  # every launch would have nothing to choose (and `claude --version` crashed)
        check.fail("`order` is empty: list at least one profile", (), "order",
                   hint=f"profiles: {', '.join(profiles)}")
    seen: set[str] = set()
    for name in order:
        if not isinstance(name, str):
            check.fail("`order` must list profile names (strings)", (), "order")
        if name not in profiles:
            check.fail(f"`order` names {name!r}, which is not a profile{suggest(name, profiles)}",
                       (), "order", hint=f"profiles: {', '.join(profiles)}")
        if name in seen:
            check.fail(f"`order` names {name!r} twice", (), "order")
        seen.add(name)

    claude = data.get("claude")
    return Config(path=path, order=list(order), profiles=profiles,
                  claude=os.path.expanduser(claude) if claude else None, settings=settings)


def _duration(value: Any, check: Locator, key: str, table: tuple[str, ...] = ()) -> float:
    try:
        return parse_duration(value, repr(key))
    except DurationError as exc:
        check.fail(str(exc), table, key)
        raise  # not reached: fail() raises


def _profile(name: str, table: Any, check: Locator) -> Profile:
    where = ("profiles", name)
    if not re.match(PROFILE_NAME, name):
        check.fail(f"profile name {name!r}: use letters, digits, '.', '_' or '-'", where)
    if not isinstance(table, dict):
        check.fail(f"profiles.{name} must be a table ([profiles.{name}])", ("profiles",), name)
    type_name = table.get("type")
    if type_name is None:
        check.fail(f"profile {name!r} has no `type`", where,
                   hint=f"type is one of: {', '.join(routes.type_names())}")
    if type_name not in routes.type_names():
        check.fail(f"profile {name!r}: unknown type {type_name!r}{suggest(str(type_name), routes.type_names())}",
                   where, "type", hint=f"type is one of: {', '.join(routes.type_names())}")
    route = routes.get(type_name)
    allowed = {**COMMON_PROFILE_KEYS, **route.keys}

    for key, value in table.items():
        if secretish_key(key) or (isinstance(value, str) and looks_like_secret(value)):
            check.fail(f"profile {name!r}: {key!r} looks like a secret written in the config file; "
                       "secrets do not belong in files", where, key, hint=SECRET_HINT.format(name=name))
        if key == "headers" and isinstance(value, dict):
            for header, text in value.items():
                if secret_header(str(header), text):
                    check.fail_inner(f"profile {name!r}: header {header!r} would put a credential in the config "
                                     "file; secrets do not belong in files", where, key, str(header),
                                     hint=SECRET_HINT.format(name=name) + "; the gateway sends it with `auth = \"bearer\"` (Authorization) or `auth = \"x-api-key\"`")
        if key not in allowed:
            check.fail(f"profile {name!r} ({type_name}): unknown key {key!r}{suggest(key, allowed)}",
                       where, key, hint=f"keys for {type_name}: {', '.join(sorted(allowed))}")
        if not allowed[key].accepts(value):
            check.fail(f"profile {name!r}: {key!r} must be {allowed[key].type_name()}", where, key)
    for key, spec in route.keys.items():
        if spec.required and key not in table:
            check.fail(f"profile {name!r} ({type_name}) needs `{key}` ({spec.help})", where)

    env = _env_table(name, table.get("env", {}), check)
    options = {k: v for k, v in table.items() if k in route.keys}
    for key, message in route.check(options):
        check.fail(f"profile {name!r}: {message}", where, key)

    return Profile(name=name, type=type_name, options=options, env=env, model=table.get("model"),
                   description=table.get("description"), status_url=table.get("status_url"),
                   probe=table.get("probe", True), live_check=table.get("live_check"),
                   secret_sources=_secret_sources(name, table, route, check),
                   **_limit_keys(name, table, route, check))


def _limit_keys(name: str, table: dict[str, Any], route, check: Locator) -> dict[str, Any]:
    """``switch_at``, ``max_spend``, ``wait_for_reset`` (spend.py parses them), located on error."""
    from claude_failover import spend

    where, out = ("profiles", name), {}
    parsers = {"switch_at": spend.parse_switch_at, "max_spend": spend.parse_max_spend,
               "wait_for_reset": spend.parse_wait_for_reset}
    for key, parser in parsers.items():
        if key not in table:
            continue
        try:
            out[key] = parser(table[key])
        except ValueError as exc:
            check.fail(f"profile {name!r}: {exc}", where, key)
    if "switch_at" in table and not route.plan:
        check.fail(f"profile {name!r}: switch_at is for plan routes (subscription, oauth-token), which report "
                   f"plan windows; {route.name} routes have none (use max_spend to cap what they cost)",
                   where, "switch_at")
    return out


def _env_table(name: str, env: dict[str, Any], check: Locator) -> dict[str, str]:
    where = ("profiles", name, "env")
    result = {}
    for var, value in env.items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", var):
            check.fail(f"profile {name!r}: {var!r} is not an environment variable name", where, var)
        if isinstance(value, bool):
            value = "1" if value else "0"
        if not isinstance(value, (str, int, float)):
            check.fail(f"profile {name!r}: env.{var} must be a string", where, var)
        value = str(value)
        if var in SECRET_VARS and value or looks_like_secret(value):
            check.fail(f"profile {name!r}: env.{var} would put a secret in the config file", where, var,
                       hint=SECRET_HINT.format(name=name))
        result[var] = value
    return result


def _secret_sources(name: str, table: dict[str, Any], route, check: Locator) -> tuple[tuple[str, str], ...]:
    where = ("profiles", name)
    given: list[str] = [k for k in ("secret_env", "secret_cmd") if k in table]
    mode = table.get("secret")
    if mode is not None and mode not in ("keyring", "none"):
        check.fail(f"profile {name!r}: secret must be \"keyring\" or \"none\", not {mode!r}", where, "secret",
                   hint=SECRET_HINT.format(name=name))
    if len(given) + (mode is not None) > 1:
        check.fail(f"profile {name!r}: choose one of secret, secret_env and secret_cmd", where, given[-1])
    if route.secret == "never":
        if given or mode == "keyring":
            check.fail(f"profile {name!r}: a {route.name} route takes no secret", where, (given or ["secret"])[0])
        return ()
    if mode == "none" or not route.needs_secret(table):
        return ()
    if "secret_env" in table:
        return (("env", table["secret_env"]),)
    if "secret_cmd" in table:
        return (("cmd", table["secret_cmd"]),)
    if mode == "keyring" or route.secret == "required":
        return (("keyring", name),)
    return ()
