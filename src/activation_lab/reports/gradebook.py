"""The class gradebook: grades.csv in a stable row order, and the exports LMS gradebooks import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from activation_lab.display import csv_cell
from activation_lab.errors import UsageError
from activation_lab.fsutil import write_atomic
from activation_lab.reports.report import ReportJSON, read_report, report_from_text, text_digest
from activation_lab.reports.roster import RosterMatch, Student, match_roster, roster_problems

GRADES_CSV = "grades.csv"
ROSTER_COPY = "roster.csv"
ROSTER_CHECK = "roster-check.txt"
NO_SUBMISSION = "no_submission"
EXPORT_FORMATS = ("spreadsheet", "openedx", "canvas", "moodle", "gradescope")
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class GradebookRow:
    """One row of the gradebook: a student (with a roster), a submission's report, or both."""

    student: Student | None
    report: ReportJSON | None


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What the LMS exports need besides the grades (docs/gradebook.md)."""

    assignment: str = "Activation Lab"
    openedx_course_id: str = ""
    openedx_subsection: str = (
        ""  # the first 8 characters of the subsection's block id, as Open edX exports it
    )
    bom: bool = True  # UTF-8 with BOM for the spreadsheet export (Excel reads Korean names correctly)


def _name_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def gradebook_rows(reports: Iterable[ReportJSON], match: RosterMatch | None = None) -> list[GradebookRow]:
    """Rows in a stable order: roster order (students without a submission included), then every submission no
    roster row claims, by name; without a roster, by submission name. Regrading never moves a row."""
    by_name = {report["submission"]: report for report in reports}
    if match is None:
        return [GradebookRow(None, by_name[name]) for name in sorted(by_name, key=_name_key)]
    rows = []
    for student in match.students:
        name = match.by_student.get(student.id)
        rows.append(GradebookRow(student, by_name.get(name) if name is not None else None))
    claimed = set(match.by_student.values())
    rows += [GradebookRow(None, by_name[n]) for n in sorted(by_name, key=_name_key) if n not in claimed]
    return rows


def _cell(value: float) -> str:
    """A score for a CSV cell: up to 4 decimals, no trailing zeros."""
    return format(round(float(value), 4), ".12g")


def part_ids(reports: Iterable[ReportJSON | None]) -> list[str]:
    """Every part id the reports carry, in the order they first appear (counted parts come first)."""
    seen: dict[str, None] = {}
    for report in reports:
        for part in report.get("parts", []) if report is not None else []:
            seen.setdefault(part["id"], None)
    return list(seen)


def grades_header(exercise_ids: Sequence[str], parts: Sequence[str], roster: bool) -> list[str]:
    """grades.csv's header: submission, (student_id, name, email), exercises, quiz, other parts, total, ..."""
    head = ["submission", *(["student_id", "name", "email"] if roster else []), *exercise_ids, "quiz"]
    extra_parts = [p for p in parts if p not in head]
    return [*head, *extra_parts, "total", "max_total", "status"]


def grades_table(
    rows: Sequence[GradebookRow], exercise_ids: Sequence[str], roster: bool = False
) -> list[list[str]]:
    """grades.csv as a table: the header, then one row per gradebook row (absent values are empty cells)."""
    parts = part_ids(row.report for row in rows)
    header = grades_header(exercise_ids, parts, roster)
    table = [header]
    for row in rows:
        report, student = row.report, row.student
        cells: dict[str, str] = {"submission": report["submission"] if report else ""}
        if student is not None:
            cells.update(student_id=student.id, name=student.name, email=student.email)
        if report is None:
            cells.update(total="", max_total="", status=NO_SUBMISSION)
        else:
            cells.update({e["id"]: _cell(e["score"]) for e in report["exercises"]})
            cells.update({p["id"]: _cell(p["score"]) for p in report.get("parts", []) if p["id"] != "quiz"})
            cells["quiz"] = "" if report["quiz"] is None else _cell(report["quiz"]["score"])
            cells.update(
                total=_cell(report["score"]), max_total=_cell(report["max_score"]), status=report["status"]
            )
        table.append([cells.get(column, "") for column in header])
    return table


