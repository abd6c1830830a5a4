"""The ``grader_payload`` of a CodeResponse problem: which exercise, which language, which course version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypedDict

from activation_lab.course import Course
from activation_lab.errors import ActivationLabError
from activation_lab.i18n import LANGUAGES

GRADER_NAME = "activation-lab"


class PayloadError(ActivationLabError):
    """A problem's grader_payload is malformed or names nothing this course has (the author's fault)."""


class PayloadJSON(TypedDict):
    """The payload the exporter writes into every CodeResponse problem."""

    grader: str
    exercise: str
    lang: str
    course_version: str


@dataclass(frozen=True, slots=True)
class GraderPayload:
    """A validated payload."""

    exercise: str
    lang: str
    course_version: str

    def to_json(self) -> PayloadJSON:
        """The payload as written into the OLX problem."""
        return {
            "grader": GRADER_NAME,
            "exercise": self.exercise,
            "lang": self.lang,
            "course_version": self.course_version,
        }


def _field(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"grader_payload: field {name!r} must be a non-empty string, got {value!r}")
    return value.strip()


def parse_payload(text: Any, course: Course) -> GraderPayload:
    """Validate ``text`` (the problem's grader_payload, a JSON object) against ``course``."""
    if not isinstance(text, str) or not text.strip():
        raise PayloadError("grader_payload is empty: the problem's <grader_payload> must hold a JSON object")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise PayloadError(f"grader_payload is not JSON ({exc}): {text[:200]!r}") from None
    if not isinstance(raw, dict):
        raise PayloadError(f"grader_payload must be a JSON object, got {type(raw).__name__}")
    grader = raw.get("grader", GRADER_NAME)
    if grader != GRADER_NAME:
        raise PayloadError(f"grader_payload names grader {grader!r}; this watcher serves {GRADER_NAME!r}")
    unknown = sorted(set(raw) - set(PayloadJSON.__annotations__))
    if unknown:
        raise PayloadError(f"grader_payload has unknown field(s) {', '.join(map(repr, unknown))}")
    exercise = _field(raw, "exercise")
    known = [spec.id for spec in course.exercises]
    if exercise not in known:
        raise PayloadError(f"grader_payload names exercise {exercise!r}; the course has {', '.join(known)}")
    lang = _field(raw, "lang")
    if lang not in LANGUAGES:
        raise PayloadError(f"grader_payload: lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return GraderPayload(exercise=exercise, lang=lang, course_version=_field(raw, "course_version"))


def payload_for(course: Course, exercise: str, lang: str) -> GraderPayload:
    """The payload the exporter writes for one exercise (checked like a received one)."""
    payload = GraderPayload(exercise=exercise, lang=lang, course_version=course.suite_version)
    return parse_payload(json.dumps(payload.to_json()), course)
