"""Recognising a broken route in what a `claude -p` run printed, and how it exited.

Measured on claude 2.1.328 and re-measured on 2.1.332 (docs/headless.md, docs/claude-code.md): on an API failure claude exits 1 and prints
the error on stdout — a line of text (``text``), a ``result`` object with ``is_error``,
``api_error_status``, ``api_error_type`` and ``terminal_reason: "api_error"`` (``json``), or in
``stream-json`` an assistant message with ``is_api_error_message`` and an ``error`` name, then that
``result``; each of claude's own retries is a ``system/api_retry`` event.

Only failures of the route count (credentials, login, billing, limits, overload, outage,
network); a run that fails for any other reason (a tool, ``--max-turns``, a bad flag) is not a
route failure. Verdict details are our own words: claude's text is matched, never quoted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from claude_failover.verdict import Verdict, unhealthy

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from claude_failover.limits import Limit

# Our words for claude's "Not logged in": no credential at all on a first-party route, but claude's answer
# to a 401 on some providers (Claude Platform on AWS): a route type reads it (RouteType.read_run_failure).
NOT_LOGGED_IN = "not logged in: run `claude auth login`"

# (pattern on claude's message, reason, our words) — first match wins; most specific first.
TEXT_SIGNS: tuple[tuple[re.Pattern, str, str], ...] = tuple((re.compile(p, re.I), r, d) for p, r, d in (
    (r"request timed out|timed out", "timeout", "request timed out"),
    (r"econnrefused|connection refused|unable to connect|connection error|enotfound|getaddrinfo|"
     r"econnreset|socket hang up|fetch failed|network error", "unreachable", "connection failed"),
    (r"oauth (access )?token has expired|login expired|token expired", "expired", "expired OAuth login"),
    (r"reached its time limit|cannot be renewed", "expired", "login ended: run `claude auth login`"),
    (r"oauth token revoked|token_revoked", "auth-invalid", "OAuth token revoked"),
    (r"not logged in", "misconfigured", NOT_LOGGED_IN),
    (r"invalid api key|invalid x-api-key", "auth-invalid", "invalid API key"),
    (r"invalid bearer token|invalid auth token|oauth access token is invalid", "auth-invalid",
     "invalid bearer token"),
    (r"could not load (aws|google cloud) credentials|aws authentication failed|"
     r"google cloud credentials expired or invalid|cloud_credential_error", "auth-invalid",
     "cloud credentials rejected"),
    (r"failed to authenticate|authentication_error|authentication_failed|api error:? ?401", "auth-invalid",
     "authentication failed"),
    (r"credit balance is too low|billing_error|api error:? ?402", "billing",
     "billing problem: credit balance too low or no plan"),
    (r"only authorized for use with claude code|permission_error|oauth_org_not_allowed|account_on_hold|"
     r"api error:? ?403", "permission", "permission denied"),
    (r"usage limit|limit reached|rate.?limit|\(429\)|api error:? ?429", "rate-limited", "rate or usage limit"),
    (r"\b529\b|overloaded", "overloaded", "overloaded"),
    (r"api error:? ?5\d\d|server-side issue|internal server error|bad gateway|service unavailable",
     "outage", "server error"),
))

# The `error` names claude uses in stream-json and in the StopFailure hook's input.
ERROR_NAMES = {
    "authentication_failed": ("auth-invalid", "authentication failed"),
    "oauth_org_not_allowed": ("permission", "organisation not allowed for this login"),
    "account_on_hold": ("permission", "account on hold"),
    "verification_required": ("permission", "account verification required"),
    "billing_error": ("billing", "billing problem: credit balance too low or no plan"),
    "rate_limit": ("rate-limited", "rate or usage limit"),
    "overloaded": ("overloaded", "overloaded"),
    "server_error": ("outage", "server error"),
    "cloud_credential_error": ("auth-invalid", "cloud credentials rejected"),
    "model_not_found": ("misconfigured", "model not available on this route"),
}
# Not the route's fault: retrying elsewhere would fail the same way.
NOT_ROUTE = frozenset({"invalid_request", "unknown", "max_output_tokens"})
# An api_retry naming one of these is final: stop claude at once instead of letting it retry.
STOP_AT_RETRY_STATUS = frozenset({401, 402, 403})
STOP_AT_RETRY_ERRORS = frozenset({"authentication_failed", "billing_error", "oauth_org_not_allowed",
                                  "account_on_hold", "verification_required", "cloud_credential_error"})


def _verdict(reason: str, detail: str, status: int | None = None, retry_after: float | None = None) -> Verdict:
    return unhealthy(reason, detail, status=status, retry_after=retry_after, source="run")


def _limit_verdict(limit, status: int | None) -> Verdict:
    """A plan's usage limit (limits.Limit): skipped until its reset (a re-checked hour when unknown)."""
    import time

    now = time.time()
    return _verdict("rate-limited", limit.text or limit.words(), status, max(1.0, limit.skip_until(now) - now))


STATUS_IN_TEXT = re.compile(r"api error:?\s*(\d{3})\b|\((\d{3})\)", re.I)


def from_text(text: str, status: int | None = None) -> Verdict | None:
    """A route failure named in claude's error text (the tail of a failed run's output)."""
    if status is None:
        found = STATUS_IN_TEXT.search(text)
        status = int(found.group(1) or found.group(2)) if found else None
    from claude_failover import limits

    limit = limits.from_text(text)
    if limit is not None:
        return _limit_verdict(limit, status)
    for pattern, reason, detail in TEXT_SIGNS:
        if pattern.search(text):
            return _verdict(reason, detail, status)
    return None


