"""Misconceptions recognised in a student's mistake: from the exception raised, or from the wrong numbers.

``hints_from_raised`` reads an exception's type, message and the student's own source line (``if x >= 0:``
raising "truth value ... ambiguous" is ``ambiguous_truth``). ``diagnose`` compares wrong values with the wrong
formulas the course declares (``autograder/misconceptions.py``: σ(−x), e ≈ 2.718, 2σ(x) − 1, 5/9·C + 32, ...),
with its patterns (a step wrong only at 0) and with course-independent transforms (a result cut off or
rounded). The keys name ``[hint.*]`` texts of ``messages/feedback.toml``. The engine knows no function of
the course: adding an exercise needs no entry here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from activation_lab.records import DEFAULT_TOLERANCE, Raised

# A candidate must give other values than the reference (at grading tolerance) and reproduce the student's
# values at a looser one, so that another algebraic form of the same wrong formula still matches.
GRADING_RTOL, GRADING_ATOL = DEFAULT_TOLERANCE.rtol, DEFAULT_TOLERANCE.atol
CANDIDATE_RTOL, CANDIDATE_ATOL = 1e-6, 1e-8
# A cut-off or rounded reference is matched exactly (up to float rounding): at one point a wrong formula can
# come within 1e-10 of round(σ(3), 5) by chance.
EXACT_RTOL, EXACT_ATOL = 1e-12, 1e-12


_BUILTIN_MINMAX = re.compile(r"(?<![\w.])(max|min)\s*\(")
# np.max(0, x) takes x as an axis: "only integer scalar arrays can be converted to a scalar index"
_NP_MAX = re.compile(r"\b(np|numpy)\.(max|min|amax|amin)\s*\(")
_MATH_CALL = re.compile(r"(?<![\w.])(math\.\w+|exp|tanh|sqrt|log)\s*\(")
_INT_CALL = re.compile(r"(?<![\w.])(int|float)\s*\(")
_NP_ALIAS = re.compile(r"\b(np|numpy)\.(int|float|bool|object|str|long|unicode|complex)\b(?![\w])")
_REMOVED_ALIAS_MESSAGE = re.compile(r"has no attribute '(int|float|bool|object|str|long|unicode|complex)'")
_IN_PLACE = re.compile(r"^\s*\w+\s*(\[.*\]\s*(?:[-+*/]|//|\*\*)?=|(?:[-+*/]|//|\*\*)=)(?!=)")
_SCALAR_CONVERSION = ("only 0-dimensional arrays", "only length-1 arrays", "only size-1 arrays")
# `x.astype(int)`, `x.clip(min=0)`, `len(x)`, `for v in x` on a Python number (NumPy scalars have the methods)
_NUMBER_LACKS = re.compile(r"'(int|float|bool)' object has no attribute '(\w+)'")
_NUMBER_NOT_ARRAY = re.compile(
    r"'(int|float|bool)' object is not (iterable|subscriptable)|object of type '(int|float|bool)' has no len"
)
_LOOP = re.compile(r"\bfor\s+\w+\s+in\b")
_RETURNS_LIST = re.compile(r"^return\s*[\[(]|^return\s+list\(")


def _student_line(raised: Raised) -> str:
    """The source text of the innermost student frame (``file.py:12: code``), or ``""``."""
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    if not lines:
        return ""
    parts = lines[-1].split(":", 2)
    return parts[2].strip() if len(parts) == 3 else lines[-1].strip()


def student_where(raised: Raised) -> str:
    """Where in the student's file an exception was raised (``file.py:12: code``), or ``""``."""
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _frame_files(raised: Raised) -> list[str]:
    """The student file of each frame of the traceback, outermost first (``tanh.py``, ``sigmoid.py``)."""
    files = []
    for line in raised.traceback.splitlines():
        name = line.strip().split(":", 1)[0]
        if name.endswith(".py"):
            files.append(name)
    return files


def unfinished_elsewhere(raised: Raised) -> bool:
    """Whether a ``NotImplementedError`` comes from another student file than the called one.

    ``tanh.py`` doing ``from sigmoid import sigmoid`` while ``sigmoid.py`` is still the stub raises from
    ``sigmoid.py``: the called function was written, the one it uses was not.
    """
    files = _frame_files(raised)
    return raised.type == "NotImplementedError" and len(files) >= 2 and files[-1] != files[0]


