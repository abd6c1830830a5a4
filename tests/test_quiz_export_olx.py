"""Open edX OLX export: olxcleaner finds no error, and the XML read back says what the quiz says."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree

from activation_lab.errors import UsageError
from activation_lab.quiz.export import olx as export_olx
from activation_lab.quiz.formulas import to_calc
from activation_lab.quiz.load import load_quiz
from activation_lab.quiz.model import (
    Accept,
    AnswerTolerance,
    Choice,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    NumericAnswer,
    Pair,
    Quiz,
    ShortText,
    SingleChoice,
    WrongValue,
)

REPO = Path(__file__).resolve().parents[1]
REAL_QUIZZES = sorted((REPO / "quizzes").glob("*.yaml"))


def _t(ko: str, en: str) -> LocalizedText:
    return LocalizedText({"ko": ko, "en": en})


def small_quiz() -> Quiz:
    """Every item type and awkward cases: XML specials, rel and abs tolerances, shared rights, variants."""
    return Quiz(
        id="mini quiz",  # a space: ids must be cleaned for url_names
        title=_t("작은 퀴즈 <1> & 2", "Mini quiz <1> & 2"),
        items=(
            SingleChoice(
                id="h-is",
                prompt=_t("h(z)는 무엇인가? (a < b & c)", "What is h(z)? (a < b & c)"),
                choices=(
                    Choice("a", _t("가중치", "weight"), feedback=_t("w가 가중치입니다", "w is the weight")),
                    Choice("b", _t("활성화 함수", "activation function"), correct=True),
                    Choice("c", _t('편향 "b"', 'bias "b"')),
                ),
                explanation=_t("h는 활성화 함수", "h is the activation function"),
            ),
            MultipleSelect(
                id="facts-each",
                prompt=_t("참인 것은?", "Which are true?"),
                scoring="each_answer",
                choices=(
                    Choice("a", _t("σ(0) = 0.5", "σ(0) = 0.5"), correct=True),
                    Choice("b", _t("σ'(0) = 1", "σ'(0) = 1"), feedback=_t("0.25입니다", "it is 0.25")),
                    Choice("c", _t("tanh(0) = 0", "tanh(0) = 0"), correct=True),
                ),
                points=3,
            ),
            MultipleSelect(
                id="facts-all",
                prompt=_t("참인 것은?", "Which are true?"),
                choices=(
                    Choice("a", _t("ReLU(−1) = 0", "ReLU(−1) = 0"), correct=True),
                    Choice("b", _t("step(0) = 0", "step(0) = 0")),
                ),
            ),
            Numeric(
                id="sigma-zero",
                prompt=_t("σ(0)은?", "σ(0)?"),
                points=2,
                answer=NumericAnswer(value=0.5, tolerance=AnswerTolerance(abs=0.001)),
                wrong=(WrongValue(value=1.0, feedback=_t("σ(0)=1/2", "σ(0) = 1/2, not 1")),),
            ),
            Numeric(
                id="ratio",
                prompt=_t("9/5는?", "9/5?"),
                answer=NumericAnswer(value=1.8, tolerance=AnswerTolerance(rel=0.05), expr="9/5"),
            ),
            Numeric(
                id="both",
                prompt=_t("σ'(0)은?", "σ'(0)?"),
                answer=NumericAnswer(value=0.25, tolerance=AnswerTolerance(abs=0.001, rel=0.01)),
            ),
            ShortText(
                id="z-name",
                prompt=_t("z의 이름은?", "What is z called?"),
                accept=(Accept("순입력", ("순 입력",)), Accept("net input", ("Net-Input", "weighted  sum"))),
                wrong=(Accept("출력", feedback=_t("출력은 y", "the output is y")),),
            ),
            Matching(
                id="c2f",
                prompt=_t("짝을 지으세요", "Match"),
                points=3,
                pairs=(
                    Pair(LocalizedText.plain("x1"), LocalizedText.plain("C")),
                    Pair(LocalizedText.plain("w1"), LocalizedText.plain("9/5")),
                    Pair(LocalizedText.plain("b"), LocalizedText.plain("32")),
                    Pair(LocalizedText.plain("w0"), LocalizedText.plain("32")),  # a shared right
                ),
                distractors=(LocalizedText.plain("5/9"),),
            ),
        ),
    )


def _quizzes() -> list:
    params = [pytest.param(small_quiz, id="small")]
    params += [pytest.param(lambda p=path: load_quiz(p), id=path.stem) for path in REAL_QUIZZES]
    return params


def _problems(folder: Path) -> list[etree._Element]:
    """The problems in the order the course/library lists them."""
    if (folder / "library.xml").exists():
        refs = etree.parse(folder / "library.xml").getroot().findall("problem")
    else:
        vertical = next((folder / "vertical").glob("*.xml"))
        refs = etree.parse(vertical).getroot().findall("problem")
    return [etree.parse(folder / "problem" / f"{ref.get('url_name')}.xml").getroot() for ref in refs]


def _text(element: etree._Element) -> str:
    """The element's own text without nested hint elements."""
    return (element.text or "").strip()


