"""``activation-lab openedx export``: one importable Open edX course: the code exercises and the quizzes.

Layout (OLX): a chapter "Code exercises" with one graded unit per exercise -- a ``CodeResponse`` problem whose
``queuename`` is the XQueue queue, whose ``grader_payload`` names the exercise (see ``payload``), whose weight
is the exercise's points and whose starting code is the stub from ``exercises/`` -- then one chapter per
quiz
whose problems are written by the quiz exporter (``activation_lab.quiz.export.olx.problem_element``).
The problem text carries the lecture's formula from the stub's own docstring (``수식:`` / ``Formula:``),
so a new exercise needs only content files.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from activation_lab.course import Course
from activation_lab.errors import CourseError
from activation_lab.i18n import message
from activation_lab.integrations.openedx.payload import payload_for
from activation_lab.quiz.export.common import (
    UniqueNames,
    check_language,
    format_number,
    localized,
    replace_folder,
    write_tarball,
    write_xml,
)
from activation_lab.quiz.export.olx import COURSE_END, COURSE_START, _course_image, problem_element
from activation_lab.quiz.model import Quiz

DEFAULT_QUEUE = "activation-lab"
DEFAULT_ORG = "ActivationLab"
DEFAULT_COURSE = "activations"
DEFAULT_RUN = "2026"
FORMULA_LABELS = {"ko": "수식:", "en": "Formula:"}
EXERCISE_FORMAT = "Exercise"
QUIZ_FORMAT = "Quiz"


def _t(key: str, lang: str, **params: object) -> str:
    return message("openedx", key, lang, **params)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, **attrib)
    if text is not None:
        element.text = text
    return element


def stub_title(stub: str, lang: str) -> str:
    """The stub's module title in ``lang`` (its first docstring line reads ``한국어 / English``)."""
    doc = ast.get_docstring(ast.parse(stub)) or ""
    first = doc.splitlines()[0] if doc else ""
    ko, _, en = first.partition(" / ")
    return (en if lang == "en" else ko).strip().rstrip(".") or first


def stub_formulas(stub: str, lang: str) -> list[tuple[str, str]]:
    """``(function, formula text)`` for every function of the stub, from its ``수식:``/``Formula:`` lines."""
    label = FORMULA_LABELS[lang]
    found = []
    for node in ast.parse(stub).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        lines = (ast.get_docstring(node, clean=False) or "").splitlines()
        for index, line in enumerate(lines):
            if line.strip().startswith(label):
                indent = len(line) - len(line.lstrip())
                text = [line.strip()[len(label) :].strip()]
                for more in lines[index + 1 :]:
                    if not more.strip() or len(more) - len(more.lstrip()) <= indent:
                        break
                    text.append(more.strip())
                found.append((node.name, " ".join(text)))
                break
    return found


def code_problem(course: Course, exercise: str, lang: str, queue: str) -> etree._Element:
    """The ``<problem>`` with a ``<coderesponse>`` for one exercise."""
    spec = course.exercise(exercise)
    stub_path = course.root / "exercises" / spec.file
    try:
        stub = stub_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CourseError(f"the stub {stub_path} cannot be read: {exc}") from exc
    problem = etree.Element(
        "problem",
        display_name=f"{spec.file}: {stub_title(stub, lang)}",
        weight=format_number(spec.max_score),
        showanswer="never",
        markdown="null",
    )
    _sub(problem, "p", _t("export.task", lang, file=spec.file, functions=", ".join(spec.functions)))
    formulas = stub_formulas(stub, lang)
    if formulas:
        _sub(problem, "p", _t("export.formulas", lang))
        listing = _sub(problem, "ul")
        for function, formula in formulas:
            item = _sub(listing, "li")
            _sub(item, "code", function)
            _sub(item, "span", f": {formula}")
    _sub(problem, "p", _t("export.how_graded", lang, points=format_number(spec.max_score)))
    for other in course.exercises:  # the stub invites reusing another exercise's module (tanh.py: sigmoid)
        module = Path(other.file).stem
        if other.id != spec.id and f"from {module} import" in stub:
            _sub(problem, "p", _t("export.companion", lang, module=module, file=other.file))
    response = _sub(problem, "coderesponse", queuename=queue)
    _sub(response, "label", _t("export.label", lang, file=spec.file))
    _sub(response, "textbox", rows="30", cols="90", mode="python", tabsize="4")
    codeparam = _sub(response, "codeparam")
    _sub(codeparam, "initial_display", stub)
    _sub(codeparam, "answer_display", _t("export.no_answer", lang))
    payload = payload_for(course, spec.id, lang)
    _sub(codeparam, "grader_payload", json.dumps(payload.to_json(), ensure_ascii=False))
    return problem


