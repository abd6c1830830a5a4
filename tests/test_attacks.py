"""Hostile submissions, graded through the real sandbox and the real hidden suites.

Each file in ``tests/attacks/`` replaces one exercise of an otherwise correct submission. Every attack must:
score no more than its honest score, leave no trace outside the sandbox (marker files, changed course files,
surviving processes, a sabotaged sibling submission), end within its time budget, and leave the untouched
exercises of the same submission with full marks.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from activation_lab.course import Course, load_course
from activation_lab.grading.suites import run_suites
from activation_lab.sandbox import worker as harness
from activation_lab.sandbox.session import Limits, SubmissionSandbox, detect_isolation, is_strong

REPO = Path(__file__).resolve().parents[1]
ATTACKS_DIR = Path(__file__).with_name("attacks")
LIMITS = Limits(exercise_seconds=4.0, call_seconds=2.0, memory_bytes=512 << 20)
SHARED_TMP_MARKER = Path("/tmp/activation-lab-shared-answers.py")

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


@dataclass(frozen=True, slots=True)
class Attack:
    """One hostile file: the exercise it replaces, the statuses it may end in, what contains it."""

    name: str
    target: str = "step.py"
    statuses: frozenset[str] = frozenset({"graded"})
    honest: str | None = None  # a harmless file with the same answers: its score is the ceiling
    needs_file_isolation: bool = False  # contained by bubblewrap's mounts, or Landlock in the fallback
    linger: float = 0.0  # seconds to wait before looking for delayed traces


GRADED = frozenset({"graded"})
ERROR = frozenset({"error"})
TIMEOUT = frozenset({"timeout"})

ATTACKS = [
    Attack("always_equal"),
    Attack("ndarray_subclass"),
    Attack("sys_exit_at_import", statuses=ERROR),
    Attack("os_exit_at_import", statuses=ERROR),
    Attack("sys_exit_in_call"),
    Attack("os_exit_in_call", statuses=ERROR),
    Attack(
        "monkeypatch_numpy",
        honest="import numpy as np\n\ndef step(x):\n    return np.full(np.shape(x), 7)\n\n"
        "bipolar_step = step\n",
    ),
    Attack("monkeypatch_pytest", honest="def step(x):\n    return -5\n\nbipolar_step = step\n"),
    Attack("frame_walk"),
    Attack("gc_scan"),
    Attack("read_solutions", needs_file_isolation=True),
    Attack("read_tests", needs_file_isolation=True),
    Attack("pickle_payload"),
    Attack("ignore_signals_loop", statuses=TIMEOUT),
    Attack("fork_bomb"),
    Attack("memory_hog", statuses=frozenset({"memory", "timeout"})),  # timeout if the machine is slow
    Attack("output_flood"),
    Attack("orphan_setsid", linger=2.5),
    Attack("forged_stdout"),
    Attack("forged_fd_frames", statuses=frozenset({"graded", "error"})),
    Attack("network_probe"),
    Attack("sibling_sabotage", needs_file_isolation=True),
    Attack("segfault", statuses=ERROR),
    Attack("input_prompt"),
    Attack("hostile_dunders"),
    Attack("hostile_exception", statuses=frozenset({"graded", "timeout"})),
    Attack("kill_the_zygote"),
    Attack("tamper_harness", statuses=frozenset({"graded", "error"})),
    Attack("burn_budget_at_import", statuses=TIMEOUT),
    Attack("thread_bomb", statuses=frozenset({"graded", "timeout", "error", "memory"})),
    # the same tricks against other exercises: the target does not matter
    Attack("memory_hog", target="sigmoid.py", statuses=frozenset({"memory", "timeout"})),
    Attack("always_equal", target="relu.py"),
]


@pytest.fixture(scope="module", params=["best", "none"])
def isolation(request: pytest.FixtureRequest) -> str:
    """The best isolation of this machine (bubblewrap in CI, where it is required), then the fallback."""
    return detect_isolation() if request.param == "best" else request.param


@pytest.fixture(scope="module")
def course() -> Course:
    """The real course: its manifest, hidden suites and reference solutions."""
    return load_course(REPO)


@pytest.fixture(scope="module")
def reference_files(course: Course) -> dict[str, str]:
    """A correct submission: every reference solution as a student file."""
    return {
        spec.file: (course.solutions_dir / spec.file).read_text(encoding="utf-8") for spec in course.exercises
    }


def _grade(course: Course, files: dict[str, str], isolation: str) -> tuple[dict, SubmissionSandbox]:
    box = SubmissionSandbox(files, LIMITS, isolation)
    with box:
        students = {spec.id: box.open(spec.file[:-3]) for spec in course.exercises if spec.file in files}
        return run_suites(course, students, lang="en", seed=0), box


def _exercise_id(course: Course, file_name: str) -> str:
    return next(spec.id for spec in course.exercises if spec.file == file_name)


def _fingerprint(folders: list[Path]) -> dict[str, str]:
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _processes_mentioning(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


_HONEST_SCORES: dict[tuple[str, str], float] = {}


def _honest_score(course: Course, attack: Attack, isolation: str) -> float:
    """What the same answers earn without the attack: ``attack.honest``, else functions returning None."""
    spec = next(spec for spec in course.exercises if spec.file == attack.target)
    honest = attack.honest or "".join(f"def {name}(*args):\n    return None\n\n" for name in spec.functions)
    key = (attack.target, honest)
    if key not in _HONEST_SCORES:
        results, _ = _grade(course, {attack.target: honest}, isolation)
        _HONEST_SCORES[key] = results[spec.id].score
    return _HONEST_SCORES[key]


@pytest.mark.parametrize("attack", [pytest.param(a, id=f"{a.name}-{a.target[:-3]}") for a in ATTACKS])
def test_attack_is_contained(
    attack: Attack, isolation: str, course: Course, reference_files: dict[str, str], tmp_path: Path
) -> None:
    if attack.needs_file_isolation and not is_strong(isolation) and harness.landlock_abi() < 1:
        pytest.skip(
            f"{attack.name} needs file isolation: bubblewrap, or Landlock (Linux 5.13+) in the fallback"
        )
    markers = tmp_path / "markers"
    markers.mkdir()
    token = f"activation-lab-attack-{uuid.uuid4().hex}"
    source = (ATTACKS_DIR / f"{attack.name}.py").read_text(encoding="utf-8")
    # A copy of the course content outside the sandbox: attacks aim at it (and at the real repo); it must
    # not change. (The real repo is not fingerprinted: others may be editing it while the tests run.)
    canary = tmp_path / "course"
    for folder in ("solutions", "autograder"):
        shutil.copytree(REPO / folder, canary / folder)
    replacements = {
        "__MARKER__": str(markers),
        "__REPO__": str(REPO),
        "__CANARY__": str(canary),
        "__TOKEN__": token,
    }
    for placeholder, value in replacements.items():
        source = source.replace(placeholder, value)
    files = {**reference_files, attack.target: source}
    SHARED_TMP_MARKER.unlink(missing_ok=True)
    canary_before = _fingerprint([canary])

    # A sibling submission of the same batch is running while the attack runs.
    with SubmissionSandbox(reference_files, LIMITS, isolation) as sibling:
        sibling_students = {spec.id: sibling.open(spec.file[:-3]) for spec in course.exercises}
        for student in sibling_students.values():
            assert student.import_error is None
        assert sibling._root is not None
        sibling_before = _fingerprint([sibling._root])

        started = time.monotonic()
        results, box = _grade(course, files, isolation)
        elapsed = time.monotonic() - started

        assert _fingerprint([sibling._root]) == sibling_before
        sibling_results = run_suites(course, sibling_students, lang="en", seed=0)
        assert all(r.score == r.max_score for r in sibling_results.values()), "the sibling was sabotaged"

    attacked = results[_exercise_id(course, attack.target)]
    assert attacked.status in attack.statuses, (attacked.status, attacked.notes, attacked.tests[:2])
    assert attacked.score <= _honest_score(course, attack, isolation)
    for exercise_id, result in results.items():
        if exercise_id != attacked.id:
            assert (result.status, result.score) == ("graded", result.max_score), f"{exercise_id} was harmed"

    budget = len(course.exercises) * LIMITS.exercise_seconds + LIMITS.startup_seconds
    assert elapsed < budget + 30, f"took {elapsed:.1f} s (budget {budget:.0f} s)"  # a safety bound, not speed

    time.sleep(attack.linger)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert not SHARED_TMP_MARKER.exists()
    assert _fingerprint([canary]) == canary_before
    assert _processes_mentioning(token) == []
    assert box._root is not None and not box._root.exists()
