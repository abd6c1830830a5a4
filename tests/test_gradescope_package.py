"""``gradescope build``: the autograder zip installs into a FRESH venv and grades in a simulated /autograder.

The layout Gradescope uses (``/autograder/{source,submission,results}``) is laid out under a temporary
folder through ``ACTIVATION_LAB_AUTOGRADER_ROOT``; ``setup.sh`` installs the wheel (and its dependencies
from the package index) into a venv made here without the system's packages, and ``run_autograder``
writes ``results.json``, which is checked against Gradescope's documented format.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import jsonschema
import pytest

from activation_lab.cli.main import main
from activation_lab.reports.report import SCHEMA_PATH

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "submissions"
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a Gradescope container: none of this checkout's paths or course settings."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ACTIVATION_LAB_COURSE", "VIRTUAL_ENV")
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> dict[str, Path]:
    """Build the zip, unpack it into ROOT/source, make a fresh venv and run setup.sh once."""
    base = tmp_path_factory.mktemp("gradescope")
    archive = base / "autograder.zip"
    assert main(["gradescope", "build", str(archive), "--course", str(REPO), "--lang", "en"]) == 0
    root = base / "autograder"
    with zipfile.ZipFile(archive) as unpacked:
        names = unpacked.namelist()
        assert {"setup.sh", "run_autograder", "course/autograder/manifest.toml"} <= set(names)
        unpacked.extractall(root / "source")
        modes = {info.filename: info.external_attr >> 16 for info in unpacked.infolist()}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    (root / "results").mkdir()
    environment = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = environment / "bin" / "python"
    env = _clean_env(ACTIVATION_LAB_AUTOGRADER_ROOT=str(root), ACTIVATION_LAB_PYTHON=str(python))
    done = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        env=env,
        cwd=base,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {"root": root, "python": python, "base": base}


def _submit(autograder: dict[str, Path], files: dict[str, Path]) -> dict:
    root = autograder["root"]
    shutil.rmtree(root / "submission", ignore_errors=True)
    (root / "submission").mkdir()
    for name, source in files.items():
        shutil.copy(source, root / "submission" / name)
    (root / "results" / "results.json").unlink(missing_ok=True)
    env = _clean_env(
        ACTIVATION_LAB_AUTOGRADER_ROOT=str(root), ACTIVATION_LAB_PYTHON=str(autograder["python"])
    )
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        cwd=autograder["base"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _validate(results: dict) -> None:
    schema = json.loads(SCHEMA_PATH.with_name("gradescope.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(results))
    assert not errors, errors[0].message
    # Gradescope's documented format: a top-level score, and a visibility on every test.
    assert isinstance(results["score"], int | float)
    assert results["tests"] and all(t["visibility"] in VISIBILITIES for t in results["tests"])
    assert results.get("visibility", "visible") == "visible"  # students see their score


@pytest.mark.slow
def test_the_installed_package_is_not_the_checkout_and_finds_its_course(autograder) -> None:
    code = (
        "import activation_lab, activation_lab.course as c; "
        "print(activation_lab.__file__); print(c.default_course_root())"
    )
    done = subprocess.run(
        [str(autograder["python"]), "-c", code],
        env=_clean_env(),
        cwd=autograder["base"],
        capture_output=True,
        text=True,
        check=True,
    )
    package, course = done.stdout.split()
    assert "site-packages" in package and not package.startswith(str(REPO))
    assert course.endswith("activation_lab/_course") and Path(course, "autograder", "manifest.toml").is_file()


@pytest.mark.slow
def test_a_five_file_upload_with_answers_grades_like_the_checkout(autograder, tmp_path, capsys) -> None:
    student = DEMO / "student02"
    files = {p.name: p for p in student.iterdir() if p.suffix in (".py", ".yaml")}
    assert "answers.yaml" in files and len(files) == 6
    results = _submit(autograder, files)
    _validate(results)
    assert main(["grade", str(student), "--format", "json", "--lang", "en"]) == 0
    local = json.loads(capsys.readouterr().out)[0]
    assert results["score"] == pytest.approx(local["score"])
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(local["max_score"])
    hidden = [t for t in results["tests"] if t["visibility"] != "visible"]
    assert hidden and {t["visibility"] for t in hidden} == {"after_published"}  # the course's setting
    assert results["extra_data"]["activation_lab"]["status"] == "graded"


@pytest.mark.slow
def test_a_missing_quiz_counts_zero_of_its_maximum(autograder) -> None:
    results = _submit(autograder, {"relu.py": REPO / "solutions" / "relu.py"})
    _validate(results)
    assert results["score"] == 10
    quiz = [t for t in results["tests"] if t["name"].startswith("quiz:")]
    assert len(quiz) == 1 and quiz[0]["score"] == 0 and quiz[0]["max_score"] > 0
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(60 + quiz[0]["max_score"])


def test_the_zip_must_be_a_zip(tmp_path, capsys) -> None:
    assert main(["gradescope", "build", str(tmp_path / "autograder.tar")]) == 2
    assert ".zip" in capsys.readouterr().err
