"""What a secret written in plain text looks like: key names and value shapes.

Used by config validation (a secret in the config file is an error) and by the settings guard
(a user's --settings file holding a secret is never inlined into argv).
"""

from __future__ import annotations

# Keys that look like a secret written in plain text.
SECRETISH_KEYS = {"api_key", "apikey", "key", "token", "auth_token", "oauth_token", "access_token",
                  "refresh_token", "password", "secret_key", "secret_value", "bearer_token"}
# Compiled on first use: `re` costs ~10 ms to import, and a warm launch checks nothing.
SECRET_VALUE = r"^(sk-ant-|sk-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}$|ABSK[A-Za-z0-9+/=]{20,})"


def looks_like_secret(text: str) -> bool:
    """A value shaped like an API key or token (sk-ant-…, an AWS key id, a Bedrock key)."""
    import re  # re keeps its own cache of compiled patterns

    return bool(re.match(SECRET_VALUE, text))


def secretish_key(name: str) -> bool:
    """A config key whose name says it holds a secret (``token``, ``api_key``, …)."""
    return name.lower() in SECRETISH_KEYS


# Request headers that carry a credential whatever their value looks like.
SECRET_HEADERS = {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "x-auth-token"}


def secret_header(name: str, value: object) -> bool:
    """A request header (a gateway's ``headers``) that would put a credential in the config file:
    a credential header (Authorization, X-Api-Key…), a secret-ish name, or a secret-shaped value
    (``sk-ant-…``, ``Bearer …``)."""
    low = name.lower()
    if low in SECRET_HEADERS or secretish_key(low.replace("-", "_")) or secretish_key(low.removeprefix("x-")):
        return True
    text = value.strip() if isinstance(value, str) else ""
    return looks_like_secret(text) or text.lower().startswith(("bearer ", "basic "))
