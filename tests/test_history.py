"""history.py (the append-only switch log) and `ctl history`."""

from __future__ import annotations

import json
import stat
import time

import pytest

from claude_failover import history
from tests.launch import ctl


def test_append_and_read(isolated_env):
    now = time.time()
    assert history.append_switch("max", "work-key", "5-hour limit · resets 9:48am (UTC)", "fallback",
                                 until=now + 7200, at=now - 100)
    assert not history.append_switch("max", "work-key", "again", "fallback", at=now - 50)   # no change
    assert history.append_switch("work-key", "max", "5-hour limit reset", "back", at=now)
    entries = history.read()
    assert [(e["from"], e["to"], e["kind"]) for e in entries] == [("max", "work-key", "fallback"),
                                                                  ("work-key", "max", "back")]
    assert entries[0]["until"] == pytest.approx(now + 7200)
    assert history.read(since=now - 10) == entries[1:]
    path = isolated_env.state_dir / "history.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bad_lines_are_skipped(isolated_env):
    history.append_switch(None, "max", "first launch", at=1.0)
    path = isolated_env.state_dir / "history.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"to": 3}\nnot json\n{"at": true, "to": "x"}\n\xff\xfe\n')
    history.append_switch("max", "key", "expired login", "fallback", at=2.0)
    assert [e["to"] for e in history.read()] == ["max", "key"]


def test_bounded_size(isolated_env, monkeypatch):
    monkeypatch.setattr(history, "MAX_BYTES", 4096)
    for i in range(400):
        assert history.append_switch(f"r{i}", f"r{i + 1}", "x" * 50, at=float(i))
    path = isolated_env.state_dir / "history.jsonl"
    assert path.stat().st_size <= 4096 + 200
    entries = history.read()
    assert entries[-1]["to"] == "r400" and len(entries) > 10
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)


def test_unwritable_state_dir_is_not_an_error(isolated_env, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("CLAUDE_FAILOVER_STATE_DIR", str(blocker / "state"))
    assert history.append_switch("a", "b", "why") is False
    assert history.read() == []


def test_why_is_one_short_line(isolated_env):
    history.append_switch("a", "b", "line one\nline two " + "y" * 500)
    (entry,) = history.read()
    assert "\n" not in entry["why"] and len(entry["why"]) <= history.MAX_WHY


@pytest.mark.parametrize("text,seconds", [("24h", 86400), ("3d", 3 * 86400), ("90m", 5400), ("2", 7200)])
def test_parse_since(text, seconds):
    assert history.parse_since(text) == seconds


def test_ctl_history_timeline(isolated_env, utc):
    now = time.time()
    history.append_switch("max", "work-key", "5-hour limit · resets 9:48am (UTC)", "fallback",
                          until=now - 1800, at=now - 3600)
    history.append_switch("work-key", "max", "5-hour limit reset", "back", at=now - 1700)
    history.append_switch(None, "old", "", at=now - 3 * 86400)
    p = ctl(["history"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "Route switches in the last 24h (local time):"
    assert "old" not in p.stdout
    fallback = next(line for line in lines if "max → work-key" in line)
    assert "fallback: 5-hour limit · resets 9:48am (UTC) (retry max at " in fallback
    assert any("work-key → max" in line and "back: 5-hour limit reset" in line for line in lines)
    assert "old" in ctl(["history", "--since", "4d"]).stdout
    ascii_out = ctl(["history", "--ascii"]).stdout
    assert "max -> work-key" in ascii_out and all(ord(c) < 128 for c in ascii_out)


def test_ctl_history_json_and_empty(isolated_env):
    p = ctl(["history"])
    assert p.returncode == 0 and p.stdout == "No route switches in the last 24h.\n"
    assert json.loads(ctl(["history", "--json"]).stdout) == []
    history.append_switch("max", "key", "expired login", "fallback")
    (entry,) = json.loads(ctl(["history", "--json"]).stdout)
    assert entry["from"] == "max" and entry["to"] == "key" and entry["kind"] == "fallback" and "time" in entry


def test_ctl_history_bad_since(isolated_env):
    p = ctl(["history", "--since", "soon"])
    assert p.returncode == 64 and "--since" in p.stderr and "Traceback" not in p.stderr


def test_ctl_history_never_writes(isolated_env):
    ctl(["history"])
    ctl(["history", "--json"])
    assert not (isolated_env.state_dir / "history.jsonl").exists()
