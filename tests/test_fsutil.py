"""fsutil: the one atomic write; a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat

import pytest

from activation_lab.fsutil import replacing, write_atomic


def test_text_and_bytes_are_written_whole_with_parents_created(tmp_path) -> None:
    target = tmp_path / "a" / "b" / "report.json"
    write_atomic(target, "한국어 ✓\n")
    assert target.read_text(encoding="utf-8") == "한국어 ✓\n"
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary file left


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path) -> None:
    target = tmp_path / "grades.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half of the new", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_results_are_shared_by_the_umask_and_answers_can_be_private(tmp_path) -> None:
    shared, private = tmp_path / "shared.json", tmp_path / "answers.yaml"
    umask = os.umask(0o022)
    os.umask(umask)
    write_atomic(shared, "{}")
    write_atomic(private, "a: 1\n", mode=0o600)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
