"""The plug-in's core without the services: payload validation and the reply HTML a student sees."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from lxml import etree

from activation_lab.course import load_course
from activation_lab.i18n import Message, message, render
from activation_lab.integrations.openedx.payload import PayloadError, parse_payload, payload_for
from activation_lab.integrations.openedx.response import MSG_LIMIT, render_result, response_from_result
from activation_lab.records import CheckOutcome, ExerciseResult

REPO = Path(__file__).resolve().parents[1]
COURSE = load_course(REPO)


def _payload(**fields) -> str:
    return json.dumps(
        {"grader": "activation-lab", "exercise": "relu", "lang": "ko", "course_version": "1", **fields}
    )


def test_exported_payload_round_trips():
    for spec in COURSE.exercises:
        for lang in ("ko", "en"):
            payload = payload_for(COURSE, spec.id, lang)
            assert parse_payload(json.dumps(payload.to_json()), COURSE) == payload


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        pytest.param(None, "empty", id="none"),
        pytest.param("  ", "empty", id="blank"),
        pytest.param("{", "not JSON", id="broken-json"),
        pytest.param("[1]", "JSON object", id="list"),
        pytest.param(_payload(grader="other"), "serves 'activation-lab'", id="other-grader"),
        pytest.param(_payload(exercise="softmax"), "c2f, sigmoid", id="unknown-exercise"),
        pytest.param(_payload(exercise=3), "'exercise' must be a non-empty string", id="exercise-not-string"),
        pytest.param(_payload(lang="fr"), "lang must be one of ko, en", id="bad-lang"),
        pytest.param(_payload(course_version=""), "'course_version'", id="empty-version"),
        pytest.param(_payload(points=10), "unknown field(s) 'points'", id="unknown-field"),
    ],
)
def test_bad_payload_is_an_author_error_naming_the_field(text, needle):
    with pytest.raises(PayloadError, match=None) as caught:
        parse_payload(text, COURSE)
    assert needle in str(caught.value)


def _text(text: str) -> Message:
    return Message.text({"": text})  # the same text in every language


def _result(*tests: CheckOutcome, status: str = "graded", notes: tuple[str, ...] = ()) -> ExerciseResult:
    score = sum(t.score for t in tests)
    return ExerciseResult(
        id="relu", score=score, max_score=10.0, status=status, tests=tests, notes=tuple(map(_text, notes))
    )


def _check(
    name: str, passed: bool, *, hidden: bool = False, feedback: str = "", points: float = 1.0, hints=()
):
    return CheckOutcome(
        name=_text(name),
        score=points if passed else 0.0,
        max_score=points,
        status="passed" if passed else "failed",
        hidden=hidden,
        feedback=_text(feedback) if feedback else None,
        hints=hints,
    )


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_reply_is_one_xml_root_in_the_problem_language(lang):
    result = _result(
        _check("relu(-1) = 0", False, feedback="Checked: relu(-1)\nExpected: 0\nGot: -1"),
        _check("relu keeps the shape", True),
    )
    reply = response_from_result(result, lang)
    root = etree.fromstring(reply.msg)  # capa accepts a grader msg that parses as XML
    assert root.tag == "div" and root.get("lang") == lang
    assert message("openedx", "reply.failed", lang) in reply.msg
    assert message("openedx", "reply.passed", lang) in reply.msg
    assert reply.score == 0.1 and reply.correct is False
    assert reply.tests[0][:3] == ("relu(-1) = 0", "Checked: relu(-1)\nExpected: 0\nGot: -1", False)


def test_hidden_test_is_labelled_and_shows_only_its_feedback():
    hidden = _check(
        "relu on random inputs", False, hidden=True, feedback="Checked: relu(x)\n3 of 80 values differ"
    )
    msg = render_result(_result(hidden), "en")
    assert message("openedx", "reply.hidden_test", "en") in msg
    assert "Expected" not in msg  # hidden suites' feedback never carries expected values; nothing adds them


def test_student_text_is_escaped():
    evil = "<script>x</script><img src=x onerror=alert(1)> & ]]>"
    msg = render_result(_result(_check(evil, False, feedback=evil), status="error", notes=(evil,)), "en")
    root = etree.fromstring(msg)
    assert root.find(".//script") is None and root.find(".//img") is None
    assert evil in "".join(root.itertext())


def test_many_long_failures_stay_under_the_limit():
    tests = [_check(f"check {i}", False, feedback=f"{i}: " + "x" * 5000, points=0.1) for i in range(200)]
    reply = response_from_result(_result(*tests), "ko")
    assert len(reply.msg) <= MSG_LIMIT
    assert message("openedx", "reply.truncated", "ko") in reply.msg
    etree.fromstring(reply.msg)


def test_full_marks_is_correct_and_score_is_a_fraction():
    reply = response_from_result(_result(*[_check(f"c{i}", True, points=2.5) for i in range(4)]), "en")
    assert reply.correct is True and reply.score == 1.0 and reply.points == 10.0


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_named_mistake_is_listed_once_at_the_top(lang):
    from activation_lab.grading.checks import hint_message

    hint = render(hint_message("exp_sign"), lang)
    line = message("feedback", "label.hint", lang, text=hint)
    tests = [
        _check(f"check {i}", False, hidden=bool(i), feedback=f"Checked: {i}\n{line}", hints=("exp_sign",))
        for i in range(3)
    ]
    msg = render_result(_result(*tests), lang)
    assert msg.count(html.escape(hint)) == 1
    assert msg.index(html.escape(hint)) < msg.index(message("openedx", "reply.failed", lang))
    assert all(f"Checked: {i}" in msg for i in range(3))


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        pytest.param("def relu(x):\n    return x\x00\n", "UTF-8 텍스트로 저장하세요", id="binary"),
        pytest.param("# " + "a" * (2 << 20), "보다 커서 읽지 않았습니다", id="too-large"),
    ],
)
def test_unreadable_answer_scores_zero_and_says_why(answer, why):
    from activation_lab.grading import make_context
    from activation_lab.integrations.openedx.response import grade_response

    reply = grade_response(answer, payload_for(COURSE, "relu", "ko"), make_context(REPO))
    assert reply.score == 0.0 and reply.correct is False
    assert any(why in error for error in reply.errors) and why in reply.msg
    assert "하나도 찾지 못해" not in reply.msg  # the folder-only "no exercise file at all" note is left out