def table_csv(table: Sequence[Sequence[str]], *, bom: bool = False) -> str:
    """A table as CSV text (``\\n`` line ends; a UTF-8 BOM first when ``bom``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # a submission name such as "=HYPERLINK(...)" never reaches a spreadsheet as a formula
    writer.writerows([[csv_cell(cell) for cell in row] for row in table])
    return (BOM if bom else "") + out.getvalue()


def _gradable(report: ReportJSON | None) -> bool:
    """Whether a report's score belongs in an LMS gradebook (not for a grader fault or no submission)."""
    return report is not None and report.get("error_kind") != "grader"


def _score(row: GradebookRow) -> str:
    return _cell(row.report["score"]) if row.report is not None and _gradable(row.report) else ""


def _need_roster(rows: Sequence[GradebookRow], what: str) -> list[GradebookRow]:
    students = [row for row in rows if row.student is not None]
    if not students:
        raise UsageError(
            f"the {what} export needs --roster (the LMS matches rows by the roster's id or email)"
        )
    return students


def export_openedx(rows: Sequence[GradebookRow], options: ExportOptions) -> str:
    """Open edX bulk grade import (Instructor > Gradebook > Bulk Management > Import grades)."""
    if not options.openedx_course_id or not options.openedx_subsection:
        raise UsageError("the openedx export needs --openedx-course-id and --openedx-subsection")
    short = options.openedx_subsection
    header = ["user_id", "username", "student_key", "course_id", "track", "cohort"]
    header += [f"{prefix}-{short}" for prefix in ("name", "grade", "original_grade", "previous_override")]
    header.append(f"new_override-{short}")
    table = [header]
    for row in _need_roster(rows, "openedx"):
        assert row.student is not None
        username = row.student.extra.get("username", "")
        cells = [
            row.student.id,
            username,
            "",
            options.openedx_course_id,
            "",
            "",
            options.assignment,
            "",
            "",
            "",
        ]
        table.append([*cells, _score(row)])
    return table_csv(table)


def export_canvas(rows: Sequence[GradebookRow], options: ExportOptions, max_total: float) -> str:
    """Canvas Gradebook > Import: Student, ID, SIS User ID, SIS Login ID, Section, the assignment."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", options.assignment]
    table = [header, ["Points Possible", "", "", "", "", _cell(max_total)]]
    for row in _need_roster(rows, "canvas"):
        assert row.student is not None
        extra = row.student.extra
        table.append(
            [
                row.student.name,
                row.student.id,
                extra.get("sis_user_id", ""),
                extra.get("sis_login_id", ""),
                extra.get("section", ""),
                _score(row),
            ]
        )
    return table_csv(table)


def export_moodle(rows: Sequence[GradebookRow], options: ExportOptions) -> str:
    """Moodle Grades > Import > CSV file: "Email address" maps to the user field email."""
    table = [["ID number", "Email address", "Full name", options.assignment]]
    for row in _need_roster(rows, "moodle"):
        assert row.student is not None
        table.append([row.student.id, row.student.email, row.student.name, _score(row)])
    return table_csv(table)


def export_gradescope(rows: Sequence[GradebookRow]) -> str:
    """Gradescope's score upload CSV: Name, SID, Email, Total Score."""
    table = [["Name", "SID", "Email", "Total Score"]]
    for row in _need_roster(rows, "gradescope"):
        assert row.student is not None
        table.append([row.student.name, row.student.id, row.student.email, _score(row)])
    return table_csv(table)


def export_text(
    fmt: str,
    rows: Sequence[GradebookRow],
    exercise_ids: Sequence[str],
    options: ExportOptions,
    max_total: float,
) -> str:
    """The text of one export format (see ``EXPORT_FORMATS``)."""
    if fmt == "spreadsheet":
        roster = any(row.student is not None for row in rows)
        return table_csv(grades_table(rows, exercise_ids, roster), bom=options.bom)
    if fmt == "openedx":
        return export_openedx(rows, options)
    if fmt == "canvas":
        return export_canvas(rows, options, max_total)
    if fmt == "moodle":
        return export_moodle(rows, options)
    if fmt == "gradescope":
        return export_gradescope(rows)
    raise UsageError(f"unknown gradebook format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")


