"""The corpus through the hidden suites: wrong files lose marks with the right hint, right ones keep them all.

``tests/corpus/wrong/<exercise>/<name>.py`` are realistic mistakes; each starts with ``# expect-hint: <key>[,
<key>...]`` (every listed key must appear among the hints of a failed test) and ``# mistake: <one line>``; ``#
not-hint: <key>[, ...]`` names misdiagnoses that must not appear (a wrong hint teaches the wrong thing).
``tests/corpus/right/<exercise>/<name>.py`` are alternative correct implementations (``# approach: <one
line>``), which must keep full marks. A file may say ``# needs: <exercise>/<name>.py`` to be graded beside
another corpus file (``from sigmoid import sigmoid`` in tanh.py), or ``# needs: exercises/<file>.py`` beside
the course's unchanged stub. A wrong file that does not expect ``not_attempted`` must be reported as
attempted. ``# known-gap: <why>`` marks a realistic mistake the grader does not name yet (a strict xfail: it
turns into a failure once the detector learns it, so the line can be removed). The corpus sizes are the
numbers of ``test_wrong_file_*`` and ``test_right_file_*`` cases.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from rendered import rendered

from activation_lab.course import load_course
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import run_suites
from activation_lab.i18n import load_catalog
from activation_lab.records import ExerciseResult

CORPUS = Path(__file__).resolve().parent / "corpus"
EXERCISES = ("c2f", "sigmoid", "step", "tanh", "relu")
MIN_WRONG = 45
MIN_RIGHT = 22
ADVICE_ONLY_HINTS = {"overflow_advice"}  # never a deduction, so no wrong file can expect it
HEADER = re.compile(r"^# (expect-hint|not-hint|mistake|approach|needs|known-gap):(.*)$", re.MULTILINE)
REPO = CORPUS.parent.parent
HANGUL = re.compile(r"[가-힣]")


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """One student file of the corpus and what its header says about it."""

    kind: str  # wrong | right
    exercise: str
    path: Path
    expected_hints: tuple[str, ...]
    wrong_hints: tuple[str, ...]  # misdiagnoses that must not be given
    description: str  # the mistake (wrong) or the approach (right)
    needs: tuple[str, ...]
    known_gap: str  # why the grader does not name the expected hint yet (the test is then a strict xfail)

    @property
    def id(self) -> str:
        """``<exercise>/<name>``, the test id."""
        return f"{self.exercise}/{self.path.stem}"


def read_corpus_file(path: Path) -> CorpusFile:
    """Parse the header comments of one corpus file."""
    fields: dict[str, list[str]] = {}
    for key, value in HEADER.findall(path.read_text(encoding="utf-8")):
        fields.setdefault(key, []).append(value.strip())
    hints = tuple(h.strip() for line in fields.get("expect-hint", []) for h in line.split(",") if h.strip())
    wrong = tuple(h.strip() for line in fields.get("not-hint", []) for h in line.split(",") if h.strip())
    description = (fields.get("mistake") or fields.get("approach") or [""])[0]
    return CorpusFile(
        kind=path.parent.parent.name,
        exercise=path.parent.name,
        path=path,
        expected_hints=hints,
        wrong_hints=wrong,
        description=description,
        needs=tuple(fields.get("needs", [])),
        known_gap=(fields.get("known-gap") or [""])[0],
    )


def corpus(kind: str) -> list[CorpusFile]:
    """Every corpus file of ``kind`` (``wrong`` or ``right``), sorted by exercise and name."""
    return [read_corpus_file(path) for path in sorted((CORPUS / kind).glob("*/*.py"))]


def corpus_params(kind: str) -> list[pytest.param]:
    """The corpus as pytest parameters with ``<exercise>/<name>`` ids; known gaps are strict xfails."""
    return [
        pytest.param(
            entry,
            id=entry.id,
            marks=[pytest.mark.xfail(strict=True, reason=entry.known_gap)] if entry.known_gap else [],
        )
        for entry in corpus(kind)
    ]


@pytest.fixture(scope="module")
def course():
    """The real course of this checkout."""
    return load_course()


def needed_file(needed: str) -> tuple[str, Path]:
    """``(file name in the submission, source)`` of a ``# needs:`` line."""
    if needed.startswith("exercises/"):
        source = REPO / needed
        return source.name, source
    source = CORPUS / "right" / needed
    return f"{source.parent.name}.py", source


def grade(course, entry: CorpusFile, folder: Path, lang: str) -> ExerciseResult:
    """Copy the file into ``folder`` as ``<exercise>.py`` and grade it in-process with the hidden suite."""
    folder.mkdir(parents=True, exist_ok=True)
    for needed in entry.needs:
        name, source = needed_file(needed)
        shutil.copyfile(source, folder / name)
    target = folder / f"{entry.exercise}.py"
    shutil.copyfile(entry.path, target)
    student = InProcessStudent(target)
    return rendered(run_suites(course, {entry.exercise: student}, seed=0)[entry.exercise], lang)


def failed_hints(result: ExerciseResult) -> set[str]:
    """The hint keys of the failed tests of one exercise."""
    return {hint for test in result.tests if test.status != "passed" for hint in test.hints}


