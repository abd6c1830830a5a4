"""The report's shortcuts write exactly what the long way writes (issue 9).

A batch renders, serialises and stores a report per submission; what is the same in every report of a class
(a passed test's JSON, its text, its stored data; a catalogue's template) is made once per worker. Each
shortcut is checked here against the computation it replaces: fresh records (no shared identity, so nothing
remembered applies), ``json.dumps``, and the catalogue read key by key.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from activation_lab.grading.grade import grade_path
from activation_lab.i18n import LANGUAGES, Message, load_catalog, message, render
from activation_lab.records import CheckOutcome, ExerciseResult, SubmissionReport
from activation_lab.reports.report import dumps_report, report_to_json
from activation_lab.reports.stored import dumps_records, report_data, report_from_data

REPO = Path(__file__).resolve().parents[1]


def _standard(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _records_standard(report: SubmissionReport) -> str:
    return json.dumps(report_data(report), ensure_ascii=False) + "\n"


def _ordered(data: object) -> str:
    """The data with its keys in order: equal dicts in another key order give another text."""
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture(scope="module")
def demo_reports(grading_context) -> list[SubmissionReport]:
    """The demo class graded once: passed, failed, missing and broken exercises, quizzes, unreadable files."""
    folder = REPO / "examples" / "submissions"
    paths = sorted(p for p in folder.iterdir() if not p.name.startswith((".", "R")))
    assert len(paths) >= 10
    return [grade_path(path, grading_context) for path in paths]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_class_renders_as_fresh_records_render(demo_reports, lang) -> None:
    for _ in range(2):  # the second time every passed test is one remembered
        for report in demo_reports:
            fresh = copy.deepcopy(report)  # new titles: nothing remembered applies to them
            data = report_to_json(report, lang)
            assert _ordered(data) == _ordered(report_to_json(fresh, lang)), report.submission
            assert dumps_report(data) == _standard(data), report.submission
            assert dumps_records(report) == _records_standard(fresh), report.submission
            assert report_from_data(json.loads(dumps_records(report))) == report


def test_the_demo_class_has_passed_tests_to_remember(demo_reports) -> None:
    tests = [test for report in demo_reports for exercise in report.exercises for test in exercise.tests]
    passed = [test for test in tests if test.feedback is None and not test.hints]
    assert len(passed) > len({id(t.name) for t in passed})  # the same suite's titles in several reports


def test_a_remembered_test_is_a_new_dict_in_every_report(demo_reports) -> None:
    report = next(r for r in demo_reports if r.status == "graded" and r.exercises[0].tests)
    first = report_to_json(report, "en")
    test = first["exercises"][0]["tests"][0]
    test["hints"].append("changed")
    test["name"] = "changed"
    again = report_to_json(report, "en")
    assert again["exercises"][0]["tests"][0] is not test
    assert _ordered(again) == _ordered(report_to_json(copy.deepcopy(report), "en"))


TITLE = Message.text({"en": "A title", "ko": "제목"})
SAME_TITLE = Message.text({"en": "A title", "ko": "제목"})  # equal, not the same object
OTHER_TITLE = Message.text({"en": "Another", "ko": "다른"})
CHECKED = Message("feedback", "label.checked", {"call": "f(1)"})


def _outcome(score: float, max_score: float = 2.0, **fields: object) -> CheckOutcome:
    values: dict[str, object] = {"name": TITLE, "score": score, "max_score": max_score, "status": "passed"}
    values["hidden"] = False
    values.update(fields)
    return CheckOutcome(**values)  # type: ignore[arg-type]


def _report(*tests: CheckOutcome) -> SubmissionReport:
    exercise = ExerciseResult(id="c2f", score=1.0, max_score=2.0, status="graded", tests=tests)
    return SubmissionReport(submission="s", status="graded", score=1.0, max_score=2.0, exercises=(exercise,))


# values equal as keys that write differently: each pair in both orders, so one is remembered first
LOOK_ALIKE = [
    pytest.param(_outcome(1.0), _outcome(1), id="float-and-int-score"),
    pytest.param(_outcome(1.0, 2.0), _outcome(1.0, 2), id="float-and-int-maximum"),
    pytest.param(_outcome(0.0), _outcome(-0.0), id="signed-zero-score"),
    pytest.param(_outcome(1.0, 0.0), _outcome(1.0, -0.0), id="signed-zero-maximum"),
    pytest.param(_outcome(1.0), _outcome(1.0, hidden=1), id="bool-and-int-hidden"),
    pytest.param(_outcome(math.nan), _outcome(math.nan), id="nan"),
    pytest.param(_outcome(1.0), _outcome(1.0, hints=("ambiguous_truth",)), id="with-a-hint"),
    pytest.param(_outcome(1.0), _outcome(1.0, feedback=CHECKED), id="feedback"),
    pytest.param(_outcome(1.0), _outcome(1.0, name=SAME_TITLE), id="equal-title"),
    pytest.param(_outcome(1.0), _outcome(1.0, name=OTHER_TITLE), id="other-title"),
]


@pytest.mark.parametrize(("one", "other"), LOOK_ALIKE)
def test_look_alike_tests_are_each_written_as_themselves(one, other) -> None:
    for first, second in ((one, other), (other, one)):
        for outcome in (first, second, first):
            report = _report(outcome)
            fresh = copy.deepcopy(report)
            for lang in LANGUAGES:
                data = report_to_json(report, lang)
                assert _ordered(data) == _ordered(report_to_json(fresh, lang))
                assert dumps_report(data) == _standard(data)
            assert dumps_records(report) == _records_standard(fresh)


CHECK = {
    "name": "n",
    "score": 1.0,
    "max_score": 2.0,
    "status": "passed",
    "hidden": False,
    "feedback": "",
    "hints": [],
}


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(CHECK, id="a-passed-test"),
        pytest.param(dict(CHECK, hints=["a", "ü\n"]), id="hints"),
        pytest.param(dict(CHECK, score=-0.0), id="negative-zero"),
        pytest.param(dict(CHECK, score=0.0), id="zero"),
        pytest.param(dict(CHECK, score=1), id="int-score"),
        pytest.param(dict(CHECK, hidden=0), id="int-hidden"),
        pytest.param(dict(CHECK, score=math.inf, max_score=math.nan), id="non-finite"),
        pytest.param(dict(CHECK, name='시그모이드 "q" \\ \u2028'), id="text"),
        pytest.param(dict(CHECK, feedback=None), id="null-feedback"),
        pytest.param(dict(CHECK, hints=[1, None]), id="other-hints"),
        pytest.param({k: CHECK[k] for k in reversed(CHECK)}, id="other-order"),
        pytest.param(dict({k: v for k, v in CHECK.items() if k != "status"}, extra="x"), id="other-keys"),
        pytest.param(dict(CHECK, name=type("S", (str,), {})("sub")), id="str-subclass"),
    ],
)
def test_a_test_dict_is_written_as_json_dumps_writes_it(check) -> None:
    for depth in ({"tests": [check]}, [[check]], check):
        for _ in range(2):  # written, then remembered
            try:
                expected = _standard(depth)
            except TypeError:
                continue
            assert dumps_report(depth) == expected


def test_many_keys_and_depths_are_written_past_what_is_remembered() -> None:
    wide = {f"k{i}": i for i in range(600)}
    deep: object = "x"
    for i in range(40):
        deep = {f"d{i}": deep, "w": [wide] if i % 10 == 0 else []}
    assert dumps_report(deep) == _standard(deep)
    assert dumps_report(wide) == _standard(wide)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_message_renders_as_message_renders_it(lang) -> None:
    for domain in ("feedback", "grading"):
        for key, entry in load_catalog(domain).items():
            names = {name for text in entry.values() for name in _placeholders(text)}
            params = {name: "값" if i % 2 else 3 for i, name in enumerate(sorted(names))}
            try:
                expected = message(domain, key, lang, **params)
            except (KeyError, IndexError, ValueError):
                continue  # a placeholder of another form ({x[0]}, {x:.3f}): render's fallback text
            assert render(Message(domain, key, params), lang) == expected, (domain, key)


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


@pytest.mark.parametrize(
    ("translations", "lang", "expected"),
    [
        pytest.param({"en": "E", "ko": "K"}, "ko", "K", id="asked"),
        pytest.param({"en": "E"}, "ko", "E", id="english-fallback"),
        pytest.param({"en": 3, "ko": 4}, "ko", "3", id="numbers-only"),
        pytest.param({"ko": 4, "en": "E"}, "ko", "E", id="a-number-then-english"),
        pytest.param({"": "any"}, "en", "any", id="no-language"),
        pytest.param({}, "en", "", id="empty"),
    ],
)
def test_a_course_text_renders_in_the_language_asked_else_a_fallback(translations, lang, expected) -> None:
    assert render(Message.text(translations), lang) == expected


def test_an_unknown_catalogue_key_still_renders_its_values() -> None:
    text = render(Message("feedback", "no.such.key", {"x": 1}), "ko")
    assert text.startswith("[feedback:no.such.key: KeyError]") and "x=1" in text
