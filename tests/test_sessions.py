"""Session transcripts: found under the config dir the environment selects, carried to another one."""

from __future__ import annotations

import os
import stat

from claude_failover import sessions

SID = "0b6f1c1e-0000-4000-8000-000000000001"


def write_transcript(root, sid=SID, body=b'{"type":"user"}\n'):
    path = root / "projects" / "-work-demo" / f"{sid}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def test_has_work_reads_the_selected_config_dir(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_transcript(one, body=b'{"type":"assistant","content":[{"type":"tool_use"}]}\n')
    write_transcript(two)
    assert sessions.has_work({"CLAUDE_CONFIG_DIR": str(one)}, SID)
    assert not sessions.has_work({"CLAUDE_CONFIG_DIR": str(two)}, SID)
    assert not sessions.has_work({"CLAUDE_CONFIG_DIR": str(tmp_path / "none")}, SID)


def test_carry_copies_to_the_same_relative_path_privately(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    original = write_transcript(src, body=b"line\n")
    assert sessions.carry(SID, {"CLAUDE_CONFIG_DIR": str(src)}, {"CLAUDE_CONFIG_DIR": str(dst)})
    copied = dst / original.relative_to(src)
    assert copied.read_bytes() == b"line\n"
    assert stat.S_IMODE(os.stat(copied).st_mode) == 0o600


def test_carry_never_replaces_what_the_target_has(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    write_transcript(src, body=b"old\n")
    kept = write_transcript(dst, body=b"newer\n")
    assert sessions.carry(SID, {"CLAUDE_CONFIG_DIR": str(src)}, {"CLAUDE_CONFIG_DIR": str(dst)})
    assert kept.read_bytes() == b"newer\n"


def test_carry_within_one_config_dir_copies_nothing(tmp_path):
    write_transcript(tmp_path / "c")
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path / "c")}
    assert sessions.carry(SID, env, dict(env))
    assert not sessions.carry("no-such-session", env, {"CLAUDE_CONFIG_DIR": str(tmp_path / "d")})
    assert not (tmp_path / "d").exists()
