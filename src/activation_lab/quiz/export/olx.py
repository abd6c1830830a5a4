"""Export a quiz as Open edX OLX (a course or a content library, folder and .tar.gz) that Studio imports.

Each item becomes one ``problem``:

=================  ===========================================================================================
single_choice      ``multiplechoiceresponse`` + ``choicegroup type="MultipleChoice"``, ``choicehint``
multiple_select    ``choiceresponse`` + ``checkboxgroup``; ``each_answer`` → ``partial_credit="EDC"``
numeric            ``numericalresponse`` + ``responseparam type="tolerance"`` (abs → value, rel → ``x%``)
short_text         ``stringresponse type="ci"`` + one ``additional_answer`` per other accepted text/variant;
                   with ``samples``: ``formularesponse`` (compared at those points, as our grader does)
matching           one ``optionresponse`` per pair, every right (and distractor) an ``option``
=================  ===========================================================================================

``weight`` is the item's points; the explanation (and known wrong numbers) go in ``<solution>``.
Only the chosen language is exported (Studio has one language per course); export twice for both.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from activation_lab.errors import QuizError, UsageError
from activation_lab.i18n import message
from activation_lab.quiz.export.common import (
    UniqueNames,
    answer_forms,
    append_paragraphs,
    check_language,
    export_package,
    format_number,
    localized,
    one_line,
    paragraphs,
    write_tarball,
    write_xml,
    wrong_answer_feedback,
)
from activation_lab.quiz.formulas import FORMULA_REL_TOLERANCE, to_calc
from activation_lab.quiz.model import (
    AnswerTolerance,
    Item,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)

KINDS = ("course", "library")
DEFAULT_ORG = "ActivationLab"
DEFAULT_RUN = "quiz"
COURSE_START = "2026-01-01T00:00:00Z"
COURSE_END = "2030-12-31T00:00:00Z"
GRADED_FORMAT = "Quiz"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _question(response: etree._Element, prompt: str) -> None:
    """``<label>`` (the first paragraph, as Studio's editor writes it) and ``<description>`` for the rest."""
    blocks = paragraphs(prompt) or [""]
    _sub(response, "label", one_line(blocks[0]))
    for block in blocks[1:]:
        _sub(response, "description", block)


def tolerance_text(tolerance: AnswerTolerance, key: float) -> str:
    """The ``responseparam`` tolerance edX compares with: ``abs`` as a number, ``rel`` as a percentage.

    When both are set the bound at the key, ``max(abs, rel·|key|)``, is exported as an absolute tolerance: edX
    accepts only one, and the key is fixed, so the accepted interval is the same.
    """
    if tolerance.rel and not tolerance.abs:
        return f"{format_number(round(tolerance.rel * 100, 12))}%"
    return format_number(tolerance.bound(key))


def _choice_problem(problem: etree._Element, item: SingleChoice | MultipleSelect, lang: str) -> None:
    if isinstance(item, SingleChoice):
        response = _sub(problem, "multiplechoiceresponse")
        _question(response, localized(item.prompt, lang))
        group = _sub(response, "choicegroup", type="MultipleChoice")
        if item.shuffle:
            group.set("shuffle", "true")
    else:
        response = _sub(problem, "choiceresponse")
        if item.scoring == "each_answer":
            response.set("partial_credit", "EDC")  # edX "every decision counts" = our each_answer
        _question(response, localized(item.prompt, lang))
        _sub(response, "description", message("quiz_export", "export.select_all", lang))
        group = _sub(response, "checkboxgroup")
    for choice in item.choices:
        element = _sub(group, "choice", correct="true" if choice.correct else "false")
        element.text = one_line(localized(choice.text, lang))
        if choice.feedback is not None:
            hint = _sub(element, "choicehint", one_line(localized(choice.feedback, lang)))
            if isinstance(item, MultipleSelect):
                hint.set("selected", "true")  # shown when the student ticks this box


def _numeric_problem(problem: etree._Element, item: Numeric, lang: str) -> None:
    key = item.answer.value
    response = _sub(problem, "numericalresponse", answer=format_number(key))
    _question(response, localized(item.prompt, lang))
    _sub(response, "description", message("quiz_export", "export.number_notation", lang))
    _sub(response, "responseparam", type="tolerance", default=tolerance_text(item.answer.tolerance, key))
    _sub(response, "formulaequationinput")


def _formula_problem(problem: etree._Element, item: ShortText, lang: str) -> None:
    """``formularesponse``: Open edX evaluates the formula at the samples with the same evaluator."""
    key = to_calc(item.accept[0].text)
    response = _sub(problem, "formularesponse", type="ci", samples=str(item.samples), answer=key)
    _question(response, localized(item.prompt, lang))
    _sub(response, "description", message("quiz_export", "export.formula_notation", lang))
    tolerance = f"{format_number(round(FORMULA_REL_TOLERANCE * 100, 12))}%"
    _sub(response, "responseparam", type="tolerance", default=tolerance)
    _sub(response, "formulaequationinput")


def _short_text_problem(problem: etree._Element, item: ShortText, lang: str) -> None:
    if item.samples is not None:
        _formula_problem(problem, item, lang)
        return
    forms = answer_forms(item, lang)
    response = _sub(problem, "stringresponse", answer=forms[0], type="ci")
    _question(response, localized(item.prompt, lang))
    for form in forms[1:]:
        _sub(response, "additional_answer", answer=form)
    for form, feedback in wrong_answer_feedback(item, forms):
        _sub(response, "stringequalhint", one_line(localized(feedback, lang)), answer=form)
    _sub(response, "textline", size="30")


def _matching_problem(problem: etree._Element, item: Matching, lang: str) -> None:
    intro = _sub(problem, "div")
    append_paragraphs(intro, localized(item.prompt, lang), lambda tag: etree.Element(tag))
    _sub(intro, "p", message("quiz_export", "export.matching_instruction", lang))
    # options in a fixed sorted order: the pairs' order would put every answer on the diagonal
    options = sorted({one_line(localized(right, lang)) for right in item.rights})
    for pair in item.pairs:
        right = one_line(localized(pair.right, lang))
        response = _sub(problem, "optionresponse")
        _sub(
            response,
            "label",
            message("quiz_export", "export.matching_label", lang, left=one_line(localized(pair.left, lang))),
        )
        optioninput = _sub(response, "optioninput")
        for option in options:
            _sub(optioninput, "option", option, correct="True" if option == right else "False")


def _solution(problem: etree._Element, item: Item, lang: str) -> None:
    explanation = localized(item.explanation, lang)
    wrong_values = item.wrong if isinstance(item, Numeric) else ()
    if not explanation and not wrong_values:
        return
    solution = _sub(problem, "solution")
    box = _sub(solution, "div", **{"class": "detailed-solution"})
    _sub(box, "p", message("quiz_export", "export.explanation", lang))
    if explanation:
        append_paragraphs(box, explanation, lambda tag: etree.Element(tag))
    if wrong_values:
        _sub(box, "p", message("quiz_export", "export.common_mistakes", lang))
        listing = _sub(box, "ul")
        for wrong in wrong_values:
            value = wrong.expr or format_number(wrong.value)
            _sub(
                listing,
                "li",
                message(
                    "quiz_export",
                    "export.wrong_value",
                    lang,
                    value=value,
                    feedback=localized(wrong.feedback, lang),
                ),
            )


def problem_element(item: Item, number: int, lang: str) -> etree._Element:
    """The ``<problem>`` element of one quiz item (``number`` is its 1-based position, used in the title)."""
    problem = etree.Element(
        "problem",
        display_name=message("quiz_export", "export.problem_title", lang, number=number),
        weight=format_number(item.points),
        markdown="null",
    )
    if isinstance(item, SingleChoice | MultipleSelect):
        _choice_problem(problem, item, lang)
    elif isinstance(item, Numeric):
        _numeric_problem(problem, item, lang)
    elif isinstance(item, ShortText):
        _short_text_problem(problem, item, lang)
    elif isinstance(item, Matching):
        _matching_problem(problem, item, lang)
    else:  # pragma: no cover - the loader admits only the five types
        raise QuizError(f"cannot export item {item.id!r} of type {type(item).__name__}")
    _solution(problem, item, lang)
    return problem


def _write_problems(root: Path, quiz: Quiz, lang: str) -> list[str]:
    names = UniqueNames()
    url_names = []
    for number, item in enumerate(quiz.items, start=1):
        url_name = names(f"{quiz.id}_{item.id}")
        write_xml(root / "problem" / f"{url_name}.xml", problem_element(item, number, lang))
        url_names.append(url_name)
    return url_names


def _write_course(root: Path, quiz: Quiz, lang: str, org: str, run: str) -> None:
    title = localized(quiz.title, lang)
    problems = _write_problems(root, quiz, lang)
    course_code = UniqueNames()(quiz.id)
    write_xml(root / "course.xml", etree.Element("course", url_name=run, org=org, course=course_code))
    course = etree.Element("course", display_name=title, language=lang)
    _sub(course, "chapter", url_name=f"{course_code}_chapter")
    write_xml(root / "course" / f"{run}.xml", course)
    chapter = etree.Element("chapter", display_name=title)
    _sub(chapter, "sequential", url_name=f"{course_code}_sequential")
    write_xml(root / "chapter" / f"{course_code}_chapter.xml", chapter)
    sequential = etree.Element("sequential", display_name=title, graded="true", format=GRADED_FORMAT)
    _sub(sequential, "vertical", url_name=f"{course_code}_vertical")
    write_xml(root / "sequential" / f"{course_code}_sequential.xml", sequential)
    vertical = etree.Element("vertical", display_name=message("quiz_export", "export.section_title", lang))
    for url_name in problems:
        _sub(vertical, "problem", url_name=url_name)
    write_xml(root / "vertical" / f"{course_code}_vertical.xml", vertical)

    policy = {
        f"course/{run}": {
            "start": COURSE_START,
            "end": COURSE_END,
            "course_image": "images_course_image.png",
            "showanswer": "finished",
        }
    }
    grading_policy = {
        "GRADER": [
            {"type": GRADED_FORMAT, "short_label": "Q", "min_count": 1, "drop_count": 0, "weight": 1.0},
        ],
        "GRADE_CUTOFFS": {"Pass": 0.5},
    }
    policies = root / "policies" / run
    policies.mkdir(parents=True, exist_ok=True)
    (policies / "policy.json").write_text(
        json.dumps(policy, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (policies / "grading_policy.json").write_text(
        json.dumps(grading_policy, indent=2) + "\n", encoding="utf-8"
    )
    (root / "policies" / "assets.json").write_text("{}\n", encoding="utf-8")
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "images_course_image.png").write_bytes(_course_image())


def _write_library(root: Path, quiz: Quiz, lang: str, org: str) -> None:
    problems = _write_problems(root, quiz, lang)
    library = etree.Element(
        "library",
        {"xblock-family": "xblock.v1"},
        display_name=localized(quiz.title, lang),
        org=org,
        library=UniqueNames()(quiz.id),
    )
    for url_name in problems:
        _sub(library, "problem", url_name=url_name)
    write_xml(root / "library.xml", library)


def _course_image() -> bytes:
    """A small plain PNG for the course card (Studio wants a course image; instructors replace it)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (378, 225), (38, 70, 83)).save(buffer, format="PNG")
    return buffer.getvalue()


def export(
    quiz: Quiz,
    out_dir: Path,
    *,
    lang: str,
    kind: str = "library",
    tarball: bool = True,
    org: str = DEFAULT_ORG,
    run: str = DEFAULT_RUN,
) -> list[Path]:
    """Write ``quiz`` as an OLX ``course`` or ``library`` folder in ``out_dir`` (and a .tar.gz); return paths.

    The folder is ``<quiz id>-olx-<kind>-<lang>``; the archive holds it as ``course/`` (or ``library/``), the
    layout Studio's import expects. Existing output of the same name is replaced atomically.
    """
    check_language(lang)  # before the kind, as the command line reports them
    if kind not in KINDS:
        raise UsageError(message("quiz_export", "export.error.bad_kind", "en", kind=kind))

    def build(root: Path) -> None:
        if kind == "course":
            _write_course(root, quiz, lang, org, UniqueNames()(run))
        else:
            _write_library(root, quiz, lang, org)

    def pack(folder: Path) -> Path:
        return write_tarball(folder, folder.with_name(f"{folder.name}.tar.gz"), arcname=kind)

    return export_package(
        quiz, out_dir, lang=lang, label=f"olx-{kind}", build=build, pack=pack if tarball else None
    )
