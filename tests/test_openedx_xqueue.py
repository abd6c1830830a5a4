"""End to end through the real XQueue and xqueue-watcher: the LMS submits, the plug-in grades, XQueue replies.

Two watchers serve one queue. Every submission has its own callback URL (XQueue retires an earlier submission
whose callback URL matches). Expected scores come from ``activation-lab grade``'s own path (a folder graded
with ``grade_path``), so the test shows the LMS gets what the engine decides, through the real services.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import openedx_services as services
import pytest

from activation_lab.grading import grade_path, make_context
from activation_lab.i18n import load_catalog, message

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
ATTACKS = REPO / "tests" / "attacks"
MSG_BYTES_LIMIT = 64 * 1024

pytestmark = [pytest.mark.slow, pytest.mark.openedx]

WRONG = [  # (exercise, corpus file): one realistic mistake per exercise, each with its named misconception
    ("c2f", "clamp_at_zero"),
    ("sigmoid", "exp_sign"),
    ("step", "all_to_silence_error"),
    ("tanh", "grad_missing_square"),
    ("relu", "builtin_max"),
]
HEADER = re.compile(r"^# expect-hint:(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """XQueue + two watchers + the LMS, for the whole module."""
    services.require_services()
    with services.running(watchers=2, workdir=tmp_path_factory.mktemp("openedx")) as running:
        yield running


@pytest.fixture(scope="module")
def engine():
    """The engine's own verdicts (folder submissions graded like ``activation-lab grade``), per language."""
    context = make_context(REPO)  # a score does not depend on the language

    def fraction(files: dict[str, str], exercise: str, lang: str, tmp: Path) -> float:
        folder = tmp / f"sub-{len(list(tmp.iterdir()))}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        report = grade_path(folder, context)
        result = next(e for e in report.exercises if e.id == exercise)
        return round(result.score / result.max_score, 6)

    return fraction


def _one(lms, path: str, timeout_s: float = 120):
    got = lms.wait_for([path], timeout_s)[path]
    assert got, f"no callback for {path} within {timeout_s} s"
    assert len(got) == 1, f"{path} was called back {len(got)} times"
    return got[0].reply


