"""Comparisons of a student's results with the reference, and feedback that names the misconception.

The hidden suites use a :class:`Checker` (fixture ``check``). A check calls the student through the
``StudentCode`` protocol, applies the output rules of CONTRACT §1 (type, shape, dtype), compares values
under a stated tolerance, and on failure raises :class:`CheckFailure` carrying a structured :class:`Failure`:
what was checked, the input, expected vs. got, the rule, and misconception hint keys found by the detectors
(``hints_from_raised`` for exceptions, ``diagnose`` for wrong numbers). ``render_failure`` turns it into text
in one language, hiding expected values for hidden tests. This module runs only on the trusted side.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from activation_lab.i18n import message
from activation_lab.records import CallResult, Opaque, Raised

DOMAIN = "feedback"
EXTREME = 700.0  # |x| from which e^x overflows float64; such inputs give advice only


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Element-wise closeness ``|got − expected| ≤ atol + rtol·|expected|`` (NumPy's ``isclose``)."""

    rtol: float = 1e-7
    atol: float = 1e-9


DEFAULT_TOLERANCE = Tolerance()
# Looser than grading: a candidate wrong formula "matches" even when written in another algebraic form.
CANDIDATE_TOLERANCE = Tolerance(rtol=1e-6, atol=1e-8)


@dataclass(frozen=True, slots=True)
class Text:
    """A catalogue message of ``feedback.toml``: its key and parameters, rendered later in a language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        """The message in ``lang``."""
        return message(DOMAIN, self.key, lang, **self.params)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one check failed, as data; ``expected`` and ``got`` are shown only for public tests."""

    call: str
    problem: Text
    expected: str | None = None
    got: str | None = None
    rule: Text | None = None
    hints: tuple[str, ...] = ()
    stdout: str = ""