def unfinished_function(raised: Raised) -> str:
    """The unfinished function a ``NotImplementedError`` names (the course stubs say ``sigmoid(x): ...``)."""
    match = re.match(r"\s*([A-Za-z_]\w*)\(", raised.message)
    return f"{match.group(1)}()" if match else ""


def hints_from_raised(raised: Raised) -> tuple[str, ...]:
    """Misconception keys recognised from an exception's type, message and the student's source line."""
    source = _student_line(raised)
    text = raised.message
    if raised.type == "NotImplementedError":
        return ("unfinished_import",) if unfinished_elsewhere(raised) else ("not_attempted",)
    if raised.type == "AttributeError" and (_REMOVED_ALIAS_MESSAGE.search(text) or _NP_ALIAS.search(source)):
        return ("np_int_removed",)
    if raised.type == "OverflowError":
        return ("overflow_advice",)
    lacks = _NUMBER_LACKS.search(text)
    if raised.type == "AttributeError" and lacks and hasattr(np.ndarray, lacks.group(2)):
        return ("scalar_input",)
    if raised.type == "TypeError" and _NUMBER_NOT_ARRAY.search(text):
        return ("scalar_input",)
    if "vectorize" in text and "otypes" in text:
        return ("vectorize_otypes",)
    ambiguous = "truth value" in text and "ambiguous" in text
    if ambiguous and _BUILTIN_MINMAX.search(source):  # max(0, x) compares the whole array with 0
        return ("builtin_max_on_array",)
    if raised.type in ("TypeError", "AxisError", "ValueError") and _NP_MAX.search(source):
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
    if ambiguous and _LOOP.search(source):
        # `[... for v in x]` over a 2-D array: v is a row, so `v >= 0` is an array again
        return ("loop_over_rows", "list_result") if _RETURNS_LIST.search(source) else ("loop_over_rows",)
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

# Wrong results made from the right ones, for every function: the fraction cut off (int(...), astype(int),
# dtype=int) or rounded away (round(F, 1)). Rounding to whole numbers is left out where the right values
# are fractions (σ' ≤ 0.25): there it cannot be told from truncation or a result that is always 0.
TRANSFORMS: list[tuple[tuple[str, ...], int, Any]] = [  # (keys, digits rounded to, transform)
    (("int_truncation",), 0, np.trunc),
    (("int_truncation",), 0, np.floor),
    *((("rounded_result",), digits, lambda v, d=digits: np.round(v, d)) for digits in range(8)),
]
INTEGER_RESULT_KEYS = {"int_truncation", "rounded_result"}


Formula = Callable[[np.ndarray], Any]
Pattern = Callable[[np.ndarray, np.ndarray, np.ndarray], list[str]]


@dataclass(frozen=True, slots=True)
class CourseMisconceptions:
    """What the course declares about its functions' typical mistakes (``autograder/misconceptions.py``).

    ``candidates``: function -> (hint keys, wrong formula); ``patterns``: function -> detector of mistakes
    that are not formulas; ``float_functions``: real-valued results (a near miss is ``low_precision``);
    ``fractional_results``: right results are fractions (there an integer result can only be cut off or
    rounded, and a float result was not cut off by int); ``extreme``: from this |x| on, inputs earn advice
    only. Without any of them a function is still graded, only without those hints.
    """

    candidates: Mapping[str, Sequence[tuple[tuple[str, ...], Formula]]] = field(default_factory=dict)
    patterns: Mapping[str, Pattern] = field(default_factory=dict)
    float_functions: frozenset[str] = frozenset()
    fractional_results: frozenset[str] = frozenset()
    extreme: float = math.inf
    # function -> {"fix": code, "fix_numbers": code, "fix_dtype": code}: what the hints suggest for it
    fixes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def fix_params(self, function: str | None) -> dict[str, str]:
        """The ``{fix}``, ``{fix_numbers}``, ``{fix_dtype}`` parameters of the hint texts for ``function``."""
        return fix_params(self.fixes.get(function or "", {}))


NO_MISCONCEPTIONS = CourseMisconceptions()
# For a function without fixes (a new exercise) the hints name the tool, not a formula.
GENERIC_FIX = "np.where(condition, a, b)"


