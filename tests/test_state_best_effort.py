"""Commands that show never write, and our own bookkeeping never stops a launch.

- `ctl which` and `ctl status` answer from the chooser's predict mode: the health cache file keeps
  its bytes and mtime, and the fake server sees no request (unless --refresh).
- A state dir that cannot be created (CLAUDE_FAILOVER_STATE_DIR is a regular file, or a path under
  one: both fail for root too, unlike a chmod) costs a launch one warning line, never claude's
  start; management commands that must write (pin, unpin, probe, report) give one error line with
  the remedy and exit 73; no traceback anywhere.
- `--failover-dry-run` prints exactly the arguments claude gets (a supervised run's --session-id).
"""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import claude_env
from tests.fakeserver import DEFAULT_REPLY
from tests.launch import ctl, failover, write_config

KEY = "sk-ant-api03-FAKE-best-effort-1"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"



def two_routes(isolated_env, url: str, claude: str, **settings) -> None:
    head = "".join(f"{k} = {v}\n" for k, v in settings.items())
    write_config(isolated_env.config_file, f'{head}claude = "{claude}"\norder = ["a", "b"]\n'
                 f'[profiles.a]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "KEY_A"\n'
                 f'[profiles.b]\ntype = "api-key"\nbase_url = "{url}"\nsecret_env = "KEY_B"\n')


def env(**extra):
    return claude_env(KEY_A=KEY, KEY_B=KEY, CLAUDE_CODE_MAX_RETRIES="0", **extra)


def snapshot(state_dir):
    cache = state_dir / "health.json"
    stat = cache.stat()
    return cache.read_bytes(), stat.st_mtime_ns, sorted(p.name for p in state_dir.iterdir())


