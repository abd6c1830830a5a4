"""Numbers in answers (``"1/2"``, ``"½"``, ``"０.５"``) and safe arithmetic in quiz keys (``"9/5"``)."""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Callable

MAX_EXPRESSION_LENGTH = 200


class NumberFormatError(ValueError):
    """An answer is not a number we accept; ``reason`` is a message key of ``quiz.toml`` (``number.*``)."""

    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


_DECIMAL = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SIMPLE = re.compile(rf"([+-]?)({_DECIMAL})(?:/({_DECIMAL}))?")
_MIXED = re.compile(r"([+-]?)(\d+) (\d+)/(\d+)")  # "1 1/2", also what "1½" becomes


def _expand_vulgar_fractions(text: str) -> str:
    """Replace ``½``, ``¾``, ``⅓`` ... by `` n/d`` before NFKC, which would glue ``1½`` into ``11⁄2``."""
    pieces = []
    for char in text:
        decomposition = unicodedata.decomposition(char)
        if decomposition.startswith("<fraction>"):
            numerator, denominator = (
                "".join(chr(int(code, 16)) for code in part.split())
                for part in decomposition.removeprefix("<fraction>").split("2044")
            )
            pieces.append(f" {numerator.strip()}/{denominator.strip()}")
        else:
            pieces.append(char)
    return "".join(pieces)


def parse_number(value: object) -> float:
    """The number an answer means, or ``NumberFormatError``.

    Accepted: an int or float (not bool); a string holding a decimal (``0.5``, ``.5``, `` 0.50 ``, ``-0.5``),
    scientific notation (``5e-1``, ``1E-3``), a fraction (``1/2``, ``-3/4``, ``1 / 2``), a Unicode vulgar
    fraction (``½``, ``1½``), a mixed number (``1 1/2``), fullwidth digits and signs (``０.５``, ``－１``) and
    the Unicode minus sign. Refused: a comma (``0,5`` - is it a decimal comma or a thousands separator?),
    ``nan``/``inf``, percentages, words, and anything else.
    """
    if isinstance(value, bool):
        raise NumberFormatError("wrong_type", str(value))
    if isinstance(value, int | float):
        try:  # a YAML integer of 309+ digits is beyond every float
            number = float(value)
        except OverflowError:
            raise NumberFormatError("not_finite", str(value)[:40]) from None
        if not math.isfinite(number):
            raise NumberFormatError("not_finite", str(value))
        return number
    if not isinstance(value, str):
        raise NumberFormatError("wrong_type", type(value).__name__)
    text = unicodedata.normalize("NFKC", _expand_vulgar_fractions(value))
    text = text.replace("\u2212", "-").replace("\u2044", "/").replace("\u2215", "/")
    text = " ".join(text.split())
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"^([+-])\s+", r"\1", text)
    if not text:
        raise NumberFormatError("empty", value)
    if "," in text:
        raise NumberFormatError("comma", value)
    if match := _MIXED.fullmatch(text):
        sign, whole, numerator, denominator = match.groups()
        if int(denominator) == 0:
            raise NumberFormatError("zero_denominator", value)
        try:
            number = int(whole) + int(numerator) / int(denominator)
        except (OverflowError, ValueError):  # digits beyond a float (or beyond Python's 4300-digit bound)
            raise NumberFormatError("not_finite", value) from None
        return -number if sign == "-" else number
    match = _SIMPLE.fullmatch(text)
    if match is None:
        raise NumberFormatError("not_a_number", value)
    sign, numerator_text, denominator_text = match.groups()
    number = float(numerator_text)
    if denominator_text is not None:
        denominator = float(denominator_text)
        if denominator == 0:
            raise NumberFormatError("zero_denominator", value)
        number /= denominator
    if not math.isfinite(number):
        raise NumberFormatError("not_finite", value)
    return -number if sign == "-" else number


_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.UAdd: lambda a: a, ast.USub: lambda a: -a}
_NAMES = {"e": math.e, "pi": math.pi}
_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": math.exp,
    "sqrt": math.sqrt,
    "log": math.log,
    "tanh": math.tanh,
}


def evaluate_expression(text: str) -> float:
    """Evaluate arithmetic like ``9/5`` or ``1/(1+exp(-1))`` without ``eval``; ValueError if refused.

    Allowed: numbers, ``+ - * / **``, parentheses, the constants ``e`` and ``pi`` and the one-argument
    functions ``exp``, ``sqrt``, ``log``, ``tanh``. All arithmetic is in floats, so ``9**9**9`` overflows
    instead of hanging.
    """
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ValueError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an arithmetic expression ({exc.msg})") from None
    try:
        result = _evaluate(tree.body)
    except (OverflowError, ZeroDivisionError) as exc:
        raise ValueError(f"cannot be computed ({exc})") from None
    if not math.isfinite(result):
        raise ValueError("the result is not a finite number")
    return result


def _evaluate(node: ast.AST) -> float:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        try:
            return _FUNCTIONS[node.func.id](_evaluate(node.args[0]))
        except ValueError as exc:  # sqrt(-1), log(0)
            raise ValueError(f"{node.func.id}() cannot be computed ({exc})") from None
    allowed = "numbers, + - * / **, parentheses, e, pi, exp(), sqrt(), log(), tanh()"
    raise ValueError(f"{ast.unparse(node)!r} is not allowed (only {allowed})")
