"""The published report: real reports validate against the JSON Schema; CSV, atomic writes and tables."""

from __future__ import annotations

import copy
import csv
import io
import json

import jsonschema
import pytest
from rich.console import Console

from activation_lab.cli.tables import detail_table, summary_table
from activation_lab.grading.grade import grade_path
from activation_lab.reports.report import (
    SCHEMA_PATH,
    grades_csv,
    read_report,
    report_to_json,
    without_volatile,
    write_atomic,
)

ALL_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def real_reports(tmp_path_factory, reference_sources, grading_context) -> list[dict]:
    """Reports of every shape: full marks, partial with missing files and a broken file, quiz, unreadable."""
    root = tmp_path_factory.mktemp("reports")
    (root / "full").mkdir()
    for name in ALL_FILES:
        (root / "full" / name).write_text(reference_sources[name])
    (root / "partial").mkdir()
    (root / "partial" / "step.py").write_text("def step(x):\n    return x > 0\n")
    (root / "partial" / "tanh.py").write_text("def tanh(x)\n")
    first_item = grading_context.quizzes[0].items[0].id if grading_context.quizzes else "x"
    (root / "partial" / "answers.yaml").write_text(f"{first_item}: b\n")
    paths = [root / "full", root / "partial", root / "missing-folder"]
    return [report_to_json(grade_path(path, grading_context), "en") for path in paths]


def test_real_reports_validate_against_the_schema(validator, real_reports) -> None:
    for report in real_reports:
        errors = sorted(validator.iter_errors(report), key=str)
        assert not errors, f"{report['submission']}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_reports_cover_every_status(real_reports) -> None:
    statuses = {r["status"] for r in real_reports}
    exercise_statuses = {e["status"] for r in real_reports for e in r["exercises"]}
    assert statuses == {"graded", "error"}
    assert {"graded", "missing", "error"} <= exercise_statuses


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        pytest.param(lambda r: r.pop("quiz"), "quiz", id="quiz-required"),
        pytest.param(lambda r: r.update(status="ok"), "status", id="unknown-status"),
        pytest.param(lambda r: r.update(schema_version=2), "schema_version", id="other-version"),
        pytest.param(lambda r: r["exercises"][0].update(status="skipped"), "status", id="exercise-status"),
        pytest.param(lambda r: r["exercises"][0]["tests"][0].pop("hidden"), "hidden", id="test-hidden"),
        pytest.param(lambda r: r.update(score=-1), "score", id="negative-score"),
    ],
)
def test_the_schema_rejects_what_the_contract_forbids(validator, real_reports, mutate, where) -> None:
    report = json.loads(json.dumps(real_reports[0]))
    mutate(report)
    errors = list(validator.iter_errors(report))
    assert errors and any(where in (str(e.message) + str(list(e.absolute_path))) for e in errors)


def test_scores_add_up(real_reports) -> None:
    for report in real_reports:
        exercises = sum(e["score"] for e in report["exercises"])
        quiz = report["quiz"]["score"] if report["quiz"] else 0
        assert report["score"] == pytest.approx(exercises + quiz)
        for exercise in report["exercises"]:
            if exercise["tests"]:
                assert exercise["score"] == pytest.approx(sum(t["score"] for t in exercise["tests"]))


def test_hidden_tests_never_show_expected_values(real_reports) -> None:
    hidden = [t for r in real_reports for e in r["exercises"] for t in e["tests"] if t["hidden"]]
    assert hidden
    assert not [t for t in hidden if "Expected" in t["feedback"] or "expected:" in t["feedback"].lower()]


def test_grades_csv_has_one_row_per_report_by_name_with_a_column_per_part(
    real_reports, grading_context
) -> None:
    text = grades_csv(real_reports, ["c2f", "sigmoid", "step", "tanh", "relu", "plots"])
    rows = {r["submission"]: r for r in csv.DictReader(io.StringIO(text))}
    assert list(rows) == sorted(r["submission"] for r in real_reports)
    quiz_max = sum(quiz.max_score for quiz in grading_context.quizzes)
    fixed = f"{60 + quiz_max:g}"
    # The maximum is the course's, the same for all: "full" has no answers.yaml, so its quiz part is 0.
    assert rows["full"]["quiz"] == "" and rows["full"]["code"] == "50" and rows["full"]["plots"] == "10"
    assert rows["full"]["total"] == "60"
    assert (
        rows["full"]["max_total"]
        == rows["partial"]["max_total"]
        == rows["missing-folder"]["max_total"]
        == fixed
    )
    assert rows["partial"]["tanh"] == "0" and rows["partial"]["c2f"] == "0"
    assert rows["missing-folder"]["status"] == "error" and rows["missing-folder"]["c2f"] == ""


def test_a_missing_part_scores_zero_with_status_missing(real_reports) -> None:
    full = next(r for r in real_reports if r["submission"] == "full")
    parts = {p["id"]: p for p in full["parts"]}
    assert (
        parts["quiz"]["status"] == "missing"
        and parts["quiz"]["score"] == 0
        and parts["quiz"]["max_score"] > 0
    )
    graded = {"status": "graded", "counted": True}
    assert parts["code"] == {"id": "code", "score": 50, "max_score": 50, **graded}
    assert parts["plots"] == {"id": "plots", "score": 10, "max_score": 10, **graded}
    assert full["max_score"] == sum(p["max_score"] for p in full["parts"] if p["counted"])


def test_write_atomic_replaces_whole_files_and_leaves_no_temporary(tmp_path) -> None:
    target = tmp_path / "r.json"
    write_atomic(target, '{"old": 1}')
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, '{"new": "\udcff"}')  # a lone surrogate fails half-way through the write
    assert target.read_text() == '{"old": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"schema_version": 1, "submission": "a"', id="truncated"),
        pytest.param("[]", id="not-an-object"),
        pytest.param('{"schema_version": 2, "submission": "a"}', id="other-version"),
        pytest.param("\xff\xfe", id="not-utf8"),
    ],
)
def test_read_report_refuses_incomplete_files(tmp_path, text) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(text.encode("latin-1"))
    assert read_report(path) is None


def test_without_volatile_drops_timing_at_every_level() -> None:
    data = {"a": 1, "timing": 2, "tests": [{"duration": 3, "b": 4}]}
    assert without_volatile(data) == {"a": 1, "tests": [{"b": 4}]}


def test_tables_render_in_both_languages(real_reports) -> None:
    for lang, word in (("en", "total"), ("ko", "총점")):
        console = Console(record=True, width=160)
        console.print(summary_table(real_reports, ["c2f", "sigmoid", "step", "tanh", "relu"], lang))
        console.print(detail_table(real_reports[1], lang))
        text = console.export_text()
        assert word in text and "partial" in text and "missing-folder" in text


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "Every test passed."), ("ko", "모든 테스트를 통과했습니다.")]
)
def test_detail_table_of_full_marks_says_so_instead_of_staying_empty(real_reports, lang, text) -> None:
    console = Console(record=True, width=160)
    console.print(detail_table(real_reports[0], lang))
    assert text in console.export_text()
    console = Console(record=True, width=160)
    console.print(detail_table(real_reports[1], lang))
    assert text not in console.export_text()


def test_detail_table_shows_advice_of_passed_tests(real_reports) -> None:
    report = copy.deepcopy(real_reports[0])
    test = report["exercises"][1]["tests"][0]
    test.update(hints=["overflow_advice"], feedback="Advice (no points deducted): use np.exp(-abs(x))")
    console = Console(record=True, width=200)
    console.print(detail_table(report, "en"))
    text = console.export_text()
    assert "Advice (no points deducted)" in text and "Every test passed." not in text
