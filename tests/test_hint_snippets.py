"""Every code snippet a hint suggests is right for the function it is shown for (issue 12).

The hints that may be shown for any function (they come from an exception or from the shape of a result) take
their code from the course's ``FIXES`` (``autograder/misconceptions.py``) through ``{fix}``, ``{fix_numbers}``
and ``{fix_dtype}``. A module made of those snippets is graded with the hidden suites and must get full marks;
and no such hint may hard-code a snippet that is right for one function only (``(x >= 0) * 1`` shown for
relu).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rendered import rendered

from activation_lab.course import load_course
from activation_lab.grading.checks import hint_message
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import load_misconceptions, run_suites
from activation_lab.i18n import LANGUAGES, load_catalog

COURSE_MISCONCEPTIONS = load_misconceptions(load_course())
FIXES = COURSE_MISCONCEPTIONS.fixes
fix_params = COURSE_MISCONCEPTIONS.fix_params

# Hints raised by exceptions or by the form of a result, so shown for whichever function failed.
ANY_FUNCTION_HINTS = (
    "ambiguous_truth",
    "bool_result",
    "np_int_removed",
    "builtin_max_on_array",
    "scalar_for_array",
    "input_mutated",
    "scalar_input",
    "list_result",
    "loop_over_rows",
    "vectorize_otypes",
    "missing_parentheses",
    "relu_grad_division",
)
KINDS = ("fix", "fix_numbers", "fix_dtype")
CODE = re.compile(r"`([^`]+)`")


def _argument_names(reference: Path) -> dict[str, str]:
    tree = ast.parse(reference.read_text(encoding="utf-8"))
    return {node.name: node.args.args[0].arg for node in tree.body if isinstance(node, ast.FunctionDef)}


def _module_of_snippets(functions: tuple[str, ...], arguments: dict[str, str], kind: str) -> str:
    lines = ["import numpy as np", ""]
    for function in functions:
        snippet = fix_params(function)[kind]
        lines += [f"def {function}({arguments[function]}):", f"    return {snippet}", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("exercise", ["c2f", "sigmoid", "step", "tanh", "relu"])
def test_the_suggested_snippets_get_full_marks(exercise: str, kind: str, tmp_path: Path) -> None:
    course = load_course()
    spec = course.exercise(exercise)
    assert all(function in FIXES for function in spec.functions), f"{exercise}: a function without FIXES"
    arguments = _argument_names(course.solutions_dir / spec.file)
    source = _module_of_snippets(spec.functions, arguments, kind)
    path = tmp_path / spec.file
    path.write_text(source, encoding="utf-8")
    result = rendered(run_suites(course, {exercise: InProcessStudent(path)}, seed=0)[exercise], "en")
    lost = [f"{t.name}: {t.feedback}" for t in result.tests if t.status != "passed"]
    assert result.score == result.max_score, f"{kind} snippets of {exercise}:\n{source}\n" + "\n".join(lost)


@pytest.mark.parametrize("key", ANY_FUNCTION_HINTS)
def test_a_hint_for_any_function_hard_codes_no_function_specific_snippet(key: str) -> None:
    catalog = load_catalog("feedback")
    specific = {snippet for fixes in FIXES.values() for snippet in fixes.values()}
    for lang in LANGUAGES:
        template = catalog[f"hint.{key}"][lang]
        hard_coded = set(CODE.findall(template)) & specific
        assert not hard_coded, f"hint.{key} ({lang}) always shows {sorted(hard_coded)}: use {{fix}}"


@pytest.mark.parametrize("function", sorted(FIXES))
def test_each_function_sees_its_own_snippet(function: str) -> None:
    own = set(FIXES[function].values())
    for key in ANY_FUNCTION_HINTS:
        for lang in LANGUAGES:
            shown = set(CODE.findall(hint_message(key, fix_params(function)).render(lang)))
            others = {s for f, fixes in FIXES.items() if f != function for s in fixes.values()} - own
            assert not shown & others, f"hint.{key} for {function} ({lang}) shows {sorted(shown & others)}"
