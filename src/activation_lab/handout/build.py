"""``activation-lab release``: the student handout, a folder and a zip built from the course content.

It holds the stubs and the public self-check (``exercises/``), the notebook edition, keyless quiz sheets, an
``answers.yaml`` template and the bilingual README with the published list of graded tests. Nothing else of
the course goes in: no reference solution, no hidden suite, no quiz key or feedback
(``tests/test_handout.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from activation_lab.course import Course
from activation_lab.errors import UsageError
from activation_lab.handout.published import PublishedTest, grading_rules, published_tests
from activation_lab.handout.quiz_sheet import answers_template, render_sheet
from activation_lab.i18n import message
from activation_lab.quiz.load import load_quizzes

DOMAIN = "handout"
PLACEHOLDER = "<!-- graded-tests"
SKIPPED = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")
REQUIREMENTS = "numpy>=1.24\npytest>=7.4\nmatplotlib>=3.7\n"


@dataclass(frozen=True, slots=True)
class Handout:
    """Where the handout was written."""

    folder: Path
    zip_path: Path
    files: tuple[str, ...]


def graded_section(course: Course, tests: dict[str, list[PublishedTest]], lang: str) -> str:
    """The "what is graded" Markdown in one language: tests and points per exercise, then the rules."""
    rules = grading_rules(course)
    lines = [f"## {message(DOMAIN, 'graded.title', lang)}", "", message(DOMAIN, "graded.intro", lang), ""]
    for spec in course.exercises:
        lines.append(f"### {message(DOMAIN, 'graded.exercise', lang, file=spec.file, points=spec.max_score)}")
        lines.append("")
        for test in tests.get(spec.id, []):
            key = "graded.advice" if test.advice else "graded.test"
            lines.append(message(DOMAIN, key, lang, points=test.points, title=test.title(lang)))
        lines.append("")
    lines += [f"### {message(DOMAIN, 'graded.rules_title', lang)}", ""]
    lines.append(message(DOMAIN, "graded.rule_tolerance", lang, rtol=rules.rtol, atol=rules.atol))
    for key in ("graded.rule_dtype", "graded.rule_shape"):
        lines.append(message(DOMAIN, key, lang))
    lines.append(message(DOMAIN, "graded.rule_extreme", lang, extreme=rules.extreme))
    for key in ("graded.rule_plots", "graded.rule_time"):
        lines.append(message(DOMAIN, key, lang))
    return "\n".join(lines) + "\n"


def student_readme(course: Course) -> str:
    """``exercises/README.md`` with the graded tests, in Korean then English, where its placeholder is."""
    template = (course.root / "exercises" / "README.md").read_text(encoding="utf-8")
    tests = published_tests(course)
    section = graded_section(course, tests, "ko") + "\n" + graded_section(course, tests, "en")
    head, found, tail = template.partition(PLACEHOLDER)
    if not found:
        return template.rstrip("\n") + "\n\n" + section
    return head + section + tail.split("-->", 1)[-1].lstrip("\n")


def _handout_files(course: Course) -> dict[str, bytes]:
    """Every file of the handout: relative path -> content."""
    exercises = course.root / "exercises"
    files: dict[str, bytes] = {}
    for path in sorted(exercises.rglob("*")):
        relative = path.relative_to(exercises)
        if path.is_file() and not any(part in SKIPPED for part in relative.parts) and path.suffix != ".pyc":
            files[relative.as_posix()] = path.read_bytes()
    files["README.md"] = student_readme(course).encode("utf-8")
    quizzes = load_quizzes(course.quizzes_dir)
    for quiz in quizzes:
        files[f"quizzes/{quiz.id}.md"] = render_sheet(quiz).encode("utf-8")
    files["answers.yaml"] = answers_template(quizzes).encode("utf-8")
    files["requirements.txt"] = REQUIREMENTS.encode("utf-8")
    return files


def build_handout(course: Course, out: Path) -> Handout:
    """Write the handout to the folder ``out`` and to ``out.zip`` (both replaced if they exist)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.resolve() == course.root.resolve() or (
        course.root.resolve() in out.resolve().parents
        and (
            out.resolve().relative_to(course.root.resolve()).parts[0]
            in ("exercises", "solutions", "autograder")
        )
    ):
        raise UsageError(f"{out}: choose a folder outside the course content")
    files = _handout_files(course)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".handout-", dir=out.parent))
    for relative, content in files.items():
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if out.exists():
        shutil.rmtree(out)
    os.replace(staging, out)
    zip_path = out.with_name(out.name + ".zip")
    partial = zip_path.with_name(zip_path.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, content in files.items():
            archive.writestr(f"{out.name}/{relative}", content)
    os.replace(partial, zip_path)
    return Handout(folder=out, zip_path=zip_path, files=tuple(files))
