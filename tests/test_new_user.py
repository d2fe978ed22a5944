"""What a new user tripped over (issue 14): each test runs our real commands where the issue
describes command behaviour, and failed before its fix."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import claude_env
from tests.launch import ctl, failover, write_config

KEY = "sk-ant-api03-FAKE-new-user-0001"



def _processes_with(arg: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if arg.encode() in cmdline:
                found.append(int(entry.name))
    return found


# --- 3: a secret command obeys its deadline ------------------------------------------------------

def test_a_slow_secret_cmd_is_killed_at_the_deadline_and_says_so(isolated_env, stub_claude):
    pause = f"97.{os.getpid()}{time.monotonic_ns() % 100000}"  # names this run's `sleep` among all processes
    write_config(isolated_env.config_file,
                 f'claude = "{stub_claude}"\nprobe_timeout = "2s"\n[profiles.work-key]\ntype = "api-key"\n'
                 f'base_url = "http://127.0.0.1:9"\nsecret_cmd = "sleep {pause}; echo x"\n')
    start = time.monotonic()
    done = failover(["-p", "hi"], env=claude_env())
    took = time.monotonic() - start
    assert done.returncode == 69, done.stderr
    assert "secret_cmd for work-key did not finish within 2 s" in done.stderr
    assert "1.9" not in done.stderr and "Secret Service" not in done.stderr
    assert took < 20, took  # it took 32 s: the probe's 2 s, then a 30 s second try
    time.sleep(0.2)
    assert _processes_with(pause) == []  # the command's whole process group is gone


# --- 4: a secret in a gateway's headers ----------------------------------------------------------

@pytest.mark.parametrize("headers, where", [
    ('headers = { X-Key = "sk-ant-api03-FAKE-in-a-header" }', ":4:13"),
    ('headers = { Authorization = "Bearer abc123" }', ":4:13"),
    ('[profiles.gw.headers]\nX-Api-Key = "plain-looking"', ":5:1"),
])
def test_a_secret_in_gateway_headers_is_refused(isolated_env, headers, where):
    write_config(isolated_env.config_file, '[profiles.gw]\ntype = "gateway"\nbase_url = "http://127.0.0.1:9"\n'
                 f'{headers}\n')
    done = ctl(["config", "validate"], env=claude_env())
    assert done.returncode == 78, done.stdout + done.stderr
    assert f"{isolated_env.config_file}{where}: profile 'gw': header" in done.stderr
    assert "keys set gw" in done.stderr and "secret_cmd" in done.stderr
    assert "FAKE-in-a-header" not in done.stderr and "abc123" not in done.stderr


def test_ordinary_gateway_headers_still_pass(isolated_env):
    write_config(isolated_env.config_file, '[profiles.gw]\ntype = "gateway"\nbase_url = "http://127.0.0.1:9"\n'
                 'secret_env = "GW"\nheaders = { X-Team = "platform", anthropic-beta = "x" }\n')
    done = ctl(["config", "validate"], env=claude_env())
    assert done.returncode == 0, done.stderr


# --- 5: one region validation, for `config validate` and doctor --------------------------------

@pytest.mark.parametrize("profile, key", [
    ('type = "bedrock"\nregion = "us-east1"\naws_profile = "p"', "region"),
    ('type = "mantle"\nregion = "us-east1"\nskip_auth = true', "region"),
    ('type = "vertex"\nproject_id = "good-project"\nregion = "useast5"\nskip_auth = true', "region"),
    ('type = "anthropic-aws"\nregion = "us-east1"\nworkspace_id = "w"\nskip_auth = true', "region"),
    ('type = "anthropic-google-cloud"\nworkspace_id = "w"\nregion = "moon"\nskip_auth = true', "region"),
])
def test_config_validate_and_doctor_agree_on_regions(isolated_env, profile, key):
    write_config(isolated_env.config_file, f'[profiles.r]\n{profile}\n')
    done = ctl(["config", "validate"], env=claude_env())
    assert done.returncode == 78, done.stdout + done.stderr
    line = 1 + profile.split("\n").index(next(p for p in profile.split("\n") if p.startswith(key + " "))) + 1
    assert f"{isolated_env.config_file}:{line}:1: profile 'r':" in done.stderr
    doctor = ctl(["doctor", "--json"], env=claude_env())
    found = {f["id"]: f for f in json.loads(doctor.stdout)["findings"]}
    assert "config-invalid" in found and f":{line}:1: profile 'r':" in found["config-invalid"]["saw"]


# --- 6: a 200 that is not a models list --------------------------------------------------------

@pytest.fixture
def any_answer():
    """A local HTTP server answering every GET with 200 and the body set in ``.body``."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(server.body)))
            self.end_headers()
            self.wfile.write(server.body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.body = b"{}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("body", [b"{}", b"hello world", bytes(range(256)), b'{"data": {}}'])
@pytest.mark.parametrize("kind", ["api-key", "gateway"])
def test_a_200_that_is_not_a_models_list_is_misconfigured(isolated_env, any_answer, body, kind):
    any_answer.body = body
    url = f"http://127.0.0.1:{any_answer.server_address[1]}"
    write_config(isolated_env.config_file, f'[profiles.a]\ntype = "{kind}"\nbase_url = "{url}"\nsecret_env = "K"\n')
    done = ctl(["probe", "a"], env=claude_env(K=KEY))
    assert done.returncode == 69, done.stdout + done.stderr
    assert "not a models list" in done.stdout + done.stderr
    assert ("probe_path" in done.stdout + done.stderr) == (kind == "gateway")
    any_answer.body = b'{"data": [], "has_more": false}'
    assert ctl(["probe", "a"], env=claude_env(K=KEY)).returncode == 0


# --- 2: a hand-written ~/bin/claude wrapper first on PATH ---------------------------------------

def _wrapper(isolated_env) -> Path:
    from tests.launch import LAUNCHER

    wrapper = isolated_env.home / "bin" / "claude"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nexec {LAUNCHER} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@pytest.fixture
def versioned_claude(tmp_path) -> Path:
    path = tmp_path / "real" / "claude"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\nimport sys\n"
                    "print('2.1.332 (Claude Code)' if sys.argv[1:] == ['--version'] else f'claude got: {sys.argv[1:]}')\n")
    path.chmod(0o755)
    return path