class CheckFailure(Exception):
    """Raised by a check that the student's code does not pass (the runner scores the test as failed)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.problem.key)
        self.failure = failure


def render_hint(key: str, lang: str) -> str:
    """The text of one misconception hint."""
    return message(DOMAIN, f"hint.{key}", lang)


def render_failure(failure: Failure, lang: str, *, hidden: bool) -> str:
    """The feedback of a failed check in ``lang``; hidden tests never show expected (or got) values."""
    lines = [message(DOMAIN, "label.checked", lang, call=failure.call), failure.problem.render(lang)]
    if not hidden and failure.expected is not None:
        lines.append(message(DOMAIN, "label.expected", lang, value=failure.expected))
    if not hidden and failure.got is not None:
        lines.append(message(DOMAIN, "label.got", lang, value=failure.got))
    if failure.rule is not None:
        lines.append(message(DOMAIN, "label.rule", lang, rule=failure.rule.render(lang)))
    if failure.stdout.strip():
        lines.append(message(DOMAIN, "label.stdout", lang, text=_shorten(failure.stdout.strip(), 200)))
    lines.extend(message(DOMAIN, "label.hint", lang, text=render_hint(key, lang)) for key in failure.hints)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# Describing values without trusting them
# ----------------------------------------------------------------------------------------------------


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """A short, safe description: repr for numbers and arrays, only the type name for anything else."""
    if isinstance(value, Opaque):
        return f"<{value.type_name}>"
    if value is None or isinstance(value, bool | int | float | np.generic):
        return (
            repr(value)
            if not isinstance(value, int) or abs(value) < 10**30
            else f"<int of {value.bit_length()} bits>"
        )
    if type(value) is np.ndarray:
        body = np.array2string(value, separator=", ", threshold=12, edgeitems=3, precision=10)
        dtype = "" if value.dtype in (np.dtype(np.int64), np.dtype(np.float64)) else f", dtype={value.dtype}"
        return _shorten(f"np.array({body}{dtype})", 400)
    if isinstance(value, list | tuple):
        return f"<{type(value).__name__} of length {len(value)}>"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def describe_call(name: str, args: tuple[Any, ...]) -> str:
    """``name(arg, ...)`` as a student would write it."""
    return f"{name}({', '.join(describe(a) for a in args)})"


# ----------------------------------------------------------------------------------------------------
# Misconceptions recognised from a raised exception
# ----------------------------------------------------------------------------------------------------

_BUILTIN_MINMAX = re.compile(r"(?<![\w.])(max|min)\s*\(")
_MATH_CALL = re.compile(r"(?<![\w.])(math\.\w+|exp|tanh|sqrt|log)\s*\(")
_INT_CALL = re.compile(r"(?<![\w.])(int|float)\s*\(")
_NP_ALIAS = re.compile(r"\b(np|numpy)\.(int|float|bool|object|str|long|unicode|complex)\b(?![\w])")
_REMOVED_ALIAS_MESSAGE = re.compile(r"has no attribute '(int|float|bool|object|str|long|unicode|complex)'")
_IN_PLACE = re.compile(r"^\s*\w+\s*(\[.*\]\s*(?:[-+*/]|//|\*\*)?=|(?:[-+*/]|//|\*\*)=)(?!=)")
_SCALAR_CONVERSION = ("only 0-dimensional arrays", "only length-1 arrays", "only size-1 arrays")


def _student_line(raised: Raised) -> str:
    """The source text of the innermost student frame (``file.py:12: code``), or ``""``."""
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    if not lines:
        return ""
    parts = lines[-1].split(":", 2)
    return parts[2].strip() if len(parts) == 3 else lines[-1].strip()


def _student_where(raised: Raised) -> str:
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def hints_from_raised(raised: Raised) -> tuple[str, ...]:
    """Misconception keys recognised from an exception's type, message and the student's source line."""
    source = _student_line(raised)
    text = raised.message
    if raised.type == "NotImplementedError":
        return ("not_attempted",)
    if raised.type == "AttributeError" and (_REMOVED_ALIAS_MESSAGE.search(text) or _NP_ALIAS.search(source)):
        return ("np_int_removed",)
    if raised.type == "OverflowError":
        return ("overflow_advice",)
    ambiguous = "truth value" in text and "ambiguous" in text
    if ambiguous and _BUILTIN_MINMAX.search(source):  # max(0, x) compares the whole array with 0
        return ("builtin_max_on_array",)
    scalar_only = any(phrase in text for phrase in _SCALAR_CONVERSION)
    if scalar_only or (raised.type == "TypeError" and "math" in text):
        if "math." in source:
            return ("math_on_array",)
        if _INT_CALL.search(source):
            return ("int_on_array",)
        if _MATH_CALL.search(source) and "np." not in source:
            return ("math_on_array",)
        return ()
    if ambiguous:
        return ("ambiguous_truth",)
    if raised.type == "FloatingPointError":
        return ("overflow_advice",)
    # `x[x < 0] = 0` on a number, or `x *= 0.5` on an int array: the function writes into its argument
    if "does not support item assignment" in text or ("Cannot cast ufunc" in text and "same_kind" in text):
        return ("input_mutated",)
    if _IN_PLACE.search(source) and raised.type in ("TypeError", "UFuncTypeError", "ValueError"):
        return ("input_mutated",)
    return ()


# ----------------------------------------------------------------------------------------------------
# Misconceptions recognised from wrong numbers
# ----------------------------------------------------------------------------------------------------

APPROX_E = (2.7, 2.71, 2.718, 2.7182, 2.71828, 2.72)


def _sig(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sig_grad(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def _tanh_grad(x: np.ndarray) -> np.ndarray:
    return 1 - np.tanh(x) ** 2


def _with_approx_e(function: Callable[[np.ndarray], np.ndarray]) -> list[tuple[tuple[str, ...], Any]]:
    # E^x = e^(x·ln E): a formula written with an approximate e is the exact function of a rescaled input.
    out: list[tuple[tuple[str, ...], Any]] = []
    for approx in APPROX_E:
        scale = math.log(approx)
        out.append((("approx_e",), lambda x, s=scale: function(x * s)))
        out.append((("approx_e", "exp_sign"), lambda x, s=scale: function(-x * s)))
    return out


def _c2f_grid() -> list[tuple[tuple[str, ...], Any]]:
    ratios = {(): 9 / 5, ("c2f_inverted_ratio",): 5 / 9, ("c2f_floor_div",): 1.0}
    clamps: dict[tuple[str, ...], Callable[[np.ndarray, float], np.ndarray]] = {
        (): lambda c, r: np.maximum(r * c + 32, 32),
        ("c2f_clamp_zero",): lambda c, r: np.where(r * c + 32 < 0, 0, r * c + 32),
        ("c2f_no_clamp",): lambda c, r: r * c + 32,
        ("c2f_clamp_before_linear",): lambda c, r: r * np.maximum(c, 32) + 32,
    }
    # Fahrenheit-to-Celsius written instead, 5/9·(C − 32), with or without the clamp
    grid: list[tuple[tuple[str, ...], Any]] = [
        (("c2f_inverted_ratio",), lambda c: np.maximum(5 / 9 * (c - 32), 32)),
        (("c2f_inverted_ratio", "c2f_no_clamp"), lambda c: 5 / 9 * (c - 32)),
    ]
    for ratio_keys, ratio in ratios.items():
        for clamp_keys, clamp in clamps.items():
            if ratio_keys or clamp_keys:
                grid.append((ratio_keys + clamp_keys, lambda c, r=ratio, f=clamp: f(c, r)))
    return grid


# Candidate wrong formulas per function: (hint keys, values as a function of the input).
CANDIDATES: dict[str, list[tuple[tuple[str, ...], Any]]] = {
    "sigmoid": [(("exp_sign",), lambda x: _sig(-x)), *_with_approx_e(_sig)],
    "sigmoid_grad": [
        (("missing_square", "sigmoid_grad_formula"), lambda x: _sig(-x)),  # e^−x/(1+e^−x) = 1 − σ(x)
        (("sigmoid_grad_formula",), lambda x: _sig(x) * (1 + _sig(x))),
        (("sigmoid_grad_formula",), lambda x: _sig(x) ** 2),
        (("sigmoid_grad_formula",), lambda x: _sig(x)),
        (("sigmoid_grad_formula",), lambda x: -_sig_grad(x)),
        (("sigmoid_grad_formula",), lambda x: 1 - _sig(x) ** 2),
        (("exp_sign",), lambda x: np.exp(np.clip(x, -700, 700)) * _sig(x) ** 2),  # e^x / (1 + e^−x)²
        *_with_approx_e(_sig_grad),
    ],
    "tanh": [
        (("tanh_via_sigmoid_x",), lambda x: np.tanh(x / 2)),  # 2σ(x) − 1
        (("exp_sign",), lambda x: -np.tanh(x)),
        (("tanh_via_sigmoid_x", "exp_sign"), lambda x: -np.tanh(x / 2)),
        *_with_approx_e(np.tanh),
    ],
    "tanh_grad": [
        (("missing_square",), lambda x: 1 - np.tanh(x)),
        (("missing_square",), lambda x: 1 + np.tanh(x)),
        (("tanh_via_sigmoid_x",), lambda x: _tanh_grad(x / 2)),
        (("tanh_grad_slide_typo",), lambda x: 4 * _sig(x) ** 2),
        (("missing_square",), lambda x: 1 - np.tanh(x**2)),  # tanh²(x) read as tanh(x²)
        *_with_approx_e(_tanh_grad),
    ],
    "C2F": _c2f_grid(),
    "activate": [
        (("c2f_no_clamp",), lambda z: z),
        (("c2f_clamp_zero",), lambda z: np.where(z < 0, 0, z)),
    ],
}


FLOAT_FUNCTIONS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu")


def _matches(got: np.ndarray, candidate: np.ndarray, tol: Tolerance) -> bool:
    return got.shape == candidate.shape and bool(
        np.all(np.isclose(got, candidate, rtol=tol.rtol, atol=tol.atol, equal_nan=True))
    )


def _explaining_candidates(name: str, x: np.ndarray, got: np.ndarray, expected: np.ndarray) -> list[str]:
    """Keys of the candidate mistakes that reproduce every value of ``got``, keeping the simplest ones."""
    matched: list[tuple[str, ...]] = []
    for keys, candidate in CANDIDATES.get(name, ()):
        values = np.asarray(candidate(x), dtype=float)
        if not _matches(expected, values, DEFAULT_TOLERANCE) and _matches(got, values, CANDIDATE_TOLERANCE):
            matched.append(keys)
    # An even function hides a sign error, a saturated input hides an approximate e, ...: drop an explanation
    # that only adds mistakes to another one that already explains the numbers.
    simplest = [k for k in matched if not any(set(other) < set(k) for other in matched)]
    return list(dict.fromkeys(key for keys in simplest for key in keys))


def _step_hints(name: str, x: np.ndarray, got: np.ndarray, expected: np.ndarray) -> list[str]:
    hints: list[str] = []
    wrong = ~np.isclose(got, expected)
    below = np.asarray(x < 0)
    low_value = 0 if name == "step" else -1
    if np.any(wrong & (x == 0) & np.isclose(got, low_value)) or (
        name == "bipolar_step" and np.any(wrong & (x == 0) & np.isclose(got, 0))
    ):
        hints.append("step_strict_at_zero")
    if name == "bipolar_step" and np.any(wrong & below & np.isclose(got, 0)):
        hints.append("bipolar_zero")
    return hints


def diagnose(
    name: str, x: Any, got: np.ndarray, expected: np.ndarray, got_dtype: np.dtype | None = None
) -> tuple[str, ...]:
    """Misconception keys explaining why the student's values ``got`` at ``x`` differ from ``expected``."""
    x = np.asarray(x, dtype=float)
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if x.shape != got.shape or expected.shape != got.shape:
        return ()
    with np.errstate(all="ignore"):
        close = np.isclose(
            got, expected, rtol=DEFAULT_TOLERANCE.rtol, atol=DEFAULT_TOLERANCE.atol, equal_nan=True
        )
    if np.all(close):
        return ()
    hints: list[str] = []
    with np.errstate(all="ignore"):
        if name in ("step", "bipolar_step"):
            hints += _step_hints(name, x, got, expected)
        if name == "relu_grad":
            wrong = ~np.isclose(got, expected)
            if np.any(wrong) and np.all((x[wrong] == 0) & np.isclose(got[wrong], 1)):
                hints.append("relu_grad_at_zero")
        low_dtype = got_dtype is not None and got_dtype in (np.dtype(np.float16), np.dtype(np.float32))
        candidates = _explaining_candidates(name, x, got, expected)
        if low_dtype:  # float32 rounding looks like e written with many digits: the dtype says which it is
            candidates = [k for k in candidates if k != "approx_e"]
        hints += [k for k in candidates if k not in hints]
        if name in FLOAT_FUNCTIONS and (low_dtype or not hints):
            if low_dtype or np.all(np.isclose(got, expected, rtol=5e-3, atol=1e-4, equal_nan=True)):
                hints.append("low_precision")
    return tuple(hints)


