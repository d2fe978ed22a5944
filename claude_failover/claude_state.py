"""Reading Claude Code's local login state — without ever handing a token to anyone.

The credentials store is ``$CLAUDE_CONFIG_DIR/.credentials.json`` (default ``~/.claude``) on
Linux/Windows and the login keychain on macOS (service ``Claude Code-credentials``, or
``Claude Code-credentials-<8 hex of sha256(dir)>`` for a custom config dir). We parse it to
judge the login's state (present, parseable, expiry, refresh token, scopes); the tokens
themselves never leave this module: :class:`LoginState` carries no secret.

Never try a refresh: a refused refresh wipes the stored login (facts file).
"""

from __future__ import annotations

import os
import stat
import sys
import time

from claude_failover.valueclass import factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing costs ~5 ms to import on the launch path
    from typing import Mapping

# status values, worst first
MISSING = "missing"            # no store at all: not logged in
UNREADABLE = "unreadable"      # permissions / I/O
CORRUPT = "corrupt"            # not JSON, or not the expected shape
ENDED = "ended"                # claude gave up: empty accessToken / loginEnded
REFRESH_EXPIRED = "refresh-expired"      # access and refresh tokens both past expiry
EXPIRED_NO_REFRESH = "expired-no-refresh"  # access token expired and no refresh token
EXPIRED_REFRESHABLE = "expired-refreshable"  # claude will refresh it itself: fine
OK = "ok"

USABLE = frozenset({OK, EXPIRED_REFRESHABLE})


@record
class LoginState:
    status: str
    location: str                      # file path or "macOS keychain (service …)"
    detail: str = ""
    expires_at: float | None = None    # seconds since the epoch
    refresh_expires_at: float | None = None
    has_refresh_token: bool = False
    subscription_type: str | None = None
    scopes: list[str] = factory(list)
    file_mode: int | None = None       # permission bits of the file, when it is one
    organization: str | None = None    # an organisation sign-in in the store (its uuid, or "?")

    @property
    def usable(self) -> bool:
        return self.status in USABLE


def config_dir(environ: Mapping[str, str] | None = None, override: str | None = None) -> str:
    """Claude Code's config dir: ``override``, else ``$CLAUDE_CONFIG_DIR``, else ``$HOME/.claude``
    (of ``environ``, default the process environment)."""
    environ = os.environ if environ is None else environ
    chosen = override or environ.get("CLAUDE_CONFIG_DIR")
    if chosen:
        return os.path.abspath(os.path.expanduser(chosen))
    return os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".claude")


def credentials_path(directory: str) -> str:
    return os.path.join(directory, ".credentials.json")


def keychain_service(directory: str | None) -> str:
    default = os.path.join(os.path.expanduser("~"), ".claude")
    if not directory or os.path.abspath(directory) == default:
        return "Claude Code-credentials"
    import hashlib

    return "Claude Code-credentials-" + hashlib.sha256(directory.encode()).hexdigest()[:8]


def login_store_stamp(directory: str) -> float | None:
    """mtime of the store a new `claude auth login` rewrites — the credentials file, else on macOS the
    login keychain's file — or None. A stat, never a `security` process: cheap enough for every warm
    launch, so a cached verdict can be trusted until the store changes (or its TTL ends). The
    subscription route's ``login_stamp`` is this. The keychain file also changes when other apps
    write to it: that costs one extra `security` read, never a wrong verdict."""
    try:
        return os.stat(credentials_path(directory)).st_mtime
    except OSError:
        pass
    if sys.platform != "darwin":
        return None
    try:
        return os.stat(os.path.join(os.path.expanduser("~"), "Library", "Keychains", "login.keychain-db")).st_mtime
    except OSError:
        return None


def read_login(directory: str | None = None, environ: dict[str, str] | None = None,
               now: float | None = None) -> LoginState:
    """The state of the login stored for ``directory`` (default: claude's own config dir)."""
    directory = directory or config_dir(environ)
    now = time.time() if now is None else now
    path = credentials_path(directory)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if sys.platform == "darwin":
            return _read_keychain(directory, now)
        return LoginState(MISSING, path, "no stored login (run `claude auth login`)")
    except OSError as exc:
        return LoginState(UNREADABLE, path, f"cannot stat: {exc.strerror}")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(1024 * 1024)
    except OSError as exc:
        return LoginState(UNREADABLE, path, f"cannot read: {exc.strerror}", file_mode=stat.S_IMODE(st.st_mode))
    state = parse_credentials(raw, path, now)
    state.file_mode = stat.S_IMODE(st.st_mode)
    return state


