"""The published outputs of grading: the JSON report (docs/contract.md), grades.csv, terminal tables."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypedDict, cast

from activation_lab.fsutil import write_atomic
from activation_lab.i18n import render
from activation_lab.records import CheckOutcome, ExerciseResult, PartResult, QuizResult, SubmissionReport

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schemas") / "report.schema.json"
# Fields a report may carry that change from run to run of the same submission; none are written today, but
# readers comparing reports (tests, --resume) drop these names so a future timing field cannot break them.
VOLATILE_FIELDS = frozenset({"timing", "duration", "execution_time"})


class CheckJSON(TypedDict):
    """One hidden test in the JSON report."""

    name: str
    score: float
    max_score: float
    status: str
    hidden: bool
    feedback: str
    hints: list[str]


class ExerciseJSON(TypedDict):
    """One exercise in the JSON report."""

    id: str
    score: float
    max_score: float
    status: str
    attempted: bool
    tests: list[CheckJSON]
    notes: list[str]
    hints: list[str]


class QuizItemJSON(TypedDict):
    """One quiz item in the JSON report."""

    id: str
    score: float
    max_score: float
    feedback: str


class QuizJSON(TypedDict):
    """The quiz part of the JSON report."""

    score: float
    max_score: float
    items: list[QuizItemJSON]


class PartJSON(TypedDict):
    """One grade part (code, quiz, ...) in the JSON report, against the course's fixed maximum."""

    id: str
    score: float
    max_score: float
    status: str
    counted: bool


class ReportJSON(TypedDict):
    """The JSON report of one submission (docs/contract.md, "Report", plus documented extra fields)."""

    schema_version: int
    submission: str
    status: str
    score: float
    max_score: float
    exercises: list[ExerciseJSON]
    quiz: QuizJSON | None
    error: str | None
    error_kind: str | None
    notes: list[str]
    hints: list[str]
    seed: int | None
    lang: str
    suite_version: str
    engine_version: str
    isolation: str
    quiz_version: str
    suite_hash: str
    content_hash: str
    parts: list[PartJSON]


def points(value: float) -> float:
    """A score as a plain float rounded to 6 decimals, so sums of fractional points compare cleanly."""
    return round(float(value), 6) + 0.0  # + 0.0 turns -0.0 into 0.0


def _test_json(test: CheckOutcome, lang: str) -> CheckJSON:
    score, max_score, hidden = test.score, test.max_score, test.hidden
    if (
        test.feedback is None
        and test.hints == ()
        and type(score) is float
        and type(max_score) is float
        and type(hidden) is bool
        and type(test.status) is str
    ):
        # a passed test: the same in every report of a class; made once, copied (its list a new one) per use
        key = (id(test.name), score, max_score, test.status, hidden, lang)
        found = _PASSED_JSON.get(key)
        if found is not None and found[0] is test.name:
            return {**found[1], "hints": []}
        made = _made_test_json(test, lang)
        if len(_PASSED_JSON) >= _PASSED_BOUND:
            _PASSED_JSON.clear()
        _PASSED_JSON[key] = (test.name, made)
        return {**made, "hints": []}
    return _made_test_json(test, lang)


# Passed tests' JSON by the identity of their title (the suite's own ``Message``, kept alive by the entry so
# that its identity is not reused) and their typed values; bounded: cleared when full.
_PASSED_JSON: dict[tuple[Any, ...], tuple[object, CheckJSON]] = {}
_PASSED_BOUND = 4096


def _made_test_json(test: CheckOutcome, lang: str) -> CheckJSON:
    return {
        "name": render(test.name, lang),
        "score": points(test.score),
        "max_score": points(test.max_score),
        "status": test.status,
        "hidden": bool(test.hidden),
        "feedback": render(test.feedback, lang),
        "hints": list(test.hints),
    }


def _exercise_json(exercise: ExerciseResult, lang: str) -> ExerciseJSON:
    hints = sorted({hint for test in exercise.tests for hint in test.hints})
    return {
        "id": exercise.id,
        "score": points(exercise.score),
        "max_score": points(exercise.max_score),
        "status": exercise.status,
        "attempted": bool(exercise.attempted),
        "tests": [_test_json(test, lang) for test in exercise.tests],
        "notes": [render(note, lang) for note in exercise.notes],
        "hints": hints,
    }


def _quiz_json(quiz: QuizResult, lang: str) -> QuizJSON:
    return {
        "score": points(quiz.score),
        "max_score": points(quiz.max_score),
        "items": [
            {
                "id": item.id,
                "score": points(item.score),
                "max_score": points(item.max_score),
                "feedback": render(item.feedback, lang),
            }
            for item in quiz.items
        ],
    }


