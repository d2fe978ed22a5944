"""A fake Anthropic-compatible server for tests (stdlib only).

Measured with the real claude 2.1.328 against this server (differences from / additions to
/work/shared/claude-code-facts.md):
  - Mantle: claude uses ANTHROPIC_BEDROCK_MANTLE_BASE_URL as given and appends /v1/messages (so with
    base http://127.0.0.1:P the path is /v1/messages?beta=true, SSE, model "anthropic.claude-opus-5-5").
    With AWS_BEARER_TOKEN_BEDROCK (no skip) it first sends one non-streaming max_tokens:1 probe to
    /v1/messages (no ?beta), then the streamed request. Skip-auth sends no credential at all.
  - Foundry: ANTHROPIC_FOUNDRY_BASE_URL is used as given + /v1/messages?beta=true; the facts file's
    /anthropic/v1/messages appears only when the base ends in /anthropic (as the resource URL does).
    Both are served. The key goes in x-api-key; model "claude-sonnet-4-5".
  - Vertex: ANTHROPIC_VERTEX_BASE_URL must include /v1 (claude appends /projects/<p>/...); without it the
    path is /projects/... (also served here). A 404 on :streamRawPredict makes claude retry :rawPredict
    (non-streaming) and then print "The model ... is not available on your vertex deployment".
  - Bedrock, skip auth: GET /inference-profiles?type=SYSTEM_DEFINED (an empty inferenceProfileSummaries
    list is accepted), then POST /model/us.anthropic.claude-opus-5-5/invoke-with-response-stream (no
    credential header). With AWS_BEARER_TOKEN_BEDROCK instead (no skip): GET /inference-profiles, the
    three max_tokens:1 /invoke probes (sonnet-4-5, opus-5-5, haiku-4-5 ids, e.g.
    us.anthropic.claude-sonnet-4-5-20250929-v1:0), then the stream, all with ``Authorization: Bearer``. A 429 on /inference-profiles is retried 3 times even with
    CLAUDE_CODE_MAX_RETRIES=0.
  - Default models seen: API key / subscription -> "claude-opus-5-5", CLAUDE_CODE_OAUTH_TOKEN ->
    "claude-sonnet-5-5" (both accepted; any name is).
  - With CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 (and even =0 with an API key) claude -p made no
    /api/claude_code/* calls at all: nothing but /v1/messages. Anything under /api/ gets 200 {}.
  - A mid-stream SSE ``error`` event makes claude retry once without streaming (max_tokens 64000,
    "stream": false); ``midstream_error`` answers that retry with 529.
  - Error texts (CLAUDE_CODE_MAX_RETRIES=0): 402 billing_error -> "Credit balance is too low";
    HTML 502 -> "API Error: 502 Error. This is a server-side issue ... check your inference gateway
    (127.0.0.1:PORT)."; 529 -> "API Error: 529 Overloaded. ...". stdout only, exit 1.
  - ``anthropic-beta`` for API keys does not contain oauth-2025-04-20; for CLAUDE_CODE_OAUTH_TOKEN and the
    subscription it does. Subscription via ~/.claude/.credentials.json with a non-expired token made
    no other request (no /api/oauth/profile seen on the base URL) and left the file unchanged.
  - /proc/net/dev, not /sys/class/net, shows the namespace's interfaces after ``unshare -rn``.
  - gnome-keyring-daemon --unlock with an EMPTY password on stdin does not create the login keyring
    (secret-tool then fails: no prompter); a non-empty one creates and unlocks it as the default.

Usage::

    from tests.fakeserver import FakeServer, rate_limited, sequence
    with FakeServer() as srv:                 # binds 127.0.0.1:0, serves in a daemon thread
        srv.behave("sk-ant-api03-FAKE-bad", "api_key_invalid")
        srv.behave("tok", rate_limited(retry_after=3))
        srv.behave("*", slow(5), path_prefix="/v1/models")   # per-path override, any credential
        ... ANTHROPIC_BASE_URL=srv.url ...
        srv.requests            # list of dicts: method, path (with query), headers (lower-case keys),
                                # body (parsed JSON, else text), credential, time, status (once answered),
                                # behaviour (name of what answered)
        srv.requests_for("/v1/messages"); srv.credentials_seen()

Credential of a request: the ``x-api-key`` header, else the token of ``Authorization: Bearer <token>``,
else None.

Behaviours (a behaviour is a ``Behaviour`` object or its name as a string, e.g. ``"overloaded"``):
  ok(text="hello from fake")      200 model reply (SSE when the body says "stream": true, else JSON)
  tool_use(name, input, id=None)  200 reply with one tool_use block (stop_reason "tool_use")
  api_key_invalid()               401 authentication_error "invalid x-api-key"
  oauth_expired()                 401 authentication_error "OAuth token has expired. Please obtain a new
                                  token or refresh your existing token."
  invalid_bearer()                401 authentication_error "Invalid bearer token"
  forbidden()                     403 permission_error
  billing(status=402)             402 (or 400) billing_error
  rate_limited(retry_after=N)     429 rate_limit_error + ``retry-after: N`` header (None: no header)
  usage_limit(claim, reset, ...)  a plan's usage limit: 429 + ``anthropic-ratelimit-unified-status: rejected``,
                                  ``-reset``, ``-representative-claim`` and the 5h/7d utilization+reset headers
  ok(text, headers=unified_headers(five_hour=(0.42, reset), seven_day=(0.1, reset7)))
                                  a 200 carrying the unified headers (claude then fills in the statusline's
                                  ``rate_limits`` for a subscription login)
  overloaded()                    529 overloaded_error
  server_error()                  500 api_error
  error(status, type, message, headers=None)   any Anthropic-shaped error
  html_error(status=502)          an HTML error page (text/html), as proxies/CDNs send
  midstream_error(type="overloaded_error")     200 SSE: message_start then an ``event: error``
  disconnect()                    close the connection without answering
  slow(seconds, then=ok())        wait, then answer with ``then`` (the wait ends early on server stop)
  hang()                          accept and never answer until the server stops (a black hole)
  drip(seconds, text, headers_after=0)   200 SSE: headers at once (or after ``headers_after``), then the
                                  events of ok(text) spread over ``seconds`` (a slow, quiet generation)
  with_tools(offered, none)       ``offered`` when the request offers tools, else ``none`` (a live check)
  after_tool(before, after)       ``after`` once the conversation holds a tool_result (claude ran the
                                  tool asked for), else ``before`` -- e.g. an agent that asks for one
                                  Bash call and then answers: after_tool(tool_use("Bash", ...), ok()),
                                  or a route that dies between the tool call and the answer:
                                  after_tool(tool_use(...), invalid_bearer()). Stateless: a resumed
                                  session (which carries the tool_result) gets ``after``, a run started
                                  from scratch gets ``before`` again (so the tool runs twice).
  barrier(parties, then=ok())     hold each request until ``parties`` requests have reached this
                                  behaviour (the same object, e.g. one rule for several credentials),
                                  then answer them all with ``then``: proof that they were in flight
                                  together, with no clock involved (the wait ends on server stop)
  sequence([b1, b2, ...])         successive requests that reach this behaviour get b1, b2, ...; the
                                  last one repeats once the list is used up. Every inference request
                                  (messages, Vertex, Bedrock invoke, also claude's max_tokens:1 probes)
                                  takes a step; Bedrock model lists and count_tokens only peek at the
                                  current step.

Rule lookup for a request (``behave(credential, behaviour, path_prefix=None)``; credential "*" = any):
  1. rules with a path_prefix that the path (incl. query) starts with — exact credential before "*",
     longest prefix first.  These apply to EVERY path, including /api/* and the status page.
  2. rules without path_prefix for the credential, then for "*" — these apply only to model endpoints
     (messages, models, count_tokens, Vertex, Foundry, Bedrock, Mantle).
  3. ``default_behaviour`` (initially "ok") — model endpoints only.
Other paths are answered by built-ins: ``/api/v2/summary.json`` (the status page, see ``set_status``),
anything else under ``/api/`` answers 200 ``{}``, unknown paths 404 (Anthropic-shaped not_found_error).

Endpoints served:
  POST /v1/messages[?beta=true], /anthropic/v1/messages (Foundry, Mantle), /v1/messages/count_tokens
  GET  /v1/models[?limit=N], /v1/models/<id>
  POST /v1/projects/<p>/locations/<r>/publishers/anthropic/models/<m>:streamRawPredict|:rawPredict (Vertex)
  GET  /inference-profiles..., /foundation-models... (Bedrock control plane; lists come back empty)
  POST /model/<id>/invoke-with-response-stream (AWS event-stream framing), /model/<id>/invoke (JSON)
  GET  /api/v2/summary.json (Statuspage JSON), anything else under /api/ -> {}

Standalone: ``python -m tests.fakeserver --port 0`` prints the URL and serves until killed.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable

__all__ = [
    "Behaviour", "FakeServer", "ok", "tool_use", "api_key_invalid", "oauth_expired", "invalid_bearer",
    "forbidden", "billing", "rate_limited", "usage_limit", "unified_headers", "overloaded", "server_error", "error",
    "html_error", "midstream_error", "disconnect", "slow", "hang", "barrier", "drip", "sequence", "after_tool",
    "with_tools", "has_tool_result", "as_behaviour",
    "encode_event_stream_message", "decode_event_stream", "BEHAVIOUR_NAMES", "DEFAULT_REPLY",
]

DEFAULT_REPLY = "hello from fake"
ANY = "*"


# --------------------------------------------------------------------------------------------------
# Behaviours
# --------------------------------------------------------------------------------------------------
class Behaviour:
    """What the server does with one request. ``kind`` names it; ``params`` holds its settings."""

    def __init__(self, kind: str, **params: Any) -> None:
        self.kind = kind
        self.params = params
        self._lock = threading.Lock()
        self._count = 0

    def resolve(self, advance: bool = True) -> "Behaviour":
        """For a sequence: the step for this request (advances the counter unless ``advance`` is
        false). Else self."""
        if self.kind != "sequence":
            return self
        steps = self.params["steps"]
        with self._lock:
            idx = min(self._count, len(steps) - 1)
            if advance:
                self._count += 1
        return steps[idx].resolve(advance)

    @property
    def used(self) -> int:
        """How many requests a sequence has answered."""
        return self._count

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.kind}({args})"


def _err(status: int, etype: str, message: str, headers: dict | None = None, kind: str = "error") -> Behaviour:
    return Behaviour(kind, status=status, error_type=etype, message=message, headers=dict(headers or {}))


def ok(text: str = DEFAULT_REPLY, headers: dict | None = None) -> Behaviour:
    """A 200 reply; ``headers`` are added to it (e.g. ``unified_headers(...)`` for a subscriber)."""
    return Behaviour("ok", text=text, headers=dict(headers or {}))


UNIFIED_WINDOWS = (("five_hour", "5h"), ("seven_day", "7d"))


def unified_headers(five_hour: tuple[float, int] | None = None, seven_day: tuple[float, int] | None = None,
                    status: str = "allowed", reset: int | None = None, claim: str | None = None) -> dict:
    """The ``anthropic-ratelimit-unified-*`` headers a subscription answer carries (measured names, read
    from claude 2.1.328): per window ``-5h-utilization`` (0..1) / ``-5h-reset`` (unix s) and the 7d pair,
    plus ``-status``, ``-reset`` and ``-representative-claim``."""
    headers = {"anthropic-ratelimit-unified-status": status}
    for (name, short), window in zip(UNIFIED_WINDOWS, (five_hour, seven_day)):
        if window is not None:
            utilization, resets_at = window
            headers[f"anthropic-ratelimit-unified-{short}-utilization"] = str(utilization)
            headers[f"anthropic-ratelimit-unified-{short}-reset"] = str(int(resets_at))
            headers[f"anthropic-ratelimit-unified-{short}-status"] = (
                "rejected" if status == "rejected" and claim == name else "allowed")
    if reset is not None:
        headers["anthropic-ratelimit-unified-reset"] = str(int(reset))
    if claim is not None:
        headers["anthropic-ratelimit-unified-representative-claim"] = claim
    return headers


def usage_limit(claim: str = "five_hour", reset: int | None = None, retry_after: int | None = None,
                five_hour: tuple[float, int] | None = None, seven_day: tuple[float, int] | None = None) -> Behaviour:
    """A plan's usage limit, as Anthropic answers a subscriber at the wall: 429 rate_limit_error with
    ``anthropic-ratelimit-unified-status: rejected``, ``-reset: <reset>`` (left out when None),
    ``-representative-claim: <claim>`` and the window headers (``five_hour``/``seven_day``: (utilization,
    reset); by default the claimed window at 1.0 until ``reset``), ``x-should-retry: false``."""
    if claim == "five_hour" and five_hour is None and reset is not None:
        five_hour = (1.0, reset)
    if claim == "seven_day" and seven_day is None and reset is not None:
        seven_day = (1.0, reset)
    headers = unified_headers(five_hour, seven_day, status="rejected", reset=reset, claim=claim)
    headers["x-should-retry"] = "false"
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    b = _err(429, "rate_limit_error", "This request would exceed your account's rate limit. Please try again later.",
             headers, kind="usage_limit")
    b.params.update(claim=claim, reset=reset)
    return b


def tool_use(name: str = "Bash", input: dict | None = None, id: str | None = None) -> Behaviour:
    return Behaviour("tool_use", name=name, input=dict(input or {"command": "true"}), id=id)


def error(status: int, error_type: str, message: str, headers: dict | None = None) -> Behaviour:
    return _err(status, error_type, message, headers)


def api_key_invalid() -> Behaviour:
    return _err(401, "authentication_error", "invalid x-api-key", kind="api_key_invalid")


def oauth_expired() -> Behaviour:
    return _err(401, "authentication_error",
                "OAuth token has expired. Please obtain a new token or refresh your existing token.",
                kind="oauth_expired")


def invalid_bearer() -> Behaviour:
    return _err(401, "authentication_error", "Invalid bearer token", kind="invalid_bearer")


def forbidden() -> Behaviour:
    return _err(403, "permission_error", "Your API key does not have permission to use the specified resource.",
                kind="forbidden")


def billing(status: int = 402) -> Behaviour:
    return _err(status, "billing_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
                "to upgrade or purchase credits.", kind="billing")


def rate_limited(retry_after: int | float | None = 1) -> Behaviour:
    headers = {} if retry_after is None else {"retry-after": str(retry_after)}
    b = _err(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit.",
             headers, kind="rate_limited")
    b.params["retry_after"] = retry_after
    return b


def overloaded() -> Behaviour:
    return _err(529, "overloaded_error", "Overloaded", kind="overloaded")


def server_error() -> Behaviour:
    return _err(500, "api_error", "Internal server error", kind="server_error")


def html_error(status: int = 502) -> Behaviour:
    return Behaviour("html_error", status=status)


def midstream_error(error_type: str = "overloaded_error", message: str = "Overloaded") -> Behaviour:
    return Behaviour("midstream_error", error_type=error_type, message=message)


def disconnect() -> Behaviour:
    return Behaviour("disconnect")


def slow(seconds: float, then: "Behaviour | str | None" = None) -> Behaviour:
    return Behaviour("slow", seconds=float(seconds), then=as_behaviour(then if then is not None else "ok"))


def hang() -> Behaviour:
    return Behaviour("hang")


def barrier(parties: int, then: "Behaviour | str | None" = None) -> Behaviour:
    return Behaviour("barrier", parties=int(parties), released=threading.Event(),
                     then=as_behaviour(then if then is not None else "ok"))


def drip(seconds: float, text: str = DEFAULT_REPLY, headers_after: float = 0.0) -> Behaviour:
    """A healthy but slow stream: the response headers after ``headers_after`` s, then the SSE
    events of ``ok(text)`` spread evenly over ``seconds`` (a long, quiet generation)."""
    return Behaviour("drip", seconds=float(seconds), text=text, headers_after=float(headers_after))


def after_tool(before: "Behaviour | str", after: "Behaviour | str") -> Behaviour:
    return Behaviour("after_tool", before=as_behaviour(before), after=as_behaviour(after))


def with_tools(offered: "Behaviour | str", none: "Behaviour | str") -> Behaviour:
    """``offered`` when the request offers tools, else ``none`` (claude run with ``--tools ""``: a
    live check)."""
    return Behaviour("with_tools", offered=as_behaviour(offered), none=as_behaviour(none))


def has_tool_result(body: Any) -> bool:
    """The request's conversation contains a tool_result block (the tool asked for was run)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(isinstance(c, dict) and c.get("type") == "tool_result" for c in content):
            return True
    return False