def _read_keychain(directory: str, now: float) -> LoginState:
    import subprocess

    service = keychain_service(directory)
    where = f"macOS keychain (service {service!r})"
    try:
        done = subprocess.run(["security", "find-generic-password", "-s", service, "-w"],
                              capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return LoginState(UNREADABLE, where, "the `security` tool did not answer")
    if done.returncode != 0:
        return LoginState(MISSING, where, "no stored login (run `claude auth login`)")
    return parse_credentials(done.stdout, where, now)


def parse_credentials(raw: bytes | str, location: str, now: float | None = None) -> LoginState:
    """Judge a credentials blob. Never raises; never returns a token."""
    import json  # not at module level: a warm launch on a subscription route only stats the store

    now = time.time() if now is None else now
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" at line {exc.lineno}, column {exc.colno}"
        return LoginState(CORRUPT, location, f"not valid JSON{where}")
    if not isinstance(data, dict):
        return LoginState(CORRUPT, location, "not a JSON object")
    organization = _organization_sign_in(data.get("hybridOauth"), now)
    oauth = data.get("claudeAiOauth")
    if oauth is None:
        return LoginState(MISSING, location, "no claude.ai login in the store (run `claude auth login`)",
                          organization=organization)
    if not isinstance(oauth, dict):
        return LoginState(CORRUPT, location, "claudeAiOauth is not an object", organization=organization)

    access = oauth.get("accessToken")
    refresh = oauth.get("refreshToken")
    expires = _ms(oauth.get("expiresAt"))
    refresh_expires = _ms(oauth.get("refreshTokenExpiresAt"))
    scopes = oauth.get("scopes")
    if not isinstance(scopes, list):
        scopes = []
    sub = oauth.get("subscriptionType") if isinstance(oauth.get("subscriptionType"), str) else None
    state = LoginState(OK, location, expires_at=expires, refresh_expires_at=refresh_expires,
                       has_refresh_token=isinstance(refresh, str) and bool(refresh),
                       subscription_type=sub, scopes=[s for s in scopes if isinstance(s, str)],
                       organization=organization)
    if not isinstance(access, str) or (access and not access.isprintable()):
        state.status, state.detail = CORRUPT, "accessToken is missing or not text"
    elif oauth.get("loginEnded") or not access:
        ended = oauth.get("loginEnded")
        state.status = ENDED
        state.detail = f"the login ended ({ended})" if isinstance(ended, str) else "the login ended (empty token)"
    elif refresh is not None and not isinstance(refresh, str):
        state.status, state.detail = CORRUPT, "refreshToken is not text"
    elif "expiresAt" in oauth and expires is None:
        state.status, state.detail = CORRUPT, "expiresAt is not a timestamp"
    elif expires is not None and expires <= now:
        if not state.has_refresh_token:
            state.status, state.detail = EXPIRED_NO_REFRESH, "access token expired and there is no refresh token"
        elif refresh_expires is not None and refresh_expires <= now:
            state.status, state.detail = REFRESH_EXPIRED, "access and refresh tokens have both expired"
        else:
            state.status, state.detail = EXPIRED_REFRESHABLE, "access token expired; claude will refresh it"
    return state


def _organization_sign_in(entry, now: float) -> str | None:
    """The organisation of a live organisation sign-in (claude 2.1.330+ stores it beside the claude.ai
    login as ``hybridOauth``: accessToken, organizationUuid, ...), else None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("accessToken"), str) or not entry["accessToken"]:
        return None
    expires = _ms(entry.get("expiresAt"))
    if expires is not None and expires <= now and not entry.get("refreshToken"):
        return None
    org = entry.get("organizationUuid")
    return org if isinstance(org, str) and org.isprintable() and len(org) <= 64 else "?"


def organization_note(login: LoginState) -> str:
    """Our words for a store holding an organisation sign-in (the subscription route's local check)."""
    org = "" if login.organization in (None, "?") else f" (organisation {login.organization})"
    return (f"{login.location} holds an organisation sign-in{org}: claude sends prompts where that "
            "organisation's settings say and sets a claude.ai login aside, so this is not a claude.ai "
            "subscription route; use a route for the organisation's provider, or `claude auth logout` "
            "then `claude auth login` with a claude.ai account")


def auth_status(claude_path: str, environ: dict[str, str], timeout: float = 20) -> dict | None:
    """``claude auth status --json`` run with ``environ`` (no network call, ~0.3 s on 2.1.332), or None
    when it printed no JSON object. Only doctor runs this: never on the launch path."""
    import json
    import subprocess

    try:
        done = subprocess.run([claude_path, "auth", "status", "--json"], env=environ, capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        data = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def not_subscription(status: dict) -> str | None:
    """Why ``claude auth status --json`` output is not a claude.ai subscription login, or None when it is.

    Fields read (2.1.332): ``authMethod`` ("claude.ai" for a subscription; "third_party", "api_key",
    "oauth_token", "none" otherwise), ``apiProvider`` ("firstParty" or the provider: "bedrock",
    "gateway", "anthropicAws", ...), ``organizationSignInOrgId`` (an organisation sign-in, whose settings
    decide where prompts go) and ``forcedLoginMethod`` (managed settings pin the login method)."""
    words = []
    org = status.get("organizationSignInOrgId")
    if org:
        words.append(f"an organisation sign-in ({org}) decides where prompts go")
    provider = status.get("apiProvider")
    if provider not in (None, "firstParty"):
        words.append(f"requests go to {provider}")
    method = status.get("authMethod")
    if method != "claude.ai":
        words.append(f"the login is {method or 'unknown'}" + (" (not logged in)" if method == "none" else ""))
    forced = status.get("forcedLoginMethod")
    if forced not in (None, "claudeai"):
        words.append(f"managed settings force the {forced} login")
    return "; ".join(words) or None


def _ms(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value) / 1000.0


def backup_aside(path: str, now: float | None = None) -> str:
    """Move a (corrupt) store to ``<path>.bak-YYYYmmdd-HHMMSS`` and return that path.

    A rename: nothing is deleted, the bytes are kept as they were. Never overwrites a backup.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    target = f"{path}.bak-{stamp}"
    n = 1
    while os.path.lexists(target):
        n += 1
        target = f"{path}.bak-{stamp}-{n}"
    os.rename(path, target)
    return target