def fix_params(fixes: Mapping[str, str]) -> dict[str, str]:
    """Hint parameters from one function's fixes (each kind falls back to ``fix``, then the generic tool)."""
    whole = fixes.get("fix", GENERIC_FIX)
    return {
        "fix": whole,
        "fix_numbers": fixes.get("fix_numbers", whole),
        "fix_dtype": fixes.get("fix_dtype", whole),
    }


def course_misconceptions(module: ModuleType) -> CourseMisconceptions:
    """The declarations of a course's misconceptions module (every name optional)."""
    return CourseMisconceptions(
        candidates=dict(getattr(module, "CANDIDATES", {})),
        patterns=dict(getattr(module, "PATTERNS", {})),
        float_functions=frozenset(getattr(module, "FLOAT_FUNCTIONS", ())),
        fractional_results=frozenset(getattr(module, "FRACTIONAL_RESULTS", ())),
        extreme=float(getattr(module, "EXTREME", math.inf)),
        fixes={name: dict(kinds) for name, kinds in getattr(module, "FIXES", {}).items()},
    )


def _fits_dtype(
    name: str, keys: tuple[str, ...], got_dtype: np.dtype | None, course: CourseMisconceptions
) -> bool:
    if got_dtype is None or name not in course.fractional_results:
        return True
    if got_dtype.kind in "iu":
        return bool(INTEGER_RESULT_KEYS & set(keys))
    return "int_truncation" not in keys


def _close(got: np.ndarray, candidate: np.ndarray, rtol: float | np.ndarray, atol: float | np.ndarray) -> Any:
    """``np.isclose(got, candidate, rtol, atol, equal_nan=True)`` of two float64 arrays, without its set-up.

    NumPy's own expression (``numpy/_core/numeric.py``); diagnosing one wrong answer compares some forty
    candidates, where ``np.isclose``'s argument handling cost more than the arithmetic.
    """
    with np.errstate(invalid="ignore"):
        close = (np.abs(got - candidate) <= atol + rtol * np.abs(candidate)) & np.isfinite(candidate)
        return close | (got == candidate) | (np.isnan(got) & np.isnan(candidate))