def sequence(steps: Iterable["Behaviour | str"]) -> Behaviour:
    steps = [as_behaviour(s) for s in steps]
    if not steps:
        raise ValueError("sequence needs at least one step")
    return Behaviour("sequence", steps=steps)


_FACTORIES = {
    "ok": ok, "tool_use": tool_use, "api_key_invalid": api_key_invalid, "oauth_expired": oauth_expired,
    "invalid_bearer": invalid_bearer, "forbidden": forbidden, "billing": billing,
    "rate_limited": rate_limited, "usage_limit": usage_limit, "overloaded": overloaded, "server_error": server_error,
    "html_error": html_error, "midstream_error": midstream_error, "disconnect": disconnect, "hang": hang,
}
BEHAVIOUR_NAMES = tuple(sorted(_FACTORIES)) + ("error", "slow", "barrier", "sequence", "after_tool")


def as_behaviour(b: "Behaviour | str") -> Behaviour:
    if isinstance(b, Behaviour):
        return b
    if isinstance(b, str):
        try:
            return _FACTORIES[b]()
        except KeyError:
            raise ValueError(f"unknown behaviour {b!r}; known: {', '.join(BEHAVIOUR_NAMES)}") from None
    raise TypeError(f"not a behaviour: {b!r}")


# --------------------------------------------------------------------------------------------------
# Anthropic message bodies
# --------------------------------------------------------------------------------------------------
_ids = itertools.count(1)

