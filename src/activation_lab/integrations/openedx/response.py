"""Grade one CodeResponse answer (the text of one student file) and render the reply the LMS shows.

The answer is written into a private temporary folder as the exercise's file and read back through the
submissions loader, so the LMS path forgives and refuses exactly what ``activation-lab grade`` does. The
answer is graded alone: if it imports another exercise's module (``from sigmoid import sigmoid`` in tanh.py),
nothing is placed beside it (a reference there could be read and pasted into the other problem), and the reply
says to define the function in the answer itself.
"""

from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from activation_lab.display import visible
from activation_lab.errors import ActivationLabError
from activation_lab.grading import GradingContext, grade_submission
from activation_lab.grading.checks import hint_message
from activation_lab.i18n import message, render
from activation_lab.integrations.openedx.payload import GraderPayload
from activation_lab.records import CheckOutcome, ExerciseResult, SubmissionReport

DOMAIN = "openedx"
MSG_LIMIT = 24_000  # characters of the rendered msg: far below the 64 KiB pipe of xqueue-watcher's fork mode
FEEDBACK_LIMIT = 1_500  # characters of one test's feedback
SCORE_DIGITS = 6
FOLDER_NOTES = frozenset({"note.no_files"})


class GraderFault(ActivationLabError):
    """The grader itself failed on a submission: nothing is posted, XQueue hands the submission out again."""