def check_semantics(quiz: Quiz, folder: Path, lang: str) -> None:
    """Every item exported once, in order, with its key, tolerance, variants and weight."""
    problems = _problems(folder)
    assert len(problems) == len(quiz.items)
    for item, problem in zip(quiz.items, problems, strict=True):
        assert float(problem.get("weight")) == pytest.approx(item.points), item.id
        if isinstance(item, SingleChoice):
            response = problem.find("multiplechoiceresponse")
            choices = response.findall("choicegroup/choice")
            assert response.find("choicegroup").get("type") == "MultipleChoice"
            correct = [c for c in choices if c.get("correct") == "true"]
            assert len(correct) == 1, item.id
            assert _text(correct[0]) == item.correct_choice.text.text(lang)
            for choice, element in zip(item.choices, choices, strict=True):
                hint = element.find("choicehint")
                assert (hint is not None) == (choice.feedback is not None)
                if hint is not None:
                    assert hint.text == " ".join(choice.feedback.text(lang).split())
        elif isinstance(item, MultipleSelect):
            response = problem.find("choiceresponse")
            choices = response.findall("checkboxgroup/choice")
            marked = {_text(c) for c in choices if c.get("correct") == "true"}
            assert marked == {c.text.text(lang) for c in item.choices if c.correct}, item.id
            assert len(choices) == len(item.choices)
            expected_credit = "EDC" if item.scoring == "each_answer" else None
            assert response.get("partial_credit") == expected_credit
            for element in choices:
                for hint in element.findall("choicehint"):
                    assert hint.get("selected") in {"true", "false"}
        elif isinstance(item, Numeric):
            response = problem.find("numericalresponse")
            assert float(response.get("answer")) == item.answer.value
            param = response.find("responseparam")
            assert param.get("type") == "tolerance"
            text = param.get("default")
            tolerance = item.answer.tolerance
            if text.endswith("%"):
                assert float(text[:-1]) / 100 * abs(item.answer.value) == pytest.approx(
                    tolerance.bound(item.answer.value)
                )
            else:
                assert float(text) == pytest.approx(tolerance.bound(item.answer.value))
            assert response.find("formulaequationinput") is not None
        elif isinstance(item, ShortText) and item.samples is not None:
            response = problem.find("formularesponse")  # compared at the same samples as our grader
            assert response.get("samples") == item.samples
            assert response.get("answer") == to_calc(item.accept[0].text)
            assert response.find("responseparam").get("default").endswith("%")
        elif isinstance(item, ShortText):
            response = problem.find("stringresponse")
            assert response.get("type") == "ci"
            exported = {response.get("answer").lower()} | {
                a.get("answer").lower() for a in response.findall("additional_answer")
            }
            for accept in item.accept:
                for form in accept.forms():
                    assert form.strip().lower() in exported, (item.id, form)
            for wrong in item.wrong:
                for form in wrong.forms():
                    assert form.strip().lower() not in exported
        elif isinstance(item, Matching):
            responses = problem.findall("optionresponse")
            assert len(responses) == len(item.pairs), item.id
            all_rights = {" ".join(r.text(lang).split()) for r in item.rights}
            for pair, response in zip(item.pairs, responses, strict=True):
                options = response.findall("optioninput/option")
                assert {o.text for o in options} == all_rights
                correct = [o.text for o in options if o.get("correct") == "True"]
                assert correct == [" ".join(pair.right.text(lang).split())]
                assert " ".join(pair.left.text(lang).split()) in response.find("label").text
        else:  # pragma: no cover
            raise AssertionError(f"unknown item type {item!r}")


