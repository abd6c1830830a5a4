"""The class roster: who the students are, and which submission belongs to whom.

A roster is a CSV file with a header row and the columns ``id``, ``name``, ``email`` and optionally
``submission`` (a file-name pattern such as ``kim_minsu*``; default: the id), plus any LMS columns the
exports use (``username``, ``sis_user_id``, ``sis_login_id``, ``section``). Submissions are matched by
their name (folder or file name without ``.zip``/``.ipynb``/``.py``), case-insensitively.
"""

from __future__ import annotations

import csv
import fnmatch
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from activation_lab.errors import UsageError

REQUIRED_COLUMNS = ("id", "name", "email")
PATTERN_COLUMN = "submission"


@dataclass(frozen=True, slots=True)
class Student:
    """One row of the roster."""

    id: str
    name: str
    email: str
    pattern: str
    line: int  # line number in the roster file, for messages
    extra: dict[str, str] = field(default_factory=dict, compare=False)  # other columns (username, section...)


@dataclass(frozen=True, slots=True)
class RosterMatch:
    """How the graded submissions map onto the roster.

    ``by_student`` maps a student id to the one submission name matched; ``unmatched`` are submissions no
    roster row claims; ``ambiguous`` are submissions claimed by several students (name -> student ids);
    ``duplicates`` are students matching several submissions (student id -> names; none is used);
    ``without_submission`` are the students with no submission, in roster order.
    """

    students: tuple[Student, ...]
    by_student: dict[str, str]
    unmatched: tuple[str, ...]
    ambiguous: dict[str, tuple[str, ...]]
    duplicates: dict[str, tuple[str, ...]]
    without_submission: tuple[Student, ...]


def parse_roster(text: str, source: str = "roster.csv") -> tuple[Student, ...]:
    """Parse roster CSV text (BOM accepted); a malformed roster is a ``UsageError`` naming the line."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise UsageError(
            f"{source}: the header lacks the column(s) {', '.join(missing)} (needs id, name, email)"
        )
    reader.fieldnames = header
    students: list[Student] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        if not any(values.values()):
            continue
        student_id = values.get("id", "")
        if not student_id:
            raise UsageError(f"{source}, line {line}: the id is empty")
        if student_id in seen:
            raise UsageError(
                f"{source}, line {line}: the id {student_id!r} is also on line {seen[student_id]}"
            )
        seen[student_id] = line
        pattern = values.get(PATTERN_COLUMN) or student_id
        extra = {k: v for k, v in values.items() if k not in (*REQUIRED_COLUMNS, PATTERN_COLUMN) and k}
        students.append(
            Student(student_id, values.get("name", ""), values.get("email", ""), pattern, line, extra)
        )
    if not students:
        raise UsageError(f"{source}: the roster lists no student")
    return tuple(students)


def load_roster(path: Path) -> tuple[Student, ...]:
    """Read a roster file (UTF-8, with or without BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"roster not found: {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the roster is not UTF-8 text (save it as CSV UTF-8)") from None
    return parse_roster(text, str(path))


def _matches(student: Student, name: str) -> bool:
    return fnmatch.fnmatchcase(name.casefold(), student.pattern.casefold())


def match_roster(students: Sequence[Student], submissions: Sequence[str]) -> RosterMatch:
    """Match submission names to students by each student's pattern; nothing is guessed.

    A submission claimed by two students, and a student claiming two submissions, are reported and left
    unassigned, so a wrong grade never lands silently in a gradebook.
    """
    claims: dict[str, list[str]] = {
        name: [s.id for s in students if _matches(s, name)] for name in submissions
    }
    ambiguous = {name: tuple(ids) for name, ids in claims.items() if len(ids) > 1}
    per_student: dict[str, list[str]] = {}
    for name, ids in claims.items():
        if len(ids) == 1:
            per_student.setdefault(ids[0], []).append(name)
    duplicates = {sid: tuple(names) for sid, names in per_student.items() if len(names) > 1}
    by_student = {sid: names[0] for sid, names in per_student.items() if len(names) == 1}
    unmatched = tuple(name for name, ids in claims.items() if not ids)
    without = tuple(s for s in students if s.id not in by_student and s.id not in duplicates)
    return RosterMatch(tuple(students), by_student, unmatched, ambiguous, duplicates, without)


def roster_problems(match: RosterMatch) -> list[str]:
    """One line per problem of a match (for the terminal and ``roster-check.txt``), in a stable order."""
    lines = [f"unmatched submission: {name}" for name in sorted(match.unmatched)]
    lines += [
        f"submission {name} matches several students: {', '.join(ids)}"
        for name, ids in sorted(match.ambiguous.items())
    ]
    lines += [
        f"student {sid} matches several submissions (none used): {', '.join(names)}"
        for sid, names in sorted(match.duplicates.items())
    ]
    lines += [f"no submission: {s.id} {s.name} <{s.email}>" for s in match.without_submission]
    return lines
