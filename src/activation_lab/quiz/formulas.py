"""Formulas and arithmetic in quiz answers, compared the way Open edX does: numerically, with its evaluator.

Open edX grades ``formularesponse`` by evaluating the student's formula and the key at sample points
(``samples="x@-2:2#10"``) with its own safe evaluator, the ``calc`` module of ``openedx-calc``, and
``numericalresponse`` by evaluating the answer (``0.25^3``, ``1/2``, ``e``) once. We use the same evaluator,
so an answer written in its notation gets the same verdict here and after ``quiz export --format olx``.

Students also write Python or typeset notation, which Open edX's parser refuses: ``**`` for powers,
``tanh(x)**2``, ``tanh²x``, ``np.tanh(x)``, ``·``/``×`` for products, ``−`` for minus. ``to_calc`` rewrites
those into calc notation first; the OLX export tells students on Open edX to write powers with ``^``.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

MAX_FORMULA_LENGTH = 200
FORMULA_REL_TOLERANCE = (
    1e-6  # formulas agree when every sample differs by at most this fraction (edX: "0.0001%")
)
SUPERSCRIPTS = {
    "²": "2",
    "³": "3",
    "⁴": "4",
    "¹": "1",
    "⁰": "0",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
}
_FUNCTION_NAMES = (
    "tanh|sinh|cosh|exp|sqrt|log|ln|sin|cos|tan|abs|arctan|arcsin|arccos|log10|log2|sech|csch|coth"
)
# tanh²x, tanh^2(x), tanh**2(x) -> tanh(x)^2 (the typeset way to square a function's value)
_POWER_OF_FUNCTION = re.compile(
    rf"\b({_FUNCTION_NAMES})\s*\^\s*(\d+)\s*(\((?:[^()]|\([^()]*\))*\)|[A-Za-z_]\w*|\d+(?:\.\d+)?)",
    re.IGNORECASE,
)
# tanh x -> tanh(x): a function applied to a bare variable or number
_BARE_ARGUMENT = re.compile(
    rf"\b({_FUNCTION_NAMES})\s+([A-Za-z_]\w*|\d+(?:\.\d+)?)\b(?!\s*\^)", re.IGNORECASE
)


class FormulaError(ValueError):
    """An answer the evaluator cannot read or compute; ``reason`` is a ``quiz.toml`` message key."""

    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


def to_calc(text: str) -> str:
    """``text`` in the notation of Open edX's evaluator (``tanh(x)**2`` and ``tanh²x`` → ``tanh(x)^2``)."""
    text = unicodedata.normalize("NFC", text).strip()
    for superscript, digit in SUPERSCRIPTS.items():
        text = text.replace(superscript, f"^{digit}")
    text = text.replace("\u2212", "-").replace("·", "*").replace("×", "*").replace("⋅", "*")
    text = text.replace("**", "^")
    text = re.sub(r"\b(?:np|numpy|math)\.", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text)
    text = _POWER_OF_FUNCTION.sub(lambda m: f"{m.group(1)}({_strip_parens(m.group(3))})^{m.group(2)}", text)
    text = _BARE_ARGUMENT.sub(lambda m: f"{m.group(1)}({m.group(2)})", text)
    return text.replace(" ", "")


def _strip_parens(argument: str) -> str:
    return argument[1:-1] if argument.startswith("(") and argument.endswith(")") else argument


def evaluate(text: str, variables: dict[str, float] | None = None) -> float:
    """The value of a formula (in calc or Python notation) at ``variables``; ``FormulaError`` if refused."""
    from calc import UndefinedVariable  # openedx-calc

    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError("formula_too_long", text[:40])
    expression = to_calc(text)
    if not expression:
        raise FormulaError("formula_empty", text)
    try:
        with warnings.catch_warnings():  # calc uses pyparsing's deprecated camelCase names
            warnings.simplefilter("ignore")
            value = _float_evaluator({k: float(v) for k, v in (variables or {}).items()}, expression)
    except UndefinedVariable:
        raise FormulaError("formula_unknown_name", text) from None
    except ZeroDivisionError:
        raise FormulaError("formula_not_finite", text) from None
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        raise FormulaError("formula_not_finite", text) from None
    except Exception:  # pyparsing's ParseException and the evaluator's other refusals
        raise FormulaError("formula_unreadable", text) from None
    if isinstance(value, complex):
        if value.imag != 0:
            raise FormulaError("formula_not_finite", text)
        value = value.real
    value = float(value)
    if not math.isfinite(value):
        raise FormulaError("formula_not_finite", text)
    return value


