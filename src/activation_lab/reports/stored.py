"""A graded report kept as data, its messages unrendered, so that ``--resume`` renders it in another language.

``grade --out DIR`` writes ``DIR/.records/<name>.json`` beside each JSON report. When a later run asks for a
different ``--lang`` and nothing else changed, the report is rendered again from this file instead of running
the student's code again. A file that does not read back exactly is ignored (the submission is regraded).
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from activation_lab.fsutil import write_atomic
from activation_lab.i18n import Message, Param
from activation_lab.records import CheckOutcome, SubmissionReport

RECORDS_DIR = ".records"
FORMAT = 1
# Fields that reports stored before them lack: read back as the record's default (``parts``: none).
ADDED_AFTER_FORMAT_1 = frozenset({"parts"})
_Record = TypeVar("_Record")


def records_path(out_dir: Path, name: str) -> Path:
    """Where the unrendered report of the submission whose JSON report is ``out_dir/<name>.json`` lives."""
    return out_dir / RECORDS_DIR / f"{name}.json"


def _message_data(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    params = {}
    for name, param in message.params.items():  # most are plain strings and numbers: no call for those
        params[name] = param if type(param) in _PLAIN_PARAMS else _param_data(param)
    return {"domain": message.domain, "key": message.key, "params": params}


_PLAIN_PARAMS = frozenset({str, int, float})


def _param_data(param: object) -> Any:
    if isinstance(param, Message):
        return {"message": _message_data(param)}
    if isinstance(param, tuple):
        return {"messages": [_message_data(part) for part in param]}
    return param


def _message(data: Any) -> Message:
    if not isinstance(data, dict) or not isinstance(data.get("params"), dict):
        raise ValueError("not a stored message")
    return Message(str(data["domain"]), str(data["key"]), {k: _param(v) for k, v in data["params"].items()})


def _optional_message(data: Any) -> Message | None:
    return None if data is None else _message(data)


def _param(data: Any) -> Param:
    if isinstance(data, dict) and "message" in data:
        return _message(data["message"])
    if isinstance(data, dict) and "messages" in data:
        return tuple(_message(part) for part in data["messages"])
    if isinstance(data, str | int | float) and not isinstance(data, bool):
        return data
    raise ValueError(f"not a stored parameter: {type(data).__name__}")


def _data(value: Any, passed: dict[tuple[Any, ...], Any] | None = None) -> Any:
    """A record as JSON-ready data: field by field, tuples as lists, messages as (domain, key, params).

    ``passed``: where to find and keep the data of passed tests (one dict shared by every report that holds
    the same passed test, see :func:`_passed_data`); ``None``: a fresh tree.
    """
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, Message):
        return _message_data(value)
    if kind is CheckOutcome and passed is not None:
        shared = _passed_data(value, passed)
        if shared is not None:
            return shared
    names = _field_names(cast(Any, kind))  # a batch stores a report per submission: no fields() per record
    if names is not None:
        data = {}
        for name in names:  # a report has some 500 fields, most of them leaves: no call for those
            item = getattr(value, name)
            data[name] = item if type(item) in _LEAVES else _data(item, passed)
        return data
    if isinstance(value, tuple):
        return [item if type(item) in _LEAVES else _data(item, passed) for item in value]
    return value  # a number, a string, a bool, None, or ``extra``'s JSON-ready dict


def _passed_data(test: CheckOutcome, passed: dict[tuple[Any, ...], Any]) -> Any:
    """The data of a test with no feedback and no hint, made once per test of the suite; ``None`` otherwise.

    Keyed by the identity of its title (the suite's own ``Message``, kept alive by the entry, so the identity
    cannot be reused) and its typed values; a zero score is not shared (``-0.0 == 0.0``, written apart).
    """
    score, max_score, hidden = test.score, test.max_score, test.hidden
    if (
        test.feedback is not None
        or test.hints != ()
        or type(score) is not float
        or type(max_score) is not float
        or type(hidden) is not bool
        or type(test.status) is not str
        or not score
        or not max_score
    ):
        return None
    key = (id(test.name), score, max_score, test.status, hidden)
    found = passed.get(key)
    if found is not None and found[0] is test.name:
        return found[1]
    data = _data(test)
    if len(passed) >= _PASSED_BOUND:
        passed.clear()
    passed[key] = (test.name, data)
    return data


_PASSED_BOUND = 4096
_LEAVES = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, in order; ``None`` for any other type."""
    return tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None


def report_data(report: SubmissionReport) -> dict[str, Any]:
    """The report as JSON-ready data, messages kept as (domain, key, params)."""
    return {"format": FORMAT, **_data(report)}


@cache
def _field_types(record: Any) -> dict[str, Any]:
    return get_type_hints(record)


def _record(record: type[_Record], data: Any) -> _Record:
    """The record of type ``record`` stored as ``data`` by :func:`_data`, each field read back as its type."""
    if not isinstance(data, dict):
        raise TypeError(f"not a stored {record.__name__}")
    types = _field_types(cast(Any, record))  # a class is hashable; mypy cannot see it through the TypeVar
    values = {
        f.name: _value(types[f.name], data[f.name])
        for f in fields(record)  # type: ignore[arg-type]
        if f.name in data or f.name not in ADDED_AFTER_FORMAT_1
    }
    return record(**values)


def _value(kind: Any, data: Any) -> Any:
    if kind is Message:
        return _message(data)
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, UnionType):  # ``X | None``
        (inner,) = (arg for arg in args if arg is not type(None))
        return None if data is None else _value(inner, data)
    if origin is tuple:
        return tuple(_value(args[0], item) for item in data)
    if isinstance(kind, type) and is_dataclass(kind):
        return _record(kind, data)
    if kind in (str, float, bool) or origin is dict:
        return (origin or kind)(data)
    return data  # statuses (Literal) and the seed (int | None) as stored


def report_from_data(data: Any) -> SubmissionReport:
    """The report stored by :func:`report_data`; ``ValueError``, ``KeyError``, ``TypeError`` if malformed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a stored report")
    return _record(SubmissionReport, data)


def dumps_records(report: SubmissionReport) -> str:
    """The text :func:`write_records` stores for ``report``: ``json.dumps(report_data(report))``'s bytes.

    Without the encoder's check for circular references, which costs a fifth of its time: the data is a
    tree that :func:`_data` has just built from frozen records (a passed test's data made once per class).
    """
    return _RECORDS_ENCODER.encode({"format": FORMAT, **_data(report, _PASSED_TESTS)}) + "\n"


# The data of passed tests, for :func:`dumps_records` only: the encoder writes it and lets it go, so a dict
# shared by several reports is never seen (nor changed) by anyone else.
_PASSED_TESTS: dict[tuple[Any, ...], Any] = {}


_RECORDS_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def write_records(path: Path, report: SubmissionReport | str) -> None:
    """Store one unrendered report atomically (or the text :func:`dumps_records` made of it)."""
    write_atomic(path, report if isinstance(report, str) else dumps_records(report))


def read_records(path: Path) -> SubmissionReport | None:
    """The unrendered report stored at ``path``; ``None`` when it is absent or does not read back."""
    try:
        return report_from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
