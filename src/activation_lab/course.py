"""Where the course content lives and what it declares: exercises from ``autograder/manifest.toml``."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from activation_lab.errors import CourseError
from activation_lab.records import ExerciseSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True, slots=True)
class Course:
    """The course content folders and the exercises the manifest declares."""

    root: Path
    exercises: tuple[ExerciseSpec, ...]
    suite_version: str
    misconceptions: str | None = None  # the course's misconceptions module, relative to root

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

    @property
    def student_files(self) -> tuple[str, ...]:
        """The whitelisted student file names, e.g. ``sigmoid.py``."""
        return tuple(spec.file for spec in self.exercises)


def default_course_root() -> Path:
    """``$ACTIVATION_LAB_COURSE``, else the checkout this package was installed from (editable install)."""
    configured = os.environ.get("ACTIVATION_LAB_COURSE")
    if configured:
        return Path(configured)
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
    return Course(
        root=root,
        exercises=tuple(specs),
        suite_version=str(raw.get("suite_version", "1")),
        misconceptions=None if misconceptions is None else str(misconceptions),
    )
