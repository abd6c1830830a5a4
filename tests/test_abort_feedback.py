"""Code the sandbox had to stop gets the catalogue's teaching text in the student's language, with the call.

Before issue 12 the report said "stopped (timeout): call took too long" in English whatever the language.
Each case really runs in the sandbox: a call that never returns, one that eats memory, one that exits.
"""

from __future__ import annotations

import dataclasses

import pytest

from activation_lab.grading.grade import grade_submission
from activation_lab.i18n import render
from activation_lab.sandbox.session import Limits
from activation_lab.submissions.load import load_submission

RELU_GRAD = "\n\ndef relu_grad(x):\n    return np.where(np.asarray(x) > 0, 1.0, 0.0)\n"
CASES = [
    pytest.param(
        "import numpy as np\n\ndef relu(x):\n    while True:\n        pass\n" + RELU_GRAD,
        "timeout",
        ("끝나지 않는 반복문", "호출 한 번이 너무 오래 걸렸습니다"),
        ("never ends", "one call took too long"),
        id="endless-loop",
    ),
    pytest.param(
        "import numpy as np\n\ndef relu(x):\n    big = np.ones(10**10)\n    return np.maximum(0, x)\n"
        + RELU_GRAD,
        "memory",
        ("메모리 제한", "MemoryError"),
        ("more memory than the limit",),
        id="memory",
    ),
    pytest.param(
        "import os\nimport numpy as np\n\ndef relu(x):\n    os._exit(3)\n" + RELU_GRAD,
        "error",
        ("os._exit()", "종료 코드 3"),
        ("os._exit()", "exit code 3"),
        id="exit",
    ),
]


@pytest.mark.parametrize(("source", "status", "korean", "english"), CASES)
def test_stopped_code_is_explained_in_the_students_language(
    write_submission,
    grading_context,
    source: str,
    status: str,
    korean: tuple[str, ...],
    english: tuple[str, ...],
) -> None:
    limits = Limits(exercise_seconds=2.0, call_seconds=1.0)
    folder = write_submission("stopped", {"relu.py": source})
    ctx = dataclasses.replace(grading_context, limits=limits)
    report = grade_submission(load_submission(folder, ctx.course), ctx)
    (relu,) = [e for e in report.exercises if e.id == "relu"]
    assert relu.status == status
    for lang, phrases in (("ko", korean), ("en", english)):
        text = "\n".join(render(note, lang) for note in relu.notes)
        for phrase in phrases:
            assert phrase in text, f"{lang}: {phrase!r} not in\n{text}"
        assert "relu(" in text  # the call that was running
        assert "stopped (" not in text
        if lang == "ko":
            assert "call took too long" not in text and "exited with code" not in text
