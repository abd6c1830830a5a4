"""Comparisons of a student's results with the reference, and feedback that names the misconception.

The hidden suites use a :class:`Checker` (fixture ``check``). A check calls the student through the
``StudentCode`` protocol, applies the output rules (docs/contract.md, "Exercises": type, shape, dtype),
compares values under a stated tolerance, and on failure raises :class:`CheckFailure` carrying a structured
:class:`Failure`: what was checked, the input, expected vs. got, the rule, and the misconception hint keys
found by ``misconceptions.py`` (from exceptions, and from wrong numbers with the course's declared wrong
formulas). ``failure_message`` turns it into one :class:`~activation_lab.i18n.Message`, hiding expected
values for hidden tests. This module runs only on the trusted side.

Why one long module: the output rules, the comparison and the description of values are what a failed
check reports together; the detectors of mistakes are apart in ``misconceptions.py``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import FunctionType, ModuleType
from typing import Any

import numpy as np

from activation_lab.errors import ExerciseAborted
from activation_lab.grading.figures import is_figure
from activation_lab.grading.misconceptions import (
    NO_MISCONCEPTIONS,
    CourseMisconceptions,
    diagnose,
    fix_params,
    hints_from_raised,
    student_where,
    unfinished_function,
)
from activation_lab.grading.student import StudentCode
from activation_lab.i18n import Message
from activation_lab.records import DEFAULT_TOLERANCE, CallResult, Opaque, Tolerance

DOMAIN = "feedback"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one check failed, as data; ``expected`` and ``got`` are shown only for public tests."""

    call: str
    problem: Message
    expected: str | None = None
    got: str | None = None
    rule: Message | None = None
    hints: tuple[str, ...] = ()
    stdout: str = ""
    # {fix}, {fix_numbers}, {fix_dtype} of the hint texts: code right for the function that was called
    hint_params: Mapping[str, str] = field(default_factory=lambda: fix_params({}))


