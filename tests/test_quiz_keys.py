"""The quiz keys agree with the reference solutions: each numeric item's ``check`` is computed from them.

A numeric item must declare ``check: "<expression>"`` (e.g. ``"sigmoid_grad(0)"``), evaluated here over the
reference functions; the key must equal it within the item's tolerance. Facts inside choice and matching items
are checked by the ``CLAIMS`` table below, so the quizzes cannot silently disagree with the code.
"""

from __future__ import annotations

import ast
import importlib.util
import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from activation_lab.quiz.load import load_quizzes
from activation_lab.quiz.model import Matching, MultipleSelect, Numeric, SingleChoice
from activation_lab.quiz.numbers import parse_number

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
QUIZZES = load_quizzes(ROOT / "quizzes", strict=True, lang="en")
ITEMS = {item.id: item for quiz in QUIZZES for item in quiz.items}
NUMERIC = [item for item in ITEMS.values() if isinstance(item, Numeric)]
MODULES = ("c2f", "sigmoid", "step", "tanh", "relu")


def _load(name: str) -> ModuleType:
    path = SOLUTIONS / f"{name}.py"
    if not path.is_file():
        pytest.skip(f"reference solution {path} not written yet")
    spec = importlib.util.spec_from_file_location(f"_reference_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The reference functions plus grid helpers, the only names a ``check`` may use."""
    names: dict[str, Any] = {}
    for name in MODULES:
        module = _load(name)
        names.update({key: value for key, value in vars(module).items() if callable(value) and key[0] != "_"})
    names.pop("np", None)

    def max_on_grid(function: Callable[[Any], Any], low: float, high: float, step: float) -> float:
        return float(np.max(function(np.arange(low, high, step))))

    def argmax_on_grid(function: Callable[[Any], Any], low: float, high: float, step: float) -> float:
        grid = np.arange(low, high, step)
        return float(grid[int(np.argmax(function(grid)))])

    names.update(max_on_grid=max_on_grid, argmax_on_grid=argmax_on_grid)
    return names


def evaluate_check(expression: str, names: dict[str, Any]) -> float:
    """Evaluate a ``check`` over ``names``: calls, numbers, arithmetic only (no attributes, no builtins)."""
    tree = ast.parse(expression, mode="eval")
    allowed = (ast.Expression, ast.Call, ast.Name, ast.Load, ast.Constant, ast.BinOp, ast.UnaryOp,
               ast.operator, ast.unaryop)  # fmt: skip
    for node in ast.walk(tree):
        assert isinstance(node, allowed), f"check {expression!r}: {type(node).__name__} is not allowed"
        if isinstance(node, ast.Name):
            assert node.id in names, (
                f"check {expression!r}: unknown name {node.id!r} (known: {sorted(names)})"
            )
    value = eval(compile(tree, "<check>", "eval"), {"__builtins__": {}}, dict(names))
    return float(np.asarray(value))


def test_every_numeric_item_declares_a_check() -> None:
    unchecked = [item.id for item in NUMERIC if not item.check]
    assert not unchecked, f"numeric items without a check against solutions/: {unchecked}"
    assert len(NUMERIC) >= 10


@pytest.mark.parametrize("item", NUMERIC, ids=[item.id for item in NUMERIC])
def test_numeric_key_equals_the_reference(item: Numeric, reference: dict[str, Any]) -> None:
    assert item.check
    computed = evaluate_check(item.check, reference)
    key = item.answer.value
    bound = item.answer.tolerance.bound(key)
    assert abs(computed - key) <= bound + 1e-12, f"{item.id}: key {key} but {item.check} = {computed}"
    for wrong in item.wrong:  # a "known wrong" value must really be wrong, or a right answer would be refused
        assert abs(computed - wrong.value) > bound, (
            f"{item.id}: wrong value {wrong.value} equals the reference"
        )


def test_check_evaluator_refuses_what_is_not_a_reference_call(reference: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match="not allowed"):
        evaluate_check("sigmoid.__globals__", reference)
    with pytest.raises(AssertionError, match="unknown name"):
        evaluate_check("open('x')", reference)


# -- facts inside choice and matching items -----------------------------------------------------------------

GRID = np.arange(-5.0, 5.0, 0.01)


def _slide_step(x: Any) -> int:
    """The slide's first step(x), bug included."""
    if x >= 0:
        return 1
    return 0


def _function_from(body: str) -> Callable[[Any], Any]:
    namespace: dict[str, Any] = {"np": np}
    exec(f"def candidate(x):\n    {body}\n", namespace)
    return namespace["candidate"]


def _step_version_is_right(body: str, step: Callable[[Any], Any]) -> bool:
    """Works on arrays and scalars, equals the reference step, step(0) = 1."""
    candidate = _slide_step if body.startswith("if ") else _function_from(body)
    try:
        for x in (np.array([-1.0, 0.0, 2.0]), np.array([[-3, 0], [4, -1]]), 0, -2.5, 3):
            got = np.asarray(candidate(x))
            if got.shape != np.shape(x) or not np.array_equal(got, step(x)):
                return False
    except (ValueError, AttributeError):
        return False
    return True


def _claims(ref: dict[str, Any]) -> dict[str, Callable[[str], bool]]:
    """Item id → (choice id → is this choice true by the reference?)."""
    sigmoid, sigmoid_grad, tanh, tanh_grad = (
        ref["sigmoid"],
        ref["sigmoid_grad"],
        ref["tanh"],
        ref["tanh_grad"],
    )
    C2F, activate = ref["C2F"], ref["activate"]

    def same(f: Callable[[Any], Any], g: Callable[[Any], Any]) -> bool:
        return bool(np.allclose(f(GRID), g(GRID), rtol=1e-9, atol=1e-12))

    def raises(call: Callable[[], Any], error: type[BaseException]) -> bool:
        try:
            call()
        except error:
            return True
        return False

    items = {choice.id: choice.text.text("en") for choice in ITEMS["step-array-versions"].choices}  # type: ignore[union-attr]
    return {
        "sigmoid-grad-formula": {
            "a": same(lambda x: sigmoid(x) * (1 - sigmoid(x)), sigmoid_grad),
            "b": same(lambda x: sigmoid(x) * (1 + sigmoid(x)), sigmoid_grad),
            "c": same(lambda x: np.exp(-x) / (1 + np.exp(-x)), sigmoid_grad),
            "d": same(lambda x: 1 - sigmoid(x), sigmoid_grad),
        }.__getitem__,
        "sigmoid-range": {
            "a": bool(np.all((sigmoid(GRID) > 0) & (sigmoid(GRID) < 1))) and sigmoid(-30) < 1e-12,
            "b": False,  # the closed interval: σ never equals 0 or 1 (see the open-interval check above)
            "c": bool(np.any(sigmoid(GRID) < 0)),
            "d": bool(np.any(sigmoid(GRID) > 1)),
        }.__getitem__,
        "tanh-via-sigmoid": {
            "a": same(lambda x: 2 * sigmoid(2 * x) - 1, tanh),
            "b": same(lambda x: 2 * sigmoid(x) - 1, tanh),
            "c": same(lambda x: sigmoid(2 * x) - 1, tanh),
            "d": same(lambda x: sigmoid(x) * (1 - sigmoid(x)), tanh),
        }.__getitem__,
        "tanh-range": {
            "a": bool(np.all(np.abs(tanh(GRID)) < 1)) and tanh(20) > 1 - 1e-12 and tanh(-20) < -1 + 1e-12,
            "b": bool(np.all(tanh(GRID) > 0)),
            "c": False,  # closed: tanh never reaches ±1 (float64 rounding aside)
            "d": bool(np.any(np.abs(tanh(GRID)) > 1)),
        }.__getitem__,
        "tanh-vs-sigmoid": {
            "a": tanh(0) == 0 and sigmoid(0) == 0.5,
            "b": math.isclose(float(tanh_grad(0)), 4 * float(sigmoid_grad(0))),
            "c": tanh_grad(20) < 1e-12 and sigmoid_grad(40) < 1e-12,
            "d": same(lambda x: tanh(x) * (1 - tanh(x)), tanh_grad),
            "e": bool(np.all(tanh(GRID) > 0)),
        }.__getitem__,
        "step-array-versions": lambda choice: _step_version_is_right(items[choice], ref["step"]),
        "step-if-on-array": {
            "a": raises(lambda: _slide_step(np.array([-1, 2, 3])), ValueError)
            and raises(lambda: _slide_step(np.array([1, 2, 3])), ValueError),
            "b": raises(lambda: np.array([-1, 2, 3]) >= 0, Exception),
            "c": not raises(lambda: _slide_step(np.array([1, 2, 3])), ValueError),
            "d": False,  # the error is raised on the `if` line, before any return
        }.__getitem__,
        "step-one-element": {
            "a": type(_slide_step(np.array([5]))) is int and _slide_step(np.array([5])) == 1,
            "b": isinstance(_slide_step(np.array([5])), np.ndarray),
            "c": raises(lambda: _slide_step(np.array([5])), ValueError),
        }.__getitem__,
        "np-int-removed": {
            "a": not hasattr(np, "int"),
            "b": hasattr(np, "int"),
            "c": False,  # no `if` on an array is involved
            "d": hasattr(np, "int"),
        }.__getitem__,
        "relu-builtin-max": {
            "a": raises(lambda: max(0, np.array([-1, 2])), ValueError),
            "b": not raises(lambda: max(0, np.array([-1, 2])), ValueError),
            "c": not raises(lambda: max(0, np.array([-1, 2])), ValueError),
        }.__getitem__,
        "c2f-true-statements": {
            "a": math.isclose(C2F(20) - C2F(10), C2F(30) - C2F(20)),
            "b": math.isclose(C2F(100), 212),
            "c": all(C2F(c) == 32 for c in (-0.1, -5, -40)) and C2F(0) == 32,
            "d": C2F(-20) == 0,
            "e": all(math.isclose(C2F(c), 9 / 5 * activate(c) + 32) for c in (-20, 10, 36.5)),
        }.__getitem__,
        "sigmoid-uses": {  # the slide's statements; (d) and (e) are checked against the reference
            "a": True,
            "b": True,
            "c": True,
            "d": sigmoid(0) == 0,
            "e": float(np.max(sigmoid_grad(GRID))) >= 1,
        }.__getitem__,
    }


CLAIM_ITEMS = [
    "sigmoid-grad-formula", "sigmoid-range", "tanh-via-sigmoid", "tanh-range", "tanh-vs-sigmoid",
    "step-array-versions", "step-if-on-array", "step-one-element", "np-int-removed", "relu-builtin-max",
    "c2f-true-statements", "sigmoid-uses",
]  # fmt: skip


@pytest.mark.parametrize("item_id", CLAIM_ITEMS)
def test_choice_keys_agree_with_the_reference(item_id: str, reference: dict[str, Any]) -> None:
    item = ITEMS[item_id]
    assert isinstance(item, SingleChoice | MultipleSelect)
    claim = _claims(reference)[item_id]
    for choice in item.choices:
        assert bool(claim(choice.id)) == choice.correct, f"{item_id}: choice {choice.id} ({choice.text})"


def _right(item_id: str, left: str) -> float:
    item = ITEMS[item_id]
    assert isinstance(item, Matching)
    pair = next(p for p in item.pairs if left in p.left.all_texts())
    return parse_number(pair.right.text("en"))


def test_matching_keys_agree_with_the_reference(reference: dict[str, Any]) -> None:
    sigmoid, step, bipolar_step, C2F = (reference[n] for n in ("sigmoid", "step", "bipolar_step", "C2F"))
    assert math.isclose(_right("sigmoid-limits", "σ(x → ∞)"), sigmoid(40), abs_tol=1e-12)
    assert math.isclose(_right("sigmoid-limits", "σ(x → −∞)"), sigmoid(-40), abs_tol=1e-12)
    assert _right("sigmoid-limits", "σ(0)") == sigmoid(0)
    assert _right("step-kinds", "unipolar, z < 0") == step(-0.5)
    assert _right("step-kinds", "bipolar, z < 0") == bipolar_step(-0.5)
    assert _right("step-kinds", "both, z ≥ 0 (z = 0 included)") == step(0) == bipolar_step(0)
    assert math.isclose(_right("c2f-parts", "w1"), C2F(1) - C2F(0))
    assert _right("c2f-parts", "b = w0") == C2F(0)


def test_every_claimed_item_exists() -> None:
    assert set(CLAIM_ITEMS) <= set(ITEMS)
