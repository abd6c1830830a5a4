"""Runs inside otter's grading kernel: pass or fail one otter test case from activation-lab's own report.

The namespace otter built by running the student's script is never used. The submission file otter copied
into its working folder is graded once per run by a fresh, isolated interpreter
(``python -I -m activation_lab grade FILE --format json``) with a scrubbed environment, so student code runs
only inside activation-lab's sandbox; the JSON report is cached in otter's working folder, keyed by the
submission's content hash, and every test case of every test file reads it from there.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from activation_lab.fsutil import write_atomic
from activation_lab.i18n import Message, message, render

DOMAIN = "otter"
CACHE_DIRNAME = ".activation-lab-otter"
GRADE_TIMEOUT_S = 600
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
QUIZ_ID = "quiz"  # the otter test file holding one test case per quiz item


class BridgeFailure(Exception):
    """The submission could not be graded through the bridge; ``message`` says why, for the student."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


def find_submission(folder: Path) -> Path:
    """What to grade in ``folder``: a gathered upload, else its one notebook, else its one ``.py``."""
    from activation_lab.integrations.otter.upload import UPLOAD_DIRNAME

    if (folder / UPLOAD_DIRNAME).is_dir():
        return folder / UPLOAD_DIRNAME
    notebooks = sorted(folder.glob("*.ipynb"))
    scripts = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    candidates = notebooks if notebooks else scripts
    if len(candidates) != 1:
        names = ", ".join(p.name for p in candidates) or "-"
        raise BridgeFailure(Message(DOMAIN, "submission.ambiguous", {"files": names}))
    return candidates[0]


def find_course(folder: Path, dirname: str) -> Path:
    """The course content otter shipped as support files: here, else in ``../source/files``."""
    for candidate in (folder / dirname, folder.parent / "source" / "files" / dirname):
        if (candidate / "autograder" / "manifest.toml").is_file():
            return candidate
    raise BridgeFailure(Message(DOMAIN, "course.missing", {"folder": dirname}))


def grading_env(lang: str) -> dict[str, str]:
    """A scrubbed environment for the grading interpreter: nothing of the kernel's is passed on."""
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), *SAFE_PATH.split(os.pathsep)]))
    return {
        "PATH": path,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "ACTIVATION_LAB_LANG": lang,
    }


def grade_command(submission: Path, course: Path, *, lang: str, seed: int) -> list[str]:
    """The command that grades ``submission`` in a fresh, isolated interpreter."""
    return [
        sys.executable,
        "-I",
        "-m",
        "activation_lab",
        "grade",
        str(submission),
        "--format",
        "json",
        "--jobs",
        "1",
        "--lang",
        lang,
        "--seed",
        str(seed),
        "--course",
        str(course),
    ]


def _grade(submission: Path, course: Path, *, lang: str, seed: int) -> dict[str, Any]:
    try:
        done = subprocess.run(
            grade_command(submission, course, lang=lang, seed=seed),
            capture_output=True,
            env=grading_env(lang),
            cwd=course,
            timeout=GRADE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BridgeFailure(
            Message(DOMAIN, "grader.failed", {"detail": f"{type(exc).__name__}: {exc}"})
        ) from None
    try:
        reports = json.loads(done.stdout.decode("utf-8"))
        report = reports[0]
    except (ValueError, IndexError, KeyError, TypeError):
        detail = f"exit {done.returncode}: {done.stderr.decode('utf-8', 'replace')[-800:]}"
        raise BridgeFailure(Message(DOMAIN, "grader.failed", {"detail": detail})) from None
    if not isinstance(report, dict):
        raise BridgeFailure(Message(DOMAIN, "grader.failed", {"detail": "the report is not a JSON object"}))
    return report


def cached_report(
    folder: Path, course_dirname: str, *, lang: str, seed: int, submission: Path | None = None
) -> dict[str, Any]:
    """activation-lab's report of the submission in ``folder``, graded at most once per otter run."""
    submission = submission if submission is not None else find_submission(folder)
    course = find_course(folder, course_dirname)
    digest = hashlib.sha256()
    files = sorted(p for p in submission.rglob("*") if p.is_file()) if submission.is_dir() else [submission]
    for path in files:
        digest.update(path.relative_to(submission.parent).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(f"\0{submission.name}\0{lang}\0{seed}\0{course}".encode())
    cache = folder / CACHE_DIRNAME / f"{digest.hexdigest()}.json"
    if cache.is_file():
        try:
            return dict(json.loads(cache.read_text(encoding="utf-8")))
        except ValueError:
            pass  # a half-written or foreign file: grade again
    report = _grade(submission, course, lang=lang, seed=seed)
    write_atomic(cache, json.dumps(report, ensure_ascii=False))
    return report


def verdict_for(report: dict[str, Any], exercise_id: str, test_name: str, lang: str) -> str | None:
    """``None`` when the test earned all its points in ``report``, else the feedback to show."""
    if report.get("status") != "graded":
        return message(DOMAIN, "submission.error", lang, detail=report.get("error") or "?")
    if exercise_id == QUIZ_ID:
        return _quiz_verdict(report, test_name, lang)
    exercise = next((e for e in report.get("exercises", []) if e.get("id") == exercise_id), None)
    if exercise is None:
        return message(DOMAIN, "exercise.absent", lang, exercise=exercise_id)
    test = next((t for t in exercise.get("tests", []) if t.get("name") == test_name), None)
    notes = "\n".join(exercise.get("notes", []))
    if test is None:
        return message(
            DOMAIN,
            "exercise.not_graded",
            lang,
            exercise=exercise_id,
            status=exercise.get("status"),
            notes=notes,
        )
    full = test.get("status") == "passed" and test.get("score", 0) >= test.get("max_score", 0)
    counted = exercise.get("attempted", True) or not test.get("max_score")
    if full and counted:
        return None
    if full:  # an untouched stub passed a test by accident: the exercise scores 0 anyway
        return notes or message(DOMAIN, "exercise.not_attempted", lang, exercise=exercise_id)
    return test.get("feedback") or message(DOMAIN, "test.failed", lang, test=test_name)


def _quiz_verdict(report: dict[str, Any], item_id: str, lang: str) -> str | None:
    quiz = report.get("quiz")
    if quiz is None:
        return message(DOMAIN, "quiz.missing", lang)
    item = next((i for i in quiz.get("items", []) if i.get("id") == item_id), None)
    if item is None:
        return message(DOMAIN, "quiz.absent", lang, item=item_id)
    if item.get("score", 0) >= item.get("max_score", 0):
        return None
    return item.get("feedback") or message(DOMAIN, "test.failed", lang, test=item_id)


def check(exercise_id: str, test_name: str, *, lang: str, seed: int, course_dirname: str) -> None:
    """Pass, or raise ``AssertionError`` with our feedback, for one test of one exercise (called by otter)."""
    try:
        report = cached_report(Path.cwd(), course_dirname, lang=lang, seed=seed)
    except BridgeFailure as failure:
        raise AssertionError(render(failure.message, lang)) from None
    verdict = verdict_for(report, exercise_id, test_name, lang)
    if verdict is not None:
        raise AssertionError(verdict)
