"""Bad input: property-based tests for every parser of outside input, and a corpus of nasty configs.

Properties (hypothesis): the config loader, the argv splitter, the credentials-file parser, the
status-page parser and the HTTP error classifier never raise anything unexpected; every rejected
input carries a message (ConfigError/UsageError text, LoginState status + detail); no token from
the input ever appears in what comes back.

Nasty configs go through the real console scripts (`claude-failover --failover-dry-run` and
`claude-failover-ctl config validate`): each gives one clear `claude-failover: error:` line and a
documented exit code (78 config, 64 usage), never a traceback, and never hangs.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import string
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from claude_failover import argv, claude_state, config, routes, statuspage
from claude_failover.config import model as config_model
from claude_failover.classify import classify, parse_retry_after
from claude_failover.errors import EX_CONFIG, EX_USAGE, ConfigError, UsageError
from claude_failover.verdict import REASONS, STATES, Verdict
from tests.launch import CTL, LAUNCHER, run

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)

KNOWN_KEYS = sorted({*config_model.TOP_KEYS, *config_model.COMMON_PROFILE_KEYS,
                     *(k for t in routes.TYPE_NAMES for k in routes.get(t).keys)})
toml_keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))
toml_scalars = st.one_of(
    st.sampled_from(list(routes.TYPE_NAMES)), st.sampled_from(["2", "90s", "5m", "2h", " ", "1h 30m", "-1", "x"]),
    st.text(max_size=20), st.integers(min_value=-10**6, max_value=10**6), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True))
toml_values = st.recursive(toml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(toml_keys, inner, max_size=3)), max_leaves=12)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") if value in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (int, str)):
        return json.dumps(value) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def toml_documents(draw) -> str:
    """TOML text shaped like a config: top-level keys, then [profiles.NAME] tables of mixed keys."""
    lines = [f"{json.dumps(k)} = {_toml_value(v)}"
             for k, v in draw(st.dictionaries(toml_keys, toml_values, max_size=4)).items()]
    names = draw(st.lists(st.one_of(st.sampled_from(["a", "work-key", "max", "x.y"]), st.text(max_size=8)),
                          max_size=3, unique=True))
    for name in names:
        lines.append(f"[profiles.{json.dumps(name)}]")
        if draw(st.booleans()):
            lines.append(f"type = {json.dumps(draw(st.sampled_from(list(routes.TYPE_NAMES))))}")
        for k, v in draw(st.dictionaries(toml_keys, toml_values, max_size=4)).items():
            if k != "type":
                lines.append(f"{json.dumps(k)} = {_toml_value(v)}")
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


def _parse_config(raw):
    try:
        cfg = config.parse(raw, "/cfg/config.toml")
    except ConfigError as exc:
        assert exc.exit_code == EX_CONFIG
        assert exc.message.startswith("/cfg/config.toml") and len(exc.message) > len("/cfg/config.toml: ")
        assert "Traceback" not in exc.render()
        return None
    assert cfg.order and set(cfg.order) <= set(cfg.profiles)
    for profile in cfg.profiles.values():
        assert profile.type in routes.TYPE_NAMES
        profile.fingerprint()
    return cfg


# --- config loader ------------------------------------------------------------------------------

@FAST
@given(st.binary(max_size=400))
def test_config_parse_arbitrary_bytes(raw):
    _parse_config(raw)


@FAST
@given(st.text(max_size=400))
def test_config_parse_arbitrary_text(text):
    _parse_config(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toml_documents())
def test_config_parse_config_shaped_toml(text):
    _parse_config(text)


@FAST
@given(st.sampled_from(sorted(config_model.DURATIONS)), st.text(alphabet=" \t0123456789.hms", max_size=300))
def test_durations_answer_fast_and_clearly(key, value):
    """The duration parser is linear (a long run of spaces once took minutes: catastrophic backtracking)."""
    _parse_config(f'{key} = {json.dumps(value)}\n[profiles.a]\ntype = "api-key"\n')


# --- argv splitter ------------------------------------------------------------------------------

argv_words = st.one_of(
    st.sampled_from([*argv.OPTIONS, "--", "--failover-", "--failover-profile=", "--failover-dry-run=1",
                     "--failover-profle", "-p", "--print", "hi"]),
    st.builds(lambda o, v: f"{o}={v}", st.sampled_from(list(argv.OPTIONS)), st.text(max_size=6)),
    st.text(max_size=12))


@FAST
@given(st.lists(argv_words, max_size=10))
def test_argv_split_never_crashes_and_keeps_claude_args(words):
    try:
        result = argv.split(list(words))
    except UsageError as exc:
        assert exc.exit_code == EX_USAGE and exc.message
        return
    claude_args, options, i = [], set(), 0
    while i < len(words):  # a reference model of the splitter
        word = words[i]
        if word == "--":
            claude_args += words[i:]
            break
        if word.startswith("--failover-"):
            name, eq, _ = word.partition("=")
            options.add(name[len("--failover-"):])
            i += 2 if argv.OPTIONS[name] and not eq else 1
            continue
        claude_args.append(word)
        i += 1
    assert result.claude_args == claude_args
    assert set(result.options) == options


# --- credentials file ---------------------------------------------------------------------------

token = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=12, max_size=40).map(
    lambda s: "TOKEN-" + s)
oauth_blobs = st.fixed_dictionaries({}, optional={
    "accessToken": st.one_of(token, json_values), "refreshToken": st.one_of(token, json_values),
    "expiresAt": st.one_of(st.integers(min_value=-2**63, max_value=2**63), json_values),
    "refreshTokenExpiresAt": st.one_of(st.integers(min_value=0, max_value=2**50), json_values),
    "scopes": json_values, "subscriptionType": json_values, "loginEnded": json_values})
credential_docs = st.one_of(
    st.builds(lambda o: {"claudeAiOauth": o}, oauth_blobs),
    st.builds(lambda o, extra: {"claudeAiOauth": o, **extra}, json_values, st.dictionaries(st.text(max_size=5), json_values, max_size=2)),
    json_values)
STATUSES = {claude_state.MISSING, claude_state.UNREADABLE, claude_state.CORRUPT, claude_state.ENDED,
            claude_state.REFRESH_EXPIRED, claude_state.EXPIRED_NO_REFRESH, claude_state.EXPIRED_REFRESHABLE,
            claude_state.OK}


def _check_login(state, doc=None):
    assert isinstance(state, claude_state.LoginState) and state.status in STATUSES
    if state.status not in (claude_state.OK,):
        assert state.detail, state
    if isinstance(doc, dict) and isinstance(doc.get("claudeAiOauth"), dict):
        blob = repr(state)
        for field_name in ("accessToken", "refreshToken"):
            value = doc["claudeAiOauth"].get(field_name)
            if isinstance(value, str) and value.startswith("TOKEN-"):
                assert value not in blob


@FAST
@given(credential_docs)
def test_parse_credentials_documents(doc):
    try:
        raw = json.dumps(doc)
    except ValueError:
        return
    _check_login(claude_state.parse_credentials(raw, "/home/u/.claude/.credentials.json", now=1.7e9), doc)
    _check_login(claude_state.parse_credentials(raw.encode("utf-8", "surrogatepass"), "x", now=1.7e9), doc)


@FAST
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_parse_credentials_garbage(raw):
    _check_login(claude_state.parse_credentials(raw, "x"))


def test_parse_credentials_deeply_nested():
    state = claude_state.parse_credentials("[" * 100000 + "]" * 100000, "x")
    assert state.status == claude_state.CORRUPT and state.detail


# --- status page and HTTP classifier ------------------------------------------------------------

component_status = st.one_of(st.sampled_from(["operational", "degraded_performance", "partial_outage",
                                               "major_outage", "under_maintenance"]), json_values)
status_docs = st.one_of(
    st.fixed_dictionaries({}, optional={
        "status": st.one_of(st.fixed_dictionaries({"indicator": st.one_of(
            st.sampled_from(["none", "minor", "major", "critical", "maintenance"]), json_values)}), json_values),
        "components": st.one_of(st.lists(st.one_of(st.fixed_dictionaries(
            {"name": st.one_of(st.sampled_from(list(statuspage.COMPONENTS)), json_values),
             "status": component_status}, optional={"id": json_values}), json_values), max_size=4), json_values),
        "incidents": st.one_of(st.lists(st.one_of(st.fixed_dictionaries({}, optional={
            "name": json_values, "status": st.one_of(st.sampled_from(["investigating", "resolved"]), json_values),
            "components": json_values}), json_values), max_size=3), json_values)}),
    json_values)


def _check_verdict(verdict):
    assert isinstance(verdict, Verdict) and verdict.state in STATES
    assert verdict.reason is None or verdict.reason in REASONS
    assert verdict.usable or verdict.reason, verdict
    assert isinstance(verdict.line(), str) and verdict.line()
    assert Verdict.from_dict(json.loads(json.dumps(verdict.to_dict()))) is not None


@FAST
@given(status_docs)
def test_status_page_parser(doc):
    for raw in (json.dumps(doc), *([doc] if isinstance(doc, dict) else [])):
        verdict = statuspage.parse(raw)
        if verdict is not None:
            _check_verdict(verdict)
            assert len(verdict.detail) < 300


@FAST
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_status_page_parser_garbage(raw):
    verdict = statuspage.parse(raw)
    assert verdict is None or isinstance(verdict, Verdict)


error_bodies = st.one_of(
    st.builds(lambda t, m: json.dumps({"type": "error", "error": {"type": t, "message": m}}),
              st.one_of(st.sampled_from(["authentication_error", "permission_error", "billing_error",
                                         "rate_limit_error", "overloaded_error", "api_error", "not_found_error"]),
                        st.text(max_size=10)), st.text(max_size=60)),
    st.builds(json.dumps, json_values), st.text(max_size=200), st.binary(max_size=200),
    st.just("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"))
header_maps = st.dictionaries(
    st.sampled_from(["retry-after", "Retry-After", "retry-after-ms", "content-type", "x-amzn-errortype"]),
    st.one_of(st.sampled_from(["3", "-1", "1e400", "nan", "Wed, 21 Oct 2015 07:28:00 GMT", "text/html",
                               "ThrottlingException:foo", "Tue, 99 Foo"]), st.text(max_size=20)), max_size=3)


@FAST
@given(st.integers(min_value=100, max_value=999), error_bodies, header_maps)
def test_classifier_never_raises_and_never_echoes(status, body, headers):
    secret = "SENTINEL-SECRET-classify-7f3a"
    if isinstance(body, str):
        body = body.replace("}}", f', "echo": "{secret}"}}}}', 1) if body.startswith("{") else body + secret
    verdict = classify(status, body, headers, latency_ms=1.0, now=1.7e9)
    _check_verdict(verdict)
    assert secret not in repr(verdict)
    assert verdict.state == "healthy" or verdict.reason
    retry = parse_retry_after(headers, now=1.7e9)
    assert retry is None or (retry >= 0 and retry == retry and retry != float("inf"))


# --- nasty configs through the real console scripts ---------------------------------------------

GOOD_BODY = '[profiles.work]\ntype = "api-key"\nsecret_env = "NASTY_KEY"\n'
DEEP = "x = " + "[" * 50000 + "]" * 50000 + "\n"


def _nasty_cases(root: Path) -> list[tuple[str, Path, int, str]]:
    """(name, path, exit code of both commands, text the error must contain; '' for a good config)."""
    cases = []

    def write(name: str, data: bytes | str, code: int, text: str) -> None:
        path = root / f"{name}.toml"
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        cases.append((name, path, code, text))

    head = 'claude = "/bin/true"\n'
    write("bom", "\ufeff" + head + GOOD_BODY, 0, "")
    write("crlf", (head + GOOD_BODY).replace("\n", "\r\n"), 0, "")
    write("bom-crlf", "\ufeff" + (head + GOOD_BODY).replace("\n", "\r\n"), 0, "")
    write("unicode-values", head + GOOD_BODY + 'description = "Arbeit — ключ 🔑"\nmodel = "claude-ö"\n', 0, "")
    write("duplicate-key", head + GOOD_BODY + 'type = "gateway"\n', 78, "Cannot overwrite a value")
    write("duplicate-table", head + GOOD_BODY + GOOD_BODY, 78, "twice")
    write("unicode-key", head + '"ключ" = 1\n' + GOOD_BODY, 78, "unknown setting 'ключ'")
    write("unicode-profile", head + GOOD_BODY.replace("work", '"работа"'), 78, "profile name 'работа'")
    write("nul-byte", head + GOOD_BODY.replace('"api-key"', '"api-key"\x00'), 78, "TOML syntax error")
    write("invalid-utf8", (head + GOOD_BODY).encode().replace(b"api-key", b"api-\xff\xfekey"), 78, "not valid UTF-8")
    write("utf16", ("\ufeff" + head + GOOD_BODY).encode("utf-16"), 78, "not valid UTF-8")
    write("huge", head + GOOD_BODY + "# " + "x" * (4 * 1024 * 1024) + "\n", 78, "larger than 4 MiB")
    write("many-lines", head + GOOD_BODY + "# filler\n" * 200000, 0, "")
    write("deep-arrays", head + DEEP + GOOD_BODY, 78, "nested too deeply")
    write("deep-inline-tables", head + "x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n" + GOOD_BODY, 78, "nested too deeply")
    write("deep-tables", head + GOOD_BODY + "[profiles.work.env." + ".".join(["t"] * 500) + "]\n", 78, "")
    write("redos-duration", head + 'probe_timeout = "' + " " * 5000 + 'x"\n' + GOOD_BODY, 78, "must be a duration")
    write("secret-in-file", head + GOOD_BODY + 'api_key = "sk-ant-api03-FAKE-nasty-1"\n', 78, "looks like a secret")
    write("empty", "", 78, "no profiles")
    write("truncated", head + "[profiles.work\n", 78, "TOML syntax error")

    loop = root / "loop-a.toml"
    loop.symlink_to(root / "loop-b.toml")
    (root / "loop-b.toml").symlink_to(loop)
    cases.append(("symlink-loop", loop, 78, "Too many levels of symbolic links"))
    dangling = root / "dangling.toml"
    dangling.symlink_to(root / "nowhere.toml")
    cases.append(("dangling-symlink", dangling, 78, "symbolic link to a missing file"))
    directory = root / "dir.toml"
    directory.mkdir()
    cases.append(("directory", directory, 78, "is a directory"))
    fifo = root / "fifo.toml"
    os.mkfifo(fifo)
    cases.append(("fifo", fifo, 78, "not a regular file"))
    sock_path = root / "sock.toml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    cases.append(("unix-socket", sock_path, 78, "cannot read the config file"))
    cases.append(("char-device", Path("/dev/zero"), 78, "not a regular file"))

    # chmod 000: root (even in a user namespace, for files it owns) reads it anyway. Check what
    # this process can really do and expect that outcome.
    locked = root / "mode000.toml"
    locked.write_text(head + GOOD_BODY)
    locked.chmod(0)
    try:
        locked.open("rb").close()
        cases.append(("mode-000 (readable: we are root)", locked, 0, ""))
    except PermissionError:
        cases.append(("mode-000", locked, 78, "Permission denied"))
    return cases


def test_nasty_config_corpus(isolated_env, tmp_path):
    root = tmp_path / "nasty"
    root.mkdir()
    cases = _nasty_cases(root)
    env = dict(os.environ, NASTY_KEY="sk-ant-api03-FAKE-nasty-2")

    def both(case):
        name, path, code, text = case
        launch = run(LAUNCHER, ["--failover-config", str(path), "--failover-dry-run"], env=env, timeout=20)
        check = run(CTL, ["--config", str(path), "config", "validate"], env=env, timeout=20)
        return case, launch, check

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(both, cases))
    failures = []
    for (name, path, code, text), launch, check in results:
        for label, done in (("launcher", launch), ("ctl config validate", check)):
            problem = None
            if "Traceback" in done.stderr or "Traceback" in done.stdout:
                problem = "traceback"
            elif done.returncode != code:
                problem = f"exit {done.returncode}, expected {code}"
            elif code:
                lines = done.stderr.strip().splitlines()
                if not lines or not lines[0].startswith("claude-failover: error: ") or text not in done.stderr:
                    problem = f"unclear message (expected {text!r})"
                elif len(done.stderr) > 2000:
                    problem = "message too long"
            if problem:
                failures.append(f"{name} / {label}: {problem}\n  stdout: {done.stdout[:300]!r}\n  stderr: {done.stderr[:300]!r}")
    assert not failures, "\n".join(failures)
    assert len(results) >= 25


def test_exit_codes_are_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for code in ("64", "69", "78", "127"):
        assert code in readme
    from claude_failover.launcher import HELP

    assert "78 config error" in HELP and "64 usage" in HELP


def test_config_file_modes_from_config_init(isolated_env):
    done = run(CTL, ["config", "init"], timeout=30)
    assert done.returncode == 0, done.stderr
    path = isolated_env.config_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
