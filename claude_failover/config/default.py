"""The embedded default config, used when no config file exists."""

from __future__ import annotations

import os

from claude_failover.config.model import Config, Profile


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