@dataclass(frozen=True, slots=True)
class GradedResponse:
    """What xqueue-watcher needs: ``correct``, ``score`` (fraction of the exercise's points), ``msg``."""

    correct: bool
    score: float
    points: float
    max_points: float
    msg: str
    tests: list[tuple[str, str, bool, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _imports_of(text: str, module: str) -> bool:
    return (
        re.search(rf"^\s*(?:from\s+{re.escape(module)}\s+import|import\s+{re.escape(module)}\b)", text, re.M)
        is not None
    )


def _write_submission(folder: Path, answer: str, payload: GraderPayload, ctx: GradingContext) -> None:
    spec = ctx.course.exercise(payload.exercise)
    # surrogatepass: an answer with a lone surrogate (JSON "\ud800") is written as the invalid UTF-8 it is, so
    # the loader refuses it as the student's unreadable file, not a grader fault XQueue would re-send forever
    (folder / spec.file).write_bytes(answer.encode("utf-8", "surrogatepass"))


def _other_exercises_imported(answer: str, payload: GraderPayload, ctx: GradingContext) -> list[str]:
    """The other exercises' modules the answer imports (they are not there: each problem is graded alone)."""
    return [
        Path(other.file).stem
        for other in ctx.course.exercises
        if other.id != payload.exercise and _imports_of(answer, Path(other.file).stem)
    ]


def grade_answer(
    answer: str, payload: GraderPayload, ctx: GradingContext
) -> tuple[SubmissionReport, tuple[str, ...]]:
    """The engine's report for one pasted answer, and how the answer was read (in the payload's language).

    Raises :class:`GraderFault` when the grader failed.
    """
    from activation_lab.submissions import load_submission

    with tempfile.TemporaryDirectory(prefix="activation-lab-xqueue-") as tmp:
        folder = Path(tmp) / "submission"
        folder.mkdir()
        _write_submission(folder, answer, payload, ctx)
        try:
            submission = load_submission(folder, ctx.course)
        except ActivationLabError as exc:
            raise GraderFault(f"the loader refused a written answer: {exc}") from exc
        report = grade_submission(submission, ctx)
    if report.status == "error" and report.extra.get("error_kind") == "grader":
        raise GraderFault(render(report.error, "en") or "grader fault")
    # "none of the five files was found" speaks of a folder; the LMS answer is one file, its own note says why
    notes = tuple(render(note, payload.lang) for note in submission.notes if note.key not in FOLDER_NOTES)
    imported = _other_exercises_imported(answer, payload, ctx)
    if imported:
        modules = ", ".join(imported)
        notes = (message(DOMAIN, "reply.import_other", payload.lang, modules=modules), *notes)
    return report, notes


def grade_response(answer: str, payload: GraderPayload, ctx: GradingContext) -> GradedResponse:
    """Grade ``answer`` for ``payload``'s exercise and render the reply in the payload's language."""
    report, notes = grade_answer(answer, payload, ctx)
    spec = ctx.course.exercise(payload.exercise)
    result = next((e for e in report.exercises if e.id == spec.id), None)
    if result is None:  # the submission itself could not be read: the student's input, an honest 0
        detail = render(report.error, payload.lang) or message(DOMAIN, "reply.unreadable", payload.lang)
        return _reply(0.0, spec.max_score, [], [detail], render_error(detail, spec.id, payload.lang))
    return response_from_result(result, payload.lang, notes)


def response_from_result(
    result: ExerciseResult, lang: str, reading_notes: tuple[str, ...] = ()
) -> GradedResponse:
    """The reply for one graded exercise; ``reading_notes`` say how the answer was read (if not plainly)."""
    tests = [
        (render(t.name, lang), render(t.feedback, lang), t.status == "passed", "", "") for t in result.tests
    ]
    notes = [render(note, lang) for note in result.notes] if result.status != "graded" else []
    errors = [*reading_notes, *notes]
    return _reply(result.score, result.max_score, tests, errors, render_result(result, lang, reading_notes))


def _reply(
    points: float,
    max_points: float,
    tests: list[tuple[str, str, bool, str, str]],
    errors: list[str],
    msg: str,
) -> GradedResponse:
    fraction = round(points / max_points, SCORE_DIGITS) if max_points > 0 else 0.0
    fraction = min(max(fraction, 0.0), 1.0)
    return GradedResponse(
        correct=fraction >= 1.0,
        score=fraction,
        points=points,
        max_points=max_points,
        msg=msg,
        tests=tests,
        errors=errors,
    )


# --- rendering ---------------------------------------------------------------------------------------------
# Every piece of text goes through html.escape; the structure is a fixed set of tags, one root <div>, so capa
# accepts it as XML and nothing a student wrote can become live markup in the LMS.


# Characters XML 1.0 forbids even escaped (capa parses msg as XML): made visible like on the terminal.
_XML_FORBIDDEN = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """``text`` as XML character data: control characters visible (``\x01`` -> ``␁``), markup escaped."""
    text = _XML_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", visible(text, keep_newlines=True))
    return html.escape(text)


def _t(key: str, lang: str, **params: object) -> str:
    return _escape(message(DOMAIN, key, lang, **params))


def _pre(text: str, limit: int = FEEDBACK_LIMIT) -> str:
    if len(text) > limit:
        text = text[:limit] + " …"
    return f'<pre class="activation-lab-feedback">{_escape(text)}</pre>'


def _points(value: float) -> str:
    return f"{value:g}"


def _named_mistakes(failed: list[CheckOutcome], lang: str) -> list[str]:
    """The misconceptions recognised in failed checks, each once, in the order they were first seen."""
    texts: list[str] = []
    for test in failed:
        for key in test.hints:
            text = render(hint_message(key), lang)
            if text not in texts:
                texts.append(text)
    return texts


def _without_hints(feedback: str, hints: list[str]) -> str:
    # the named mistakes are listed once at the top; drop their repeated "Hint: ..." lines below
    return "\n".join(line for line in feedback.splitlines() if not any(line.endswith(h) for h in hints))


def _score_line(result: ExerciseResult, lang: str) -> str:
    return _t(
        "reply.score",
        lang,
        exercise=result.id,
        score=_points(result.score),
        max_score=_points(result.max_score),
    )


def render_result(result: ExerciseResult, lang: str, reading_notes: tuple[str, ...] = ()) -> str:
    """The HTML the student sees for one graded exercise: score, errors, failed checks, passed ones."""
    status = "correct" if result.score >= result.max_score else "incorrect"
    parts = [
        f'<div class="activation-lab-result activation-lab-{status}" lang="{lang}">',
        f"<p><strong>{_score_line(result, lang)}</strong></p>",
    ]
    shown: set[str] = set()
    for note in reading_notes:
        parts.append(_pre(note))
    failed = [t for t in result.tests if t.status != "passed"]
    hints = _named_mistakes(failed, lang)
    if hints:
        parts.append(f"<h4>{_t('reply.hints', lang)}</h4><ul>")
        parts += [f"<li>{_escape(text)}</li>" for text in hints]
        parts.append("</ul>")
    if result.status != "graded":
        parts.append(f"<p>{_t('status.' + result.status, lang)}</p>")
        for note in (render(note, lang) for note in result.notes):
            parts.append(_pre(note))
            shown.add(note)
    advice = [t for t in result.tests if t.status == "passed" and t.feedback]
    passed = [t for t in result.tests if t.status == "passed"]
    body_budget = MSG_LIMIT - 2_000
    if failed:
        parts.append(f"<h4>{_t('reply.failed', lang)}</h4><ul>")
        for test in failed:
            label = f" {_t('reply.hidden_test', lang)}" if test.hidden else ""
            points = f"{_points(test.score)} / {_points(test.max_score)}"
            item = f"<li><p>{_escape(render(test.name, lang))}{label} ({_escape(points)})</p>"
            feedback = _without_hints(render(test.feedback, lang), hints)
            if feedback and feedback not in shown:
                item += _pre(feedback)
                shown.add(feedback)
            item += "</li>"
            if sum(map(len, parts)) + len(item) > body_budget:
                parts.append(f"<li>{_t('reply.truncated', lang)}</li>")
                break
            parts.append(item)
        parts.append("</ul>")
    if advice:
        parts.append(f"<h4>{_t('reply.advice', lang)}</h4><ul>")
        for test in advice:
            item = (
                f"<li><p>{_escape(render(test.name, lang))}</p>"
                f"{_pre(_without_hints(render(test.feedback, lang), hints), 600)}</li>"
            )
            if sum(map(len, parts)) + len(item) > body_budget:
                break
            parts.append(item)
        parts.append("</ul>")
    if passed:
        parts.append(f"<h4>{_t('reply.passed', lang)}</h4><ul>")
        parts += [f"<li>{_escape(render(test.name, lang))}</li>" for test in passed]
        parts.append("</ul>")
    parts.append("</div>")
    rendered = "".join(parts)
    return rendered if len(rendered) <= MSG_LIMIT else _fallback(result, lang)


def _fallback(result: ExerciseResult, lang: str) -> str:
    return (
        f'<div class="activation-lab-result" lang="{lang}"><p><strong>'
        f"{_score_line(result, lang)}"
        f"</strong></p><p>{_t('reply.truncated', lang)}</p></div>"
    )


def render_error(detail: str, exercise: str, lang: str) -> str:
    """The HTML for an answer that could not be read at all (an honest 0 with the reason)."""
    return (
        f'<div class="activation-lab-result activation-lab-incorrect" lang="{lang}">'
        f"<p><strong>{_t('reply.score', lang, exercise=exercise, score='0', max_score='?')}</strong></p>"
        f"{_pre(detail)}</div>"
    )