def _part_json(part: PartResult) -> PartJSON:
    return {
        "id": part.id,
        "score": points(part.score),
        "max_score": points(part.max_score),
        "status": part.status,
        "counted": bool(part.counted),
    }


def report_to_json(report: SubmissionReport, lang: str) -> ReportJSON:
    """The JSON-ready dict of one report with every message rendered in ``lang``; fields in a fixed order."""
    extra = report.extra
    exercises = [_exercise_json(exercise, lang) for exercise in report.exercises]
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": report.submission,
        "status": report.status,
        "score": points(report.score),
        "max_score": points(report.max_score),
        "exercises": exercises,
        "quiz": None if report.quiz is None else _quiz_json(report.quiz, lang),
        "error": None if report.error is None else render(report.error, lang),
        "error_kind": extra.get("error_kind"),
        "notes": [render(note, lang) for note in report.notes],
        "hints": sorted({hint for exercise in exercises for hint in exercise["hints"]}),
        "seed": extra.get("seed"),
        "lang": lang,
        "suite_version": str(extra.get("suite_version", "")),
        "engine_version": str(extra.get("engine_version", "")),
        "isolation": str(extra.get("isolation", "")),
        "quiz_version": str(extra.get("quiz_version", "")),
        "suite_hash": str(extra.get("suite_hash", "")),
        "content_hash": report.content_hash,
        "parts": [_part_json(part) for part in report.parts],
    }


def dumps_report(data: Any) -> str:
    """Serialise a report (or a list of them) the one way: UTF-8 text, indented, newline-ended.

    The text is exactly ``json.dumps(data, ensure_ascii=False, indent=2)``: with an indent, the standard
    library encodes in pure Python (a generator per container), which cost the batch parent milliseconds per
    report; :func:`_indented` writes the same bytes with the C string encoder and one list of pieces. A
    value of any other type than the JSON ones takes the standard library's path (its text, its errors).
    """
    pieces: list[str] = []
    try:
        _indented(data, pieces, "\n")
    except _NotPlain:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    pieces.append("\n")
    return "".join(pieces)


class _NotPlain(Exception):
    """A value ``_indented`` leaves to ``json.dumps`` (a subclass, a non-string key, ...)."""


_encode_string = json.encoder.encode_basestring  # ensure_ascii=False: the C encoder when available
_INDENT = "  "


def _indented(value: Any, pieces: list[str], newline: str) -> None:
    """Append ``value`` as ``json.dumps(indent=2, ensure_ascii=False)`` writes it at this depth.

    A report is mostly dicts of strings and numbers: those are written in the loops (no call per value),
    and each key's piece (comma, newline, indent, quoted key, colon) is made once per depth for the process
    (a report repeats the same few dozen keys at the same few depths); a test's dict is one format
    (:func:`_check_text`), a passed test's text made once per class.
    """
    kind = type(value)
    if kind is dict:
        if not value:
            pieces.append("{}")
            return
        inner = newline + _INDENT
        if len(value) == 7 and type(value.get("hints")) is list:
            text = _check_text(value, inner)
            if text is not None:
                pieces.append(text)
                pieces.append(newline + "}")
                return
        keys = _KEY_PIECES.get(inner)
        if keys is None:
            keys = {}
            if len(_KEY_PIECES) < _KEY_PIECES_BOUND:
                _KEY_PIECES[inner] = keys
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            piece = keys.get(key)
            if piece is None:
                piece = "," + inner + _encode_string(key) + ": "
                if len(keys) < _KEY_PIECES_BOUND:
                    keys[key] = piece
            pieces.append("{" + piece[1:] if first else piece)
            first = False
            _append(item, pieces, inner)
        pieces.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            pieces.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        for item in value:
            pieces.append(separator)
            _append(item, pieces, inner)
            separator = "," + inner
        pieces.append(newline + "]")
    else:
        _append(value, pieces, newline)


def _append(value: Any, pieces: list[str], newline: str) -> None:
    """Append one value at this depth: a leaf here, a container through :func:`_indented`."""
    kind = type(value)
    if kind is str:
        pieces.append(_encode_string(value))
    elif kind is float:
        pieces.append(_float_text(value))
    elif kind is int:
        pieces.append(int.__repr__(value))
    elif value is None:
        pieces.append("null")
    elif value is True:
        pieces.append("true")
    elif value is False:
        pieces.append("false")
    elif kind is dict or kind is list or kind is tuple:
        _indented(value, pieces, newline)
    else:
        raise _NotPlain


