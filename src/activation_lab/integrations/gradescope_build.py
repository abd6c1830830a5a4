"""``activation-lab gradescope build OUT.zip``: a Gradescope autograder zip that grades with our own engine.

The zip holds ``setup.sh`` and ``run_autograder`` (Gradescope runs them from ``/autograder/source``),
``course/`` (autograder/, solutions/, quizzes/, exercises/) and ``wheels/activation_lab-*.whl``: a wheel
built from this checkout (``integrations/wheel.py``) with the same course bundled inside the package
(``activation_lab/_course``),
so the installed package finds the course it was built with even without ``--course``.
``setup.sh`` installs bubblewrap where the image allows (apt-get as root), then the wheel and its
dependencies. ``run_autograder`` calls ``python3 -m activation_lab gradescope --course .../course``.

Every ``/autograder`` path in both scripts honours ``$ACTIVATION_LAB_AUTOGRADER_ROOT`` (the tests lay the
layout out under a temporary folder) and the Python used honours ``$ACTIVATION_LAB_PYTHON``.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from activation_lab.course import Course
from activation_lab.errors import UsageError
from activation_lab.integrations.wheel import build_wheel, copy_course, source_checkout

COURSE_PARTS = ("autograder", "solutions", "quizzes", "exercises")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
ROOT="${ACTIVATION_LAB_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${ACTIVATION_LAB_PYTHON:-python3}"
cd "$ROOT/source"
# bubblewrap is the strong sandbox. Without it (no root, no apt-get, or the image refuses user namespaces)
# grading still runs in the weaker fallback sandbox and every report says so in its "isolation" field.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) \\
      || echo "setup.sh: bubblewrap could not be installed; grading uses the weaker sandbox" >&2
  else
    echo "setup.sh: no bubblewrap and no way to install it; grading uses the weaker sandbox" >&2
  fi
fi
"$PYTHON" -m pip install --quiet --disable-pip-version-check wheels/{wheel}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must write results/results.json.
set -uo pipefail
ROOT="${ACTIVATION_LAB_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${ACTIVATION_LAB_PYTHON:-python3}"
cd "$ROOT/source"
exec "$PYTHON" -m activation_lab gradescope --course "$ROOT/source/course" \\
  --submission "$ROOT/submission" --results "$ROOT/results/results.json"{options}
"""


def build_wheel_with_course(course: Course, dest: Path) -> Path:
    """Build a wheel of this checkout with ``course`` bundled as ``activation_lab/_course``."""
    root = source_checkout()
    if root is None:
        raise UsageError("activation-lab is not running from a source checkout; build the zip from one")
    return build_wheel(root, dest, bundle=course, bundle_parts=COURSE_PARTS)


def _add(archive: zipfile.ZipFile, path: Path, name: str, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())


def build_autograder_zip(
    course: Course, out: Path, *, lang: str | None = None, seed: int | None = None
) -> Path:
    """Write the Gradescope autograder zip ``out``; return its path."""
    if out.suffix.lower() != ".zip":
        raise UsageError(f"{out}: the autograder must be a .zip file")
    options = ""
    if lang is not None:
        options += f" --lang {lang}"
    if seed is not None:
        options += f" --seed {int(seed)}"
    with tempfile.TemporaryDirectory(prefix="activation-lab-gs-") as scratch_name:
        scratch = Path(scratch_name)
        wheel = build_wheel_with_course(course, scratch / "wheels")
        copy_course(course, scratch / "course", COURSE_PARTS)
        (scratch / "setup.sh").write_text(SETUP_SH.replace("{wheel}", wheel.name), encoding="utf-8")
        (scratch / "run_autograder").write_text(
            RUN_AUTOGRADER.replace("{options}", options), encoding="utf-8"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(temporary, "w") as archive:
            _add(archive, scratch / "setup.sh", "setup.sh", 0o755)
            _add(archive, scratch / "run_autograder", "run_autograder", 0o755)
            _add(archive, wheel, f"wheels/{wheel.name}")
            for path in sorted((scratch / "course").rglob("*")):
                if path.is_file():
                    _add(archive, path, path.relative_to(scratch).as_posix())
        temporary.replace(out)
    return out
