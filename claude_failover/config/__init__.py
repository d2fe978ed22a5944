"""The config file: TOML, strictly validated, every problem located by file, line and column.

Claude Code ignores a broken settings file without a word; we do the opposite. Each problem is
one ``ConfigError`` (exit 78) naming where it is and, for a typo, what was probably meant.
With no config file an embedded default is used (:mod:`.default`).

This module reads the file (through :mod:`claude_failover.parse_memo`, so a warm launch validates
nothing); the jobs live beside it:

- :mod:`.model` — the shape: settings and their defaults, common profile keys, Config, Profile
- :mod:`.validate` — TOML text -> a validated Config (imported only when a file must be parsed)
- :mod:`.locate` — where a key sits in the TOML text (file:line:column of an error)
- :mod:`.durations` — "90s", "5m", "2h" (also `ctl pin --for`)
- :mod:`.secret_shapes` — what a secret written in plain text looks like
- :mod:`.default` — the embedded default config
"""

from __future__ import annotations

import os

from claude_failover import parse_memo
from claude_failover.config.model import Config, Profile
from claude_failover.errors import ConfigError

__all__ = ["Config", "Profile", "load", "parse", "MAX_CONFIG_BYTES"]

MAX_CONFIG_BYTES = 4 * 1024 * 1024


def load(path: str) -> Config:
    """Load and validate the config at ``path``; the embedded default when it does not exist."""
    import stat

    try:  # O_NONBLOCK: a FIFO must not hang the launcher
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise ConfigError("a symbolic link to a missing file", path) from None
        from claude_failover.config.default import default_config

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
            plain = parse_memo.from_handle(handle, path, "config", lambda raw: _plain(_parse_sized(raw, path)),
                                       MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path) from None
    return _from_plain(plain, path)


def parse(raw: bytes | str, path: str = "<config>") -> Config:
    """A validated Config from TOML text (raises ConfigError with file:line:column)."""
    from claude_failover.config.validate import parse as parse_text

    return parse_text(raw, path)


def _parse_sized(raw: bytes, path: str) -> Config:
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError("the config file is larger than 4 MiB; this is not a config file", path)
    return parse(raw, path)


def _plain(cfg: Config) -> dict:
    """The validated config as plain data (what `parse_memo` remembers: it holds no secret)."""
    from claude_failover.valueclass import as_dict

    return {"order": cfg.order, "claude": cfg.claude, "settings": cfg.settings,
            "profiles": [as_dict(p) for p in cfg.profiles.values()]}


def _from_plain(plain: dict, path: str) -> Config:
    profiles = {p["name"]: Profile(**p) for p in plain["profiles"]}
    return Config(path=path, order=list(plain["order"]), profiles=profiles, claude=plain["claude"],
                  settings=dict(plain["settings"]))