class CheckFailure(Exception):
    """Raised by a check that the student's code does not pass (the runner scores the test as failed)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.problem.key)
        self.failure = failure


def hint_message(key: str, params: Mapping[str, str] | None = None) -> Message:
    """The message of one misconception hint; ``params`` give the code it suggests (``fix_params``)."""
    return Message(DOMAIN, f"hint.{key}", dict(params) if params is not None else fix_params({}))


def failure_message(failure: Failure, *, hidden: bool) -> Message:
    """The feedback of a failed check; hidden tests never show expected (or got) values."""
    lines = [Message(DOMAIN, "label.checked", {"call": failure.call}), failure.problem]
    if not hidden and failure.expected is not None:
        lines.append(Message(DOMAIN, "label.expected", {"value": failure.expected}))
    if not hidden and failure.got is not None:
        lines.append(Message(DOMAIN, "label.got", {"value": failure.got}))
    if failure.rule is not None:
        lines.append(Message(DOMAIN, "label.rule", {"rule": failure.rule}))
    if failure.stdout.strip():
        lines.append(Message(DOMAIN, "label.stdout", {"text": _shorten(failure.stdout.strip(), 200)}))
    lines.extend(
        Message(DOMAIN, "label.hint", {"text": hint_message(key, failure.hint_params)})
        for key in failure.hints
    )
    return Message.join(lines)


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
        return _describe_array(value)
    if isinstance(value, list | tuple):
        return f"<{type(value).__name__} of length {len(value)}>"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


# Descriptions of arrays, by exact content: a suite's inputs are the same for every submission, and printing
# an array costs ~0.1 ms (more than a student call). Kept for small arrays, within a budget of key bytes.
_DESCRIBED: dict[tuple[Any, ...], str] = {}
_DESCRIBED_BUDGET = 2 * 2**20
_described_bytes = 0


def _describe_array(value: np.ndarray) -> str:
    global _described_bytes
    key = None
    options = np.get_printoptions()
    if value.dtype.kind in _NUMERIC_ARRAY_KINDS and value.nbytes <= 4096 and options.get("formatter") is None:
        # what array2string reads: the values, their dtype and shape, and the print options in force
        key = (value.dtype.str, value.shape, value.tobytes(), *sorted(options.items()))
        known = _DESCRIBED.get(key)
        if known is not None:
            return known
    body = np.array2string(value, separator=", ", threshold=12, edgeitems=3, precision=10)
    dtype = "" if value.dtype in (np.dtype(np.int64), np.dtype(np.float64)) else f", dtype={value.dtype}"
    text = _shorten(f"np.array({body}{dtype})", 400)
    if key is not None and _described_bytes + value.nbytes + len(text) + 200 <= _DESCRIBED_BUDGET:
        _DESCRIBED[key] = text
        _described_bytes += value.nbytes + len(text) + 200
    return text


def describe_call(name: str, args: tuple[Any, ...]) -> str:
    """``name(arg, ...)`` as a student would write it."""
    return f"{name}({', '.join(describe(a) for a in args)})"


# ----------------------------------------------------------------------------------------------------
# Output rules (docs/contract.md, "Exercises")
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


def output_failure(value: Any, arg: Any) -> tuple[Message, Message, tuple[str, ...]] | None:
    """How ``value`` breaks the output rules for input ``arg`` as (problem, rule, hints), or ``None``."""
    array_input = isinstance(arg, np.ndarray) and arg.ndim >= 1
    # the answers that follow the rules, decided before any message is made (most answers do)
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind in NUMERIC_KINDS and (
            (value.shape == arg.shape) if array_input else value.ndim == 0
        ):
            return None
    elif not array_input and (
        kind is float
        or (kind is int and value.bit_length() <= MAX_INT_BITS)
        or (isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS)
    ):
        return None
    return _broken_output(value, arg, array_input)


def _broken_output(
    value: Any, arg: Any, array_input: bool
) -> tuple[Message, Message, tuple[str, ...]] | None:
    numeric = Message(DOMAIN, "rule.numeric")
    if value is None:
        return Message(DOMAIN, "problem.returned_none"), numeric, ("returned_none",)
    if _is_bool(value):
        type_name = value.type_name if isinstance(value, Opaque) else describe_type(value)
        return Message(DOMAIN, "problem.bool_result", {"type": type_name}), numeric, ("bool_result",)
    if isinstance(value, Opaque):
        return Message(DOMAIN, "problem.not_numeric", {"type": value.type_name}), numeric, ()
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            return Message(DOMAIN, "problem.array_subclass", {"type": type(value).__name__}), numeric, ()
        if value.dtype.kind not in NUMERIC_KINDS:
            return Message(DOMAIN, "problem.bad_dtype", {"dtype": str(value.dtype)}), numeric, ()
        if array_input and value.shape != arg.shape:
            got = f"{describe_type(value)} {value.shape}"
            return (
                Message(DOMAIN, "problem.scalar_for_array", {"shape": arg.shape, "got": got}),
                Message(DOMAIN, "rule.array_shape"),
                ("scalar_for_array",),
            )
        if not array_input and value.ndim > 0:
            return (
                Message(DOMAIN, "problem.array_for_scalar", {"shape": value.shape}),
                Message(DOMAIN, "rule.scalar_output"),
                (),
            )
        return None
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        return (
            Message(DOMAIN, "problem.not_numeric", {"type": f"int of {value.bit_length()} bits"}),
            numeric,
            (),
        )
    # exact types: a subclass of int or float could redefine comparison (the sandbox makes those Opaque too)
    if type(value) in (int, float) or (isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS):
        if array_input:
            shape = arg.shape
            return (
                Message(DOMAIN, "problem.scalar_for_array", {"shape": shape, "got": describe_type(value)}),
                Message(DOMAIN, "rule.array_shape"),
                ("scalar_for_array",),
            )
        return None
    if isinstance(value, list | tuple) and array_input:
        problem = Message(DOMAIN, "problem.list_for_array", {"type": type(value).__name__})
        return problem, Message(DOMAIN, "rule.array_shape"), ("list_result",)
    if isinstance(value, list | tuple):
        return (
            Message(DOMAIN, "problem.not_numeric", {"type": describe_type(value)}),
            numeric,
            ("list_result",),
        )
    return Message(DOMAIN, "problem.not_numeric", {"type": describe_type(value)}), numeric, ()


VALID_KINDS = "biuf"  # numbers and booleans: a wrong-typed answer is still an answer


def is_valid_result(result: CallResult, _depth: int = 0) -> bool:
    """Whether a call produced an answer at all: a number, a numeric array or a list of numbers.

    ``None``, an ``Opaque`` object, text, a complex number, only nan, or an exception is no answer: a function
    that only ever gives those earns nothing on any test (docs/grading.md, "How one submission is graded").
    """
    return result.raised is None and _is_answer(result.value, 0) and not _all_nan(result.value)


def answers_input(result: CallResult, arg: Any) -> bool:
    """Whether a call gave an answer *to this input*: a real answer of the input's shape.

    A single number needs a size-1 answer; ``return 0`` or an empty array is no answer to an array input.
    """
    if not is_valid_result(result):
        return False
    try:
        values = np.asarray(result.value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return False
    if isinstance(arg, np.ndarray) and arg.ndim >= 1:
        return bool(values.shape == arg.shape)
    return bool(values.size == 1)


def _all_nan(value: Any) -> bool:
    # the common answers first, without NumPy's error state and reductions (one per student call)
    kind = type(value)
    if kind is float:
        return math.isnan(value)
    if kind is bool or kind is int:
        return False
    if kind is np.ndarray and value.dtype == np.float64:
        return bool(value.size) and bool(np.isnan(value).all())
    try:
        with np.errstate(all="ignore"):
            values = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return False
    return bool(values.size) and bool(np.isnan(values).all())


def _is_answer(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind is bool or kind is float:
        return True
    if kind is int:
        return bool(value.bit_length() <= MAX_INT_BITS)
    if kind is np.ndarray or isinstance(value, np.generic):
        return bool(value.dtype.kind in VALID_KINDS)
    if kind in (list, tuple) and depth < 4:
        return all(_is_answer(item, depth + 1) for item in value)
    return is_figure(value)  # a plot function's answer is its figure, as plain data


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
    kind = type(value)
    if kind is np.ndarray and value.dtype is _FLOAT64:  # np.asarray would return it as it is
        return Output(values=value, dtype=_FLOAT64, raw=value)
    dtype: np.dtype[Any] | None = _SCALAR_DTYPES.get(kind)
    if dtype is None:
        dtype = value.dtype if isinstance(value, np.ndarray | np.generic) else np.dtype(kind)
    return Output(values=np.asarray(value, dtype=np.float64), dtype=dtype, raw=value)


_FLOAT64 = np.dtype(np.float64)
# ``np.dtype(type(value))`` of the Python numbers and ``value.dtype`` of a float64 scalar, found once
_SCALAR_DTYPES: dict[type, np.dtype[Any]] = {float: np.dtype(float), int: np.dtype(int), bool: np.dtype(bool)}
_SCALAR_DTYPES[np.float64] = np.float64(0.0).dtype  # a NumPy scalar's dtype is its type's


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
    if got.ndim == 0:  # a scalar: Python floats, not NumPy's reductions (most checks compare scalars)
        if got.item() == expected.item():
            return None
    # the same bytes: every element equal, or the same nan (close, equal_nan): no elementwise comparison
    elif got.nbytes <= _SAME_BYTES_LIMIT and got.tobytes() == expected.tobytes():
        return None
    elif (got == expected).all():  # equal values are close under any tolerance (most answers are exact)
        return None
    with np.errstate(all="ignore"):
        wrong = ~_isclose(got, expected, tol)
        if not wrong.any():
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


_SAME_BYTES_LIMIT = 1 << 16  # arrays compared as bytes first (two copies of that size at most)


def _any_nan(values: np.ndarray) -> bool:
    """``np.isnan(values).any()`` of a float64 array; a scalar without NumPy's reduction machinery."""
    if values.ndim == 0:
        return math.isnan(values.item())
    return bool(np.isnan(values).any())


