"""A graded report kept as data, its messages unrendered, so that ``--resume`` renders it in another language.

``grade --out DIR`` writes ``DIR/.records/<name>.json`` beside each JSON report. When a later run asks for a
different ``--lang`` and nothing else changed, the report is rendered again from this file instead of running
the student's code again. A file that does not read back exactly is ignored (the submission is regraded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from activation_lab.fsutil import write_atomic
from activation_lab.i18n import Message, Param
from activation_lab.records import (
    CheckOutcome,
    ExerciseResult,
    PartResult,
    QuizItemResult,
    QuizResult,
    SubmissionReport,
)

RECORDS_DIR = ".records"
FORMAT = 1


def records_path(out_dir: Path, name: str) -> Path:
    """Where the unrendered report of the submission whose JSON report is ``out_dir/<name>.json`` lives."""
    return out_dir / RECORDS_DIR / f"{name}.json"


def _message_data(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    return {
        "domain": message.domain,
        "key": message.key,
        "params": {k: _param_data(v) for k, v in message.params.items()},
    }


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


def report_data(report: SubmissionReport) -> dict[str, Any]:
    """The report as JSON-ready data, messages kept as (domain, key, params)."""
    return {
        "format": FORMAT,
        "submission": report.submission,
        "status": report.status,
        "score": report.score,
        "max_score": report.max_score,
        "exercises": [
            {
                "id": exercise.id,
                "score": exercise.score,
                "max_score": exercise.max_score,
                "status": exercise.status,
                "tests": [
                    {
                        "name": _message_data(test.name),
                        "score": test.score,
                        "max_score": test.max_score,
                        "status": test.status,
                        "hidden": test.hidden,
                        "feedback": _message_data(test.feedback),
                        "hints": list(test.hints),
                    }
                    for test in exercise.tests
                ],
                "notes": [_message_data(note) for note in exercise.notes],
                "attempted": exercise.attempted,
                "seed": exercise.seed,
            }
            for exercise in report.exercises
        ],
        "quiz": None
        if report.quiz is None
        else {
            "score": report.quiz.score,
            "max_score": report.quiz.max_score,
            "quiz_id": report.quiz.quiz_id,
            "items": [
                {
                    "id": item.id,
                    "score": item.score,
                    "max_score": item.max_score,
                    "feedback": _message_data(item.feedback),
                }
                for item in report.quiz.items
            ],
        },
        "notes": [_message_data(note) for note in report.notes],
        "error": _message_data(report.error),
        "content_hash": report.content_hash,
        "extra": report.extra,
        "parts": [
            {"id": p.id, "score": p.score, "max_score": p.max_score, "status": p.status, "counted": p.counted}
            for p in report.parts
        ],
    }


def report_from_data(data: Any) -> SubmissionReport:
    """The report stored by :func:`report_data`; ``ValueError``, ``KeyError``, ``TypeError`` if malformed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a stored report")
    quiz = data["quiz"]
    return SubmissionReport(
        submission=str(data["submission"]),
        status=data["status"],
        score=float(data["score"]),
        max_score=float(data["max_score"]),
        exercises=tuple(
            ExerciseResult(
                id=str(exercise["id"]),
                score=float(exercise["score"]),
                max_score=float(exercise["max_score"]),
                status=exercise["status"],
                tests=tuple(
                    CheckOutcome(
                        name=_message(test["name"]),
                        score=float(test["score"]),
                        max_score=float(test["max_score"]),
                        status=test["status"],
                        hidden=bool(test["hidden"]),
                        feedback=_optional_message(test["feedback"]),
                        hints=tuple(str(hint) for hint in test["hints"]),
                    )
                    for test in exercise["tests"]
                ),
                notes=tuple(_message(note) for note in exercise["notes"]),
                attempted=bool(exercise["attempted"]),
                seed=exercise["seed"],
            )
            for exercise in data["exercises"]
        ),
        quiz=None
        if quiz is None
        else QuizResult(
            score=float(quiz["score"]),
            max_score=float(quiz["max_score"]),
            quiz_id=str(quiz["quiz_id"]),
            items=tuple(
                QuizItemResult(
                    id=str(item["id"]),
                    score=float(item["score"]),
                    max_score=float(item["max_score"]),
                    feedback=_optional_message(item["feedback"]),
                )
                for item in quiz["items"]
            ),
        ),
        notes=tuple(_message(note) for note in data["notes"]),
        error=_optional_message(data["error"]),
        content_hash=str(data["content_hash"]),
        extra=dict(data["extra"]),
        parts=tuple(
            PartResult(
                id=str(part["id"]),
                score=float(part["score"]),
                max_score=float(part["max_score"]),
                status=str(part["status"]),
                counted=bool(part["counted"]),
            )
            for part in data.get("parts", [])
        ),
    )


def dumps_records(report: SubmissionReport) -> str:
    """The text :func:`write_records` stores for ``report``."""
    return json.dumps(report_data(report), ensure_ascii=False) + "\n"


def write_records(path: Path, report: SubmissionReport | str) -> None:
    """Store one unrendered report atomically (or the text :func:`dumps_records` made of it)."""
    write_atomic(path, report if isinstance(report, str) else dumps_records(report))


def read_records(path: Path) -> SubmissionReport | None:
    """The unrendered report stored at ``path``; ``None`` when it is absent or does not read back."""
    try:
        return report_from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
