"""``activation-lab course check``: is the course content consistent, before a semester starts?

Each check is run and reported on its own, so one broken exercise does not hide the others:
the manifest reads; the reference solutions earn full marks on their own suites (which also checks that
the ``points`` markers of every suite add up to the manifest's ``max_score``); the student stubs score 0
and are ``not attempted``; the quizzes validate; each numeric quiz key equals its ``check`` expression
computed over ``solutions/``; the fixed maximum is what the parts add up to.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activation_lab.course import Course, load_course
from activation_lab.errors import ActivationLabError, CourseError
from activation_lab.i18n import render


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One finding: what was checked, whether it holds, and why not."""

    name: str
    ok: bool
    detail: str = ""


def _run(course: Course, folder: Path, lang: str) -> tuple[dict[str, Any], str]:
    """Grade every exercise file in ``folder`` in-process with the hidden suites (trusted course content)."""
    from activation_lab.grading.student import InProcessStudent
    from activation_lab.grading.suites import run_suites

    students = {spec.id: InProcessStudent(folder / spec.file) for spec in course.exercises}
    try:
        return dict(run_suites(course, students, lang=lang, seed=0)), ""
    except CourseError as exc:
        return {}, str(exc)


def check_references(course: Course, lang: str = "en") -> list[CheckResult]:
    """Each reference solution passes every test of its own suite, at full marks."""
    results, error = _run(course, course.solutions_dir, lang)
    if error:
        return [CheckResult("references pass their suites", False, error)]
    findings = []
    for spec in course.exercises:
        result = results[spec.id]
        failed = [render(t.name, lang) for t in result.tests if t.status != "passed"]
        ok = result.score == spec.max_score and not failed and result.status == "graded"
        detail = (
            ""
            if ok
            else f"{result.score:g}/{spec.max_score:g}; failing: {', '.join(failed) or result.status}"
        )
        findings.append(
            CheckResult(f"solutions/{spec.file} earns {spec.max_score:g}/{spec.max_score:g}", ok, detail)
        )
    return findings


def check_stubs(course: Course, lang: str = "en") -> list[CheckResult]:
    """Each student stub in ``exercises/`` scores 0 and is ``not attempted`` (a stub must not give points)."""
    folder = course.root / "exercises"
    missing = [spec.file for spec in course.exercises if not (folder / spec.file).is_file()]
    if missing:
        return [CheckResult("stubs exist", False, f"exercises/ lacks {', '.join(missing)}")]
    results, error = _run(course, folder, lang)
    if error:
        return [CheckResult("stubs grade", False, error)]
    findings = []
    for spec in course.exercises:
        result = results[spec.id]
        ok = result.score == 0 and not result.attempted
        detail = "" if ok else f"scores {result.score:g}, attempted={result.attempted}"
        findings.append(CheckResult(f"exercises/{spec.file} scores 0, not attempted", ok, detail))
    return findings


def _reference_names(course: Course) -> dict[str, Any]:
    """Every public callable of the reference solutions, plus grid helpers: what a ``check`` may call."""
    names: dict[str, Any] = {}
    for spec in course.exercises:
        path = course.solutions_dir / spec.file
        module_spec = importlib.util.spec_from_file_location(f"_course_check_{spec.id}", path)
        if module_spec is None or module_spec.loader is None:
            raise CourseError(f"cannot import {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        names.update({k: v for k, v in vars(module).items() if callable(v) and not k.startswith("_")})
    names.pop("np", None)

    def max_on_grid(function: Callable[[Any], Any], low: float, high: float, step: float) -> float:
        return float(np.max(function(np.arange(low, high, step))))

    def argmax_on_grid(function: Callable[[Any], Any], low: float, high: float, step: float) -> float:
        grid = np.arange(low, high, step)
        return float(grid[int(np.argmax(function(grid)))])

    names.update(max_on_grid=max_on_grid, argmax_on_grid=argmax_on_grid)
    return names


_ALLOWED_NODES = (
    ast.Expression,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.operator,
    ast.unaryop,
)


def evaluate_check(expression: str, names: dict[str, Any]) -> float:
    """Evaluate a numeric item's ``check``: calls of reference functions, numbers and arithmetic only."""
    tree = ast.parse(expression, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise CourseError(f"check {expression!r}: {type(node).__name__} is not allowed")
        if isinstance(node, ast.Name) and node.id not in names:
            raise CourseError(f"check {expression!r}: unknown name {node.id!r}")
    value = eval(compile(tree, "<check>", "eval"), {"__builtins__": {}}, dict(names))
    return float(np.asarray(value))


def check_quizzes(course: Course) -> list[CheckResult]:
    """The quizzes validate (strictly), and every numeric key equals its ``check`` over ``solutions/``."""
    from activation_lab.quiz.load import load_quizzes
    from activation_lab.quiz.model import Numeric

    if not course.quizzes_dir.is_dir() or not any(course.quizzes_dir.glob("*.y*ml")):
        counted = "quiz" in course.parts
        return [
            CheckResult("quizzes", not counted, "[grading] parts counts 'quiz' but quizzes/ holds no quiz")
        ]
    try:
        quizzes = load_quizzes(course.quizzes_dir, strict=True, lang="en")
    except ActivationLabError as exc:
        return [CheckResult("quizzes validate", False, str(exc))]
    findings = [CheckResult(f"quizzes validate ({len(quizzes)} quizzes)", True)]
    try:
        names = _reference_names(course)
    except Exception as exc:
        return [*findings, CheckResult("solutions import", False, f"{type(exc).__name__}: {exc}")]
    for quiz in quizzes:
        for item in quiz.items:
            if not isinstance(item, Numeric):
                continue
            name = f"quiz key {item.id}"
            if not item.check:
                findings.append(CheckResult(name, False, 'a numeric item needs check: "<expression>"'))
                continue
            try:
                computed = evaluate_check(item.check, names)
            except Exception as exc:
                findings.append(CheckResult(name, False, f"{item.check}: {type(exc).__name__}: {exc}"))
                continue
            key = item.answer.value
            bound = item.answer.tolerance.bound(key)
            ok = abs(computed - key) <= bound + 1e-12
            findings.append(
                CheckResult(name, ok, "" if ok else f"key {key:g} but {item.check} = {computed:g}")
            )
    return findings


def check_course(root: Path | None = None, lang: str = "en") -> list[CheckResult]:
    """Every check of the course at ``root`` (default: the configured course)."""
    try:
        course = load_course(root)
    except CourseError as exc:
        return [CheckResult("manifest reads", False, str(exc))]
    counted = [p for p in course.parts if p != "quiz"]
    code_max = sum(spec.max_score for spec in course.exercises if spec.part in counted)
    findings = [
        CheckResult(
            f"manifest reads: {len(course.exercises)} exercises, parts {', '.join(course.parts)}, "
            f"code maximum {code_max:g}",
            True,
        )
    ]
    findings += check_references(course, lang)
    findings += check_stubs(course, lang)
    findings += check_quizzes(course)
    return findings