MAX_FACTORIAL = 170  # the largest n whose n! is a finite float


def _bounded_factorial(value: float) -> float:
    if value != int(value) or not 0 <= value <= MAX_FACTORIAL:
        raise ValueError("factorial of a non-integer or beyond the float range")
    return float(math.factorial(int(value)))


PARSED_CACHE_SIZE = 256  # distinct formulas kept parsed (each at most MAX_FORMULA_LENGTH characters)


@functools.lru_cache(maxsize=PARSED_CACHE_SIZE)
def _parsed(expression: str) -> Any:
    """``expression`` parsed by calc (its grammar is rebuilt on every parse, ~5 ms): once per text.

    A formula is evaluated at every sample point, the key as often as the answers compared with it; the
    parse tree depends on the text alone (``reduce_tree`` only reads it), so the same text is parsed once
    per process. A text that does not parse raises each time and is not kept.
    """
    from calc import calc as edx

    edx.check_parens(expression)
    interpreter = edx.ParseAugmenter(expression, False)
    interpreter.parse_algebra()
    return interpreter


def _float_evaluator(variables: dict[str, float], expression: str) -> Any:
    """``calc.evaluator`` with every number a float, so no answer computes with unbounded integers.

    Open edX's evaluator keeps integer literals as Python ints: ``9^9^9`` (a 200-character bound does not
    help) or ``fact(10^7)`` would compute for minutes with gigabytes in the trusted parent. In floats they
    overflow at once (``formula_not_finite``); results differ from edX's only beyond 2**53, far outside any
    tolerance. Same parser, same functions, same variables as ``calc.evaluator``.
    """
    from calc import calc as edx

    interpreter = _parsed(expression)
    bounded = {"fact": _bounded_factorial, "factorial": _bounded_factorial}
    all_variables, all_functions = edx.add_defaults(variables, bounded, False)
    interpreter.check_variables(all_variables, all_functions)
    actions = {
        "number": lambda parts: float(edx.eval_number(parts)),
        "variable": lambda parts: all_variables[parts[0].lower()],
        "function": lambda parts: all_functions[parts[0].lower()](parts[1]),
        "atom": edx.eval_atom,
        "power": edx.eval_power,
        "parallel": edx.eval_parallel,
        "product": edx.eval_product,
        "sum": edx.eval_sum,
    }
    return interpreter.reduce_tree(actions)


@dataclass(frozen=True, slots=True)
class Samples:
    """Where formulas are compared: Open edX's ``samples``, ``x@-2:2#10`` (variables@low:high#count)."""

    variables: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    count: int

    @classmethod
    def parse(cls, spec: str) -> Samples:
        """Read ``x@-2:2#10`` or ``x,y@-2,0:2,1#10``; ``ValueError`` when malformed."""
        match = re.fullmatch(r"\s*([A-Za-z_][\w,]*)@([-\d.,eE]+):([-\d.,eE]+)#(\d+)\s*", spec)
        if match is None:
            raise ValueError(f"samples {spec!r} is not 'x@low:high#count'")
        names = tuple(match.group(1).split(","))
        low = tuple(float(v) for v in match.group(2).split(","))
        high = tuple(float(v) for v in match.group(3).split(","))
        count = int(match.group(4))
        if not (len(names) == len(low) == len(high)) or count < 1:
            raise ValueError(f"samples {spec!r}: one low and one high per variable, and a count ≥ 1")
        return cls(names, low, high, count)

    def points(self) -> list[dict[str, float]]:
        """The sample points: evenly spread inside each range, ends excluded (deterministic, unlike edX)."""
        return [
            {
                name: lo + (hi - lo) * (index + 0.5) / self.count
                for name, lo, hi in zip(self.variables, self.low, self.high, strict=True)
            }
            for index in range(self.count)
        ]

    def __str__(self) -> str:
        def join(values: tuple[float, ...]) -> str:
            return ",".join(f"{v:g}" for v in values)

        return f"{','.join(self.variables)}@{join(self.low)}:{join(self.high)}#{self.count}"


def same_formula(answer: str, key: str, samples: Samples, rel: float, abs_: float = 0.0) -> bool:
    """Whether ``answer`` equals ``key`` at every sample point within ``max(abs_, rel·|key|)``.

    Raises ``FormulaError`` when the answer cannot be evaluated (the key is checked when the quiz loads).
    """
    for point in samples.points():
        expected = evaluate(key, point)
        got = evaluate(answer, point)
        if abs(got - expected) > max(abs_, rel * abs(expected)) + 1e-12 * abs(expected):
            return False
    return True
