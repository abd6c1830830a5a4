"""Shared test options and fixtures: ``--update-goldens``, the real course, submission folders."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The quiz cache (quiz/cache.py) stays out of the user's home and out of every test but its own
# (tests/test_cold_start.py sets its own folder): each grading test reads the quiz files.
os.environ["ACTIVATION_LAB_CACHE"] = "off"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-goldens`` rewrites the expected outputs of scenario tests instead of comparing with them."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/scenarios/*/expected.json from the current output (review the diff)",
    )


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def grading_context():
    """The real course, its quizzes and the best sandbox of this machine, in English with seed 0."""
    from activation_lab.grading.grade import make_context

    return make_context(REPO, seed=0)


@pytest.fixture(scope="session")
def reference_sources() -> dict[str, str]:
    """The reference solutions as a student would submit them: file name -> source."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((REPO / "solutions").glob("*.py"))}


SubmissionWriter = Callable[..., Path]


@pytest.fixture
def write_submission(tmp_path: Path, reference_sources: dict[str, str]) -> SubmissionWriter:
    """Write a submission folder: the reference files named in ``reference``, plus ``files`` as given."""

    def write(
        name: str,
        files: Mapping[str, str] | None = None,
        *,
        reference: tuple[str, ...] = (),
        answers: str | None = None,
        parent: Path | None = None,
    ) -> Path:
        folder = (parent or tmp_path) / name
        folder.mkdir(parents=True, exist_ok=True)
        for file_name in reference:
            (folder / file_name).write_text(reference_sources[file_name], encoding="utf-8")
        for file_name, text in (files or {}).items():
            (folder / file_name).write_text(text, encoding="utf-8")
        if answers is not None:
            (folder / "answers.yaml").write_text(answers, encoding="utf-8")
        return folder

    return write
