"""The exported course in Open edX's own problem engine (capa, from xblocks-contrib): score parity.

Every quiz item of both quizzes, answered right, wrong and (where the item gives partial credit) partly
right, scores in capa exactly what ``activation-lab quiz grade`` gives it. Every code problem goes the whole
way: capa's ``CodeResponse`` builds the XQueue submission from the exported problem, the real XQueue and
watchers grade it, and the reply fed to ``CodeResponse.update_score`` records the expected score.
capa runs in the watcher environment (tests/openedx_capa_probe.py); this file only prepares and compares.
"""

from __future__ import annotations

import json
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openedx_services as services
import pytest
import yaml

from activation_lab.cli.main import main as cli_main
from activation_lab.course import load_course
from activation_lab.grading import grade_path, make_context
from activation_lab.quiz.load import load_quiz
from activation_lab.quiz.model import Matching, MultipleSelect, Numeric, ShortText, SingleChoice

REPO = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).with_name("openedx_capa_probe.py")
QUIZZES = sorted((REPO / "quizzes").glob("*.yaml"))
LANGS = ("en", "ko")

pytestmark = [pytest.mark.slow, pytest.mark.openedx]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """The course exported with the CLI in both languages: lang -> OLX folder."""
    services.require_services()
    out = tmp_path_factory.mktemp("olx")
    for lang in LANGS:
        assert cli_main(["openedx", "export", str(out), "--lang", lang, "--no-tar"]) == 0
    return {lang: out / f"activation-lab-openedx-{lang}" for lang in LANGS}