@pytest.mark.parametrize("make_quiz", _quizzes())
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_course_passes_olxcleaner_and_says_what_the_quiz_says(make_quiz, lang: str, tmp_path: Path) -> None:
    from olxcleaner import validate

    quiz = make_quiz()
    folder, archive = export_olx.export(quiz, tmp_path, lang=lang, kind="course")
    course, errorstore, _ = validate(str(folder), steps=8)
    assert course is not None
    serious = [
        f"{e.name}: {e.description}" for e in errorstore.errors if e.level_val >= 3
    ]  # ErrorLevel.ERROR
    assert serious == []
    check_semantics(quiz, folder, lang)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "course/course.xml" in names
    assert all(name == "course" or name.startswith("course/") for name in names)
    assert sum(1 for name in names if name.startswith("course/problem/")) == len(quiz.items)


@pytest.mark.parametrize("make_quiz", _quizzes())
def test_library_lists_every_problem(make_quiz, tmp_path: Path) -> None:
    quiz = make_quiz()
    folder, archive = export_olx.export(quiz, tmp_path, lang="ko", kind="library")
    library = etree.parse(folder / "library.xml").getroot()
    assert library.tag == "library" and library.get("xblock-family") == "xblock.v1"
    assert library.get("display_name") == quiz.title.text("ko")
    check_semantics(quiz, folder, "ko")
    with tarfile.open(archive) as tar:
        assert "library/library.xml" in tar.getnames()


def test_special_characters_are_escaped_not_injected(tmp_path: Path) -> None:
    (folder,) = export_olx.export(small_quiz(), tmp_path, lang="en", kind="course", tarball=False)
    problem = _problems(folder)[0]
    assert problem.find("multiplechoiceresponse/label").text == "What is h(z)? (a < b & c)"
    assert "&lt;" in (folder / "problem" / "mini_quiz_h-is.xml").read_text(encoding="utf-8")
    course = etree.parse(folder / "course" / "quiz.xml").getroot()
    assert course.get("display_name") == "Mini quiz <1> & 2"


def test_the_chosen_language_is_exported(tmp_path: Path) -> None:
    (korean,) = export_olx.export(small_quiz(), tmp_path, lang="ko", tarball=False)
    (english,) = export_olx.export(small_quiz(), tmp_path, lang="en", tarball=False)
    assert _problems(korean)[0].find("multiplechoiceresponse/label").text.startswith("h(z)는")
    assert _problems(english)[0].find("multiplechoiceresponse/label").text.startswith("What is")


@pytest.mark.parametrize(
    ("item_index", "expected"),
    [
        pytest.param(3, "0.001", id="abs-as-number"),
        pytest.param(4, "5%", id="rel-as-percentage"),
        pytest.param(5, "0.0025", id="both-as-the-bound-at-the-key"),
    ],
)
def test_tolerance_kept(item_index: int, expected: str, tmp_path: Path) -> None:
    (folder,) = export_olx.export(small_quiz(), tmp_path, lang="en", tarball=False)
    param = _problems(folder)[item_index].find("numericalresponse/responseparam")
    assert param.get("default") == expected


def test_explanation_and_known_wrong_numbers_go_to_the_solution(tmp_path: Path) -> None:
    (folder,) = export_olx.export(small_quiz(), tmp_path, lang="en", tarball=False)
    problems = _problems(folder)
    first = etree.tostring(problems[0].find("solution"), encoding="unicode")
    assert "h is the activation function" in first
    numeric = etree.tostring(problems[3].find("solution"), encoding="unicode")
    assert "σ(0) = 1/2, not 1" in numeric
    assert problems[4].find("solution") is None  # nothing to explain
    hints = problems[6].findall("stringresponse/stringequalhint")
    assert [(h.get("answer"), h.text) for h in hints] == [("출력", "the output is y")]


def test_tarball_is_reproducible_and_reexport_replaces(tmp_path: Path) -> None:
    first = export_olx.export(small_quiz(), tmp_path, lang="en")[1].read_bytes()
    stale = tmp_path / "mini_quiz-olx-library-en" / "problem" / "stale.xml"
    stale.write_text("<problem/>", encoding="utf-8")
    second = export_olx.export(small_quiz(), tmp_path, lang="en")[1].read_bytes()
    assert first == second
    assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"lang": "fr"}, id="unknown-language"),
        pytest.param({"lang": "en", "kind": "unit"}, id="bad-kind"),
    ],
)
def test_bad_options_are_usage_errors(kwargs: dict, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        export_olx.export(small_quiz(), tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("lang", "shown"), [pytest.param("ko", "순입력", id="ko"), pytest.param("en", "net input", id="en")]
)
def test_show_answer_uses_the_export_language(lang: str, shown: str, tmp_path: Path) -> None:
    (folder,) = export_olx.export(small_quiz(), tmp_path, lang=lang, tarball=False)
    assert _problems(folder)[6].find("stringresponse").get("answer") == shown