def test_a_wrapper_script_first_on_path_finds_the_real_claude(isolated_env, versioned_claude):
    wrapper = _wrapper(isolated_env)
    write_config(isolated_env.config_file, '[profiles.k]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    path = f"{wrapper.parent}{os.pathsep}{versioned_claude.parent}{os.pathsep}/usr/bin{os.pathsep}/bin"
    env = claude_env(K=KEY, PATH=path)
    done = run_wrapper(wrapper, ["--version"], env)
    assert done.returncode == 0 and done.stdout.strip() == "2.1.332 (Claude Code)", done.stderr
    done = run_wrapper(wrapper, ["hi"], env)
    assert done.returncode == 0 and "claude got: ['hi'" in done.stdout, done.stderr
    doctor = json.loads(ctl(["doctor", "--json"], env=env).stdout)
    found = {f["id"]: f for f in doctor["findings"]}
    assert found["claude-found"]["saw"] == f"the real claude: {versioned_claude}"
    assert found["claude-version"]["saw"] == "claude 2.1.332"
    assert "your own script that runs claude-failover" in found["shim-first"]["saw"]
    assert "shim-absent" not in found and "claude-version-unknown" not in found


def test_a_wrapper_with_no_real_claude_behind_it_is_a_clear_error(isolated_env):
    wrapper = _wrapper(isolated_env)
    write_config(isolated_env.config_file, '[profiles.k]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    env = claude_env(K=KEY, PATH=f"{wrapper.parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    done = run_wrapper(wrapper, ["--version"], env)
    assert done.returncode == 127, done.stderr
    assert f"not found on PATH (only claude-failover itself: {wrapper})" in done.stderr
    assert "Traceback" not in done.stderr


def run_wrapper(wrapper: Path, args, env):
    from tests.launch import run

    return run(str(wrapper), args, env=env)


# --- 10: exit codes and a truthful "not found" ------------------------------------------------

def test_exit_codes_for_an_unknown_profile_and_a_missing_claude(isolated_env, stub_claude):
    write_config(isolated_env.config_file, f'claude = "{stub_claude}"\n[profiles.k]\ntype = "api-key"\n'
                 'secret_env = "K"\nprobe = false\n')
    env = claude_env(K=KEY, PATH=f"/usr/bin{os.pathsep}/bin")
    for args in (["pin", "nosuch"], ["report", "nosuch", "--reason", "outage"]):
        done = ctl(args, env=env)
        assert done.returncode == 64 and "no profile named 'nosuch'" in done.stderr, (args, done.stderr)
    done = failover(["--failover-profile", "nosuch", "hi"], env=env)
    assert done.returncode == 64 and "no profile named 'nosuch'" in done.stderr
    assert ctl(["which"], env=env).returncode == 0
    write_config(isolated_env.config_file, '[profiles.k]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    done = failover(["hi"], env=env)  # no claude at all, and claude-failover is not on PATH as `claude`
    assert done.returncode == 127 and "the real `claude` was not found on PATH" in done.stderr
    assert "only claude-failover itself" not in done.stderr
    which = ctl(["which"], env=env)
    assert which.returncode == 127 and "the real `claude` was not found" in which.stdout + which.stderr
    assert ctl(["which", "--json"], env=env).returncode == 127


# --- 9: a JSON run with no usable route still gets a result on stdout ---------------------------

@pytest.mark.parametrize("fmt", ["json", "stream-json"])
def test_no_usable_route_prints_a_failed_result_for_json_output(isolated_env, stub_claude, fmt):
    write_config(isolated_env.config_file, f'claude = "{stub_claude}"\nprobe_timeout = 5\n'
                 '[profiles.a]\ntype = "api-key"\nbase_url = "http://127.0.0.1:9"\nsecret_env = "K"\n')
    done = failover(["-p", "hi", "--output-format", fmt], env=claude_env())  # $K unset: no route
    assert done.returncode == 69 and "no usable route" in done.stderr
    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    assert result["type"] == "result" and result["is_error"] is True and result["subtype"].startswith("error")
    assert result["result"].startswith("claude-failover: no usable route")
    assert result["claude_failover"]["exit_code"] == 69 and result["num_turns"] == 0
    assert {"session_id", "duration_ms", "total_cost_usd", "usage", "uuid"} <= set(result)
    text = failover(["-p", "hi"], env=claude_env())  # text output: stdout stays empty
    assert text.returncode == 69 and text.stdout == ""


# --- 11: config show, keys set/list, completion of profile names -------------------------------

def test_config_show_prints_only_real_keys(isolated_env):
    write_config(isolated_env.config_file,
                 '[profiles.w]\ntype = "api-key"\nsecret_env = "W_KEY"\nstatus_url = "https://status.example/s.json"\n'
                 'description = "work"\n[profiles.c]\ntype = "gateway"\nbase_url = "http://127.0.0.1:9"\n'
                 'secret_cmd = "pass show gw"\nprobe = false\n')
    done = ctl(["config", "show"], env=claude_env())
    assert done.returncode == 0, done.stderr
    assert "secret_from" not in done.stdout
    assert 'status_url = "https://status.example/s.json"' in done.stdout and 'secret_env = "W_KEY"' in done.stdout
    assert 'secret_cmd = "pass show gw"' in done.stdout and "probe = false" in done.stdout
    shown = isolated_env.tmp / "shown.toml"  # what it prints is a valid config of the same profiles
    shown.write_text(done.stdout)
    again = ctl(["--config", str(shown), "config", "show"], env=claude_env())
    assert again.returncode == 0 and again.stdout.splitlines()[1:] == done.stdout.splitlines()[1:], again.stderr


def test_keys_set_refuses_an_unknown_profile_and_list_names_the_source(isolated_env):
    write_config(isolated_env.config_file, '[profiles.w]\ntype = "api-key"\nsecret_env = "W_KEY"\n')
    done = ctl(["keys", "set", "nosuch"], env=claude_env(), input="sk-ant-api03-FAKE-never-stored\n")
    assert done.returncode == 64 and "no profile named 'nosuch'" in done.stderr
    listed = ctl(["keys", "list"], env=claude_env())
    assert listed.returncode == 0 and "(not set: looked in $W_KEY)" in listed.stdout, listed.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("words", [["report"], ["keys", "set"], ["pin"]])
def test_profile_names_complete_for_report_and_keys_set(isolated_env, shell, words):
    write_config(isolated_env.config_file, '[profiles.work-key]\ntype = "api-key"\nsecret_env = "W"\n'
                 '[profiles.max]\ntype = "subscription"\n')
    line = " ".join(["claude-failover-ctl", *words, "w"])
    # click's protocols: bash/zsh give the word's index, fish the word itself
    env = claude_env(COMP_WORDS=line, COMP_CWORD="w" if shell == "fish" else str(len(words) + 1),
                     _CLAUDE_FAILOVER_CTL_COMPLETE=f"{shell}_complete")
    out = ctl([], env=env).stdout
    assert "work-key" in out and "max" not in out, out


# --- 7: the doctor's advice fits the situation ------------------------------------------------

def _doctor(env, *args):
    done = ctl(["doctor", "--json", *args], env=env)
    return {f["id"]: f for f in json.loads(done.stdout)["findings"]}


def test_doctor_advice_fits_the_secret_source(isolated_env, stub_claude):
    write_config(isolated_env.config_file,
                 f'claude = "{stub_claude}"\n[profiles.c]\ntype = "api-key"\nsecret_cmd = "exit 3"\n'
                 '[profiles.e]\ntype = "api-key"\nsecret_env = "E_KEY"\n')
    found = _doctor(claude_env())
    unreadable, missing = found["secret-unreadable"], found["secret-missing"]
    assert "secret_cmd for c exited with status 3" in unreadable["saw"]
    assert "gnome-keyring" not in unreadable["fix"] and "Secret Service" not in unreadable["fix"]
    assert "secret_cmd" in unreadable["fix"] and "keys set" not in unreadable["fix"]
    assert "export E_KEY=" in missing["fix"] and "keys set" not in missing["fix"]
    assert found["route"]["severity"] == "info"  # "ok profile …" beside an error about the same profile


def test_doctor_on_a_config_that_cannot_be_read(isolated_env):
    isolated_env.config_file.mkdir(parents=True)  # tests run as root: a directory stands in for mode 000
    invalid = _doctor(claude_env())["config-invalid"]
    assert "at the position shown" not in invalid["fix"] and "config init" in invalid["fix"]


def test_doctor_fix_with_nothing_to_fix_says_so(isolated_env, stub_claude):
    write_config(isolated_env.config_file, f'claude = "{stub_claude}"\n[profiles.e]\ntype = "api-key"\n'
                 'secret_env = "E_KEY"\n')
    done = ctl(["doctor", "--fix"], env=claude_env(E_KEY=KEY))
    assert "--fix: nothing" in done.stdout, done.stdout


def test_a_trailing_comma_is_located_at_the_comma(isolated_env):
    write_config(isolated_env.config_file, '[profiles.gw]\ntype = "gateway"\nbase_url = "http://127.0.0.1:9"\n'
                 'headers = { X-Team = "a",\n  }\n')
    done = ctl(["config", "validate"], env=claude_env())
    assert done.returncode == 78 and f"{isolated_env.config_file}:4:25: TOML syntax error: a trailing comma" in done.stderr


# --- 13: wording ------------------------------------------------------------------------------

def test_one_duration_formatter():
    from claude_failover.config.durations import DurationError, parse_duration, say

    assert [say(s) for s in (1.98519, 2, 0.5, 45.4, 300, 5400, 7200)] == \
        ["2 s", "2 s", "0.5 s", "45 s", "5 min", "1.5 h", "2 h"]
    with pytest.raises(DurationError) as caught:
        parse_duration("soon")
    assert str(caught.value).startswith("expected a duration like 2,")
    with pytest.raises(DurationError, match="^'cooldown' must be a duration like"):
        parse_duration("soon", "'cooldown'")


def test_the_fallback_reason_has_a_colon_after_each_route(isolated_env, stub_claude):
    write_config(isolated_env.config_file, f'claude = "{stub_claude}"\norder = ["max", "b"]\n'
                 '[profiles.max]\ntype = "api-key"\nsecret_env = "NOT_SET"\nprobe = false\n'
                 '[profiles.b]\ntype = "api-key"\nsecret_env = "K"\nprobe = false\n')
    done = failover(["--failover-dry-run"], env=claude_env(K=KEY))
    assert done.returncode == 0 and "why:     fallback: max: profile 'max' has no secret" in done.stdout, done.stdout + done.stderr
    pin = ctl(["pin", "b", "--for", "soon"], env=claude_env(K=KEY))
    assert pin.returncode == 64 and "--for: expected a duration like" in pin.stderr