def probe(request: dict) -> dict:
    """Run capa on ``request`` in the watcher environment."""
    done = subprocess.run(
        [str(services.venv_python("watcher-venv")), str(PROBE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


# --- quiz items --------------------------------------------------------------------------------------------


def _choice_value(item, choice) -> str:
    return f"choice_{item.choices.index(choice)}"


def answers_for(item, scenario: str, lang: str):
    """``(capa values per response, answers.yaml value)`` for a scenario, ``None`` if none applies."""
    if isinstance(item, SingleChoice):
        if scenario == "partial":
            return None
        choice = next(c for c in item.choices if c.correct == (scenario == "right"))
        return [_choice_value(item, choice)], choice.id
    if isinstance(item, MultipleSelect):
        right = [c for c in item.choices if c.correct]
        wrong = [c for c in item.choices if not c.correct]
        chosen = {"right": right, "wrong": wrong, "partial": right[:-1] + wrong[:1]}[scenario]
        return [[_choice_value(item, c) for c in chosen]], [c.id for c in chosen]
    if isinstance(item, Numeric):
        if scenario == "partial":
            return None
        value = item.answer.value if scenario == "right" else item.answer.value * 3 + 7
        return [repr(float(value))], float(value)
    if isinstance(item, ShortText):
        if scenario == "partial":
            return None
        # a formula item (``samples``) needs a wrong answer that is a formula: capa refuses unknown names
        wrong = "12345" if item.samples else "zzz-not-an-answer"
        text = item.accept[0].text if scenario == "right" else wrong
        return [text], text
    if isinstance(item, Matching):
        rights = [pair.right.text(lang) for pair in item.pairs]
        if scenario == "right":
            given = rights
        elif scenario == "wrong":
            given = rights[1:] + rights[:1]
        else:
            half = len(rights) // 2
            given = rights[:half] + rights[half + 1 :] + rights[half : half + 1]
        return given, {pair.left.text(lang): value for pair, value in zip(item.pairs, given, strict=False)}
    raise AssertionError(f"no answers for {type(item).__name__}")


def quiz_grade_scores(quiz_path: Path, answers: dict, lang: str, tmp: Path, capsys) -> dict[str, float]:
    """``activation-lab quiz grade`` item scores for ``answers``."""
    answers_path = tmp / f"answers-{lang}.yaml"
    answers_path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert (
        cli_main(["quiz", "grade", str(quiz_path), str(answers_path), "--format", "json", "--lang", lang])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    return {item["id"]: item["score"] for item in result["items"]}


@pytest.mark.parametrize("lang", LANGS)
def test_every_quiz_item_scores_the_same_in_capa(exported, lang, tmp_path, capsys):
    jobs, expected = [], []
    compared = {"right": 0, "wrong": 0, "partial": 0}
    for quiz_path in QUIZZES:
        quiz = load_quiz(quiz_path)
        for scenario in compared:
            cases = [(item, answers_for(item, scenario, lang)) for item in quiz.items]
            cases = [(item, pair) for item, pair in cases if pair is not None]
            if not cases:
                continue
            scores = quiz_grade_scores(
                quiz_path, {item.id: pair[1] for item, pair in cases}, lang, tmp_path, capsys
            )
            for item, (capa_values, _) in cases:
                xml = (exported[lang] / "problem" / f"{quiz.id}_{item.id}.xml").read_text(encoding="utf-8")
                jobs.append({"xml": xml, "answers": capa_values})
                edc = isinstance(item, MultipleSelect) and item.scoring == "each_answer"
                expected.append((quiz.id, item.id, scenario, item.points, scores[item.id], edc))
                compared[scenario] += 1
    results = probe({"quiz_jobs": jobs})["quiz"]
    mismatches = []
    for (quiz_id, item_id, scenario, points, ours, edc), capa in zip(expected, results, strict=False):
        capa_points = points * capa["earned"] / capa["possible"]  # capa's block weights raw score by `weight`
        if edc:  # capa rounds "every decision counts" partial credit to two decimals (2/3 -> 0.67)
            ours = points * float(Decimal(ours / points).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if capa_points != pytest.approx(ours, abs=1e-6):  # quiz grade rounds to 6 digits
            mismatches.append(f"{quiz_id}/{item_id} {scenario}: capa {capa_points} vs quiz grade {ours}")
    assert not mismatches, "\n".join(mismatches)
    assert compared["right"] == sum(len(load_quiz(q).items) for q in QUIZZES)
    assert compared["partial"] > 0 and any(ours not in (0.0, points) for *_, points, ours, _ in expected)
    assert any(ours == 0.0 for *_, ours, _ in expected) and any(
        ours == points for *_, points, ours, _ in expected
    )


# --- code problems -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    services.require_services()
    with services.running(watchers=1, workdir=tmp_path_factory.mktemp("openedx-capa")) as running:
        yield running


def _engine_fraction(exercise: str, text: str, lang: str, tmp: Path) -> float:
    spec = load_course(REPO).exercise(exercise)
    folder = tmp / f"{exercise}-{lang}"
    folder.mkdir()
    (folder / spec.file).write_text(text, encoding="utf-8")
    report = grade_path(folder, make_context(REPO))
    result = next(e for e in report.exercises if e.id == exercise)
    return result.score / result.max_score


CODE_CASES = [
    ("c2f", "solutions/c2f.py"),
    ("sigmoid", "solutions/sigmoid.py"),
    ("step", "tests/corpus/wrong/step/all_to_silence_error.py"),
    ("tanh", "tests/corpus/wrong/tanh/grad_missing_square.py"),
    ("relu", "tests/corpus/wrong/relu/builtin_max.py"),
]


def test_code_problems_through_capa_xqueue_and_watcher_record_the_expected_score(exported, stack, tmp_path):
    xqueue, _, _ = stack
    jobs, expected = [], []
    for lang in LANGS:
        for exercise, source in CODE_CASES:
            text = (REPO / source).read_text(encoding="utf-8")
            xml = (exported[lang] / "problem" / f"code_{exercise}.xml").read_text(encoding="utf-8")
            jobs.append({"xml": xml, "answer": text})
            expected.append((lang, exercise, _engine_fraction(exercise, text, lang, tmp_path)))
    results = probe({"code_jobs": jobs, "xqueue": xqueue.url})["code"]
    for (lang, exercise, fraction), got in zip(expected, results, strict=False):
        assert got["queued_before"] and not got["queued_after"], (lang, exercise)
        assert json.loads(got["body"]["grader_payload"])["exercise"] == exercise
        assert got["possible"] == 1 and got["earned"] == pytest.approx(fraction, abs=1e-6), (
            lang,
            exercise,
            got,
        )
        assert got["correctness"] == ("correct" if fraction == 1.0 else "incorrect")
        assert 'class="activation-lab-result' in got["msg"]
    assert {f for *_, f in expected} & {1.0} and any(f < 1.0 for *_, f in expected)


def test_bad_payload_reply_records_no_score_in_capa(exported):
    xml = (exported["en"] / "problem" / "code_relu.xml").read_text(encoding="utf-8")
    reply = json.dumps(
        {"msg": "<p>grader_payload names exercise 'softmax'</p>", "activation_lab_error": "grader_payload"}
    )
    (got,) = probe({"code_jobs": [{"xml": xml, "answer": "x = 1\n", "reply": reply}]})["code"]
    assert got["correctness"] is None and got["earned"] == 0 and not got["queued_after"]
    assert got["msg"] == "Invalid grader reply. Please contact the course staff."
