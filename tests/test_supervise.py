"""Unit tests: recognising a broken route in claude's output, and the print-mode argument edits."""

from __future__ import annotations

import json

import pytest

from claude_failover import print_args, run_failure
from claude_failover.argv import split
from claude_failover.print_args import wants_supervision
from claude_failover.prepare import supervised_env as _supervised_env

# --- run_failure: text ------------------------------------------------------------------------

TEXTS = [  # claude 2.1.328's own words (facts file + measured against the fake server)
    ("Invalid API key · Fix external API key", "auth-invalid", None),
    ("Invalid auth token · Fix external auth token", "auth-invalid", None),
    ("Failed to authenticate. API Error: 401 Invalid bearer token", "auth-invalid", 401),
    ("Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token", "expired", 401),
    ("Failed to authenticate: this login reached its time limit and cannot be renewed. Run `claude auth login`",
     "expired", None),
    ("OAuth token revoked · Please run /login", "auth-invalid", None),
    ("Not logged in · Please run /login", "misconfigured", None),
    ("Credit balance is too low", "billing", None),
    ("API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit.",
     "rate-limited", 429),
    ("Claude usage limit reached. Your limit will reset at 5pm", "rate-limited", None),
    ("API Error: Repeated 529 Overloaded errors. Please try again later.", "overloaded", None),
    ("API Error: 529 Overloaded. This is a server-side issue", "overloaded", 529),
    ("API Error: 502 Error. This is a server-side issue, check your inference gateway (127.0.0.1:1).", "outage", 502),
    ("API Error: Connection refused (ECONNREFUSED)", "unreachable", None),
    ("Request timed out. If the API is slow to answer, set API_TIMEOUT_MS above 2000.", "timeout", None),
    ("AWS authentication failed · refresh your AWS credentials", "auth-invalid", None),
    ("API Error: Could not load AWS credentials", "auth-invalid", None),
]


@pytest.mark.parametrize("text,reason,status", TEXTS)
def test_text_signatures(text, reason, status):
    verdict = run_failure.from_exit(1, text + "\n")
    assert verdict is not None and verdict.reason == reason and verdict.status == status
    assert verdict.source == "run" and text not in verdict.detail  # our words, never claude's


@pytest.mark.parametrize("code,text", [(0, "Invalid API key"), (1, "Error: max turns reached"), (2, "")])
def test_not_a_route_failure(code, text):
    assert run_failure.from_exit(code, text) is None


# --- run_failure: json result ----------------------------------------------------------------

def result(**kw):
    base = {"type": "result", "subtype": "success", "is_error": True, "terminal_reason": "api_error",
            "session_id": "s-1", "num_turns": 1}
    base.update(kw)
    return base


@pytest.mark.parametrize("obj,reason,status", [
    (result(api_error_status=401, api_error_type="authentication_error",
            result="Invalid API key · Fix external API key"), "auth-invalid", 401),
    (result(api_error_status=401, api_error_type="authentication_error",
            result="Failed to authenticate. API Error: 401 OAuth token has expired."), "expired", 401),
    (result(api_error_status=402, api_error_type="billing_error", result="Credit balance is too low"), "billing", 402),
    (result(api_error_status=429, api_error_type="rate_limit_error", result="API Error: Request rejected (429)"),
     "rate-limited", 429),
    (result(api_error_status=529, result="API Error: 529 Overloaded."), "overloaded", 529),
    (result(api_error_status=None, result="Request timed out."), "timeout", None),
])
def test_json_result(obj, reason, status):
    verdict = run_failure.from_result(obj)
    assert verdict.reason == reason and verdict.status == status


def test_json_result_not_route():
    assert run_failure.from_result(result(is_error=False, terminal_reason="completed")) is None
    assert run_failure.from_result(result(terminal_reason="max_turns", api_error_status=None, result="x")) is None
    assert run_failure.from_result(result(api_error_status=400, api_error_type="invalid_request_error",
                                          result="API Error: 400 prompt is too long")) is None


def test_json_did_work_and_parse():
    assert not run_failure.json_did_work(result())
    assert run_failure.json_did_work(result(num_turns=2))
    assert run_failure.json_did_work(result(permission_denials=[{"tool_name": "Bash"}]))
    data = (json.dumps(result(num_turns=3)) + "\n").encode()
    assert run_failure.parse_json_output(b"noise\n" + data)["num_turns"] == 3
    assert run_failure.parse_json_output(b"not json") is None


# --- run_failure: stream-json -----------------------------------------------------------------

def lines(*events):
    return [json.dumps(e).encode() + b"\n" for e in events]


INIT = {"type": "system", "subtype": "init", "session_id": "s-9"}


def test_stream_stops_at_first_auth_retry():
    watch = run_failure.StreamWatch()
    for line in lines(INIT, {"type": "system", "subtype": "api_retry", "attempt": 1, "max_retries": 10,
                             "error_status": 401, "error": "authentication_failed", "session_id": "s-9"}):
        watch.feed(line)
    assert watch.stop and watch.failure.reason == "auth-invalid" and watch.session_id == "s-9"