def _chapter(
    root: Path, course_el: etree._Element, url: str, title: str, fmt: str, units: list[tuple[str, list[str]]]
) -> None:
    _sub(course_el, "chapter", url_name=url)
    chapter = etree.Element("chapter", display_name=title)
    _sub(chapter, "sequential", url_name=f"{url}_seq")
    write_xml(root / "chapter" / f"{url}.xml", chapter)
    sequential = etree.Element("sequential", display_name=title, graded="true", format=fmt)
    for index, (unit_title, problems) in enumerate(units, start=1):
        unit_url = f"{url}_unit{index}"
        _sub(sequential, "vertical", url_name=unit_url)
        vertical = etree.Element("vertical", display_name=unit_title)
        for problem_url in problems:
            _sub(vertical, "problem", url_name=problem_url)
        write_xml(root / "vertical" / f"{unit_url}.xml", vertical)
    write_xml(root / "sequential" / f"{url}_seq.xml", sequential)


def _build(
    root: Path,
    course: Course,
    quizzes: Sequence[Quiz],
    lang: str,
    queue: str,
    org: str,
    number: str,
    run: str,
) -> None:
    names = UniqueNames()
    write_xml(root / "course.xml", etree.Element("course", url_name=run, org=org, course=number))
    course_el = etree.Element("course", display_name=_t("export.course_title", lang), language=lang)

    units = []
    for spec in course.exercises:
        url = names(f"code_{spec.id}")
        write_xml(root / "problem" / f"{url}.xml", code_problem(course, spec.id, lang, queue))
        units.append((spec.file, [url]))
    _chapter(root, course_el, "code_exercises", _t("export.code_chapter", lang), EXERCISE_FORMAT, units)

    for quiz in quizzes:
        urls = []
        for number_in_quiz, item in enumerate(quiz.items, start=1):
            url = names(f"{quiz.id}_{item.id}")
            write_xml(root / "problem" / f"{url}.xml", problem_element(item, number_in_quiz, lang))
            urls.append(url)
        title = localized(quiz.title, lang)
        _chapter(root, course_el, names(f"quiz_{quiz.id}"), title, QUIZ_FORMAT, [(title, urls)])

    write_xml(root / "course" / f"{run}.xml", course_el)
    policies = root / "policies" / run
    policies.mkdir(parents=True, exist_ok=True)
    policy = {
        f"course/{run}": {
            "start": COURSE_START,
            "end": COURSE_END,
            "course_image": "images_course_image.png",
            "language": lang,
        }
    }
    (policies / "policy.json").write_text(
        json.dumps(policy, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    grading = {
        "GRADER": [
            {
                "type": EXERCISE_FORMAT,
                "short_label": "Ex",
                "min_count": len(course.exercises),
                "drop_count": 0,
                "weight": 0.7,
            },
            {
                "type": QUIZ_FORMAT,
                "short_label": "Q",
                "min_count": len(quizzes),
                "drop_count": 0,
                "weight": 0.3,
            },
        ],
        "GRADE_CUTOFFS": {"Pass": 0.5},
    }
    (policies / "grading_policy.json").write_text(json.dumps(grading, indent=2) + "\n", encoding="utf-8")
    (root / "policies" / "assets.json").write_text("{}\n", encoding="utf-8")
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "images_course_image.png").write_bytes(_course_image())


def export_course(
    course: Course,
    quizzes: Sequence[Quiz],
    out_dir: Path,
    *,
    lang: str,
    queue: str = DEFAULT_QUEUE,
    tarball: bool = True,
    org: str = DEFAULT_ORG,
    number: str = DEFAULT_COURSE,
    run: str = DEFAULT_RUN,
) -> list[Path]:
    """Write the course as ``out_dir/activation-lab-openedx-<lang>/`` (and ``.tar.gz``); return the paths."""
    check_language(lang)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}", queue):
        raise CourseError(
            f"queue name {queue!r}: use letters, digits, '-', '_' or '.' (XQueue's XQUEUES keys)"
        )
    base = f"activation-lab-openedx-{lang}"
    folder = replace_folder(
        lambda root: _build(root, course, quizzes, lang, queue, org, number, run), Path(out_dir) / base
    )
    paths = [folder]
    if tarball:
        paths.append(write_tarball(folder, Path(out_dir) / f"{base}.tar.gz", arcname="course"))
    return paths