def test_reference_solutions_get_full_credit_in_both_languages(stack):
    _, _, lms = stack
    paths = {}
    for exercise in ("c2f", "sigmoid", "step", "tanh", "relu"):
        for lang in ("en", "ko"):
            text = (REPO / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")
            paths[exercise, lang] = lms.submit(text, services.payload(exercise, lang))
    for (exercise, lang), path in paths.items():
        reply = _one(lms, path)
        assert reply["correct"] is True and reply["score"] == 1.0, (exercise, lang, reply)
        expected_head = message("openedx", "reply.score", lang, exercise=exercise, score="10", max_score="10")
        assert html.escape(expected_head) in reply["msg"]


@pytest.mark.parametrize(("exercise", "name"), WRONG, ids=[f"{e}/{n}" for e, n in WRONG])
def test_wrong_corpus_file_gets_its_fraction_and_named_hint(stack, engine, tmp_path, exercise, name):
    _, _, lms = stack
    source = CORPUS / "wrong" / exercise / f"{name}.py"
    text = source.read_text(encoding="utf-8")
    hints = [h.strip() for line in HEADER.findall(text) for h in line.split(",") if h.strip()]
    assert hints, f"{source} names no expected hint"
    for lang in ("en", "ko"):
        reply = _one(lms, lms.submit(text, services.payload(exercise, lang)))
        expected = engine({f"{exercise}.py": text}, exercise, lang, tmp_path)
        assert expected < 1.0
        assert reply["correct"] is False
        assert reply["score"] == pytest.approx(expected, abs=1e-6)
        for hint in hints:
            hint_text = _hint_opening(hint, lang)
            assert html.escape(hint_text) in reply["msg"], f"hint {hint} missing from the {lang} reply"
        assert hidden_checks_without_expected_values(reply["msg"], lang) >= 1


def _hint_opening(hint: str, lang: str) -> str:
    """A hint's text up to its first parameter (the suggested code depends on the function shown)."""
    template = load_catalog("feedback")[f"hint.{hint}"][lang]
    opening = template.split("{", 1)[0].strip()
    assert len(opening) >= 15, f"hint.{hint} ({lang}) opens with too little fixed text to recognise"
    return opening


def hidden_checks_without_expected_values(msg: str, lang: str) -> int:
    """Failed checks are <li>s; hidden ones carry no "Expected:"/"Got:" line. Returns how many are hidden."""
    from lxml import etree

    hidden_label = message("openedx", "reply.hidden_test", lang)
    expected_label = message("feedback", "label.expected", lang, value="").strip()
    got_label = message("feedback", "label.got", lang, value="").strip()
    hidden = 0
    for item in etree.fromstring(msg).iter("li"):
        text = "".join(item.itertext())
        if hidden_label in text:
            assert expected_label not in text and got_label not in text, text
            hidden += 1
    return hidden


def test_answer_importing_another_exercise_is_graded_alone_and_told_why(stack):
    # tanh.py may say `from sigmoid import sigmoid` in a folder; an LMS problem grades one answer alone,
    # and no reference is placed beside it (it could be read and pasted into the sigmoid problem).
    _, _, lms = stack
    text = (CORPUS / "right" / "tanh" / "import_sigmoid.py").read_text(encoding="utf-8")
    reference = (REPO / "solutions" / "sigmoid.py").read_text(encoding="utf-8")
    for lang in ("en", "ko"):
        reply = _one(lms, lms.submit(text, services.payload("tanh", lang)))
        assert reply["score"] == 0.0 and reply["correct"] is False
        told = message("openedx", "reply.import_other", lang, modules="sigmoid")
        assert html.escape(told) in reply["msg"]
        assert "ModuleNotFoundError" in reply["msg"]
        body = [line.strip() for line in reference.splitlines() if line.strip().startswith("return ")]
        assert body and not any(html.escape(line) in reply["msg"] for line in body)
    # the same functions defined in the answer itself earn full credit
    inline = text.replace(
        "from sigmoid import sigmoid\n",
        "import numpy as np\n\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
    )
    assert "\nfrom sigmoid import" not in inline
    reply = _one(lms, lms.submit(inline, services.payload("tanh")))
    assert reply["score"] == 1.0 and reply["correct"] is True


def test_syntax_error_is_reported_to_the_student_with_zero(stack):
    _, _, lms = stack
    text = "import numpy as np\n\ndef relu(x)\n    return np.maximum(0, x)\n"
    for lang in ("en", "ko"):
        reply = _one(lms, lms.submit(text, services.payload("relu", lang)))
        assert reply["score"] == 0.0 and reply["correct"] is False
        assert "SyntaxError" in reply["msg"] and "relu.py, line 3" in reply["msg"]
        assert html.escape(message("openedx", "status.error", lang)) in reply["msg"]


def _honest(exercise: str) -> str:
    functions = {"step": ("step", "bipolar_step")}[exercise]
    return "".join(f"def {name}(*args):\n    return None\n\n" for name in functions)


@pytest.mark.parametrize("attack", ["always_equal", "output_flood"])
def test_hostile_file_gets_its_honest_score_and_a_small_reply(stack, attack):
    _, _, lms = stack
    hostile = lms.submit((ATTACKS / f"{attack}.py").read_text(encoding="utf-8"), services.payload("step"))
    honest = lms.submit(_honest("step"), services.payload("step"))
    hostile_reply, honest_reply = _one(lms, hostile, 180), _one(lms, honest)
    assert hostile_reply["score"] <= honest_reply["score"]
    assert hostile_reply["correct"] is False
    assert len(hostile_reply["msg"].encode("utf-8")) < MSG_BYTES_LIMIT // 2
    # what the file printed is shown escaped and capped, inside our feedback; it cannot fake a passed check
    assert hostile_reply["msg"].count("<pre") == honest_reply["msg"].count("<pre")


def test_student_markup_never_becomes_live_html(stack):
    _, _, lms = stack
    markup = "<script>alert(1)</script><img src=x onerror=y>"
    text = f'def relu(x):\n    raise ValueError("{markup}")\n\nrelu_grad = relu\n'
    reply = _one(lms, lms.submit(text, services.payload("relu")))
    assert reply["score"] == 0.0
    assert "<script>" not in reply["msg"] and "<img" not in reply["msg"]
    assert "&lt;script&gt;" in reply["msg"]


@pytest.mark.parametrize(
    ("grader_payload", "reason"),
    [
        pytest.param(
            '{"exercise": "softmax", "lang": "en", "course_version": "1"}',
            "names exercise 'softmax'",
            id="unknown-exercise",
        ),
        pytest.param(
            '{"exercise": "relu", "lang": "fr", "course_version": "1"}', "lang must be one of", id="bad-lang"
        ),
        pytest.param("relu", "is not JSON", id="not-json"),
        pytest.param("", "grader_payload is empty", id="empty"),
        pytest.param('{"exercise": "relu", "lang": "en"}', "'course_version'", id="no-version"),
        pytest.param(
            '{"exercise": "relu", "lang": "en", "course_version": "1", "x": 1}',
            "unknown field",
            id="unknown-field",
        ),
    ],
)
def test_bad_payload_is_an_author_error_never_a_score(stack, grader_payload, reason):
    _, watchers, lms = stack
    text = (REPO / "solutions" / "relu.py").read_text(encoding="utf-8")
    reply = _one(lms, lms.submit(text, grader_payload))
    assert "score" not in reply and "correct" not in reply  # capa: "Invalid grader reply", no score recorded
    assert reply["activation_lab_error"] == "grader_payload"
    logs = "".join(w.log_text() for w in watchers)
    assert "course author error" in logs and reason in logs
