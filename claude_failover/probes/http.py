"""The one HTTP request of a probe: httpx, retried with tenacity inside the deadline.

Transient answers (5xx, 529, a dropped connection) are tried again with a short backoff while
the deadline allows; everything else is classified at once (:mod:`claude_failover.classify`).
One shared client (httpx clients are thread-safe) so parallel probes share TLS setup.
"""

from __future__ import annotations

import threading
import time

from claude_failover import __version__
from claude_failover.classify import classify, is_transient, models_list, not_a_models_list
from claude_failover.verdict import Verdict, unhealthy

ANTHROPIC_VERSION = "2023-06-01"
ANTHROPIC_API = "https://api.anthropic.com"
USER_AGENT = f"claude-failover/{__version__} (health probe)"
BODY_LIMIT = 256 * 1024  # bytes of an answer we read (a huge body is cut, not loaded)
_client = None
_client_lock = threading.Lock()


def client():
    global _client
    with _client_lock:
        if _client is None:
            import httpx

            _client = httpx.Client(follow_redirects=False, headers={"user-agent": USER_AGENT})
        return _client


def fetch(url: str, headers: dict[str, str], ctx, margin: float = 0.0):
    """One GET within the deadline (less ``margin`` seconds): (status, body bytes, latency ms,
    headers), or a Verdict on failure."""
    import httpx

    left = ctx.remaining() - margin
    if left <= 0.01:
        return unhealthy("timeout", "no time left before the deadline")
    start = time.monotonic()
    try:
        with client().stream("GET", url, headers=headers, timeout=httpx.Timeout(left)) as answer:
            body = b""
            for chunk in answer.iter_bytes():  # at most BODY_LIMIT bytes, and never past the deadline
                body += chunk
                if len(body) >= BODY_LIMIT:
                    break
                if ctx.remaining() - margin <= 0:
                    return unhealthy("timeout", "the answer did not finish in time", latency_ms=_ms(start))
            body = body[:BODY_LIMIT]
    except httpx.TimeoutException:
        return unhealthy("timeout", "no answer in time", latency_ms=_ms(start))
    except httpx.ConnectError as exc:
        return unhealthy("unreachable", _connect_detail(exc), latency_ms=_ms(start))
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        return unhealthy("unreachable", "connection reset", latency_ms=_ms(start))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
        return unhealthy("misconfigured", "invalid URL: check base_url", source="local")
    except httpx.HTTPError as exc:
        return unhealthy("unreachable", f"request failed ({type(exc).__name__})", latency_ms=_ms(start))
    return answer.status_code, body, _ms(start), answer.headers


def get(url: str, headers: dict[str, str], ctx, attempts: int = 3, models: str | None = None) -> Verdict:
    """The classified verdict of GET ``url``, transient failures retried inside the deadline.

    ``models``: the answer must be a models list (:func:`classify.models_list`); a 2xx that is not
    is ``misconfigured`` with this text as the fix (e.g. "check base_url / probe_path").

    The first attempt goes without tenacity (its import costs ~27 ms alone); only a transient answer
    brings it in for the retries.
    """
    def once() -> Verdict:
        answer = fetch(url, headers, ctx)
        if isinstance(answer, Verdict):
            return answer
        status, body, latency, answer_headers = answer
        verdict = classify(status, body, answer_headers, latency_ms=latency)
        if models is not None and verdict.usable and not models_list(body, truncated=len(body) >= BODY_LIMIT):
            return not_a_models_list(verdict, models)
        return verdict

    first = once()
    if attempts <= 1 or not is_transient(first) or ctx.remaining() < 0.25:
        return first
    import tenacity

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_result(is_transient),
        stop=lambda state: state.attempt_number >= attempts - 1 or ctx.remaining() < 0.25,   # attempts, or time
        wait=tenacity.wait_exponential(multiplier=0.1, max=0.4),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else first,   # the last answer
        sleep=lambda seconds: time.sleep(min(seconds, max(0.0, ctx.remaining() - 0.2))),
        before=lambda state: time.sleep(min(0.1, max(0.0, ctx.remaining() - 0.2))) if state.attempt_number == 1 else None,
    )
    return retrying(once)


def api_url(base: str | None, path: str) -> str:
    """``path`` under ``base`` (the Anthropic API when None)."""
    return (base or ANTHROPIC_API).rstrip("/") + (path if path.startswith("/") else "/" + path)


def anthropic_headers(**extra: str) -> dict[str, str]:
    return {"anthropic-version": ANTHROPIC_VERSION, "accept": "application/json", **extra}


def _ms(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 1)


def _connect_detail(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolution" in text:
        return "DNS lookup failed (offline?)"
    if "ssl" in text or "certificate" in text:
        return "TLS error (proxy or certificate problem?)"
    if "unreachable" in text:
        return "network unreachable (offline?)"
    return "cannot connect"