def _isclose(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> Any:
    """``np.isclose(got, expected, rtol, atol, equal_nan=True)`` for float arrays, without its set-up cost.

    The same expression as NumPy's (``numpy/_core/numeric.py``), called some 200 times per submission.
    """
    close = (np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)) & np.isfinite(expected)
    return close | (got == expected) | (np.isnan(got) & np.isnan(expected))


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


def extreme(args: tuple[Any, ...], limit: float) -> bool:
    """Whether any argument reaches |x| ≥ ``limit`` (the course's ``EXTREME``): there overflow is advice."""
    for arg in args:
        if type(arg) is float or (isinstance(arg, np.generic) and arg.dtype.kind in "iuf"):
            if abs(float(arg)) >= limit:  # nan compares false, as nanmax skips it
                return True
            continue
        with np.errstate(all="ignore"):
            try:
                values = np.asarray(arg, dtype=float)
            except (TypeError, ValueError):
                continue
            # any non-nan |x| >= limit, i.e. nanmax(|x|) >= limit without nanmax's copies and warnings
            if values.size and bool((np.abs(values) >= limit).any()):
                return True
    return False


class Checker:
    """The checks one hidden test makes of one student's exercise, comparing with the reference solutions."""

    def __init__(
        self,
        student: StudentCode,
        reference: ModuleType,
        misconceptions: CourseMisconceptions = NO_MISCONCEPTIONS,
        *,
        shows_values: bool = True,
    ) -> None:
        self.student = student
        self.reference = reference
        self.misconceptions = misconceptions
        # a hidden test's feedback never shows expected or got values: then they are not even described
        self.shows_values = shows_values
        self.advice: list[str] = []  # hint keys given as advice (never deductions), e.g. overflow_advice

    # --- calling ----------------------------------------------------------------------------------
    def _advise(self, key: str) -> None:
        if key not in self.advice:
            self.advice.append(key)

    def call(self, name: str, *args: Any) -> CallResult:
        """Call the student's ``name(*args)``; fail when it is missing or raises. Never fails on warnings."""
        self._require(name, args)
        try:
            result: CallResult = self.student.call(name, *args)
        except ExerciseAborted as aborted:  # the report names the call that was running
            aborted.call = describe_call(name, args)  # type: ignore[attr-defined]
            raise
        return self._checked(name, args, result)

    def _calls(self, name: str, inputs: Sequence[Any]) -> Iterator[tuple[tuple[Any, ...], CallResult]]:
        """``(args, check.call(name, x))`` for each input ``x`` in order, from one batch of calls.

        The same checks in the same order as calling one by one: the caller stops at its first failed check,
        and the results after it are never read (the sandbox drains them).
        """
        arg_lists = [(x,) for x in inputs]
        if not arg_lists:
            return
        self._require(name, arg_lists[0])
        results = self.student.calls(name, arg_lists)
        try:
            for args in arg_lists:
                try:
                    result = next(results)
                except ExerciseAborted as aborted:  # the report names the call that was running
                    aborted.call = describe_call(name, args)  # type: ignore[attr-defined]
                    raise
                if result.raised is None and not result.warnings:  # what _checked returns as it is
                    yield args, result
                else:
                    yield args, self._checked(name, args, result)
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()

    def _require(self, name: str, args: tuple[Any, ...]) -> None:
        if not self.student.defines(name):
            raise CheckFailure(
                Failure(
                    describe_call(name, args),
                    Message(DOMAIN, "problem.missing_function", {"name": name}),
                    hints=("missing_function",),
                    hint_params=self.misconceptions.fix_params(name),
                )
            )

    def _checked(self, name: str, args: tuple[Any, ...], result: CallResult) -> CallResult:
        """``result`` of ``name(*args)``, or ``CheckFailure`` when it raised; notes overflow advice."""
        if result.warnings and any("overflow" in w.lower() for w in result.warnings):
            self._advise("overflow_advice")
        if result.raised is not None:
            hints = hints_from_raised(result.raised)
            if "overflow_advice" in hints:
                self._advise("overflow_advice")
            where = student_where(result.raised)
            params = {"type": result.raised.type, "message": _shorten(result.raised.message, 300)}
            if "unfinished_import" in hints:
                unfinished = unfinished_function(result.raised) or where.split(":", 1)[0]
                problem = Message(
                    DOMAIN, "problem.unfinished_import", {"function": unfinished, "where": where}
                )
            elif where:
                problem = Message(DOMAIN, "problem.raised_at", {**params, "where": where})
            else:
                problem = Message(DOMAIN, "problem.raised", params)
            # described only on failure: printing arrays costs more than the call itself
            raise CheckFailure(
                Failure(
                    describe_call(name, args),
                    problem,
                    hints=hints,
                    stdout=result.stdout,
                    hint_params=self.misconceptions.fix_params(name),
                )
            )
        return result

    def output(self, name: str, *args: Any) -> Output:
        """The student's ``name(*args)`` after the output rules (docs/contract.md, "Exercises")."""
        return self._output_of(name, args, self.call(name, *args))

    def outputs(self, name: str, inputs: Sequence[Any]) -> list[Output]:
        """``[check.output(name, x) for x in inputs]`` in one round trip: the same checks and failure."""
        return [self._output_of(name, args, result) for args, result in self._calls(name, inputs)]

    def _output_of(self, name: str, args: tuple[Any, ...], result: CallResult) -> Output:
        broken = output_failure(result.value, args[0] if args else None)
        if broken is not None:
            problem, rule, hints = broken
            failure = Failure(
                describe_call(name, args),
                problem,
                expected=None,
                got=self._shown(result.value),
                rule=rule,
                hints=hints + self._value_hints_for_bad_output(name, args, result.value),
                stdout=result.stdout,
                hint_params=self.misconceptions.fix_params(name),
            )
            raise CheckFailure(failure)
        value = result.value
        output = as_output(value)
        kind = type(value)  # a float's 0-d array holds the same float: no array method needed
        nan = math.isnan(value) if kind is float or kind is np.float64 else _any_nan(output.values)
        if nan and extreme(args, self.misconceptions.extreme):
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
        return diagnose(name, args[0], got, np.asarray(expected, dtype=float), dtype, self.misconceptions)

    def _shown(self, value: Any) -> str | None:
        """``describe(value)`` for a failure's expected or got field, ``None`` where it is never shown."""
        return describe(value) if self.shows_values else None

    def expected(self, name: str, *args: Any) -> Any:
        """The reference's ``name(*args)`` on copies of the arguments (see ``reference_output``)."""
        return reference_output(getattr(self.reference, name), args)

    # --- comparing --------------------------------------------------------------------------------
    def matches(self, name: str, *args: Any, tol: Tolerance = DEFAULT_TOLERANCE) -> Output:
        """Fail unless the student's ``name(*args)`` follows the output rules and equals the reference's."""
        output = self.output(name, *args)
        expected = self.expected(name, *args)
        self._compare(name, args, output, expected, tol)
        return output

    def matches_every(
        self, name: str, inputs: Sequence[Any], tol: Tolerance = DEFAULT_TOLERANCE
    ) -> list[Output]:
        """``for x in inputs: check.matches(name, x, tol=tol)`` in one round trip; the same first failure."""
        outputs = []
        for args, result in self._calls(name, inputs):
            output = self._output_of(name, args, result)
            self._compare(name, args, output, self.expected(name, *args), tol)
            outputs.append(output)
        return outputs

    def matches_each(self, name: str, inputs: list[Any], tol: Tolerance = DEFAULT_TOLERANCE) -> np.ndarray:
        """Call a scalar function once per input; fail unless every result equals the reference's."""
        got = self.outputs(name, inputs)
        values = np.array([o.values for o in got], dtype=float)
        expected = np.array([np.asarray(self.expected(name, x), dtype=float) for x in inputs])
        mismatch = compare(values, expected, tol)
        if mismatch is not None:
            index = mismatch.first_index[0]
            raise CheckFailure(
                Failure(
                    describe_call(name, (inputs[index],)),
                    self._difference(mismatch, inputs, scalar=len(inputs) == 1),
                    expected=self._shown(self.expected(name, inputs[index])) if self.shows_values else None,
                    got=self._shown(got[index].raw),
                    rule=Message(DOMAIN, "rule.tolerance", {"rtol": tol.rtol, "atol": tol.atol}),
                    hints=diagnose(
                        name,
                        np.asarray(inputs, dtype=float),
                        values,
                        expected,
                        _shared_kind(got),
                        self.misconceptions,
                    ),
                    hint_params=self.misconceptions.fix_params(name),
                )
            )
        return values

    def _difference(self, mismatch: Mismatch, x: Any, *, scalar: bool) -> Message:
        index = mismatch.first_index
        if mismatch.nan_at_first:
            return Message(DOMAIN, "problem.nan_result", {"index": index, "x": _input_at(x, index)})
        if scalar:
            return Message(DOMAIN, "problem.value_differs", {"error": _format_number(mismatch.max_abs_error)})
        return Message(
            DOMAIN,
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
        kind = type(expected)
        if (kind is float or kind is np.float64) and output.values.ndim == 0:
            if output.values.item() == expected:  # equal: close under any tolerance (compare's first test)
                return
        expected_values = np.asarray(expected, dtype=float)
        mismatch = compare(output.values, expected_values, tol)
        if mismatch is None:
            return
        if extreme(args, self.misconceptions.extreme) and not np.all(np.isfinite(output.values)):
            self._advise("overflow_advice")
        raise CheckFailure(
            Failure(
                describe_call(name, args),
                self._difference(mismatch, args[0], scalar=output.values.ndim == 0),
                expected=self._shown(expected),
                got=self._shown(output.raw),
                rule=Message(DOMAIN, "rule.tolerance", {"rtol": tol.rtol, "atol": tol.atol}),
                hints=diagnose(
                    name, args[0], output.values, expected_values, output.dtype, self.misconceptions
                ),
                hint_params=self.misconceptions.fix_params(name),
            )
        )

    def figure(
        self,
        name: str,
        *,
        parts: tuple[str, ...] = ("curves", "labels", "limits", "legend"),
        limits: tuple[str, ...] = ("x", "y"),
        accept: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """Fail unless the figure the student's ``name()`` returns draws what the reference's does."""
        from activation_lab.grading.figures import compare_figures, plot_text
        from activation_lab.grading.student import through_wire

        result = self.call(name)
        expected = through_wire(self.expected(name))
        problems = compare_figures(result.value, expected, parts=parts, limits=limits, accept=accept)
        if problems:
            raise CheckFailure(
                Failure(
                    describe_call(name, ()),
                    Message.join(problems),
                    rule=plot_text("figure.rule"),
                    stdout=result.stdout,
                )
            )

    def unchanged(self, name: str, *args: Any) -> None:
        """Fail when the student's ``name(*args)`` modifies its argument in place or gives no answer to it.

        Leaving the input alone earns credit only alongside a real answer to that input: a call that returned
        ``None``, an object of no numeric type, only nan, or a value of another shape than the input fails,
        and so does a call whose arguments could not be read back.
        """
        self._unchanged_of(name, args, self.call(name, *args))

    def unchanged_every(self, name: str, inputs: Sequence[Any]) -> None:
        """``for x in inputs: check.unchanged(name, x)`` in one round trip; the first failure is the same."""
        for args, result in self._calls(name, inputs):
            self._unchanged_of(name, args, result)

    def _unchanged_of(self, name: str, args: tuple[Any, ...], result: CallResult) -> None:
        if not answers_input(result, args[0] if args else None):
            raise CheckFailure(
                Failure(
                    describe_call(name, args),
                    Message(DOMAIN, "problem.no_answer", {"got": describe(result.value)}),
                    got=self._shown(result.value),
                    rule=Message(DOMAIN, "rule.unchanged_needs_answer"),
                    hints=("returned_none",) if result.value is None else (),
                    stdout=result.stdout,
                )
            )
        if len(result.args_after) != len(args):
            raise CheckFailure(
                Failure(
                    describe_call(name, args),
                    Message(DOMAIN, "problem.input_unreadable"),
                    rule=Message(DOMAIN, "rule.unchanged"),
                    stdout=result.stdout,
                )
            )
        for before, after in zip(args, result.args_after, strict=True):
            if not _same_value(before, after):
                raise CheckFailure(
                    Failure(
                        describe_call(name, args),
                        Message(DOMAIN, "problem.input_mutated", {"after": describe(after)}),
                        rule=Message(DOMAIN, "rule.unchanged"),
                        hints=("input_mutated",),
                        hint_params=self.misconceptions.fix_params(name),
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
                Message(
                    DOMAIN,
                    "problem.property",
                    {
                        "property": prop,
                        "index": index if len(index) != 1 else index[0],
                        "x": _input_at(x, index),
                        "error": _format_number(mismatch.max_abs_error),
                    },
                ),
                rule=Message(DOMAIN, "rule.property", {"rtol": tol.rtol, "atol": tol.atol}),
            )
        )

    def true_everywhere(self, condition: np.ndarray, *, prop: str, x: Any, call: str) -> None:
        """Fail unless a boolean property of the student's outputs holds at every input."""
        condition = np.asarray(condition, dtype=bool)
        if condition.all():
            return
        index = tuple(int(i) for i in np.argwhere(~condition)[0])
        params = {
            "property": prop,
            "count": int((~condition).sum()),
            "total": int(condition.size),
            "index": index if len(index) != 1 else index[0],
            "x": _input_at(x, index),
        }
        raise CheckFailure(
            Failure(
                call,
                Message(DOMAIN, "problem.property_false", params),
                rule=Message(DOMAIN, "rule.property_each"),
            )
        )


# ----------------------------------------------------------------------------------------------------
# The reference's outputs, remembered across submissions
# ----------------------------------------------------------------------------------------------------

# A suite's inputs are the same for every submission (fixed, or drawn from the run's seed) and a reference
# solution is a deterministic function of its arguments, so a process grading a class computes each
# reference output once. Only plain numbers and numeric arrays are remembered, keyed by the function and
# the arguments' exact types, dtypes, shapes and bytes; the reference still works on copies, and an array
# is remembered as a read-only private copy of which every caller gets a fresh copy.
_REFERENCE_OUTPUTS: dict[tuple[Any, ...], Any] = {}
_REFERENCE_BUDGET = 16 * 2**20  # bytes of keys and outputs kept, at most
_reference_bytes = 0
_NUMERIC_ARRAY_KINDS = "biuf"
_NOT_KEPT = object()


def _argument_key(arg: Any) -> tuple[Any, ...] | None:
    """What decides a reference's answer about ``arg``, exactly; ``None`` for a value not remembered."""
    kind = type(arg)
    if kind is float:
        return (kind, arg.hex())  # tells -0.0 from 0.0, and every nan from a number
    if kind is int or kind is bool:
        return (kind, arg)
    if kind is np.ndarray:
        if arg.dtype.kind not in _NUMERIC_ARRAY_KINDS or arg.nbytes > 2**16:
            return None
        return (kind, arg.dtype.str, arg.shape, arg.flags.c_contiguous, arg.tobytes())
    if isinstance(arg, np.generic) and arg.dtype.kind in _NUMERIC_ARRAY_KINDS:
        return (kind, arg.dtype.str, arg.tobytes())
    return None


def _remembered(value: Any) -> Any:
    """A private copy of a reference output that may be remembered, or ``None``."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return value
    if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_ARRAY_KINDS:
        return value  # NumPy scalars are immutable
    if kind is np.ndarray and value.dtype.kind in _NUMERIC_ARRAY_KINDS:
        kept = value.copy()
        kept.setflags(write=False)
        return kept
    return None


def reference_output(function: Any, args: tuple[Any, ...]) -> Any:
    """``function(*args)`` of a reference solution, called on deep copies of ``args``, remembered per process.

    A remembered array is returned as a fresh writable copy, so no caller can change what another gets.
    """
    global _reference_bytes
    if type(function) is not FunctionType:  # a plain ``def``: hashed and compared by identity
        return function(*copy.deepcopy(args))
    keys = []
    for arg in args:
        key = _argument_key(arg)
        if key is None:
            return function(*copy.deepcopy(args))
        keys.append(key)
    cache_key = (function, *keys)
    kept = _REFERENCE_OUTPUTS.get(cache_key, _NOT_KEPT)  # one look-up: the key's tuple is hashed once
    if kept is not _NOT_KEPT:
        return kept.copy() if type(kept) is np.ndarray else kept
    value = function(*copy.deepcopy(args))
    kept = _remembered(value)
    if kept is not None:
        size = sum(len(key[-1]) if type(key[-1]) is bytes else 32 for key in keys) + _nbytes(kept) + 200
        if _reference_bytes + size <= _REFERENCE_BUDGET:
            _REFERENCE_OUTPUTS[cache_key] = kept
            _reference_bytes += size
    return value


def _nbytes(value: Any) -> int:
    return int(value.nbytes) if isinstance(value, np.ndarray) else 32


def _shared_kind(outputs: list[Output]) -> np.dtype | None:
    """The dtype of scalar results when all are integers or all floating point, else ``None``."""
    kinds = {o.dtype.kind for o in outputs}
    if kinds == {"f"}:
        return np.dtype(np.float64)
    return np.dtype(np.int64) if kinds <= {"i", "u"} and kinds else None


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
