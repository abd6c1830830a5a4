"""The roster, grades.csv's stable order, and the gradebook exports (docs/gradebook.md)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from activation_lab.cli.main import main
from activation_lab.errors import UsageError
from activation_lab.reports.gradebook import (
    ExportOptions,
    export_text,
    gradebook_rows,
    grades_table,
)
from activation_lab.reports.roster import match_roster, parse_roster, roster_problems

ROSTER = """\ufeffid,name,email,submission,username
1001,김민수,kim@example.ac.kr,minsu*,kim_m
1002,Lee Seoyeon,lee@example.ac.kr,,lee_s
1003,박지훈,park@example.ac.kr,jihoon*,park_j
"""


def _report(name: str, score: float, quiz: float | None = None, kind: str | None = None) -> dict:
    parts = [
        {"id": "code", "score": score, "max_score": 50.0, "status": "graded", "counted": True},
        {
            "id": "quiz",
            "score": quiz or 0.0,
            "max_score": 43.0,
            "status": "missing" if quiz is None else "graded",
            "counted": True,
        },
    ]
    return {
        "submission": name,
        "status": "error" if kind else "graded",
        "score": score + (quiz or 0.0),
        "max_score": 93.0,
        "exercises": [] if kind else [{"id": "relu", "score": score}],
        "quiz": None if quiz is None else {"score": quiz, "max_score": 43.0, "items": []},
        "error_kind": kind,
        "parts": parts,
    }


def test_roster_reads_bom_korean_names_and_extra_columns() -> None:
    students = parse_roster(ROSTER)
    assert [s.id for s in students] == ["1001", "1002", "1003"]
    assert students[0].name == "김민수" and students[0].extra == {"username": "kim_m"}
    assert students[1].pattern == "1002"  # an empty pattern means the id


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("id,name\n1,a\n", "lacks the column(s) email", id="no-email-column"),
        pytest.param("id,name,email\n,a,b\n", "line 2: the id is empty", id="empty-id"),
        pytest.param(
            "id,name,email\n1,a,b\n1,c,d\n", "line 3: the id '1' is also on line 2", id="duplicate-id"
        ),
        pytest.param("id,name,email\n", "lists no student", id="empty"),
    ],
)
def test_a_malformed_roster_is_a_usage_error_naming_the_line(text, message) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_roster(text)


def test_matching_reports_unmatched_ambiguous_duplicate_and_absent_students() -> None:
    students = parse_roster("id,name,email,submission\n1,A,a@x,al*\n2,B,b@x,alb*\n3,C,c@x,c*\n4,D,d@x,d*\n")
    match = match_roster(students, ["alice", "albert", "carl", "cora", "zed"])
    assert match.by_student == {"1": "alice"}
    assert match.ambiguous == {"albert": ("1", "2")}
    assert match.duplicates == {"3": ("carl", "cora")}
    assert match.unmatched == ("zed",)
    assert [s.id for s in match.without_submission] == ["2", "4"]
    problems = roster_problems(match)
    assert "unmatched submission: zed" in problems and "no submission: 4 D <d@x>" in problems


def test_rows_follow_the_roster_then_unclaimed_submissions_by_name() -> None:
    students = parse_roster(ROSTER)
    reports = [_report("zeta", 1), _report("Jihoon_final", 30, 40), _report("minsu", 50), _report("alpha", 2)]
    rows = gradebook_rows(reports, match_roster(students, [r["submission"] for r in reports]))
    assert [
        (r.student.id if r.student else None, r.report["submission"] if r.report else None) for r in rows
    ] == [
        ("1001", "minsu"),
        ("1002", None),
        ("1003", "Jihoon_final"),
        (None, "alpha"),
        (None, "zeta"),
    ]
    table = grades_table(rows, ["relu"], roster=True)
    assert table[0] == [
        "submission",
        "student_id",
        "name",
        "email",
        "relu",
        "quiz",
        "code",
        "total",
        "max_total",
        "status",
    ]
    assert table[2][1:3] == ["1002", "Lee Seoyeon"] and table[2][-1] == "no_submission"


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def rows():
    students = parse_roster(ROSTER)
    reports = [_report("minsu", 50, 43), _report("jihoon", 0, kind="grader")]
    return gradebook_rows(reports, match_roster(students, ["minsu", "jihoon"]))


def test_exports_have_the_documented_columns(rows) -> None:
    options = ExportOptions(
        assignment="Lab 1", openedx_course_id="course-v1:X+AL+2026", openedx_subsection="abcd1234"
    )
    canvas = _csv(export_text("canvas", rows, ["relu"], options, 93))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "93"]
    assert canvas[2] == ["김민수", "1001", "", "", "", "93"]
    # no submission, and a grader fault, leave the gradebook cell blank rather than recording a zero
    assert canvas[3][-1] == "" and canvas[4][-1] == ""
    openedx = _csv(export_text("openedx", rows, ["relu"], options, 93))
    assert openedx[0][:6] == ["user_id", "username", "student_key", "course_id", "track", "cohort"]
    assert openedx[0][-1] == "new_override-abcd1234"
    assert (
        openedx[1][0:2] == ["1001", "kim_m"]
        and openedx[1][3] == "course-v1:X+AL+2026"
        and openedx[1][-1] == "93"
    )
    moodle = _csv(export_text("moodle", rows, ["relu"], options, 93))
    assert (
        moodle[0] == ["ID number", "Email address", "Full name", "Lab 1"]
        and moodle[1][1] == "kim@example.ac.kr"
    )
    gradescope = _csv(export_text("gradescope", rows, ["relu"], options, 93))
    assert gradescope[0] == ["Name", "SID", "Email", "Total Score"] and gradescope[1] == [
        "김민수",
        "1001",
        "kim@example.ac.kr",
        "93",
    ]


def test_the_spreadsheet_export_starts_with_a_bom_unless_told_not_to(rows) -> None:
    text = export_text("spreadsheet", rows, ["relu"], ExportOptions(), 93)
    assert text.startswith("\ufeffsubmission,student_id,")
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    plain = export_text("spreadsheet", rows, ["relu"], ExportOptions(bom=False), 93)
    assert plain.startswith("submission,")


def test_lms_exports_need_a_roster_and_openedx_needs_its_ids() -> None:
    rows = gradebook_rows([_report("a", 1)])
    with pytest.raises(UsageError, match="needs --roster"):
        export_text("canvas", rows, [], ExportOptions(), 93)
    with pytest.raises(UsageError, match="--openedx-course-id"):
        export_text("openedx", rows, [], ExportOptions(), 93)


def test_regrading_one_student_keeps_every_row_in_place(tmp_path, write_submission, capsys) -> None:
    classroom = tmp_path / "class"
    for name in ("minsu", "jihoon", "1002"):
        write_submission(name, reference=("relu.py",), parent=classroom)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade", str(classroom), "--out", str(out), "--roster", str(roster), "--jobs", "1"]) == 0
    first = (out / "grades.csv").read_text(encoding="utf-8")
    assert [r[0] for r in _csv(first)[1:]] == ["minsu", "1002", "jihoon"]  # roster order, not name order
    # Regrade the last student (new content) without --roster: the kept copy decides the order.
    (classroom / "jihoon" / "relu.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    assert main(["grade", str(classroom / "jihoon"), "--out", str(out), "--jobs", "1"]) == 0
    again = _csv((out / "grades.csv").read_text(encoding="utf-8"))
    assert [r[0] for r in again[1:]] == ["minsu", "1002", "jihoon"]
    assert again[1] == _csv(first)[1] and again[3] != _csv(first)[3]
    capsys.readouterr()


def _results_folder(tmp_path) -> tuple:
    out = tmp_path / "out"
    out.mkdir()
    for name, score in (("minsu", 50.0), ("jihoon", 20.0), ("stranger", 5.0)):
        report = {"schema_version": 1, **_report(name, score)}
        (out / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    return out, roster


def test_the_gradebook_command_rebuilds_exports_without_regrading(tmp_path, capsys) -> None:
    out, roster = _results_folder(tmp_path)
    args = [
        "gradebook",
        str(out),
        "--roster",
        str(roster),
        "--gradebook",
        "canvas,moodle",
        "--gradebook",
        "openedx",
        "--openedx-course-id",
        "course-v1:X+AL+2026",
        "--openedx-subsection",
        "abcd1234",
    ]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "roster: unmatched submission: stranger" in err and "roster: no submission: 1002" in err
    assert (out / "roster-check.txt").read_text(encoding="utf-8").splitlines() == [
        "unmatched submission: stranger",
        "no submission: 1002 Lee Seoyeon <lee@example.ac.kr>",
    ]
    canvas = _csv((out / "gradebook-canvas.csv").read_text(encoding="utf-8"))
    assert [row[1] for row in canvas[2:]] == ["1001", "1002", "1003"] and canvas[2][-1] == "50"
    grades = _csv((out / "grades.csv").read_text(encoding="utf-8"))
    assert [row[0] for row in grades[1:]] == ["minsu", "", "jihoon", "stranger"]
    assert (out / "gradebook-openedx.csv").is_file() and (out / "gradebook-moodle.csv").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--gradebook", "excel"], "unknown --gradebook format 'excel'", id="unknown-format"),
        pytest.param(["--gradebook", "openedx"], "--openedx-course-id", id="openedx-without-ids"),
        pytest.param(["--roster", "nowhere.csv"], "roster not found", id="roster-not-found"),
    ],
)
def test_gradebook_usage_errors_exit_2(tmp_path, capsys, extra, message) -> None:
    out, roster = _results_folder(tmp_path)
    args = ["gradebook", str(out), *(["--roster", str(roster)] if "--roster" not in extra else []), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_roster_that_is_not_utf8_is_refused_before_grading(tmp_path, capsys) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("id,name,email\n1,김민수,a@b\n".encode("cp949"))
    assert (
        main(["grade", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"), "--roster", str(roster)])
        == 2
    )
    assert "not UTF-8" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing was graded or written


def test_roster_gradebook_and_report_need_out(tmp_path, capsys) -> None:
    assert main(["grade", str(tmp_path), "--report"]) == 2
    assert "need --out" in capsys.readouterr().err
