"""Run Open edX's own problem engine (capa, from xblocks-contrib) on exported problems; JSON in, JSON out.

Run by the watcher environment's python (``scripts/setup-openedx.sh`` installs capa there), never imported
by pytest. capa wants a ``LoncapaSystem`` (its own class: we build a real one, with a minimal XQueue service
that records what capa would send) and a block offering ``location`` and ``runtime.publish``; Django needs
settings only for capa's templates and translations.

stdin:  {"quiz_jobs": [{"xml": ..., "answers": [value per response, in order]}],
         "code_jobs": [{"xml": ..., "answer": code, "reply": null | grader reply JSON text,
                        "html_out": null | path}],
         "xqueue": null | base URL (code jobs without "reply" go through the real XQueue and watchers)}
stdout: {"quiz": [{"earned", "possible", "correctness"}], "code": [{...}]}
"""

from __future__ import annotations

import gettext
import importlib.util
import json
import os
import sys
from pathlib import Path

import django
from django.conf import settings

CAPA_DIR = Path(importlib.util.find_spec("xblocks_contrib").origin).parent / "problem" / "capa"
settings.configure(
    USE_I18N=False,
    STATIC_URL="/static/",
    INSTALLED_APPS=[],
    TEMPLATES=[
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(CAPA_DIR / "templates")]}
    ],
)
django.setup()

import fs.memoryfs  # noqa: E402  (after Django's settings: capa reads them at import)
from django.template.loader import get_template  # noqa: E402
from xblocks_contrib.problem.capa.capa_problem import LoncapaProblem, LoncapaSystem  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import openedx_services  # noqa: E402


class RecordingXQueue:
    """capa's ``xqueue`` service: ``interface.send_to_queue`` records the header and body capa builds."""

    default_queuename = "activation-lab"
    waittime = 10

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.interface = self

    def send_to_queue(self, header: str, body: str, files_to_upload=None) -> tuple[int, str]:
        self.sent.append((header, body))
        return 0, "queued"

    def construct_callback(self, dispatch: str = "score_update") -> str:
        return f"http://127.0.0.1/courses/activation-lab/xqueue/capa/{dispatch}"


class Block:
    """What capa uses of the block: a location, a runtime that publishes, whether correctness shows."""

    location = "block-v1:ActivationLab+activations+2026+type@problem+block@probe"

    @staticmethod
    def correctness_available() -> bool:
        return True

    class runtime:
        @staticmethod
        def publish(*args, **kwargs) -> None:
            pass


def system(xqueue: RecordingXQueue) -> LoncapaSystem:
    return LoncapaSystem(
        ajax_url="/courses/activation-lab/xblock/probe/handler/xmodule_handler",
        anonymous_student_id="student-1",
        cache=None,
        can_execute_unsafe_code=lambda: False,
        get_python_lib_zip=lambda: None,
        DEBUG=False,
        i18n=gettext.NullTranslations(),
        render_template=lambda template, context: get_template(template).render(context),
        resources_fs=fs.memoryfs.MemoryFS(),
        seed=1,
        xqueue=xqueue,
    )


def problem(xml: str, xqueue: RecordingXQueue | None = None) -> LoncapaProblem:
    return LoncapaProblem(
        xml, id="probe", capa_system=system(xqueue or RecordingXQueue()), capa_block=Block(), seed=1
    )


def answer_ids(lcp: LoncapaProblem) -> list[str]:
    return [responder.answer_ids[0] for responder in lcp.responders.values()]


def quiz_job(job: dict) -> dict:
    lcp = problem(job["xml"])
    ids = answer_ids(lcp)
    if len(ids) != len(job["answers"]):
        raise SystemExit(f"{len(job['answers'])} answers for {len(ids)} responses")
    lcp.grade_answers(dict(zip(ids, job["answers"], strict=False)))
    score = lcp.calculate_score()
    return {
        "earned": score["score"],
        "possible": score["total"],
        "correctness": [lcp.correct_map.get_correctness(i) for i in ids],
    }


def code_job(job: dict, lms: openedx_services.FakeLMS | None) -> dict:
    xqueue = RecordingXQueue()
    lcp = problem(job["xml"], xqueue)
    (answer_id,) = answer_ids(lcp)
    before_html = lcp.get_html() if job.get("html_out") else ""
    lcp.grade_answers({answer_id: job["answer"]})
    header, body = xqueue.sent[-1]
    queuekey = json.loads(header)["lms_key"]
    queued = lcp.is_queued()
    reply = job.get("reply")
    if reply is None:  # the real path: capa's own body through XQueue and the watchers
        path = lms.submit_raw(json.loads(header), body)
        reply = lms.wait_for([path], 180)[path][0].body
    lcp.update_score(reply, queuekey)
    score = lcp.calculate_score()
    result = {
        "queued_before": queued,
        "body": json.loads(body),
        "earned": score["score"],
        "possible": score["total"],
        "correctness": lcp.correct_map.get_correctness(answer_id),
        "msg": lcp.correct_map.get_msg(answer_id),
        "queued_after": lcp.is_queued(),
    }
    if job.get("html_out"):
        out = Path(job["html_out"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "before.html").write_text(before_html, encoding="utf-8")
        (out / "after.html").write_text(lcp.get_html(), encoding="utf-8")
    return result


def main() -> int:
    request = json.load(sys.stdin)
    lms = None
    if request.get("xqueue"):
        lms = openedx_services.FakeLMS(
            openedx_services.XQueue(Path(os.devnull), port=int(request["xqueue"].rsplit(":", 1)[1]))
        ).start()
    try:
        out = {
            "quiz": [quiz_job(job) for job in request.get("quiz_jobs", [])],
            "code": [code_job(job, lms) for job in request.get("code_jobs", [])],
        }
    finally:
        if lms is not None:
            lms.stop()
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
