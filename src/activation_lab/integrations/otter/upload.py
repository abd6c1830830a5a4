"""Gather the course's normal multi-file upload (five ``.py`` + ``answers.yaml``) before otter looks at it.

otter grades exactly one ``.py`` or ``.ipynb`` and stops with "More than one Python file found" otherwise,
before any plugin runs. The autograder's ``run_otter.py`` (rewritten by ``otter generate`` here) calls
:func:`gather_upload` first: a multi-file upload is moved into ``activation_lab_upload/`` and a one-line
placeholder script takes its place for otter to execute. The plugin then grades the whole folder,
quiz included; the placeholder's run in otter's kernel decides nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

UPLOAD_DIRNAME = "activation_lab_upload"
PLACEHOLDER = "activation_lab_submission.py"
ANSWERS_NAMES = ("answers.yaml", "answers.yml")
PLACEHOLDER_TEXT = (
    "# activation-lab: this upload has several files; they are graded together from "
    f"{UPLOAD_DIRNAME}/ (docs/otter.md).\n"
)


def needs_gathering(folder: Path) -> bool:
    """Whether ``folder`` holds what otter cannot grade alone: several scripts, or a script and answers."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__init__.py"]
    gradable = [p for p in entries if p.is_file() and p.suffix.lower() in (".py", ".ipynb")]
    answers = [p for p in entries if p.is_file() and p.name.lower() in ANSWERS_NAMES]
    return len(gradable) > 1 or (bool(gradable) and bool(answers)) or (bool(answers) and not gradable)


def gather_upload(folder: str | Path) -> bool:
    """Move a multi-file upload in ``folder`` into ``activation_lab_upload/``; ``True`` when it did."""
    folder = Path(folder)
    if not folder.is_dir() or (folder / UPLOAD_DIRNAME).exists() or not needs_gathering(folder):
        return False
    target = folder / UPLOAD_DIRNAME
    target.mkdir()
    for entry in sorted(folder.iterdir()):
        if entry.name == UPLOAD_DIRNAME or entry.name.startswith(".") or entry.name == "__init__.py":
            continue
        shutil.move(str(entry), str(target / entry.name))
    (folder / PLACEHOLDER).write_text(PLACEHOLDER_TEXT, encoding="utf-8")
    return True


def rewrite_run_otter(text: str) -> str:
    """otter's ``run_otter.py`` with :func:`gather_upload` called on the submission folder first.

    The autograder root is otter's (``/autograder``) unless ``$ACTIVATION_LAB_AUTOGRADER_ROOT`` says
    otherwise (the tests lay the Gradescope layout out in a temporary folder).
    """
    call = 'if __name__ == "__main__":\n    run_autograder("'
    if call not in text:
        raise ValueError("otter's run_otter.py changed: cannot add the upload step")
    start = text.index(call) + len(call)
    root = text[start : text.index('")', start)]
    head = text[: text.index(call)]
    return (
        head
        + "import os\n\nfrom activation_lab.integrations.otter.upload import gather_upload\n\n"
        + 'if __name__ == "__main__":\n'
        + f'    root = os.environ.get("ACTIVATION_LAB_AUTOGRADER_ROOT", {root!r})\n'
        + '    gather_upload(os.path.join(root, "submission"))\n'
        + "    run_autograder(root)\n"
    )