_CHECK_KEYS = tuple(CheckJSON.__annotations__)


def _check_text(check: dict[str, Any], inner: str) -> str | None:
    """A test of a report (:class:`CheckJSON`, the bulk of one) without its closing brace, in one format;
    ``None`` for any dict of another shape (its keys, their order, or a value's type), written by the loop."""
    if tuple(check) != _CHECK_KEYS:
        return None
    name, score, max_score, status, hidden, feedback, hints = check.values()
    if not (
        type(name) is str
        and type(score) is float
        and type(max_score) is float
        and type(status) is str
        and type(hidden) is bool
        and type(feedback) is str
        and all(type(hint) is str for hint in hints)
    ):
        return None
    key = None
    if not hints and score and max_score:  # a passed test: the same text in every report of a class
        key = (inner, name, score, max_score, status, hidden, feedback)
        text = _CHECK_TEXTS.get(key)
        if text is not None:
            return text
    deeper = inner + _INDENT
    listed = "[" + deeper + ("," + deeper).join(map(_encode_string, hints)) + inner + "]" if hints else "[]"
    text = (
        f'{{{inner}"name": {_encode_string(name)},{inner}"score": {_float_text(score)},'
        f'{inner}"max_score": {_float_text(max_score)},{inner}"status": {_encode_string(status)},'
        f'{inner}"hidden": {"true" if hidden else "false"},{inner}"feedback": {_encode_string(feedback)},'
        f'{inner}"hints": {listed}'
    )
    if key is not None:
        if len(_CHECK_TEXTS) >= _CHECK_TEXTS_BOUND:
            _CHECK_TEXTS.clear()
        _CHECK_TEXTS[key] = text
    return text


# A passed test's text by its values (typed: only floats, strings and a bool come here; no zero, whose sign
# an equal key would not keep): a class repeats a few hundred of them. Bounded: cleared when full.
_CHECK_TEXTS: dict[tuple[Any, ...], str] = {}
_CHECK_TEXTS_BOUND = 4096

# newline+indent of a depth -> {key: ',<newline+indent>"key": '}: a report's keys are few (its schema) and
# its depths too; other data may bring more: bounded, past the bound a piece is made per use
_KEY_PIECES: dict[str, dict[str, str]] = {}
_KEY_PIECES_BOUND = 256


def _float_text(value: float) -> str:
    # json.encoder's floatstr with allow_nan=True
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


def without_volatile(data: Any) -> Any:
    """A copy of a report with the volatile fields removed at every level (for comparisons)."""
    if isinstance(data, dict):
        return {k: without_volatile(v) for k, v in data.items() if k not in VOLATILE_FIELDS}
    if isinstance(data, list):
        return [without_volatile(v) for v in data]
    return data


def text_digest(text: str | bytes) -> str:
    """A digest of a result file's text: a reader that finds the same digest has the very text written."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def write_report(path: Path, data: ReportJSON, text: str | None = None) -> None:
    """Write one JSON report atomically; ``text`` is ``dumps_report(data)`` when the caller already has it."""
    write_atomic(path, dumps_report(data) if text is None else text)


def read_report(path: Path) -> ReportJSON | None:
    """Read a report written by :func:`write_report`; ``None`` when the file is not a complete report."""
    try:
        return report_from_text(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def report_from_text(text: str | bytes) -> ReportJSON | None:
    """The report a file written by :func:`write_report` holds; ``None`` when it is not a complete report.

    Bytes are read as ``Path.read_text(encoding="utf-8")`` reads them (UTF-8, universal newlines).
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION or "submission" not in data:
        return None
    return cast(ReportJSON, data)


def _cell(value: float) -> str:
    """A score for grades.csv: up to 4 decimals, no trailing zeros."""
    return format(round(float(value), 4), ".12g")


def grades_csv(reports: Iterable[ReportJSON], exercise_ids: Sequence[str]) -> str:
    """grades.csv as text: one row per report, by submission name (see ``reports.gradebook``)."""
    from activation_lab.reports.gradebook import gradebook_rows, grades_table, table_csv

    return table_csv(grades_table(gradebook_rows(reports), exercise_ids))


def write_grades_csv(path: Path, reports: Iterable[ReportJSON], exercise_ids: Sequence[str]) -> None:
    """Write grades.csv atomically."""
    write_atomic(path, grades_csv(reports, exercise_ids))
