"""The xqueue-watcher plug-in: ``activation_lab.integrations.openedx.watcher.ActivationLabGrader``.

Named as a HANDLER in xqueue-watcher's ``conf.d/*.json`` (``activation-lab openedx watcher-config`` writes
one). Each submission is graded with the engine and the sandbox; the reply's ``msg`` is our own feedback.

Three outcomes, never confused:
- graded: ``{"correct", "score", "msg"}`` is posted; ``score`` is the fraction of the exercise's points
  (capa multiplies it by the problem's weight);
- the problem is misconfigured (bad grader_payload): the author-facing reason is logged at ERROR and a reply
  without ``correct``/``score`` is posted, which capa records as "Invalid grader reply. Please contact the
  course staff." -- no score, no endless retry;
- the grader failed (sandbox, suites, anything unexpected): the fault is logged and raised, so nothing is
  posted and XQueue hands the submission out again after its processing delay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xqueue_watcher.grader import Grader

from activation_lab.grading import GradingContext, make_context
from activation_lab.integrations.openedx.payload import GraderPayload, PayloadError, parse_payload
from activation_lab.integrations.openedx.response import GradedResponse, GraderFault, grade_response


class ActivationLabGrader(Grader):  # type: ignore[misc]  # xqueue_watcher ships no type information
    """Grades one CodeResponse answer for the exercise its grader_payload names.

    ``process_item`` replaces the base class's pipeline (``grade`` + ``render_results``, whose template shows
    empty "your output / correct output" boxes): it validates the payload itself and renders our feedback.
    """

    def __init__(
        self,
        course_root: str | None = None,
        fork_per_item: bool = True,
        seed: int = 0,
        logger_name: str = "activation_lab.openedx",
        grader_root: str | None = None,
    ) -> None:
        root = Path(course_root) if course_root else None
        super().__init__(
            grader_root=str(grader_root or root or "."), fork_per_item=fork_per_item, logger_name=logger_name
        )
        # Loaded once in the watcher process; fork_per_item children inherit it. Reports carry messages,
        # rendered in each problem's language at the end.
        self.context: GradingContext = make_context(root, seed=seed)
        self.course = self.context.course

    def process_item(self, content: dict[str, Any], queue: Any = None) -> dict[str, Any] | None:
        """Grade one XQueue item; see the module docstring for the three outcomes."""
        try:
            reply = self._reply(content)
        except Exception as exc:
            self.log.exception(
                "activation-lab: grader fault; the submission is left for XQueue to hand out again"
            )
            if queue is not None:
                queue.put(GraderFault(f"{type(exc).__name__}: {exc}"))
                return None
            raise GraderFault(f"{type(exc).__name__}: {exc}") from exc
        if queue is not None:
            queue.put(reply)
        return reply

    def _reply(self, content: dict[str, Any]) -> dict[str, Any]:
        body = json.loads(content["xqueue_body"])
        header = _header_summary(content.get("xqueue_header"))
        try:
            payload = parse_payload(body.get("grader_payload"), self.course)
        except PayloadError as exc:
            self.log.error("activation-lab: course author error in queue item %s: %s", header, exc)
            return {"msg": f"<p>{_escape(str(exc))}</p>", "activation_lab_error": "grader_payload"}
        if payload.course_version != self.course.suite_version:
            self.log.warning(
                "activation-lab: problem exported for course version %r, grading with %r (%s)",
                payload.course_version,
                self.course.suite_version,
                header,
            )
        answer = body.get("student_response")
        if not isinstance(answer, str):
            answer = ""
        graded = self.grade_answer(answer, payload)
        self.log.info(
            "activation-lab: graded %s exercise=%s score=%.4f", header, payload.exercise, graded.score
        )
        return {"correct": graded.correct, "score": graded.score, "msg": graded.msg}

    def grade_answer(self, answer: str, payload: GraderPayload) -> GradedResponse:
        """Grade one answer; the reply is in the payload's language."""
        return grade_response(answer, payload, self.context)


def _header_summary(header: Any) -> str:
    try:
        parsed = json.loads(header) if isinstance(header, str) else {}
        return f"submission_id={parsed.get('submission_id')}"
    except ValueError:
        return "submission_id=?"


def _escape(text: str) -> str:
    import html

    return html.escape(text)
