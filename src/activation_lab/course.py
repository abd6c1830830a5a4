"""Where the course content lives and what it declares: exercises from ``autograder/manifest.toml``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from activation_lab.errors import CourseError
from activation_lab.records import ExerciseSpec


@dataclass(frozen=True, slots=True)
class Course:
    """The course content folders and the exercises the manifest declares."""

    root: Path
    exercises: tuple[ExerciseSpec, ...]
    suite_version: str
    misconceptions: str | None = None  # the course's misconceptions module, relative to root
    # The parts that count toward every student's fixed maximum ([grading] parts): exercise parts and "quiz".
    parts: tuple[str, ...] = ("code", "quiz")
    # Gradescope visibility of hidden tests and quiz items ([grading] hidden_visibility).
    hidden_visibility: str = "after_published"

    @property
    def solutions_dir(self) -> Path:
        """Folder of the reference solutions."""
        return self.root / "solutions"

    @property
    def autograder_dir(self) -> Path:
        """Folder of the hidden pytest suites."""
        return self.root / "autograder"

    @property
    def quizzes_dir(self) -> Path:
        """Folder of the quiz YAML files."""
        return self.root / "quizzes"

    def exercise(self, exercise_id: str) -> ExerciseSpec:
        """The exercise with this id."""
        for spec in self.exercises:
            if spec.id == exercise_id:
                return spec
        raise CourseError(f"no exercise {exercise_id!r} in {self.root / 'autograder' / 'manifest.toml'}")

    def part_exercises(self, part: str) -> tuple[ExerciseSpec, ...]:
        """The exercises that count toward ``part`` (none for ``quiz``)."""
        return tuple(spec for spec in self.exercises if spec.part == part)

    @property
    def student_files(self) -> tuple[str, ...]:
        """The whitelisted student file names, e.g. ``sigmoid.py``."""
        return tuple(spec.file for spec in self.exercises)


BUNDLED_COURSE_DIRNAME = "_course"


def default_course_root() -> Path:
    """``$ACTIVATION_LAB_COURSE``; else the course bundled in this package (a wheel built by ``gradescope
    build``); else the checkout this package was installed from (editable install)."""
    configured = os.environ.get("ACTIVATION_LAB_COURSE")
    if configured:
        return Path(configured)
    bundled = Path(__file__).resolve().parent / BUNDLED_COURSE_DIRNAME
    if (bundled / "autograder" / "manifest.toml").is_file():
        return bundled
    return Path(__file__).resolve().parents[2]


def load_course(root: Path | None = None) -> Course:
    """Read ``autograder/manifest.toml`` under ``root`` and check that every declared file exists."""
    root = Path(root) if root is not None else default_course_root()
    manifest = root / "autograder" / "manifest.toml"
    try:
        with manifest.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        hint = "set --course or ACTIVATION_LAB_COURSE"
        raise CourseError(f"course manifest not found: {manifest} ({hint})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{manifest}: {exc}") from None
    specs = []
    for entry in raw.get("exercise", []):
        try:
            spec = ExerciseSpec(
                id=str(entry["id"]),
                file=str(entry["file"]),
                functions=tuple(str(f) for f in entry["functions"]),
                max_score=float(entry["max_score"]),
                suite=str(entry["suite"]),
                part=str(entry.get("part", "code")),
            )
        except KeyError as exc:
            raise CourseError(f"{manifest}: an [[exercise]] lacks the field {exc.args[0]!r}") from None
        if not (root / spec.suite).is_file():
            raise CourseError(f"{manifest}: suite {spec.suite} of exercise {spec.id!r} does not exist")
        specs.append(spec)
    if not specs:
        raise CourseError(f"{manifest}: declares no [[exercise]]")
    misconceptions = raw.get("misconceptions")
    if misconceptions is not None and not (root / str(misconceptions)).is_file():
        raise CourseError(f"{manifest}: misconceptions file {misconceptions} does not exist")
    grading = raw.get("grading", {})
    has_quiz = any((root / "quizzes").glob("*.y*ml")) if (root / "quizzes").is_dir() else False
    parts = _parts(manifest, grading, specs, has_quiz)
    visibility = str(grading.get("hidden_visibility", "after_published"))
    if visibility not in HIDDEN_VISIBILITIES:
        raise CourseError(
            f"{manifest}: [grading] hidden_visibility must be one of {', '.join(HIDDEN_VISIBILITIES)}"
        )
    return Course(
        root=root,
        exercises=tuple(specs),
        suite_version=str(raw.get("suite_version", "1")),
        misconceptions=None if misconceptions is None else str(misconceptions),
        parts=parts,
        hidden_visibility=visibility,
    )


HIDDEN_VISIBILITIES = ("after_published", "hidden", "after_due_date", "visible")


def _parts(
    manifest: Path, grading: dict[str, object], specs: list[ExerciseSpec], has_quiz: bool
) -> tuple[str, ...]:
    """``[grading] parts``: which parts count toward the fixed maximum (default: every part, quiz if any)."""
    declared = {spec.part for spec in specs}
    if "quiz" in declared:
        raise CourseError(f"{manifest}: an exercise cannot use the part name 'quiz' (it names the quizzes)")
    default = [*dict.fromkeys(spec.part for spec in specs), *(["quiz"] if has_quiz else [])]
    raw = grading.get("parts", default)
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise CourseError(f"{manifest}: [grading] parts must be a non-empty list of part names")
    unknown = [p for p in raw if p != "quiz" and p not in declared]
    if unknown:
        known = ", ".join([*sorted(declared), "quiz"])
        raise CourseError(f"{manifest}: [grading] parts names {unknown[0]!r}, which is not a part ({known})")
    if len(set(raw)) != len(raw):
        raise CourseError(f"{manifest}: [grading] parts lists a part twice")
    return tuple(raw)
