"""A hostile class, second round (after issue 7's fixes): holes found by red-teaming, one test per class.

Each attack is graded the way an instructor grades a class (the real CLI, the real sandbox, ``--jobs 1``
and ``--jobs 2``) between honest neighbours who must keep full marks; the hostile submission gets its honest
score and a clear message, and the parent stays bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_class import grade_class, honest_submission

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
JOBS = [pytest.param("1", id="jobs1"), pytest.param("2", id="jobs2")]
# A hang guard, not a speed measurement: the attacks below ran for minutes (or until the host ran out of
# memory) before their fixes; honest work takes well under a second.
HANG_GUARD_SECONDS = 120


def _full(report: dict) -> float:
    """Full marks for the code: every exercise of the course at its maximum."""
    return float(sum(e["max_score"] for e in report["exercises"]))


def _neighbours_untouched(reports: dict[str, dict]) -> None:
    for name in ("aaa-honest", "zzz-honest"):
        assert reports[name]["status"] == "graded", reports[name]
        assert reports[name]["score"] == _full(reports[name]), [
            (e["id"], e["score"]) for e in reports[name]["exercises"]
        ]


# ---------------------------------------------------------------------------------------------------------
# Unbounded integer arithmetic in quiz answers (numeric and formula items go through Open edX's evaluator)
# ---------------------------------------------------------------------------------------------------------

INTEGER_BOMBS = ["9^9^9", "9**9**9", "fact(10^7)", "factorial(9^9)", "(99^99)^99^9", "2^1024", "10^400"]


@pytest.mark.parametrize("formula", INTEGER_BOMBS)
def test_an_integer_power_tower_is_refused_at_once_not_computed(formula: str) -> None:
    # In a child process so that, should the bound go, this test fails instead of hanging the suite.
    probe = (
        "from activation_lab.quiz.formulas import FormulaError, evaluate\n"
        "try:\n"
        f"    print(evaluate({formula!r}, {{'x': 0.5}}))\n"
        "except FormulaError as exc:\n"
        "    print(exc.reason)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, check=True
    )
    assert done.stdout.strip() == "formula_not_finite"


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("fact(5)", 120.0),
        ("2^10", 1024.0),
        ("2^-1", 0.5),
        ("0.25^3", 0.015625),
        ("x^2", 0.25),
        ("10^15", 1e15),
    ],
)
def test_ordinary_formulas_keep_their_values_in_floats(formula: str, value: float) -> None:
    from activation_lab.quiz.formulas import evaluate

    assert evaluate(formula, {"x": 0.5}) == value


BIG_INTEGER = str(2**1024)  # a YAML integer beyond every float


# a hang; then grader faults (exit 3, the code's score lost): an int too large for a float from the evaluator,
# from a plain YAML integer, and from a mixed number ("1 111.../3")
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("'9^9^9'", id="power-tower"),
        pytest.param("'2^1024'", id="int-power-beyond-float"),
        pytest.param(BIG_INTEGER, id="yaml-int-beyond-float"),
        pytest.param("'1 " + "1" * 400 + "/3'", id="mixed-number-beyond-float"),
    ],
)
@pytest.mark.parametrize("jobs", JOBS)
def test_a_power_tower_quiz_answer_is_that_students_wrong_answer(tmp_path, capsys, jobs, answer) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    tower = honest_submission(klass, "tower")
    (tower / "answers.yaml").write_text(f"sigmoid-at-zero: {answer}\n", encoding="utf-8")
    honest_submission(klass, "zzz-honest")
    code, reports, _ = grade_class([klass], capsys, "--jobs", jobs)
    assert code == 0
    _neighbours_untouched(reports)
    tower_report = reports["tower"]
    assert tower_report["status"] == "graded" and tower_report["score"] == _full(tower_report)  # code graded
    item = next(i for i in reports["tower"]["quiz"]["items"] if i["id"] == "sigmoid-at-zero")
    assert item["score"] == 0 and item["feedback"], item


# ---------------------------------------------------------------------------------------------------------
# The Open edX plug-in: what a student pastes must give a reply capa can parse, never a grader fault
# ---------------------------------------------------------------------------------------------------------


def _edx_reply(answer: str, exercise: str = "relu", lang: str = "en"):
    from activation_lab.course import load_course
    from activation_lab.grading import make_context
    from activation_lab.integrations.openedx.payload import payload_for
    from activation_lab.integrations.openedx.response import grade_response

    return grade_response(answer, payload_for(load_course(REPO), exercise, lang), make_context(REPO))


CONTROL_TEXT = "a\\x01\\x1b[31m\\x00b\\x0c\\ufffe"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(f"def relu(x):\n    raise ValueError('{CONTROL_TEXT}')\n", id="exception-text"),
        pytest.param(f"raise ImportError('{CONTROL_TEXT}')\n", id="import-error"),
        pytest.param(
            f"class E(Exception):\n    def __str__(self):\n        return '{CONTROL_TEXT}'\n\n"
            "def relu(x):\n    raise E()\n",
            id="hostile-str",
        ),
    ],
)
def test_control_characters_in_feedback_leave_the_reply_well_formed_xml(answer: str) -> None:
    from lxml import etree

    reply = _edx_reply(answer)
    root = etree.fromstring(reply.msg)  # capa parses msg as XML; \x01 or \ufffe made it refuse the reply
    text = "".join(root.itertext())
    assert reply.score == 0.0
    assert "␁" in text and "\x1b" not in text  # shown as visible symbols, as on the instructor's terminal


def test_a_lone_surrogate_in_the_answer_is_the_students_unreadable_file_not_a_grader_fault() -> None:
    from lxml import etree

    # json.loads('"\\ud800"') gives a lone surrogate: xqueue_body is JSON a student's browser can shape
    answer = json.loads('"def relu(x):\\n    return x  # \\ud800\\n"')
    reply = _edx_reply(answer, lang="ko")  # was UnicodeEncodeError -> GraderFault -> XQueue re-sends forever
    assert reply.score == 0.0 and reply.correct is False
    assert any("UTF-8" in error for error in reply.errors), reply.errors
    etree.fromstring(reply.msg)


def test_an_lms_answer_cannot_read_another_exercises_reference_solution() -> None:
    reference = (SOLUTIONS / "sigmoid.py").read_text(encoding="utf-8")
    marker = next(line for line in reference.splitlines() if line.strip().startswith("return "))
    answer = (
        "import sys\nfrom sigmoid import sigmoid\n\n"
        "def tanh(x):\n    raise ValueError(open(sys.modules['sigmoid'].__file__).read())\n"
    )
    reply = _edx_reply(answer, exercise="tanh")
    import html

    assert html.escape(marker.strip()) not in reply.msg, "the reference solution reached the student"
