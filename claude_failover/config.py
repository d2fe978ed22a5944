"""The config file: TOML, strictly validated, every problem located by file, line and column.

Claude Code ignores a broken settings file without a word; we do the opposite. Each problem is
one ``ConfigError`` (exit 78) naming where it is and, for a typo, what was probably meant.
With no config file an embedded default is used (see :func:`default_config`).
"""

from __future__ import annotations

import os

from claude_failover import parsed, routes
from claude_failover.credvars import SECRET_VARS
from claude_failover.errors import ConfigError
from claude_failover.record import factory, record
from claude_failover.routes.base import BOOL, NUM, STR, Key

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Any

DEFAULT_STATUS_URL = "https://status.claude.com/api/v2/summary.json"

# Top-level settings: key -> (Key, default). Durations accept seconds or "90s", "5m", "2h".
SETTINGS: dict[str, tuple[Key, Any]] = {
    "probe_timeout": (Key(NUM + STR, "one deadline for all probes of a launch"), 2.0),
    "healthy_ttl": (Key(NUM + STR, "how long a healthy verdict is trusted"), 300.0),
    "cooldown": (Key(NUM + STR, "first skip period of a failing route (doubles while it fails)"), 60.0),
    "max_cooldown": (Key(NUM + STR, "longest skip period"), 1800.0),
    "stall_timeout": (Key(NUM + STR, "headless: no output for this long on a known-bad route = failed"), 120.0),
    "strict": (Key(BOOL, "exit 69 unless a route is verified healthy"), False),
    "status_url": (Key(STR, "the Statuspage summary.json used for subscription routes"), DEFAULT_STATUS_URL),
    "notify": (Key(BOOL, "desktop notification when the active route changes"), True),
}
DURATIONS = {"probe_timeout", "healthy_ttl", "cooldown", "max_cooldown", "stall_timeout"}

TOP_KEYS = {"order": Key((list,), "fallback priority"), "claude": Key(STR, "path of the real claude"),
            "profiles": Key((dict,), "the routes"), **{k: spec for k, (spec, _) in SETTINGS.items()}}

COMMON_PROFILE_KEYS = {
    "type": Key(STR, "the route type", required=True),
    "description": Key(STR, "free text shown by `ctl status`"),
    "model": Key(STR, "ANTHROPIC_MODEL for this route"),
    "env": Key((dict,), "extra variables, applied last"),
    "secret": Key(STR, '"keyring" (default where a secret is needed) or "none"'),
    "secret_env": Key(STR, "read the secret from this environment variable"),
    "secret_cmd": Key(STR, "read the secret from the first line this command prints"),
    "status_url": Key(STR, "Statuspage summary.json for this route's health"),
    "probe": Key(BOOL, "live-probe this route (default true where a probe exists)"),
}

# Keys that look like a secret written in plain text.
SECRETISH_KEYS = {"api_key", "apikey", "key", "token", "auth_token", "oauth_token", "access_token",
                  "refresh_token", "password", "secret_key", "secret_value", "bearer_token"}
# Compiled on first use (`_rx`): `re` costs ~10 ms to import, and a warm launch validates nothing
# (the validated config is remembered by `parsed`).
_PATTERNS = {
    "secret_value": r"^(sk-ant-|sk-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}$|ABSK[A-Za-z0-9+/=]{20,})",
    "profile_name": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    "duration": r"^(?:(\d+(?:\.\d+)?)\s*h\s*)?(?:(\d+(?:\.\d+)?)\s*m\s*)?(?:(\d+(?:\.\d+)?)\s*s?)?$",
}


def _rx(name: str):
    import re  # re keeps its own cache of compiled patterns

    return re.compile(_PATTERNS[name])


def looks_like_secret(text: str) -> bool:
    """A value shaped like an API key or token (sk-ant-…, an AWS key id, a Bedrock key)."""
    return bool(_rx("secret_value").match(text))


@record
class Profile:
    name: str
    type: str
    options: dict[str, Any]           # type-specific keys
    env: dict[str, str] = factory(dict)
    model: str | None = None
    description: str | None = None
    status_url: str | None = None
    probe: bool = True
    # ordered secret sources: ("keyring", name) | ("env", VAR) | ("cmd", command)
    secret_sources: tuple[tuple[str, str], ...] = ()

    @property
    def route(self) -> routes.RouteType:
        return routes.get(self.type)

    def fingerprint(self) -> str:
        """A stable digest of this profile's settings (never of the secret itself)."""
        import zlib

        blob = repr(_canonical([self.type, self.options, self.env, self.model, self.secret_sources]))
        return f"{zlib.crc32(blob.encode()):08x}"  # change detection only (json/hashlib cost ms to import)


