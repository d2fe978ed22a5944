"""Turning an HTTP answer into a verdict: status code + Anthropic error body + retry-after.

The error body is the more specific signal (``{"type":"error","error":{"type":
"authentication_error","message":…}}``), so it wins over the status code when present; Bedrock's
``x-amzn-errortype`` header is read the same way. HTML pages (proxies, CDNs, captive portals)
are recognised and never quoted. Details are our own words: a server message is never echoed
(a gateway might echo a credential back).
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

from claude_failover.verdict import DEGRADED, HEALTHY, UNHEALTHY, Verdict, ago

# Anthropic error types -> (reason class, detail)
ERROR_TYPES = {
    "authentication_error": ("auth-invalid", "invalid credentials"),
    "permission_error": ("permission", "permission denied"),
    "billing_error": ("billing", "billing problem: credit balance too low or no plan"),
    "rate_limit_error": ("rate-limited", "rate limited"),
    "overloaded_error": ("overloaded", "overloaded"),
    "api_error": ("outage", "server error"),
    "not_found_error": ("misconfigured", "endpoint not found: check base_url / probe_path"),
    "invalid_request_error": ("misconfigured", "request rejected as invalid"),
    "request_too_large": ("misconfigured", "request rejected as too large"),
    "timeout_error": ("timeout", "the server timed out"),
}

# Bedrock / AWS error types (x-amzn-errortype header, before any ':')
AMZN_TYPES = {
    "UnrecognizedClientException": ("auth-invalid", "invalid AWS credentials"),
    "ExpiredTokenException": ("expired", "expired AWS credentials"),
    "InvalidSignatureException": ("auth-invalid", "invalid AWS signature"),
    "AccessDeniedException": ("permission", "AWS access denied"),
    "ThrottlingException": ("rate-limited", "rate limited"),
    "ServiceUnavailableException": ("overloaded", "service unavailable"),
    "ModelNotReadyException": ("overloaded", "model not ready"),
    "InternalServerException": ("outage", "server error"),
    "ResourceNotFoundException": ("misconfigured", "endpoint not found: check region / base_url"),
    "ValidationException": ("misconfigured", "request rejected as invalid"),
}

# Status codes without a useful body -> (reason class, detail)
STATUS = {
    400: ("misconfigured", "request rejected as invalid"),
    401: ("auth-invalid", "invalid credentials"),
    402: ("billing", "billing problem: credit balance too low or no plan"),
    403: ("permission", "permission denied"),
    404: ("misconfigured", "endpoint not found: check base_url / probe_path"),
    405: ("misconfigured", "method not allowed: check base_url / probe_path"),
    407: ("misconfigured", "proxy authentication required"),
    408: ("timeout", "the server timed out"),
    429: ("rate-limited", "rate limited"),
    500: ("outage", "server error"),
    502: ("outage", "bad gateway"),
    503: ("overloaded", "service unavailable"),
    504: ("timeout", "gateway timeout"),
    529: ("overloaded", "overloaded"),
}

# Answers worth another try inside the deadline.
TRANSIENT_STATUS = frozenset({500, 502, 503, 504, 529})


def classify(status: int, body: bytes | str | None = None, headers: Mapping[str, str] | None = None,
             latency_ms: float | None = None, now: float | None = None) -> Verdict:
    """The verdict for one HTTP answer."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    common: dict[str, Any] = {"status": status, "latency_ms": latency_ms, "source": "probe"}
    text = _text(body)
    html = _is_html(text, headers)
    if 200 <= status < 300:
        if html:  # a captive portal or a web page where the API should be
            return Verdict(UNHEALTHY, "unreachable", "an HTML page instead of the API (captive portal or wrong base_url?)",
                           **common)
        return Verdict(HEALTHY, **common)
    if 300 <= status < 400:
        return Verdict(UNHEALTHY, "misconfigured", "redirected: check base_url", **common)

    reason, detail = STATUS.get(status) or (("outage", "server error") if status >= 500 else ("unknown", f"unexpected HTTP {status}"))
    error_type, message = _error_body(text)
    amzn = headers.get("x-amzn-errortype", "").split(":", 1)[0]
    if error_type in ERROR_TYPES:
        reason, detail = ERROR_TYPES[error_type]
    elif amzn in AMZN_TYPES:
        reason, detail = AMZN_TYPES[amzn]
    elif html:
        detail = f"HTML error page ({_html_hint(status)})"
        reason = "outage" if status >= 500 else reason
    reason, detail = _refine(reason, detail, status, message)
    retry_after = parse_retry_after(headers, now)
    if reason == "rate-limited" and retry_after:
        detail = f"rate limited (retry in {ago(retry_after)})"
    return Verdict(UNHEALTHY, reason, detail, retry_after=retry_after, **common)