MODELS = [
    {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5",
     "created_at": "2025-09-29T00:00:00Z"},
]


def _usage(out_tokens: int = 5) -> dict:
    return {"input_tokens": 10, "output_tokens": out_tokens, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0, "service_tier": "standard"}


def _blocks(b: Behaviour) -> tuple[list[dict], str]:
    if b.kind == "tool_use":
        tid = b.params.get("id") or f"toolu_fake{next(_ids):06d}"
        return [{"type": "tool_use", "id": tid, "name": b.params["name"], "input": b.params["input"]}], "tool_use"
    return [{"type": "text", "text": b.params.get("text", DEFAULT_REPLY)}], "end_turn"


def message_json(b: Behaviour, model: str) -> dict:
    blocks, stop = _blocks(b)
    return {"id": f"msg_fake{next(_ids):06d}", "type": "message", "role": "assistant", "model": model,
            "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": _usage()}


def stream_events(b: Behaviour, model: str) -> list[dict]:
    """The Anthropic stream events, in order: message_start, content_block_start, content_block_delta,
    content_block_stop, message_delta, message_stop (for midstream_error: message_start, error)."""
    start = {"type": "message_start", "message": {
        "id": f"msg_fake{next(_ids):06d}", "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": None, "stop_sequence": None, "usage": _usage(1)}}
    if b.kind == "midstream_error":
        return [start, {"type": "error", "error": {"type": b.params["error_type"], "message": b.params["message"]}}]
    blocks, stop = _blocks(b)
    events = [start]
    for i, blk in enumerate(blocks):
        if blk["type"] == "tool_use":
            events.append({"type": "content_block_start", "index": i,
                           "content_block": {"type": "tool_use", "id": blk["id"], "name": blk["name"], "input": {}}})
            events.append({"type": "content_block_delta", "index": i,
                           "delta": {"type": "input_json_delta", "partial_json": json.dumps(blk["input"])}})
        else:
            events.append({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})
            events.append({"type": "content_block_delta", "index": i,
                           "delta": {"type": "text_delta", "text": blk["text"]}})
        events.append({"type": "content_block_stop", "index": i})
    events.append({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                   "usage": {"output_tokens": 5}})
    events.append({"type": "message_stop"})
    return events