# ----------------------------------------------------------------------------------------------------
# Output rules (CONTRACT §1)
# ----------------------------------------------------------------------------------------------------

NUMERIC_KINDS = "iuf"
MAX_INT_BITS = 1000  # a Python int beyond float64's range is not a plausible activation value


@dataclass(frozen=True, slots=True)
class Output:
    """A student's return value that passed the output rules, as an array (0-d for scalars)."""

    values: np.ndarray
    dtype: np.dtype
    raw: Any


def _is_bool(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, np.ndarray) and value.dtype.kind == "b":
        return True
    return isinstance(value, Opaque) and "bool" in value.type_name.lower()


def output_failure(value: Any, arg: Any) -> tuple[Text, Text, tuple[str, ...]] | None:
    """How ``value`` breaks the output rules for input ``arg`` as (problem, rule, hints), or ``None``."""
    array_input = isinstance(arg, np.ndarray) and arg.ndim >= 1
    numeric = Text("rule.numeric")
    if value is None:
        return Text("problem.returned_none"), numeric, ("returned_none",)
    if _is_bool(value):
        type_name = value.type_name if isinstance(value, Opaque) else describe_type(value)
        return Text("problem.bool_result", {"type": type_name}), numeric, ("bool_result",)
    if isinstance(value, Opaque):
        return Text("problem.not_numeric", {"type": value.type_name}), numeric, ()
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            return Text("problem.array_subclass", {"type": type(value).__name__}), numeric, ()
        if value.dtype.kind not in NUMERIC_KINDS:
            return Text("problem.bad_dtype", {"dtype": str(value.dtype)}), numeric, ()
        if array_input and value.shape != arg.shape:
            got = f"{describe_type(value)} {value.shape}"
            return (
                Text("problem.scalar_for_array", {"shape": arg.shape, "got": got}),
                Text("rule.array_shape"),
                ("scalar_for_array",),
            )
        if not array_input and value.ndim > 0:
            return Text("problem.array_for_scalar", {"shape": value.shape}), Text("rule.scalar_output"), ()
        return None
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        return Text("problem.not_numeric", {"type": f"int of {value.bit_length()} bits"}), numeric, ()
    # exact types: a subclass of int or float could redefine comparison (the sandbox makes those Opaque too)
    if type(value) in (int, float) or (isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS):
        if array_input:
            shape = arg.shape
            return (
                Text("problem.scalar_for_array", {"shape": shape, "got": describe_type(value)}),
                Text("rule.array_shape"),
                ("scalar_for_array",),
            )
        return None
    if isinstance(value, list | tuple) and array_input:
        return Text("problem.list_for_array", {"type": type(value).__name__}), Text("rule.array_shape"), ()
    return Text("problem.not_numeric", {"type": describe_type(value)}), numeric, ()