def _matches(got: np.ndarray, candidate: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == candidate.shape and bool(_close(got, candidate, rtol, atol).all())


_Candidate = tuple[tuple[str, ...], np.ndarray, float, float]  # keys, values, rtol, atol


@dataclass(frozen=True, slots=True)
class _Distinct:
    """The candidates that differ from the reference at one input, their values stacked for one comparison.

    Only candidates of the input's shape can reproduce an answer of that shape: ``stacked`` holds their
    values (one row each), ``rtol`` and ``atol`` their tolerances shaped to broadcast against the rows.
    """

    keys: tuple[tuple[str, ...], ...]
    stacked: np.ndarray
    rtol: np.ndarray
    atol: np.ndarray

    def reproducing(self, got: np.ndarray) -> np.ndarray:
        """Per candidate, whether it reproduces every value of ``got`` (``_matches`` of each, at once)."""
        close = _close(got[np.newaxis, ...], self.stacked, self.rtol, self.atol)
        return close.reshape(len(self.keys), -1).all(axis=1)  # type: ignore[no-any-return]


# The candidates' values at an input, memoized per process: a suite's inputs are the same for every
# submission (fixed, or drawn from the run's seed), the course's formulas are deterministic, and a class
# diagnoses the same wrong answers again and again. Keyed by the exact bytes of the input and of the
# reference's values; entries are private copies, never handed out.
_DISTINCT: dict[tuple[Any, ...], tuple[CourseMisconceptions, _Distinct]] = {}
_DISTINCT_BUDGET = 16 * 2**20  # bytes of keys and values kept, at most
_distinct_bytes = 0


def _distinct_candidates(
    name: str, x: np.ndarray, expected: np.ndarray, course: CourseMisconceptions
) -> _Distinct:
    """The wrong formulas and cut-off or rounded references whose values at ``x`` differ from ``expected``.

    ``x`` and ``expected`` are float64 arrays of one shape; a candidate that gives the reference's values
    (at grading tolerance) proves nothing and is left out.
    """
    global _distinct_bytes
    key = (id(course), name, x.shape, x.tobytes(), expected.tobytes())
    found = _DISTINCT.get(key)
    if found is not None and found[0] is course:
        return found[1]
    formulas = [
        (keys, candidate(x), CANDIDATE_RTOL, CANDIDATE_ATOL)
        for keys, candidate in course.candidates.get(name, ())
    ]
    transforms = [
        (keys, transform(expected), EXACT_RTOL, EXACT_ATOL)
        for keys, digits, transform in TRANSFORMS
        if digits > 0 or "rounded_result" not in keys or name not in course.fractional_results
    ]
    distinct: list[_Candidate] = []
    for keys, values, rtol, atol in formulas + transforms:
        values = np.asarray(values, dtype=float)
        # another shape cannot reproduce an answer of the input's shape; the reference's values prove nothing
        if values.shape == x.shape and not _matches(expected, values, GRADING_RTOL, GRADING_ATOL):
            distinct.append((keys, values, rtol, atol))
    tolerance_shape = (len(distinct),) + (1,) * x.ndim
    found_now = _Distinct(
        keys=tuple(keys for keys, _, _, _ in distinct),
        stacked=np.array([values for _, values, _, _ in distinct], dtype=float).reshape(
            (len(distinct), *x.shape)
        ),  # a copy: a formula may return (a view of) its input
        rtol=np.array([rtol for _, _, rtol, _ in distinct], dtype=float).reshape(tolerance_shape),
        atol=np.array([atol for _, _, _, atol in distinct], dtype=float).reshape(tolerance_shape),
    )
    found_now.stacked.setflags(write=False)
    size = 2 * x.nbytes + found_now.stacked.nbytes + 300 * len(distinct)
    if _distinct_bytes + size <= _DISTINCT_BUDGET:
        _DISTINCT[key] = (course, found_now)
        _distinct_bytes += size
    return found_now


def _explaining_candidates(
    name: str,
    x: np.ndarray,
    got: np.ndarray,
    expected: np.ndarray,
    got_dtype: np.dtype | None,
    course: CourseMisconceptions,
) -> tuple[list[str], bool]:
    """Keys of the mistakes the numbers prove, and whether any candidate reproduced them at all.

    A candidate must reproduce every value of ``got``: a formula at a looser tolerance (another algebraic
    form of the same mistake), a cut-off or rounded reference exactly (a value merely close to it, such as
    float32 arithmetic or a lucky coincidence at one point, is not "rounded"). Among them only the simplest
    explanations count, and only the keys they all share: where two different mistakes give the same
    numbers (near C = 0 most C2F formulas give 32), the evidence does not discriminate and nothing is named.
    """
    distinct = _distinct_candidates(name, x, expected, course)
    reproducing = distinct.reproducing(got) if distinct.keys else ()
    matched = [
        keys
        for keys, reproduces in zip(distinct.keys, reproducing, strict=True)
        if reproduces and _fits_dtype(name, keys, got_dtype, course)
    ]
    # An even function hides a sign error, a saturated input hides an approximate e, ...: drop an explanation
    # that only adds mistakes to another one that already explains the numbers.
    simplest = [set(k) for k in matched if not any(set(other) < set(k) for other in matched)]
    if not simplest:
        return [], False
    shared = set.intersection(*simplest)
    return list(dict.fromkeys(key for keys in matched for key in keys if key in shared)), True


def diagnose(
    name: str,
    x: Any,
    got: np.ndarray,
    expected: np.ndarray,
    got_dtype: np.dtype | None = None,
    course: CourseMisconceptions = NO_MISCONCEPTIONS,
) -> tuple[str, ...]:
    """Misconception keys explaining why the student's values ``got`` at ``x`` differ from ``expected``."""
    x = np.asarray(x, dtype=float)
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if x.shape != got.shape or expected.shape != got.shape:
        return ()
    with np.errstate(all="ignore"):
        if _matches(got, expected, GRADING_RTOL, GRADING_ATOL):
            return ()
    hints: list[str] = []
    with np.errstate(all="ignore"):
        pattern = course.patterns.get(name)
        if pattern is not None:
            hints += pattern(x, got, expected)
        low_dtype = got_dtype is not None and got_dtype in (np.dtype(np.float16), np.dtype(np.float32))
        candidates, explained = _explaining_candidates(name, x, got, expected, got_dtype, course)
        if low_dtype:  # float32 rounding looks like e written with many digits: the dtype says which it is
            candidates = [k for k in candidates if k != "approx_e"]
        hints += [k for k in candidates if k not in hints]
        if name in course.float_functions and (low_dtype or not (hints or explained)):
            if low_dtype or _matches(got, expected, 5e-3, 1e-4):
                hints.append("low_precision")
    return tuple(hints)