def sse_body(events: list[dict]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


# --------------------------------------------------------------------------------------------------
# AWS event-stream framing (Bedrock invoke-with-response-stream)
# --------------------------------------------------------------------------------------------------
def _es_header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return struct.pack(">B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v


def encode_event_stream_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One binary event-stream message: prelude (total length, headers length, CRC32 of those 8 bytes),
    headers (type 7 = string), payload, CRC32 of everything before it."""
    hdr = b"".join(_es_header(k, v) for k, v in headers.items())
    total = 12 + len(hdr) + len(payload) + 4
    prelude = struct.pack(">II", total, len(hdr))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    msg = prelude + hdr + payload
    return msg + struct.pack(">I", zlib.crc32(msg) & 0xFFFFFFFF)


def bedrock_chunk(event: dict) -> bytes:
    payload = json.dumps({"bytes": base64.b64encode(json.dumps(event).encode()).decode(), "p": "abcd"}).encode()
    return encode_event_stream_message(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def decode_event_stream(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Parse event-stream messages (checks both CRCs). Returns [(headers, payload)]."""
    out, pos = [], 0
    while pos < len(data):
        total, hlen, pcrc = struct.unpack(">III", data[pos:pos + 12])
        if zlib.crc32(data[pos:pos + 8]) & 0xFFFFFFFF != pcrc:
            raise ValueError("bad prelude crc")
        msg = data[pos:pos + total]
        if zlib.crc32(msg[:-4]) & 0xFFFFFFFF != struct.unpack(">I", msg[-4:])[0]:
            raise ValueError("bad message crc")
        hdrs, h = {}, msg[12:12 + hlen]
        i = 0
        while i < len(h):
            nl = h[i]; name = h[i + 1:i + 1 + nl].decode(); i += 1 + nl
            vtype = h[i]; i += 1
            if vtype != 7:
                raise ValueError(f"unsupported header type {vtype}")
            vl = struct.unpack(">H", h[i:i + 2])[0]; i += 2
            hdrs[name] = h[i:i + vl].decode(); i += vl
        out.append((hdrs, msg[12 + hlen:-4]))
        pos += total
    return out


_AMZN_ERROR = {400: "ValidationException", 401: "UnrecognizedClientException", 402: "AccessDeniedException",
               403: "AccessDeniedException", 404: "ResourceNotFoundException", 429: "ThrottlingException",
               500: "InternalServerException", 503: "ServiceUnavailableException",
               529: "ServiceUnavailableException"}


# --------------------------------------------------------------------------------------------------
# Status page
# --------------------------------------------------------------------------------------------------
_STATUS_DESCRIPTIONS = {"none": "All Systems Operational", "minor": "Minor Service Outage",
                        "major": "Partial System Outage", "critical": "Major System Outage",
                        "maintenance": "Service Under Maintenance"}
DEFAULT_COMPONENTS = {"Claude Code": "operational", "claude.ai": "operational",
                      "Claude API (api.anthropic.com)": "operational"}


def statuspage_summary(indicator: str, components: dict[str, str], incidents: list, description: str | None) -> dict:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    comps = [{"id": f"cmp{i:04d}", "name": name, "status": st, "created_at": now, "updated_at": now,
              "position": i + 1, "description": None, "showcase": True, "start_date": None, "group_id": None,
              "page_id": "fakepage", "group": False, "only_show_if_degraded": False}
             for i, (name, st) in enumerate(components.items())]
    incs = []
    for i, inc in enumerate(incidents):
        inc = {"name": inc} if isinstance(inc, str) else dict(inc)
        inc.setdefault("id", f"inc{i:04d}")
        inc.setdefault("status", "investigating")
        inc.setdefault("impact", "major")
        inc.setdefault("created_at", now)
        inc.setdefault("updated_at", now)
        inc.setdefault("shortlink", "https://stspg.example/fake")
        inc.setdefault("incident_updates", [])
        inc.setdefault("components", [])
        incs.append(inc)
    return {"page": {"id": "fakepage", "name": "Claude", "url": "https://status.claude.com",
                     "time_zone": "Etc/UTC", "updated_at": now},
            "components": comps, "incidents": incs, "scheduled_maintenances": [],
            "status": {"indicator": indicator, "description": description or _STATUS_DESCRIPTIONS.get(indicator, indicator)}}


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------
_VERTEX_RE = re.compile(r"^(?:/v1)?/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+):(\w+)$")
_BEDROCK_RE = re.compile(r"^/model/([^/]+)/(invoke-with-response-stream|invoke)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeAnthropic/1.0"
    fake: "FakeServer"  # set on the subclass per server

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet
        if self.fake.verbose:
            sys.stderr.write("fakeserver: " + (fmt % args) + "\n")

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._track(self.connection, False)

    # -- plumbing ----------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.send_header("request-id", f"req_fake{next(_ids):06d}")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        self._rec["status"] = status

    def _json(self, status: int, obj: Any, headers: dict | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _handle(self) -> None:
        raw = self._read_body()
        body: Any = raw.decode("utf-8", "replace")
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                pass
        headers = {k.lower(): v for k, v in self.headers.items()}
        cred = headers.get("x-api-key")
        if not cred:
            auth = headers.get("authorization", "")
            if auth[:7].lower() == "bearer ":
                cred = auth[7:].strip()
        cred = cred or None
        self._rec = {"method": self.command, "path": self.path, "headers": headers, "body": body,
                     "credential": cred, "time": time.time()}
        self.fake._record(self._rec)
        try:
            self._dispatch(cred, body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    # -- routing -----------------------------------------------------------------------------------
    def _dispatch(self, cred: str | None, body: Any) -> None:
        path = self.path.split("?", 1)[0]
        fk = self.fake
        kind = None  # model endpoint kind
        if path.startswith("/anthropic/"):
            path = path[len("/anthropic"):]  # Foundry, Mantle default base
        if path in ("/v1/messages",) and self.command == "POST":
            kind = "messages"
        elif path == "/v1/messages/count_tokens" and self.command == "POST":
            kind = "count_tokens"
        elif path == "/v1/models" or path.startswith("/v1/models/"):
            kind = "models"
        elif _VERTEX_RE.match(path):
            m = _VERTEX_RE.match(path)
            kind = "vertex_count" if "count-tokens" in m.group(3) or m.group(4) == "countTokens" else "vertex"
        elif _BEDROCK_RE.match(path):
            kind = "bedrock"
        elif path.startswith(("/inference-profiles", "/foundation-models")):
            kind = "bedrock_list"

        b = fk._lookup(cred, self.path, model_endpoint=kind is not None)
        if b is None:
            return self._builtin(path)
        self._rec["behaviour"] = b.kind
        # control-plane calls (Bedrock model lists, token counting) see a sequence's current step
        # without using it up, so a sequence counts inference requests only
        self._body = body
        b = self._run_wrappers(b, advance=kind not in ("bedrock_list", "count_tokens", "vertex_count"))
        if b is None:
            return
        self._rec["behaviour"] = b.kind
        if b.kind == "drip" and kind is not None:
            return self._answer_drip(b, body)
        if b.kind in ("ok", "tool_use", "midstream_error"):
            if kind is None:
                return self._builtin(path)
            return self._answer_ok(kind, b, body)
        return self._answer_error(kind, b)

    def _run_wrappers(self, b: Behaviour, advance: bool = True) -> Behaviour | None:
        while True:
            b = b.resolve(advance)
            if b.kind == "after_tool":
                b = b.params["after" if has_tool_result(getattr(self, "_body", None)) else "before"]
                continue
            if b.kind == "with_tools":
                body = getattr(self, "_body", None)
                b = b.params["offered" if isinstance(body, dict) and body.get("tools") else "none"]
                continue
            if b.kind == "slow":
                if self.fake._stopping.wait(b.params["seconds"]):
                    self.close_connection = True
                    return None
                b = b.params["then"]
                continue
            if b.kind == "barrier":
                released = b.params["released"]
                with b._lock:
                    b._count += 1
                    if b._count >= b.params["parties"]:
                        released.set()
                while not released.wait(0.05):
                    if self.fake._stopping.is_set():
                        self.close_connection = True
                        return None
                b = b.params["then"]
                continue
            if b.kind == "hang":
                self.fake._stopping.wait()
                self.close_connection = True
                return None
            if b.kind == "disconnect":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._rec["status"] = None
                return None
            return b

    def _builtin(self, path: str) -> None:
        if path == "/api/v2/summary.json":
            return self._json(200, self.fake._status_summary())
        if path == "/api/v2/status.json":
            s = self.fake._status_summary()
            return self._json(200, {"page": s["page"], "status": s["status"]})
        if path.startswith("/api/"):
            return self._json(200, {})
        self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": f"Not found: {path}"}})

    def _answer_ok(self, kind: str, b: Behaviour, body: Any) -> None:
        model = body.get("model", "claude-sonnet-4-5") if isinstance(body, dict) else "claude-sonnet-4-5"
        stream = isinstance(body, dict) and body.get("stream") is True
        if kind == "models":
            path = self.path.split("?", 1)[0]
            if path.startswith("/v1/models/"):
                mid = path[len("/v1/models/"):]
                return self._json(200, {"type": "model", "id": mid, "display_name": mid,
                                        "created_at": "2025-09-29T00:00:00Z"})
            models = self.fake.models
            return self._json(200, {"data": models, "has_more": False,
                                    "first_id": models[0]["id"] if models else None,
                                    "last_id": models[-1]["id"] if models else None})
        if kind in ("count_tokens", "vertex_count"):
            return self._json(200, {"input_tokens": 10})
        if kind == "bedrock_list":
            if "inference-profiles" in self.path:
                return self._json(200, {"inferenceProfileSummaries": []})
            return self._json(200, {"modelSummaries": []})
        if kind == "bedrock":
            m = _BEDROCK_RE.match(self.path.split("?", 1)[0])
            model = m.group(1)
            if m.group(2) == "invoke":
                return self._json(200, message_json(b, model), {"x-amzn-requestid": "fake-req"})
            data = b"".join(bedrock_chunk(e) for e in stream_events(b, model))
            return self._send(200, data, "application/vnd.amazon.eventstream", {"x-amzn-requestid": "fake-req"})
        if kind == "vertex":
            m = _VERTEX_RE.match(self.path.split("?", 1)[0])
            model = m.group(3)
            stream = stream or m.group(4) == "streamRawPredict"
        extra = dict(b.params.get("headers") or {})
        if stream:
            return self._send(200, sse_body(stream_events(b, model)), "text/event-stream; charset=utf-8",
                              {"cache-control": "no-cache", **extra})
        if b.kind == "midstream_error":
            return self._answer_error(kind, _err(529, b.params["error_type"], b.params["message"]))
        return self._json(200, message_json(b, model), extra)

    def _answer_drip(self, b: Behaviour, body: Any) -> None:
        model = body.get("model", "claude-sonnet-4-5") if isinstance(body, dict) else "claude-sonnet-4-5"
        if b.params["headers_after"] and self.fake._stopping.wait(b.params["headers_after"]):
            self.close_connection = True
            return
        events = stream_events(ok(b.params["text"]), model)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", f"req_fake{next(_ids):06d}")
        self.end_headers()
        self.wfile.flush()
        self._rec["status"] = 200
        self.close_connection = True
        gap = b.params["seconds"] / max(1, len(events) - 1)
        for i, event in enumerate(events):
            if i and self.fake._stopping.wait(gap):
                return
            try:
                self.wfile.write(sse_body([event]))
                self.wfile.flush()
            except OSError:
                return

    def _answer_error(self, kind: str | None, b: Behaviour) -> None:
        if b.kind == "html_error":
            st = b.params["status"]
            page = (f"<!DOCTYPE html>\n<html><head><title>{st} Error</title></head>"
                    f"<body><h1>{st} Error</h1><p>The server encountered a temporary error.</p></body></html>\n")
            return self._send(st, page.encode(), "text/html; charset=utf-8")
        st, etype, msg = b.params["status"], b.params["error_type"], b.params["message"]
        headers = dict(b.params.get("headers") or {})
        if kind in ("bedrock", "bedrock_list"):
            headers.setdefault("x-amzn-errortype", _AMZN_ERROR.get(st, "InternalServerException"))
            return self._json(st, {"message": msg}, headers)
        headers.setdefault("x-should-retry", "true" if st in (429, 500, 529) else "false")
        self._json(st, {"type": "error", "error": {"type": etype, "message": msg},
                        "request_id": f"req_fake{next(_ids):06d}"}, headers)


class _Server(ThreadingHTTPServer):
    # The load tests open up to 60 connections at once (20 launches x probes + claude's requests).
    # socketserver's default backlog of 5 makes the kernel drop the SYNs beyond it, and a dropped
    # SYN is retried only after 1 s, then 3 s, 7 s: on a busy machine that turned into probe timeouts.
    request_queue_size = 256
    daemon_threads = True


class FakeServer:
    """Fake Anthropic-compatible HTTP server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, port: int = 0, default_behaviour: "Behaviour | str" = "ok", verbose: bool = False) -> None:
        self._port = port
        self.default_behaviour = default_behaviour
        self.verbose = verbose
        self.models = [dict(m) for m in MODELS]
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        self._rules: list[tuple[str, str | None, Behaviour]] = []
        self._status = ("none", dict(DEFAULT_COMPONENTS), [], None)
        self._stopping = threading.Event()
        self._conns: set = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "FakeServer":
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"fake": self})
        httpd = _Server(("127.0.0.1", self._port), handler)
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"FakeServer:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()          # releases hang / slow
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:               # drop idle keep-alive connections
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeServer not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- configuration -----------------------------------------------------------------------------
    def behave(self, credential: str | None, behaviour: "Behaviour | str", path_prefix: str | None = None) -> None:
        """Answer requests carrying ``credential`` ("*" = any, None = no credential) with ``behaviour``;
        with ``path_prefix`` only for paths (incl. query) starting with it. Replaces an earlier rule
        for the same (credential, path_prefix)."""
        b = as_behaviour(behaviour)
        with self._lock:
            self._rules = [r for r in self._rules if (r[0], r[1]) != (credential, path_prefix)]
            self._rules.append((credential, path_prefix, b))

    def reset_behaviours(self) -> None:
        with self._lock:
            self._rules.clear()
        self.default_behaviour = "ok"

    def set_status(self, indicator: str = "none", components: dict[str, str] | None = None,
                   incidents: list | None = None, description: str | None = None) -> None:
        """Set what ``GET /api/v2/summary.json`` answers. ``components``: name -> status; incidents:
        list of dicts (Statuspage incident fields; missing ones are filled) or plain names."""
        with self._lock:
            self._status = (indicator, dict(DEFAULT_COMPONENTS if components is None else components),
                            list(incidents or []), description)

    def _status_summary(self) -> dict:
        with self._lock:
            indicator, comps, incs, desc = self._status
        return statuspage_summary(indicator, comps, incs, desc)

    def _lookup(self, cred: str | None, path: str, model_endpoint: bool) -> Behaviour | None:
        with self._lock:
            rules = list(self._rules)
        prefixed = [r for r in rules if r[1] is not None and path.startswith(r[1]) and r[0] in (cred, ANY)]
        if prefixed:
            prefixed.sort(key=lambda r: (r[0] != cred, -len(r[1])))
            return prefixed[0][2]
        if not model_endpoint:
            return None
        for want in (cred, ANY):
            for c, p, b in rules:
                if p is None and c == want:
                    return b
        return as_behaviour(self.default_behaviour) if isinstance(self.default_behaviour, str) \
            else self.default_behaviour

    # -- request log -------------------------------------------------------------------------------
    def _record(self, rec: dict) -> None:
        with self._lock:
            self._requests.append(rec)

    def _track(self, conn: Any, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    @property
    def requests(self) -> list[dict]:
        """A snapshot (copy) of the recorded requests, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def requests_for(self, path_prefix: str) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(path_prefix)]

    def credentials_seen(self) -> list[str]:
        """Distinct non-empty credentials, in order of first appearance."""
        seen: list[str] = []
        for r in self.requests:
            if r["credential"] is not None and r["credential"] not in seen:
                seen.append(r["credential"])
        return seen

    def wait_for_requests(self, n: int = 1, path_prefix: str = "", timeout: float = 10.0) -> list[dict]:
        """Wait until at least ``n`` requests under ``path_prefix`` arrived; returns them (raises on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.requests_for(path_prefix)
            if len(got) >= n:
                return got
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(got)} of {n} requests under {path_prefix!r} after {timeout}s")
            time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fakeserver", description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--default", default="ok", help=f"default behaviour: {', '.join(BEHAVIOUR_NAMES)}")
    ap.add_argument("--reply", default=None, help="reply text for the ok behaviour")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    a = ap.parse_args(argv)
    default = ok(a.reply) if a.reply is not None and a.default == "ok" else as_behaviour(a.default)
    srv = FakeServer(port=a.port, default_behaviour=default, verbose=a.verbose).start()
    print(srv.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