def test_stream_lets_claude_retry_overload_then_judges_the_result():
    watch = run_failure.StreamWatch()
    watch.feed(lines({"type": "system", "subtype": "api_retry", "error_status": 529, "error": "overloaded"})[0])
    assert not watch.stop and watch.retrying and watch.failure is None
    watch.feed(lines(result(api_error_status=529, result="API Error: Repeated 529 Overloaded errors."))[0])
    assert watch.failure.reason == "overloaded"


def test_stream_tool_work_and_recovery():
    watch = run_failure.StreamWatch()
    for line in lines(INIT,
                      {"type": "assistant", "message": {"content": [{"type": "tool_use", "id": "t1", "name": "Bash"}]}},
                      {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "t1"}]}},
                      {"type": "assistant", "is_api_error_message": True, "error": "authentication_failed",
                       "api_error_status": 401, "message": {"content": [{"type": "text", "text": "Invalid API key"}]}}):
        watch.feed(line)
    assert watch.did_work and watch.failure.reason == "auth-invalid" and watch.failure.status == 401
    watch.feed(lines({"type": "result", "is_error": False, "result": "ok"})[0])
    assert watch.failure is None
    assert watch.feed(b"not json\n") is None


def test_error_names_match_the_hook_list():
    assert run_failure.from_error_name("invalid_request") is None
    assert run_failure.from_error_name("max_output_tokens") is None
    assert run_failure.from_error_name("billing_error").reason == "billing"
    assert run_failure.from_error_name("server_error", None, "Request timed out.").reason == "timeout"


# --- print_args -------------------------------------------------------------------------------

def test_wants_supervision():
    assert wants_supervision(split(["-p", "hi"]))
    assert wants_supervision(split(["--print", "hi"]))
    assert wants_supervision(split(["--failover-supervise"]))
    assert not wants_supervision(split(["hi"]))
    assert not wants_supervision(split(["--failover-dry-run", "-p", "hi"]))
    assert not wants_supervision(split(["--system-prompt", "-p"]))  # a value, not the flag
    assert not wants_supervision(split(["--", "-p"]))


def test_formats_and_prompt():
    args = ["--model", "opus", "-p", "--output-format=json", "--allowedTools", "Bash", "Read", "--verbose"]
    assert print_args.output_format(args) == "json" and print_args.input_format(args) == "text"
    assert print_args.prompt_index(args) is None
    args = ["-p", "--add-dir", "/x", "--model", "m", "-r", "abc", "do it"]
    assert print_args.prompt_index(args) == 7
    assert print_args.prompt_index(["do it", "-p"]) == 0
    assert print_args.prompt_index(["-p", "--", "-weird prompt"]) == 2


def test_resume_args_replace_prompt_and_session_options():
    args = ["-p", "make a file", "--output-format", "json", "--session-id", "old", "--fork-session", "-c"]
    out = print_args.resume_args(args, "s-1")
    assert out == [print_args.RESUME_PROMPT, "--resume", "s-1", "-p", "--output-format", "json"]
    assert print_args.resume_args(["-p", "-r", "x", "--", "hi"], "s-2")[1:] == ["--resume", "s-2", "-p"]
    assert print_args.controls_session(["-p", "--no-session-persistence"])
    assert not print_args.controls_session(["-p", "hi"])
    assert print_args.with_session_id(["-p", "hi"], "u")[:2] == ["--session-id", "u"]


class _Cfg:
    stall_timeout = 2.5
    connect_timeout = 30.0


def test_supervised_env_bounds_retries_unless_set():
    env = _supervised_env({"PATH": "/bin"}, _Cfg())
    assert env["CLAUDE_CODE_MAX_RETRIES"] == "2" and env["API_TIMEOUT_MS"] == "2500"
    assert env["CLAUDE_FAILOVER_SUPERVISED"] == "1"
    env = _supervised_env({"CLAUDE_CODE_MAX_RETRIES": "7", "API_TIMEOUT_MS": "9"}, _Cfg())
    assert env["CLAUDE_CODE_MAX_RETRIES"] == "7" and env["API_TIMEOUT_MS"] == "9"


def test_request_timeout_shares_connect_timeout_between_claudes_attempts():
    from claude_failover.prepare import request_timeout_ms

    class Cfg:
        stall_timeout, connect_timeout = 120.0, 30.0
    assert request_timeout_ms(Cfg(), "2") == 10000        # 3 attempts x 10 s: a dead route costs ~30 s
    assert request_timeout_ms(Cfg(), "0") == 30000
    assert request_timeout_ms(Cfg(), "junk") == 10000
    Cfg.stall_timeout = 4.0
    assert request_timeout_ms(Cfg(), "0") == 4000          # never above stall_timeout
    Cfg.connect_timeout = 0.5
    assert request_timeout_ms(Cfg(), "2") == 1000          # at least 1 s
