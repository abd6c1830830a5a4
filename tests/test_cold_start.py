"""The cold single-submission CLI (issue 9): one YAML pass within the bounds, each formula parsed once, and
the commands import only what they use. Grades never depend on any of it."""

from __future__ import annotations

import math

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError as YAMLError

from activation_lab.quiz import formulas
from activation_lab.quiz.load import QuizValidationError, check_yaml_bounds, parse_yaml


def _bomb(levels: int = 7, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _refusal(text: str) -> tuple[str, int, str]:
    with pytest.raises(QuizValidationError) as raised:
        parse_yaml(text, "answers.yaml")
    problem = raised.value.problems[0]
    return problem.text.key, problem.line, str(problem.text.params.get("what", problem.text.params))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_bomb(), id="alias-bomb"),
        pytest.param("a: 1\nb: [\n" + _bomb(), id="syntax-error-before-a-bomb"),
        pytest.param("a: &a [1, *a]\n", id="recursive-alias"),
        pytest.param("x: " + "[" * 100 + "]" * 100 + "\n", id="deep-nesting"),
        pytest.param("a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(150)), id="many-aliases"),
    ],
)
def test_one_pass_refuses_what_the_separate_bounds_pass_refuses_at_the_same_line(text: str) -> None:
    try:
        check_yaml_bounds(text, "answers.yaml")
    except QuizValidationError as exc:
        expected = exc.problems[0]
        assert _refusal(text)[:2] == (expected.text.key, expected.line)
    except YAMLError as exc:  # a syntax error comes before any bound: both stop at the parser's error
        assert exc.problem_mark is not None
        assert _refusal(text)[:2] == ("validate.bad_yaml", exc.problem_mark.line + 1)
    else:
        pytest.fail("every text here passes a bound or is not YAML")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\na: 1\n---\n" + _bomb(), id="second-document"),
        pytest.param("a: 1\na: 2\n" + _bomb(), id="duplicate-key"),
        pytest.param("a: *nowhere\n" + _bomb(), id="undefined-alias"),
    ],
)
def test_a_bound_passed_after_another_error_is_still_what_is_reported(text: str) -> None:
    # The loader stops at the first problem it meets; the bounds keep their precedence over the whole text.
    key, _, what = _refusal(text)
    assert key == "validate.yaml_too_complex", what


def test_an_error_without_a_bound_passed_is_the_loaders_own() -> None:
    assert _refusal("a: 1\na: 2\n")[0] == "validate.duplicate_key"
    assert _refusal("---\na: 1\n---\nb: 2\n")[0] == "validate.bad_yaml"


def test_within_the_bounds_the_data_and_its_lines_are_the_plain_loaders() -> None:
    text = "base: &base {a: 1, b: [1, 2]}\nother: *base\nitems:\n  - id: q1\n    answer: 0.25\n"
    ours, plain = parse_yaml(text, "answers.yaml"), YAML(typ="rt").load(text)
    assert ours == plain
    assert ours["items"][0].lc.line == plain["items"][0].lc.line == 3


def test_a_formula_is_parsed_once_and_evaluated_at_every_point() -> None:
    text = "1/(1+e^(-x))*(1-1/(1+e^(-x)))"
    formulas._parsed.cache_clear()
    values = [formulas.evaluate(text, {"x": x}) for x in (-2.0, 0.0, 0.5, 3.0)]
    assert formulas._parsed.cache_info().misses == 1 and formulas._parsed.cache_info().hits == 3
    for x, value in zip((-2.0, 0.0, 0.5, 3.0), values, strict=True):
        sigma = 1 / (1 + math.exp(-x))
        assert value == pytest.approx(sigma * (1 - sigma), rel=1e-12)


def test_a_parsed_formula_keeps_its_own_variables_and_refusals() -> None:
    formulas._parsed.cache_clear()
    assert formulas.evaluate("2*x", {"x": 3.0}) == 6.0
    with pytest.raises(formulas.FormulaError) as unknown:  # the same text with x undefined this time
        formulas.evaluate("2*x", {})
    assert unknown.value.reason == "formula_unknown_name"
    for _ in range(2):  # a text that does not parse is refused every time, and never kept
        with pytest.raises(formulas.FormulaError) as unreadable:
            formulas.evaluate("2*(x", {"x": 1.0})
        assert unreadable.value.reason == "formula_unreadable"
    assert formulas._parsed.cache_info().currsize == 1


def test_the_parsed_formulas_kept_are_bounded() -> None:
    formulas._parsed.cache_clear()
    for n in range(formulas.PARSED_CACHE_SIZE + 20):
        assert formulas.evaluate(f"x+{n}", {"x": 1.0}) == 1.0 + n
    assert formulas._parsed.cache_info().currsize == formulas.PARSED_CACHE_SIZE