def from_status(status: int | None, error_type: str | None = None) -> Verdict | None:
    if not isinstance(status, int) or isinstance(status, bool):
        return None
    from claude_failover.classify import ERROR_TYPES, STATUS

    reason, detail = ERROR_TYPES.get(error_type or "") or STATUS.get(status) or (
        ("outage", "server error") if status >= 500 else (None, ""))
    if reason is None or reason == "misconfigured" and status in (400, 404, 413):
        return None  # a bad request is not the route's fault
    return _verdict(reason, detail, status)


# Reasons the text names more precisely than a status code or error name does.
SHARPER = frozenset({"timeout", "unreachable", "expired", "misconfigured"})


def from_error_name(name: str | None, status: int | None = None, text: str = "") -> Verdict | None:
    """A verdict from claude's error name (stream-json ``error``, StopFailure ``error``)."""
    if not name or name in NOT_ROUTE:
        return None
    refined = from_text(text, status) if text else None
    if refined is not None and refined.reason in SHARPER:
        return refined  # sharper than the name (a timeout arrives as "server_error")
    if name in ERROR_NAMES:
        reason, detail = ERROR_NAMES[name]
        if refined is not None and refined.reason == reason:
            return _verdict(reason, refined.detail, status, refined.retry_after)
        return _verdict(reason, detail, status)
    return refined


def from_result(obj: dict) -> Verdict | None:
    """The ``result`` object of ``--output-format json`` / the last ``stream-json`` event."""
    if not isinstance(obj, dict) or obj.get("is_error") is not True:
        return None
    text = obj.get("result")
    text = text if isinstance(text, str) else ""
    status = obj.get("api_error_status")
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    if obj.get("terminal_reason") != "api_error" and status is None:
        return None
    refined = from_text(text, status)
    if refined is None and obj.get("api_error") == "usage_limit_reached":
        from claude_failover.limits import Limit

        return _limit_verdict(Limit("usage", text="usage limit"), status)   # no readable reset
    base = from_status(status, obj.get("api_error_type"))
    if refined is None or (base is not None and refined.reason != base.reason and refined.reason not in SHARPER):
        return base
    return refined


def from_exit(code: int, stdout_tail: str, stderr_tail: str = "") -> Verdict | None:
    """``--output-format text``: a non-zero exit whose last words name a route failure."""
    if code == 0:
        return None
    return from_text(stdout_tail[-2000:]) or from_text(stderr_tail[-2000:])


@dataclass
class StreamWatch:
    """Reads ``stream-json`` events one line at a time; remembers what a retry needs."""

    session_id: str | None = None
    did_work: bool = False
    failure: Verdict | None = None     # the route failure seen so far
    stop: bool = False                 # stop claude now: it is retrying a route that cannot work
    retrying: bool = False             # claude has retried at least once (the route is suspect)
    events: int = 0
    limit: Limit | None = None         # from a rate_limit_event (the exact reset) or a failed message
    windows: dict = field(default_factory=dict)   # plan windows from rate_limit_events (any status)
    cost: float | None = None          # the result's total_cost_usd
    _pending: list = field(default_factory=list)

    def feed(self, line: bytes | str) -> dict | None:
        """Parse one line; returns the event (or None for a non-JSON line)."""
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(event, dict):
            return None
        self.events += 1
        if isinstance(event.get("session_id"), str):
            self.session_id = event["session_id"]
        kind, sub = event.get("type"), event.get("subtype")
        if kind == "rate_limit_event":
            from claude_failover import limits

            self.limit = limits.best(self.limit, limits.from_event(event))
            self.windows.update(limits.windows_from_event(event))
        elif kind == "system" and sub == "api_retry":
            self.retrying = True
            status = event.get("error_status") if isinstance(event.get("error_status"), int) else None
            name = event.get("error") if isinstance(event.get("error"), str) else None
            if status in STOP_AT_RETRY_STATUS or name in STOP_AT_RETRY_ERRORS:
                self.failure = from_error_name(name, status) or from_status(status)
                self.stop = self.failure is not None
        elif kind == "assistant":
            message = event.get("message")
            message = message if isinstance(message, dict) else {}
            if event.get("is_api_error_message") or event.get("error"):
                from claude_failover import limits

                self.limit = limits.best(self.limit, limits.from_event(event))
                text = " ".join(b.get("text", "") for b in message.get("content") or [] if isinstance(b, dict))
                status = event.get("api_error_status")
                found = from_error_name(event.get("error"), status if isinstance(status, int) else None, text)
                if found is not None:
                    self.failure = found
            elif any(isinstance(b, dict) and b.get("type") == "tool_use" for b in message.get("content") or []):
                self.did_work = True
        elif kind == "user":
            message = event.get("message")
            message = message if isinstance(message, dict) else {}
            content = message.get("content")
            if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result"
                                                 for b in content):
                self.did_work = True
        elif kind == "result":
            cost = event.get("total_cost_usd")
            if isinstance(cost, (int, float)) and not isinstance(cost, bool):
                self.cost = float(cost)
            found = from_result(event)
            if found is not None:
                self.failure = found
            elif event.get("is_error") is not True:
                self.failure = None
        if self.limit is not None and self.failure is not None and self.failure.reason == "rate-limited" \
                and kind in ("assistant", "result"):
            self.failure = _limit_verdict(self.limit, self.failure.status)   # the exact reset wins
        return event


def json_did_work(obj: dict) -> bool:
    """A ``json`` result shows work done before the failure (more than the one failed turn)."""
    turns = obj.get("num_turns")
    return (isinstance(turns, int) and turns > 1) or bool(obj.get("permission_denials"))


def parse_json_output(data: bytes) -> dict | None:
    """The result object of a ``json`` run (the last JSON line printed)."""
    for line in reversed(data.decode("utf-8", "replace").strip().splitlines()):
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            return obj
    return None
