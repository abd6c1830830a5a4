"""A wheel of this source checkout, and the course copied beside it: what the Gradescope and otter zips ship.

Both autograders install activation-lab in a fresh container from a wheel built here (``pip wheel --no-deps``
on a clean copy of the checkout, so ``build/`` and ``*.egg-info`` never land in it) and carry the course's
folders next to it. The Gradescope zip also bundles the course inside the wheel (``activation_lab/_course``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from activation_lab.course import BUNDLED_COURSE_DIRNAME, Course
from activation_lab.errors import CourseError

# Caches and hidden files (.git, .venv, .pytest_cache) never go into a wheel or a course copy.
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
# pyproject.toml's package-data line, to which a bundled course is added
PACKAGE_DATA = 'activation_lab = ["messages/*.toml", "reports/schemas/*.json"'


def source_checkout() -> Path | None:
    """The checkout this package runs from (``pyproject.toml`` and ``src/activation_lab``), else ``None``."""
    root = Path(__file__).resolve().parents[3]
    is_checkout = (root / "pyproject.toml").is_file() and (root / "src" / "activation_lab").is_dir()
    return root if is_checkout else None


def copy_course(course: Course, dest: Path, parts: Sequence[str]) -> None:
    """Copy those of the course folders ``parts`` (``autograder``, ...) that exist into a new ``dest``."""
    dest.mkdir(parents=True)
    for part in parts:
        if (course.root / part).is_dir():
            shutil.copytree(course.root / part, dest / part, ignore=SKIPPED)


def build_wheel(
    root: Path, dest: Path, *, bundle: Course | None = None, bundle_parts: Sequence[str] = ()
) -> Path:
    """Build a wheel of the checkout ``root`` into ``dest``; return its path.

    With ``bundle``, the folders ``bundle_parts`` of that course go inside the package as
    ``activation_lab/_course`` (and into its package data), so the installed package finds its course.
    """
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="activation-lab-wheel-") as scratch:
        copy = Path(scratch) / "src-copy"
        copy.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (root / name).is_file():
                shutil.copy2(root / name, copy / name)
        shutil.copytree(root / "src", copy / "src", ignore=SKIPPED)
        if bundle is not None:
            copy_course(bundle, copy / "src" / "activation_lab" / BUNDLED_COURSE_DIRNAME, bundle_parts)
            pyproject = copy / "pyproject.toml"
            text = pyproject.read_text(encoding="utf-8")
            if PACKAGE_DATA not in text:
                raise CourseError("pyproject.toml's package-data line changed; update integrations/wheel.py")
            bundled = f'"{BUNDLED_COURSE_DIRNAME}/**/*"'
            pyproject.write_text(text.replace(PACKAGE_DATA, f"{PACKAGE_DATA}, {bundled}"), encoding="utf-8")
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", scratch, str(copy)]
        # Without build isolation when setuptools is here (fast, offline); else pip fetches the build backend.
        done = subprocess.run(
            [*command[:4], "--no-build-isolation", *command[4:]], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(Path(scratch).glob("activation_lab-*.whl"))
        if done.returncode != 0 or not wheels:
            raise CourseError(f"pip wheel failed ({done.returncode}): {(done.stderr or done.stdout)[-2000:]}")
        target = dest / wheels[0].name
        shutil.copy2(wheels[0], target)
    return target