@pytest.mark.parametrize("cache_state", ["warm", "stale"])
def test_which_and_status_never_write_the_cache(isolated_env, fake_server, stub_claude, cache_state):
    two_routes(isolated_env, fake_server.url, stub_claude, healthy_ttl=600 if cache_state == "warm" else 1,
               probe_timeout=10)  # a busy machine must not turn the probes into timeouts
    done = failover(["hi"], env=env())  # a real launch: probes, records verdicts and `last`
    assert done.returncode == 0 and "claude got: ['hi'" in done.stdout, done.stderr
    if cache_state == "stale":
        os.utime(isolated_env.state_dir / "health.json")  # (mtime moves only if something writes)
        import time

        time.sleep(1.1)  # the verdicts are now older than healthy_ttl: a launch would probe again
    before, requests = snapshot(isolated_env.state_dir), len(fake_server.requests)
    for args in (["which"], ["which", "--json"], ["status"], ["status", "--json"], ["statusline"]):
        out = ctl(args, env=env())
        assert out.returncode == 0, (args, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr
    assert snapshot(isolated_env.state_dir) == before
    assert len(fake_server.requests) == requests      # no network
    which = ctl(["which"], env=env()).stdout
    if cache_state == "warm":
        assert which.startswith("a (api-key)")
    else:
        assert "a launch would probe first: a, b" in which
        assert "a launch now would probe first: a, b" in ctl(["status"], env=env()).stdout
    refreshed = ctl(["which", "--refresh"], env=env())  # --refresh probes and records
    assert refreshed.returncode == 0 and refreshed.stdout.startswith("a (api-key)"), refreshed.stdout
    assert snapshot(isolated_env.state_dir)[0] != before[0]


@pytest.mark.parametrize("where", ["file", "under-file"])
def test_unwritable_state_dir_costs_a_launch_one_warning(isolated_env, fake_server, stub_claude, tmp_path, where):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state dir should be\n")
    state = blocker if where == "file" else blocker / "state"
    two_routes(isolated_env, fake_server.url, stub_claude)
    done = failover(["hi"], env=env(CLAUDE_FAILOVER_STATE_DIR=str(state)))
    assert done.returncode == 0, done.stderr
    assert "claude got: ['hi'" in done.stdout
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "cannot write the health cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("claude-failover: warning:"), done.stderr
    assert "CLAUDE_FAILOVER_STATE_DIR" in warnings[0]


def test_unwritable_state_dir_supervised_run_of_real_claude(isolated_env, fake_server, claude_bin, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    two_routes(isolated_env, fake_server.url, claude_bin)
    done = failover(["-p", "hi"], env=env(CLAUDE_FAILOVER_STATE_DIR=str(blocker / "state")), timeout=90)
    assert done.returncode == 0, done.stderr
    assert DEFAULT_REPLY in done.stdout
    assert "Traceback" not in done.stderr
    assert sum("cannot write the health cache" in line for line in done.stderr.splitlines()) == 1, done.stderr


@pytest.mark.parametrize("args", [["pin", "a"], ["unpin"], ["probe"], ["report", "a", "--reason", "timeout"],
                                  ["which", "--refresh"], ["status", "--refresh"]])
def test_unwritable_state_dir_management_command_is_one_error_line(isolated_env, fake_server, tmp_path, args):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    two_routes(isolated_env, fake_server.url, "/bin/true")
    done = ctl(args, env=env(CLAUDE_FAILOVER_STATE_DIR=str(blocker)))
    assert done.returncode == 73, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("claude-failover: error: cannot write the health cache"), done.stderr
    assert len(lines) == 2 and "CLAUDE_FAILOVER_STATE_DIR" in lines[1], done.stderr


def test_which_and_status_work_with_an_unwritable_state_dir(isolated_env, fake_server, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    two_routes(isolated_env, fake_server.url, "/bin/true")
    for args in (["which"], ["status"], ["status", "--json"], ["statusline"]):
        done = ctl(args, env=env(CLAUDE_FAILOVER_STATE_DIR=str(blocker / "state")))
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)


def test_dry_run_prints_exactly_the_args_claude_gets(isolated_env, fake_server, stub_claude):
    two_routes(isolated_env, fake_server.url, stub_claude)
    dry = failover(["--failover-dry-run", "-p", "hi"], env=env())
    assert dry.returncode == 0, dry.stderr
    assert re.search(rf"^args:    --session-id {UUID} -p hi$", dry.stdout, re.M), dry.stdout
    dry = failover(["--failover-dry-run", "hello"], env=env())  # interactive: the key goes by our apiKeyHelper
    assert re.search(r"^args:    hello --settings '\{\"apiKeyHelper\":.*key_helper\"\}'$", dry.stdout, re.M), dry.stdout
    assert KEY not in dry.stdout
    dry = failover(["--failover-dry-run", "-p", "hi", "--output-format", "json"], env=env())  # claude names it
    assert re.search(r"^args:    -p hi --output-format json$", dry.stdout, re.M), dry.stdout


def test_debug_traceback_only_with_the_debug_variable(monkeypatch, capsys):
    from claude_failover.log import debug_traceback

    for value, shown in ((None, False), ("1", True)):
        if value is None:
            monkeypatch.delenv("CLAUDE_FAILOVER_DEBUG", raising=False)
        else:
            monkeypatch.setenv("CLAUDE_FAILOVER_DEBUG", value)
        try:
            raise RuntimeError("our bug")
        except RuntimeError:
            debug_traceback("doing a thing")
        err = capsys.readouterr().err
        assert ("claude-failover: debug: doing a thing" in err and "RuntimeError: our bug" in err) == shown


def test_a_failing_notifier_is_traced_with_debug(isolated_env, monkeypatch, capsys):
    from claude_failover import notify, route_change

    def boom(*a, **k):
        raise RuntimeError("notifier bug")

    monkeypatch.setattr(notify, "route_changed", boom)
    route_change.notify_change("a", "b", "a", "why")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CLAUDE_FAILOVER_DEBUG", "1")
    route_change.notify_change("a", "b", "a", "why")
    assert "RuntimeError: notifier bug" in capsys.readouterr().err


def test_a_run_verdict_the_cache_lock_kept_out_is_a_warning(isolated_env, fake_server, monkeypatch, capsys):
    from claude_failover import config, recording
    from claude_failover.supervise import retry
    from claude_failover.verdict import unhealthy

    two_routes(isolated_env, fake_server.url, "/bin/true")
    cfg = config.load(str(isolated_env.config_file))
    monkeypatch.setattr(recording, "record_verdicts", lambda *a, **k: False)  # the lock was not had in time
    retry.record(cfg, cfg.profiles["a"], unhealthy("rate-limited", "429 in claude", source="run"), {})
    err = capsys.readouterr().err
    assert "the health cache stayed locked" in err and "not recorded: a 429 in claude" in err, err


def test_predict_mode_never_probes_writes_or_notifies(isolated_env, fake_server, monkeypatch):
    from claude_failover import cache, chooser, config, notify, probes, secret
    from claude_failover.verdict import healthy, unhealthy

    two_routes(isolated_env, fake_server.url, "/bin/true")
    monkeypatch.setenv("KEY_A", KEY)
    monkeypatch.setenv("KEY_B", KEY)
    cfg = config.load(str(isolated_env.config_file))
    cold = chooser.predict(cfg)
    assert cold.decision is None and cold.would_probe == ["a", "b"] and cold.error is None
    def fill(data):  # what a launch learns (written directly: a probe under load may time out)
        cache.record(data, "a", cfg.profiles["a"].fingerprint(), unhealthy("auth-invalid"))
        cache.record(data, "b", cfg.profiles["b"].fingerprint(), healthy())

    cache.update(fill)
    for name, module, attr in (("probe", probes, "run"), ("write", cache, "update"),
                               ("notify", notify, "route_changed"), ("secret", secret, "require")):
        monkeypatch.setattr(module, attr, lambda *a, _n=name, **k: pytest.fail(f"predict mode did {_n}"))
    warm = chooser.predict(cfg)
    assert warm.decision.profile.name == "b" and warm.decision.fallback and warm.would_probe == []
    assert warm.decision.verdicts["a"].reason == "auth-invalid" and warm.decision.secret is None