def describe_type(value: Any) -> str:
    """The type of a value as a student would name it (``np.float64``, ``ndarray of bool``, ``list``)."""
    if isinstance(value, Opaque):
        return value.type_name
    if isinstance(value, np.ndarray):
        return f"ndarray of {value.dtype}"
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}"
    return type(value).__name__


def as_output(value: Any) -> Output:
    """A value that passed the output rules as a float64 array (0-d for a scalar)."""
    dtype = value.dtype if isinstance(value, np.ndarray | np.generic) else np.dtype(type(value))
    return Output(values=np.asarray(value, dtype=np.float64), dtype=dtype, raw=value)


# ----------------------------------------------------------------------------------------------------
# Comparing values
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Where and by how much two arrays differ."""

    count: int
    total: int
    first_index: tuple[int, ...]
    max_abs_error: float
    nan_at_first: bool


def compare(got: np.ndarray, expected: np.ndarray, tol: Tolerance = DEFAULT_TOLERANCE) -> Mismatch | None:
    """``None`` when ``got`` matches ``expected`` element-wise under ``tol`` (nan matches nan)."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise ValueError(f"compare needs equal shapes, got {got.shape} and {expected.shape}")
    with np.errstate(all="ignore"):
        wrong = ~np.isclose(got, expected, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
        if not np.any(wrong):
            return None
        errors = np.abs(got - expected)[wrong]
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    finite = errors[np.isfinite(errors)]
    # the largest finite error; nan or inf only when no finite value differs (nan_at_first tells the rest)
    if finite.size:
        max_error = float(finite.max())
    else:
        max_error = float("nan") if np.isnan(errors).any() else float("inf")
    return Mismatch(
        count=int(wrong.sum()),
        total=int(wrong.size),
        first_index=first,
        max_abs_error=max_error,
        nan_at_first=bool(np.isnan(got[first]) and not np.isnan(expected[first])),
    )


def _format_number(value: float) -> str:
    return f"{value:.3g}"


def _input_at(x: Any, index: tuple[int, ...]) -> str:
    array = np.asarray(x)
    if array.ndim == 0:
        return describe(x)
    try:
        element = array[index]
    except (IndexError, TypeError):
        return "?"
    # one element of the input as the student would type it: 0.0, not np.float64(0.0)
    return repr(element.item()) if isinstance(element, np.generic) else describe(element)


# ----------------------------------------------------------------------------------------------------
# The checker the suites use
# ----------------------------------------------------------------------------------------------------


def extreme(args: tuple[Any, ...]) -> bool:
    """Whether any argument reaches |x| ≥ 700, where overflow is advice and never a deduction."""
    for arg in args:
        with np.errstate(all="ignore"):
            try:
                values = np.asarray(arg, dtype=float)
            except (TypeError, ValueError):
                continue
            if values.size and np.nanmax(np.abs(values)) >= EXTREME:
                return True
    return False


class Checker:
    """The checks one hidden test makes of one student's exercise, comparing with the reference solutions."""

    def __init__(self, student: Any, reference: ModuleType) -> None:
        self.student = student
        self.reference = reference
        self.advice: list[str] = []  # hint keys given as advice (never deductions), e.g. overflow_advice

    # --- calling ----------------------------------------------------------------------------------
    def _advise(self, key: str) -> None:
        if key not in self.advice:
            self.advice.append(key)

    def call(self, name: str, *args: Any) -> CallResult:
        """Call the student's ``name(*args)``; fail when it is missing or raises. Never fails on warnings."""
        call_text = describe_call(name, args)
        if not self.student.defines(name):
            raise CheckFailure(
                Failure(
                    call_text, Text("problem.missing_function", {"name": name}), hints=("missing_function",)
                )
            )
        result: CallResult = self.student.call(name, *args)
        if any("overflow" in w.lower() for w in result.warnings):
            self._advise("overflow_advice")
        if result.raised is not None:
            hints = hints_from_raised(result.raised)
            if "overflow_advice" in hints:
                self._advise("overflow_advice")
            where = _student_where(result.raised)
            params = {"type": result.raised.type, "message": _shorten(result.raised.message, 300)}
            problem = (
                Text("problem.raised_at", {**params, "where": where})
                if where
                else Text("problem.raised", params)
            )
            raise CheckFailure(Failure(call_text, problem, hints=hints, stdout=result.stdout))
        return result

    def output(self, name: str, *args: Any) -> Output:
        """The student's ``name(*args)`` after the output rules of CONTRACT §1 (type, shape, dtype)."""
        result = self.call(name, *args)
        broken = output_failure(result.value, args[0] if args else None)
        if broken is not None:
            problem, rule, hints = broken
            failure = Failure(
                describe_call(name, args),
                problem,
                expected=None,
                got=describe(result.value),
                rule=rule,
                hints=hints + self._value_hints_for_bad_output(name, args, result.value),
                stdout=result.stdout,
            )
            raise CheckFailure(failure)
        output = as_output(result.value)
        if extreme(args) and np.isnan(output.values).any():
            self._advise("overflow_advice")
        return output

    def _value_hints_for_bad_output(self, name: str, args: tuple[Any, ...], value: Any) -> tuple[str, ...]:
        # A bool array from `x > 0` is also strict at zero: say both.
        if isinstance(value, np.ndarray | np.bool_ | bool) and np.asarray(value).dtype.kind == "b" and args:
            values = np.asarray(value, dtype=float)
            if values.shape == np.shape(args[0]):
                return tuple(h for h in self._diagnose(name, args, values, None) if h != "low_precision")
        return ()

    def _diagnose(
        self, name: str, args: tuple[Any, ...], got: np.ndarray, dtype: np.dtype | None
    ) -> tuple[str, ...]:
        expected = self.expected(name, *args)
        return diagnose(name, args[0], got, np.asarray(expected, dtype=float), dtype)

    def expected(self, name: str, *args: Any) -> Any:
        """The reference's ``name(*args)`` on copies of the arguments."""
        return getattr(self.reference, name)(*copy.deepcopy(args))

    # --- comparing --------------------------------------------------------------------------------
    def matches(self, name: str, *args: Any, tol: Tolerance = DEFAULT_TOLERANCE) -> Output:
        """Fail unless the student's ``name(*args)`` follows the output rules and equals the reference's."""
        output = self.output(name, *args)
        expected = self.expected(name, *args)
        self._compare(name, args, output, expected, tol)
        return output

    def matches_each(self, name: str, inputs: list[Any], tol: Tolerance = DEFAULT_TOLERANCE) -> np.ndarray:
        """Call a scalar function once per input; fail unless every result equals the reference's."""
        got = [self.output(name, x) for x in inputs]
        values = np.array([o.values for o in got], dtype=float)
        expected = np.array([np.asarray(self.expected(name, x), dtype=float) for x in inputs])
        mismatch = compare(values, expected, tol)
        if mismatch is not None:
            index = mismatch.first_index[0]
            raise CheckFailure(
                Failure(
                    describe_call(name, (inputs[index],)),
                    self._difference(mismatch, inputs, scalar=len(inputs) == 1),
                    expected=describe(self.expected(name, inputs[index])),
                    got=describe(got[index].raw),
                    rule=Text("rule.tolerance", {"rtol": tol.rtol, "atol": tol.atol}),
                    hints=diagnose(name, np.asarray(inputs, dtype=float), values, expected, None),
                )
            )
        return values

    def _difference(self, mismatch: Mismatch, x: Any, *, scalar: bool) -> Text:
        index = mismatch.first_index
        if mismatch.nan_at_first:
            return Text("problem.nan_result", {"index": index, "x": _input_at(x, index)})
        if scalar:
            return Text("problem.value_differs", {"error": _format_number(mismatch.max_abs_error)})
        return Text(
            "problem.values_differ",
            {
                "count": mismatch.count,
                "total": mismatch.total,
                "index": index if len(index) != 1 else index[0],
                "x": _input_at(x, index),
                "error": _format_number(mismatch.max_abs_error),
            },
        )

    def _compare(
        self, name: str, args: tuple[Any, ...], output: Output, expected: Any, tol: Tolerance
    ) -> None:
        expected_values = np.asarray(expected, dtype=float)
        mismatch = compare(output.values, expected_values, tol)
        if mismatch is None:
            return
        if extreme(args) and not np.all(np.isfinite(output.values)):
            self._advise("overflow_advice")
        raise CheckFailure(
            Failure(
                describe_call(name, args),
                self._difference(mismatch, args[0], scalar=output.values.ndim == 0),
                expected=describe(expected),
                got=describe(output.raw),
                rule=Text("rule.tolerance", {"rtol": tol.rtol, "atol": tol.atol}),
                hints=diagnose(name, args[0], output.values, expected_values, output.dtype),
            )
        )

    def unchanged(self, name: str, *args: Any) -> None:
        """Fail when the student's ``name(*args)`` modifies its argument in place."""
        result = self.call(name, *args)
        for before, after in zip(args, result.args_after, strict=False):
            if not _same_value(before, after):
                raise CheckFailure(
                    Failure(
                        describe_call(name, args),
                        Text("problem.input_mutated", {"after": describe(after)}),
                        rule=Text("rule.unchanged"),
                        hints=("input_mutated",),
                    )
                )

    def holds(
        self,
        lhs: np.ndarray,
        rhs: np.ndarray,
        *,
        prop: str,
        x: Any,
        call: str,
        tol: Tolerance = DEFAULT_TOLERANCE,
    ) -> None:
        """Fail unless the property ``lhs ≈ rhs`` (from the student's own outputs) holds element-wise."""
        mismatch = compare(lhs, rhs, tol)
        if mismatch is None:
            return
        index = mismatch.first_index
        raise CheckFailure(
            Failure(
                call,
                Text(
                    "problem.property",
                    {
                        "property": prop,
                        "index": index if len(index) != 1 else index[0],
                        "x": _input_at(x, index),
                        "error": _format_number(mismatch.max_abs_error),
                    },
                ),
                rule=Text("rule.property", {"rtol": tol.rtol, "atol": tol.atol}),
            )
        )

    def true_everywhere(self, condition: np.ndarray, *, prop: str, x: Any, call: str) -> None:
        """Fail unless a boolean property of the student's outputs holds at every input."""
        condition = np.asarray(condition, dtype=bool)
        self.holds(condition.astype(float), np.ones(condition.shape), prop=prop, x=x, call=call)


def _same_value(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and before.dtype == after.dtype
            and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
        )
    if isinstance(before, float) and math.isnan(before):
        return isinstance(after, float) and math.isnan(after)
    return type(before) is type(after) and before == after
