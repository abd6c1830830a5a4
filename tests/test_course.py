"""The manifest declares the five exercises (docs/contract.md, "Exercises") plus the separately scored plots;
broken manifests are reported."""

from __future__ import annotations

import pytest

from activation_lab.course import load_course
from activation_lab.errors import CourseError

CONTRACT_FUNCTIONS = {
    "c2f": ("c2f.py", ("activate", "C2F")),
    "sigmoid": ("sigmoid.py", ("sigmoid", "sigmoid_grad")),
    "step": ("step.py", ("step", "bipolar_step")),
    "tanh": ("tanh.py", ("tanh", "tanh_grad")),
    "relu": ("relu.py", ("relu", "relu_grad")),
}
# The lecture's figures: a sixth exercise with its own score, so the five above keep theirs.
PLOTS = ("plots.py", ("plot_c2f", "plot_sigmoid", "plot_tanh", "plot_relu", "plot_step"))


def test_manifest_matches_the_contract() -> None:
    course = load_course()
    declared = {spec.id: (spec.file, spec.functions) for spec in course.exercises}
    assert declared == {**CONTRACT_FUNCTIONS, "plots": PLOTS}
    assert all(spec.max_score == 10 for spec in course.exercises)


def test_every_exercise_has_a_stub_and_a_reference() -> None:
    course = load_course()
    for spec in course.exercises:
        assert (course.root / "exercises" / spec.file).is_file(), spec.file
        assert (course.solutions_dir / spec.file).is_file(), spec.file


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        pytest.param(None, "manifest not found", id="missing"),
        pytest.param("[[exercise]\n", "manifest.toml", id="broken-toml"),
        pytest.param("suite_version = '1'\n", "declares no", id="empty"),
        pytest.param("[[exercise]]\nid = 'x'\n", "lacks the field", id="missing-field"),
        pytest.param(
            "[[exercise]]\nid='x'\nfile='x.py'\nfunctions=['f']\nmax_score=1\nsuite='autograder/none.py'\n",
            "does not exist",
            id="missing-suite",
        ),
    ],
)
def test_broken_manifest_is_a_course_error(tmp_path, manifest, message) -> None:
    (tmp_path / "autograder").mkdir()
    if manifest is not None:
        (tmp_path / "autograder" / "manifest.toml").write_text(manifest)
    with pytest.raises(CourseError, match=message):
        load_course(tmp_path)