def describe(result: ExerciseResult) -> str:
    """A compact account of a result for assertion messages."""
    lines = [f"score {result.score}/{result.max_score}, status {result.status}"]
    for test in result.tests:
        if test.status != "passed":
            lines.append(f"  {test.status}: {test.name} hints={list(test.hints)}")
    return "\n".join(lines)


@pytest.mark.parametrize("entry", corpus_params("wrong"))
def test_wrong_file_loses_marks_with_its_hint(course, entry: CorpusFile, tmp_path: Path) -> None:
    english = grade(course, entry, tmp_path / "en", "en")
    assert english.score < english.max_score, f"{entry.id} kept full marks ({entry.description})"
    missing = set(entry.expected_hints) - failed_hints(english)
    assert not missing, f"{entry.id}: no failed test names {sorted(missing)}\n{describe(english)}"
    misdiagnosed = set(entry.wrong_hints) & failed_hints(english)
    assert not misdiagnosed, f"{entry.id}: wrong hints {sorted(misdiagnosed)}\n{describe(english)}"
    if "not_attempted" not in entry.expected_hints:
        assert english.attempted, f"{entry.id}: reported as not attempted\n{describe(english)}"
    failed_en = [test for test in english.tests if test.status != "passed"]
    assert all(test.feedback.strip() for test in failed_en), f"{entry.id}: a failed test without feedback"

    korean = grade(course, entry, tmp_path / "ko", "ko")
    assert korean.score == english.score
    failed_ko = [test for test in korean.tests if test.status != "passed"]
    assert failed_ko and all(HANGUL.search(test.feedback) for test in failed_ko), (
        f"{entry.id}: Korean feedback missing:\n" + "\n".join(test.feedback for test in failed_ko)
    )


@pytest.mark.parametrize("entry", corpus_params("right"))
def test_right_file_keeps_full_marks(course, entry: CorpusFile, tmp_path: Path) -> None:
    result = grade(course, entry, tmp_path, "en")
    assert result.status == "graded", describe(result)
    lost = f"{entry.id} ({entry.description}) lost marks:\n{describe(result)}"
    assert result.score == result.max_score, lost
    assert all(test.status == "passed" for test in result.tests), describe(result)


def test_corpus_is_large_enough_and_covers_every_exercise() -> None:
    wrong, right = corpus("wrong"), corpus("right")
    assert len(wrong) >= MIN_WRONG, f"only {len(wrong)} wrong files"
    assert len(right) >= MIN_RIGHT, f"only {len(right)} right files"
    for exercise in EXERCISES:
        assert any(e.exercise == exercise for e in wrong), f"no wrong file for {exercise}"
        assert any(e.exercise == exercise for e in right), f"no right file for {exercise}"
    assert {e.exercise for e in wrong + right} <= set(EXERCISES)


def test_every_corpus_header_is_complete_and_names_known_hints() -> None:
    known = {key.removeprefix("hint.") for key in load_catalog("feedback") if key.startswith("hint.")}
    for entry in corpus("wrong"):
        assert entry.expected_hints, f"{entry.id}: no '# expect-hint:' line"
        assert entry.description, f"{entry.id}: no '# mistake:' line"
        unknown = set(entry.expected_hints) - known
        assert not unknown, f"{entry.id}: unknown hint keys {sorted(unknown)}"
    for entry in corpus("right"):
        assert not entry.expected_hints, f"{entry.id}: a right file expects a hint"
        assert entry.description, f"{entry.id}: no '# approach:' line"
    for entry in corpus("wrong") + corpus("right"):
        for needed in entry.needs:
            assert needed_file(needed)[1].is_file(), f"{entry.id}: needs a missing file {needed}"


def test_every_misconception_hint_has_a_wrong_file() -> None:
    known = {key.removeprefix("hint.") for key in load_catalog("feedback") if key.startswith("hint.")}
    expected = {hint for entry in corpus("wrong") for hint in entry.expected_hints}
    uncovered = known - expected - ADVICE_ONLY_HINTS
    assert not uncovered, f"no wrong corpus file expects {sorted(uncovered)}"


@pytest.mark.slow
def test_the_sandbox_grades_the_corpus_as_in_process(course, tmp_path: Path) -> None:
    """Graded in the sandbox (where students meet it), every corpus file gets the same score and hints."""
    from activation_lab.sandbox.session import SubmissionSandbox

    differences = []
    for entry in corpus("wrong") + corpus("right"):
        files = {f"{entry.exercise}.py": entry.path.read_text(encoding="utf-8")}
        for needed in entry.needs:
            name, source = needed_file(needed)
            files[name] = source.read_text(encoding="utf-8")
        with SubmissionSandbox(files) as sandbox:
            boxed = rendered(run_suites(course, {entry.exercise: sandbox.open(entry.exercise)}, seed=0), "en")
        sandboxed = boxed[entry.exercise]
        in_process = grade(course, entry, tmp_path / entry.kind / entry.id, "en")
        seen = (sandboxed.score, sandboxed.status, failed_hints(sandboxed))
        expected = (in_process.score, in_process.status, failed_hints(in_process))
        if seen != expected:
            differences.append(f"{entry.kind} {entry.id}: sandbox {seen} vs in-process {expected}")
    assert not differences, "\n".join(differences)