def models_list(body: bytes | str | None, truncated: bool = False) -> bool:
    """An answer shaped like a models list (``{"data": [...]}``: Anthropic, gateways, Mantle).
    A web server, another API or random bytes answering 200 at a wrong base_url is not. A body we
    cut short (``truncated``: a very long list) counts when it starts like one."""
    raw = body[:64 * 1024 * 4] if isinstance(body, (bytes, str)) else body
    text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw or "").lstrip()
    if not text.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        if truncated:
            import re

            return re.match(r'\{\s*"data"\s*:\s*\[', text) is not None
        return False
    return isinstance(data, dict) and isinstance(data.get("data"), list)


def not_a_models_list(verdict: Verdict, fix: str = "check base_url") -> Verdict:
    """The verdict for a 2xx answer that is not a models list: the endpoint is not the API."""
    return Verdict(UNHEALTHY, "misconfigured", f"the answer is not a models list (not the API?): {fix}",
                   status=verdict.status, latency_ms=verdict.latency_ms, source="probe")


def _refine(reason: str, detail: str, status: int, message: str) -> tuple[str, str]:
    """Sharper words from the error message (matched, never quoted)."""
    low = message.lower()
    if reason == "auth-invalid":
        if low.startswith(("oauth token has expired", "oauth access token has expired")) or "token has expired" in low:
            return "expired", "expired OAuth login"
        if "revoked" in low:
            return "auth-invalid", "OAuth token revoked"
        if "x-api-key" in low or "api key" in low:
            return "auth-invalid", "invalid API key"
        if "bearer" in low:
            return "auth-invalid", "invalid bearer token"
        if "oauth" in low:
            return "auth-invalid", "invalid OAuth token"
    if "credit balance" in low or "billing" in low:
        return "billing", "billing problem: credit balance too low or no plan"
    if "only authorized for use with claude code" in low:
        return "permission", "this credential works only inside Claude Code"
    return reason, detail


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body[:64 * 1024].decode("utf-8", "replace")
    return body[:64 * 1024]


def _is_html(text: str, headers: Mapping[str, str]) -> bool:
    if "text/html" in headers.get("content-type", "").lower():
        return True
    head = text.lstrip()[:64].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def _html_hint(status: int) -> str:
    return f"{status} from a proxy or CDN" if status >= 500 else str(status)


def _error_body(text: str) -> tuple[str, str]:
    """(error type, message) of an Anthropic error body; ("", message) for other JSON shapes."""
    if not text or text.lstrip()[:1] not in ("{", "["):
        return "", ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error")
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        return (kind if isinstance(kind, str) else ""), (message if isinstance(message, str) else "")
    message = data.get("message") or data.get("Message") or (error if isinstance(error, str) else "")
    return "", message if isinstance(message, str) else ""


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date)."""
    headers = {k.lower(): v for k, v in headers.items()}
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000.0
            if value >= 0 and value == value and value != float("inf"):
                return value
        except ValueError:
            pass
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
        return value if value >= 0 and value == value and value != float("inf") else None
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))



def is_transient(verdict: Verdict) -> bool:
    """Worth retrying inside the deadline: 5xx/529 answers and dropped connections."""
    if verdict.usable:
        return False
    if verdict.status is not None:
        return verdict.status in TRANSIENT_STATUS and not verdict.retry_after
    return verdict.reason == "unreachable" and "reset" in verdict.detail


__all__ = ["classify", "parse_retry_after", "is_transient", "HEALTHY", "DEGRADED", "UNHEALTHY"]