def _canonical(value):
    """Nested data with dicts as sorted item tuples and lists as tuples: a stable repr()."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


@record
class Config:
    path: str
    order: list[str]
    profiles: dict[str, Profile]
    claude: str | None = None
    settings: dict[str, Any] = factory(lambda: {k: d for k, (_, d) in SETTINGS.items()})
    embedded: bool = False   # True when no file exists and the embedded default is used

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["settings"][name]
        except KeyError:
            raise AttributeError(name) from None

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            raise ConfigError(f"no profile named {name!r}{_suggest(name, self.profiles)}", self.path,
                              hint=f"profiles: {', '.join(self.order) or '(none)'}")
        return self.profiles[name]


# --- loading ------------------------------------------------------------------------------

def load(path: str) -> Config:
    """Load and validate the config at ``path``; the embedded default when it does not exist."""
    import stat

    try:  # O_NONBLOCK: a FIFO must not hang the launcher
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise ConfigError("a symbolic link to a missing file", path) from None
        return default_config(path)
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path) from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        if stat.S_ISDIR(kind):
            raise ConfigError("is a directory, not a config file", path)
        raise ConfigError("not a regular file (a FIFO, socket or device?)", path)
    with os.fdopen(fd, "rb") as handle:
        try:
            plain = parsed.from_handle(handle, path, "config", lambda raw: _plain(_parse_sized(raw, path)),
                                       MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path) from None
    return _from_plain(plain, path)


MAX_CONFIG_BYTES = 4 * 1024 * 1024


def _parse_sized(raw: bytes, path: str) -> Config:
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError("the config file is larger than 4 MiB; this is not a config file", path)
    return parse(raw, path)


def _plain(cfg: Config) -> dict:
    """The validated config as plain data (what `parsed` remembers: it holds no secret)."""
    from claude_failover.record import as_dict

    return {"order": cfg.order, "claude": cfg.claude, "settings": cfg.settings,
            "profiles": [as_dict(p) for p in cfg.profiles.values()]}


def _from_plain(plain: dict, path: str) -> Config:
    profiles = {p["name"]: Profile(**p) for p in plain["profiles"]}
    return Config(path=path, order=list(plain["order"]), profiles=profiles, claude=plain["claude"],
                  settings=dict(plain["settings"]))


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


def _split_toml_error(message: str) -> tuple[str, int | None, int | None]:
    import re

    match = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if match:
        return message[: match.start()], int(match.group(1)), int(match.group(2))
    match = re.search(r"\s*\(at end of document\)\s*$", message)
    if match:
        return message[: match.start()] + " (at end of file)", None, None
    return message, None, None


class _Checker:
    """Collects the first problem with its position; raises it."""

    def __init__(self, text: str, path: str):
        self.text, self.path = text, path
        self._lines: list[str] | None = None

    def fail(self, message: str, table: tuple[str, ...] = (), key: str | None = None,
             hint: str | None = None) -> None:
        line, column = self.locate(table, key)
        raise ConfigError(message, self.path, line, column, hint)

    def locate(self, table: tuple[str, ...], key: str | None) -> tuple[int | None, int | None]:
        """Best-effort position of ``key`` in ``[table]`` (or of the table header)."""
        import re

        if self._lines is None:
            self._lines = self.text.splitlines()
        current: tuple[str, ...] = ()
        header_pos = (None, None)
        key_re = re.compile(r"^(\s*)([\"']?)([A-Za-z0-9_.-]+)\2\s*=")
        for number, line in enumerate(self._lines, 1):
            header = re.match(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line)
            if header:
                current = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                if current == table:
                    header_pos = (number, line.index("[") + 1)
                continue
            if key is None:
                continue
            match = key_re.match(line)
            if not match:
                continue
            dotted = tuple(part.strip("\"'") for part in match.group(3).split("."))
            full = current + dotted
            if full == table + (key,) or full[: len(table) + 1] == table + (key,):
                return number, len(match.group(1)) + 1
        if key is None or header_pos[0] is not None:
            return header_pos
        return (None, None)

    def type_ok(self, value: Any, spec: Key) -> bool:
        if bool in spec.types:
            return isinstance(value, bool)
        return isinstance(value, spec.types) and not isinstance(value, bool)


def _suggest(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(spec: Key) -> str:
    names = {str: "a string", bool: "true or false", int: "a number", float: "a number",
             list: "a list", dict: "a table"}
    return " or ".join(dict.fromkeys(names[t] for t in spec.types))


SECRET_HINT = "store it in the keyring: `claude-failover-ctl keys set {name}` (or use secret_env / secret_cmd)"


def _validate(data: dict[str, Any], text: str, path: str) -> Config:
    check = _Checker(text, path)
    for key, value in data.items():
        if key not in TOP_KEYS:
            check.fail(f"unknown setting {key!r}{_suggest(key, TOP_KEYS)}", (), key)
        if not check.type_ok(value, TOP_KEYS[key]):
            check.fail(f"{key!r} must be {_type_name(TOP_KEYS[key])}", (), key)

    settings = {k: d for k, (_, d) in SETTINGS.items()}
    for key in SETTINGS:
        if key in data:
            settings[key] = _duration(data[key], check, key) if key in DURATIONS else data[key]

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
            check.fail(f"`order` names {name!r}, which is not a profile{_suggest(name, profiles)}",
                       (), "order", hint=f"profiles: {', '.join(profiles)}")
        if name in seen:
            check.fail(f"`order` names {name!r} twice", (), "order")
        seen.add(name)

    claude = data.get("claude")
    return Config(path=path, order=list(order), profiles=profiles,
                  claude=os.path.expanduser(claude) if claude else None, settings=settings)


def _duration(value: Any, check: _Checker, key: str, table: tuple[str, ...] = ()) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = value.strip() if isinstance(value, str) else ""
        match = _rx("duration").match(text) if 0 < len(text) <= 64 else None
        if not match or not any(match.groups()):
            shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else repr(value[:40] + "…")
            check.fail(f"{key!r} must be a duration like 2, \"90s\", \"5m\" or \"2h\", not {shown}", table, key)
        hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if not 0 < seconds <= 7 * 86400 or seconds != seconds:
        check.fail(f"{key!r} must be more than 0 and at most 7 days", table, key)
    return seconds


def _profile(name: str, table: Any, check: _Checker) -> Profile:
    where = ("profiles", name)
    if not _rx("profile_name").match(name):
        check.fail(f"profile name {name!r}: use letters, digits, '.', '_' or '-'", where)
    if not isinstance(table, dict):
        check.fail(f"profiles.{name} must be a table ([profiles.{name}])", ("profiles",), name)
    type_name = table.get("type")
    if type_name is None:
        check.fail(f"profile {name!r} has no `type`", where,
                   hint=f"type is one of: {', '.join(routes.TYPE_NAMES)}")
    if type_name not in routes.TYPE_NAMES:
        check.fail(f"profile {name!r}: unknown type {type_name!r}{_suggest(str(type_name), routes.TYPE_NAMES)}",
                   where, "type", hint=f"type is one of: {', '.join(routes.TYPE_NAMES)}")
    route = routes.get(type_name)
    allowed = {**COMMON_PROFILE_KEYS, **route.keys}

    for key, value in table.items():
        if key.lower() in SECRETISH_KEYS or (isinstance(value, str) and _rx("secret_value").match(value)):
            check.fail(f"profile {name!r}: {key!r} looks like a secret written in the config file; "
                       "secrets do not belong in files", where, key, hint=SECRET_HINT.format(name=name))
        if key not in allowed:
            check.fail(f"profile {name!r} ({type_name}): unknown key {key!r}{_suggest(key, allowed)}",
                       where, key, hint=f"keys for {type_name}: {', '.join(sorted(allowed))}")
        if not check.type_ok(value, allowed[key]):
            check.fail(f"profile {name!r}: {key!r} must be {_type_name(allowed[key])}", where, key)
    for key, spec in route.keys.items():
        if spec.required and key not in table:
            check.fail(f"profile {name!r} ({type_name}) needs `{key}` ({spec.help})", where)

    env = _env_table(name, table.get("env", {}), check)
    options = {k: v for k, v in table.items() if k in route.keys}
    for key, message in route.check(options):
        check.fail(f"profile {name!r}: {message}", where, key)

    return Profile(name=name, type=type_name, options=options, env=env, model=table.get("model"),
                   description=table.get("description"), status_url=table.get("status_url"),
                   probe=table.get("probe", True), secret_sources=_secret_sources(name, table, route, check))


def _env_table(name: str, env: dict[str, Any], check: _Checker) -> dict[str, str]:
    import re

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
        if var in SECRET_VARS and value or _rx("secret_value").match(value):
            check.fail(f"profile {name!r}: env.{var} would put a secret in the config file", where, var,
                       hint=SECRET_HINT.format(name=name))
        result[var] = value
    return result


def _secret_sources(name: str, table: dict[str, Any], route, check: _Checker) -> tuple[tuple[str, str], ...]:
    where = ("profiles", name)
    given = [k for k in ("secret_env", "secret_cmd") if k in table]
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
    needs = getattr(route, "needs_secret", None)
    if mode == "none" or (needs is not None and not needs(_Bare(table))):
        return ()
    if "secret_env" in table:
        return (("env", table["secret_env"]),)
    if "secret_cmd" in table:
        return (("cmd", table["secret_cmd"]),)
    if mode == "keyring" or route.secret == "required":
        return (("keyring", name),)
    return ()


class _Bare:
    """Just enough of a Profile for a route's needs_secret() during validation."""

    def __init__(self, table: dict[str, Any]):
        self.options = table


# --- the embedded default -----------------------------------------------------------------

def claude_login_present(environ: dict[str, str] | None = None) -> bool:
    """Whether Claude Code has a stored login (file, or macOS keychain entry assumed present)."""
    import sys

    from claude_failover.claude_state import config_dir, credentials_path

    if os.path.exists(credentials_path(config_dir(environ))):
        return True
    return sys.platform == "darwin"


def default_config(path: str) -> Config:
    """No config file: the subscription (if Claude Code has a login), then an API key from the
    keyring (profile ``api-key``) or, failing that, ``ANTHROPIC_API_KEY`` from the caller."""
    profiles: dict[str, Profile] = {}
    if claude_login_present():
        profiles["subscription"] = Profile("subscription", "subscription", {})
    profiles["api-key"] = Profile("api-key", "api-key", {},
                                  secret_sources=(("keyring", "api-key"), ("env", "ANTHROPIC_API_KEY")))
    return Config(path=path, order=list(profiles), profiles=profiles, embedded=True)