def export_file_name(fmt: str) -> str:
    """Where an export is written inside the results folder."""
    return f"gradebook-{fmt}.csv"


def read_reports(
    out_dir: Path, known: Mapping[str, tuple[str, ReportJSON]] | None = None
) -> list[ReportJSON]:
    """Every complete report in a results folder.

    ``known`` maps a file name to ``(digest, fields)``: where the file still holds the text of that digest
    (``reports.report.text_digest``; the batch that wrote it knows it), its :func:`gradebook_fields` are
    taken as they are instead of reading the whole report again.
    """
    reports = []
    for path in sorted(Path(out_dir).glob("*.json")):
        found = known.get(path.name) if known else None
        if found is None:
            report = read_report(path)
        else:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            report = found[1] if text_digest(data) == found[0] else report_from_text(data)
        if report is not None:
            reports.append(report)
    return reports


def gradebook_fields(report: ReportJSON) -> ReportJSON:
    """What of a report the gradebook reads (grades.csv and every export): a few hundred bytes of it."""
    whole = cast(dict[str, Any], report)
    fields: dict[str, Any] = {
        key: whole[key]
        for key in ("submission", "status", "score", "max_score", "error_kind", "quiz")
        if key in whole
    }
    if fields.get("quiz") is not None:
        fields["quiz"] = {"score": whole["quiz"]["score"]}
    for key in ("exercises", "parts"):
        if key in whole:
            fields[key] = [{"id": item["id"], "score": item["score"]} for item in whole[key]]
    return cast(ReportJSON, fields)


@dataclass(frozen=True, slots=True)
class GradebookWritten:
    """What :func:`write_gradebook` wrote and what it found wrong with the roster."""

    files: tuple[Path, ...]
    problems: tuple[str, ...]
    rows: int


def write_gradebook(
    out_dir: Path,
    exercise_ids: Sequence[str],
    *,
    students: Sequence[Student] | None = None,
    formats: Sequence[str] = (),
    options: ExportOptions | None = None,
    known: Mapping[str, tuple[str, ReportJSON]] | None = None,
) -> GradebookWritten:
    """Rewrite ``grades.csv`` (and the requested exports) from every report in ``out_dir``.

    With ``students``, the roster is also copied to ``out_dir/roster.csv``, so a later regrade without
    ``--roster`` keeps the same rows in the same order; the roster's problems go to ``roster-check.txt``.
    ``known``: see :func:`read_reports`.
    """
    from activation_lab.reports.roster import load_roster

    out_dir = Path(out_dir)
    options = options or ExportOptions()
    if students is None and (out_dir / ROSTER_COPY).is_file():
        students = load_roster(out_dir / ROSTER_COPY)
    reports = read_reports(out_dir, known)
    match = match_roster(students, [r["submission"] for r in reports]) if students else None
    rows = gradebook_rows(reports, match)
    written = [out_dir / GRADES_CSV]
    write_atomic(written[0], table_csv(grades_table(rows, exercise_ids, roster=match is not None)))
    problems: list[str] = []
    if match is not None and students is not None:
        problems = roster_problems(match)
        write_atomic(out_dir / ROSTER_COPY, roster_csv(students))
        write_atomic(out_dir / ROSTER_CHECK, "".join(f"{line}\n" for line in problems))
    max_total = max((r["max_score"] for r in reports if r.get("parts")), default=0.0)
    for fmt in formats:
        target = out_dir / export_file_name(fmt)
        write_atomic(target, export_text(fmt, rows, exercise_ids, options, max_total))
        written.append(target)
    return GradebookWritten(tuple(written), tuple(problems), len(rows))


def roster_csv(students: Sequence[Student]) -> str:
    """A roster written back as CSV (the copy kept beside the results)."""
    extra_columns = list(dict.fromkeys(key for s in students for key in s.extra))
    table = [["id", "name", "email", "submission", *extra_columns]]
    table += [
        [s.id, s.name, s.email, s.pattern, *(s.extra.get(k, "") for k in extra_columns)] for s in students
    ]
    return table_csv(table)
