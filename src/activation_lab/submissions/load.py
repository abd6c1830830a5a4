"""Load one submission -- a folder, a .zip, a single .py file or a notebook -- into whitelisted source texts.

``load_submission`` never raises for a student's input: whatever it cannot read becomes a ``Submission`` with
status ``"error"`` and a message key saying why. It decides which of the course's student files a submission
holds (forgiving the usual name and encoding mistakes, and saying so in a note), and takes nothing else: a
submitted ``conftest.py``, ``sitecustomize.py`` or ``numpy/`` folder never reaches the sandbox.

Why one long module: the four forms share one matching of found names to the course's files (case, copy
suffixes, wrong extensions, encodings) and one set of notes; ``archive.py`` and ``notebook.py`` hold what is
specific to zips and notebooks.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from activation_lab.course import Course
from activation_lab.i18n import Message, render
from activation_lab.submissions.archive import ArchiveLimits, ArchiveRefused, SafeArchive, mib
from activation_lab.submissions.notebook import NotebookCode, NotebookError, notebook_code

DOMAIN = "submission"
GRADED = "graded"
ERROR = "error"
ANSWERS_FILE = "answers.yaml"
MAX_DEPTH = 3  # how many single sub-folders are walked down (alice/alice/...)
LIST_LIMIT = 5  # how many items a note lists before "…"

# Never taken from a submission, whatever they contain; named in a note because they look like tampering.
GUARDED_NAMES = frozenset({"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "setup.cfg"})
# Silently skipped: editor, OS and tool debris.
JUNK_DIRS = frozenset(
    {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git", ".idea", ".vscode", "venv", ".venv"}
)
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar", ".egg", ".whl")

_COPY_SUFFIX = r"(?:\s*\(\d+\)|\s*\[\d+\]|\s*[-_ ]\s*(?:copy|복사본|사본)(?:\s*\(\d+\))?|-\d+)?"
_CODING_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\-]+")
_WINDOWS_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$")


@dataclass(frozen=True, slots=True)
class Submission:
    """One student's submission as the grader sees it: whitelisted sources, quiz answers, and notes."""

    name: str
    files: dict[str, str] = field(default_factory=dict)  # student file name ("sigmoid.py") -> source text
    answers: str | None = None  # the text of answers.yaml
    notes: tuple[Message, ...] = ()  # remarks on how it was read (``messages/submission.toml``)
    status: str = GRADED  # graded | error
    error: Message | None = None  # why the submission could not be read (status "error")
    content_hash: str = ""
    path: Path | None = None
    form: str = ""  # directory | zip | file | notebook
    origins: dict[str, str] = field(default_factory=dict)  # student file name -> where it was found

    @property
    def safe_name(self) -> str:
        """The name, made safe to use as a file name (``<safe_name>.json``)."""
        return safe_name(self.name)

    def render_notes(self, lang: str) -> tuple[str, ...]:
        """Every note as text in ``lang``."""
        return tuple(render(note, lang) for note in self.notes)

    def render_error(self, lang: str) -> str | None:
        """Why the submission could not be read, as text in ``lang`` (``None`` when it was read)."""
        return render(self.error, lang) if self.error is not None else None

    @property
    def note_keys(self) -> tuple[str, ...]:
        """The message keys of the notes, in order (what tests and statistics look at)."""
        return tuple(note.key for note in self.notes)


def safe_name(name: str) -> str:
    """``name`` as a portable file name: no separator, no leading dot, no reserved Windows name."""
    cleaned = _UNSAFE_NAME_CHARS.sub("_", unicodedata.normalize("NFC", name)).strip("._")[:100]
    if not cleaned:
        return "submission"
    return f"{cleaned}_" if _WINDOWS_RESERVED.match(cleaned) else cleaned


def unique_safe_names(names: Sequence[str]) -> list[str]:
    """Safe file names for a batch, distinct even on case-insensitive file systems (``a``, ``a-2``)."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = safe_name(name)
        candidate, counter = base, 2
        while candidate.casefold() in taken:
            candidate, counter = f"{base}-{counter}", counter + 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def content_hash(files: dict[str, str], answers: str | None) -> str:
    """A stable sha256 over the whitelisted sources and the answers (independent of order and of the path)."""
    digest = hashlib.sha256(b"activation-lab submission v1\0")
    for name in sorted(files):
        digest.update(f"file\0{name}\0{len(files[name])}\0".encode())
        digest.update(files[name].encode("utf-8", "surrogatepass"))
    if answers is not None:
        digest.update(f"answers\0{len(answers)}\0".encode())
        digest.update(answers.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load_submission(path: Path, course: Course, *, limits: ArchiveLimits | None = None) -> Submission:
    """Read a folder, .zip, .py or .ipynb into a ``Submission``; unreadable input gives status error."""
    path = Path(path)
    limits = limits or ArchiveLimits()
    name = _submission_name(path)
    try:
        info = os.lstat(path)  # a link is never followed: it could lead to solutions/ or another student
    except FileNotFoundError:
        return _failed(name, path, "", Message(DOMAIN, "error.not_found", {"path": path}))
    except OSError as exc:
        return _failed(
            name, path, "", Message(DOMAIN, "error.unreadable", {"path": path, "reason": exc.strerror or exc})
        )
    if stat.S_ISLNK(info.st_mode):
        return _failed(name, path, "", Message(DOMAIN, "error.link", {"path": path}))
    suffix = path.suffix.lower()
    try:
        if stat.S_ISDIR(info.st_mode):
            return _from_tree(name, path, "directory", _DirectoryTree(path), course, limits)
        if not stat.S_ISREG(info.st_mode):  # a device, a FIFO, a socket: never opened
            return _failed(name, path, "", Message(DOMAIN, "error.unsupported", {"path": path}))
        if suffix == ".zip":
            with SafeArchive(path, limits) as archive:
                return _from_tree(name, path, "zip", _ZipTree(archive), course, limits)
        if suffix == ".ipynb":
            return _from_single_notebook(name, path, course, limits)
        if suffix == ".py" or path.name.lower().endswith(".py.txt"):
            return _from_single_file(name, path, course, limits)
    except ArchiveRefused as refused:
        return _failed(name, path, "zip", refused.message)
    except OSError as exc:
        return _failed(
            name, path, "", Message(DOMAIN, "error.unreadable", {"path": path, "reason": exc.strerror or exc})
        )
    except (RecursionError, MemoryError) as exc:  # nested or sized beyond what can be read: the student's
        reason = type(exc).__name__
        return _failed(name, path, "", Message(DOMAIN, "error.too_complex", {"path": path, "reason": reason}))
    except Exception as exc:  # one unreadable submission must never stop a batch
        return _failed(
            name,
            path,
            "",
            Message(DOMAIN, "error.internal", {"path": path, "reason": f"{type(exc).__name__}: {exc}"}),
        )
    return _failed(name, path, "", Message(DOMAIN, "error.unsupported", {"path": path}))


# --------------------------------------------------------------------------- the forms


def _submission_name(path: Path) -> str:
    resolved = path.resolve() if path.name in ("", ".", "..") else path
    name = resolved.name
    for suffix in (".py.txt", ".zip", ".ipynb", ".py"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name or "submission"


def _failed(name: str, path: Path, form: str, error: Message) -> Submission:
    return Submission(
        name=name,
        status=ERROR,
        error=error,
        path=path,
        form=form,
        content_hash=content_hash(
            {}, f"error:{error.key}:{tuple((k, str(v)) for k, v in sorted(error.params.items()))}"
        ),
    )


def _done(
    name: str,
    path: Path,
    form: str,
    files: dict[str, str],
    answers: str | None,
    notes: list[Message],
    origins: dict[str, str],
) -> Submission:
    return Submission(
        name=name,
        files=dict(sorted(files.items())),
        answers=answers,
        notes=_merge_decoded(notes),
        status=GRADED,
        content_hash=content_hash(files, answers),
        path=path,
        form=form,
        origins=origins,
    )


def _merge_decoded(notes: list[Message]) -> tuple[Message, ...]:
    """Notes without repeats; one ``note.decoded`` per encoding, naming all its files."""
    files_by_encoding: dict[str, list[str]] = {}
    for note in notes:
        if note.key == "note.decoded":
            params = dict(note.params)
            files_by_encoding.setdefault(str(params["encoding"]), []).append(str(params["file"]))
    merged: list[Message] = []
    for note in dict.fromkeys(notes):
        if note.key != "note.decoded":
            merged.append(note)
            continue
        encoding = dict(note.params)["encoding"]
        if encoding in files_by_encoding:
            files = ", ".join(dict.fromkeys(files_by_encoding.pop(encoding)))
            merged.append(Message(DOMAIN, "note.decoded", {"file": files, "encoding": encoding}))
    return tuple(merged)


def _from_single_file(name: str, path: Path, course: Course, limits: ArchiveLimits) -> Submission:
    notes: list[Message] = []
    data = _read_capped(path, limits.max_entry_bytes)
    if data is None:
        return _failed(
            name,
            path,
            "file",
            Message(DOMAIN, "error.too_large", {"path": path, "limit": mib(limits.max_entry_bytes)}),
        )
    text = _decode(path.name, data, notes)
    if text is None:
        return _failed(name, path, "file", Message(DOMAIN, "error.not_text", {"path": path}))
    files: dict[str, str] = {}
    origins: dict[str, str] = {}
    spec_file = _exercise_for_name(path.name, course)
    if path.name.lower() in GUARDED_NAMES:
        return _failed(
            name,
            path,
            "file",
            Message(DOMAIN, "error.unknown_file", {"path": path, "expected": _expected(course)}),
        )
    if spec_file is not None:
        if path.name != spec_file:
            notes.insert(0, Message(DOMAIN, "note.renamed", {"found": path.name, "expected": spec_file}))
        files[spec_file] = text
        origins[spec_file] = path.name
    else:
        for spec in course.exercises:
            if _defines_any(text, spec.functions):
                files[spec.file] = text
                origins[spec.file] = path.name
        if not files:
            return _failed(
                name,
                path,
                "file",
                Message(DOMAIN, "error.unknown_file", {"path": path, "expected": _expected(course)}),
            )
        notes.insert(0, Message(DOMAIN, "note.by_content", {"found": path.name, "expected": _join(files)}))
    if not text.strip():
        notes.append(Message(DOMAIN, "note.empty_file", {"file": path.name}))
    return _done(name, path, "file", files, None, notes, origins)


def _from_single_notebook(name: str, path: Path, course: Course, limits: ArchiveLimits) -> Submission:
    notes: list[Message] = []
    data = _read_capped(path, limits.max_notebook_bytes)
    if data is None:
        limit = mib(limits.max_notebook_bytes)
        return _failed(
            name, path, "notebook", Message(DOMAIN, "error.too_large", {"path": path, "limit": limit})
        )
    text = _decode(path.name, data, notes)
    if text is None:
        return _failed(name, path, "notebook", Message(DOMAIN, "error.not_text", {"path": path}))
    try:
        code = notebook_code(text, _function_names(course))
    except NotebookError as exc:
        return _failed(
            name, path, "notebook", Message(DOMAIN, "error.notebook_invalid", {"path": path, "reason": exc})
        )
    files: dict[str, str] = {}
    origins: dict[str, str] = {}
    _take_notebook(path.name, code, course, files, origins, notes)
    return _done(name, path, "notebook", files, None, notes, origins)


class _Tree(Protocol):
    """A folder-like source: a directory on disk or the inside of a zip."""

    def listdir(self, folder: str) -> tuple[list[str], list[str], list[str]]:
        """Regular files, sub-folders and skipped links/special files directly in ``folder`` ("" = top)."""

    def read(self, path: str, cap: int) -> bytes | None:
        """The bytes of a file, or ``None`` when it is larger than ``cap``."""


class _DirectoryTree:
    """A folder on disk, walked without following symbolic links."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def listdir(self, folder: str) -> tuple[list[str], list[str], list[str]]:
        files, dirs, skipped = [], [], []
        with os.scandir(self.root / folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    skipped.append(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    dirs.append(entry.name)
                elif entry.is_file(follow_symlinks=False):
                    files.append(entry.name)
                else:
                    skipped.append(entry.name)
        return sorted(files), sorted(dirs), sorted(skipped)

    def read(self, path: str, cap: int) -> bytes | None:
        return _read_capped(self.root / path, cap)


class _ZipTree:
    """The inside of a checked archive, as folders of files."""

    def __init__(self, archive: SafeArchive) -> None:
        self.archive = archive
        self.paths = archive.files()

    def listdir(self, folder: str) -> tuple[list[str], list[str], list[str]]:
        prefix = f"{folder}/" if folder else ""
        files: set[str] = set()
        dirs: set[str] = set()
        for path in self.paths:
            if path.startswith(prefix):
                head, _, rest = path[len(prefix) :].partition("/")
                (dirs if rest else files).add(head)
        return sorted(files), sorted(dirs), []

    def read(self, path: str, cap: int) -> bytes | None:
        return self.archive.read(path, cap)  # over the cap it raises ArchiveRefused: a zip is refused whole


def _from_tree(
    name: str, path: Path, form: str, tree: _Tree, course: Course, limits: ArchiveLimits
) -> Submission:
    notes: list[Message] = []
    folder = _find_base(tree, course)
    files_here, dirs_here, skipped = tree.listdir(folder)
    for link in skipped:
        notes.append(Message(DOMAIN, "note.link_ignored", {"file": _join_path(folder, link)}))
    pending = [f for f in files_here if f not in JUNK_FILES and not f.startswith(".")]
    files: dict[str, str] = {}
    origins: dict[str, str] = {}

    def take(target: str, found: str) -> bool:
        source = _join_path(folder, found)
        data = tree.read(source, limits.max_entry_bytes)
        if data is None:
            notes.append(
                Message(DOMAIN, "note.too_large", {"file": found, "limit": mib(limits.max_entry_bytes)})
            )
            return False
        text = _decode(found, data, notes)
        if text is None:
            notes.append(Message(DOMAIN, "note.binary_file", {"file": found, "expected": target}))
            return False
        if not text.strip():
            notes.append(Message(DOMAIN, "note.empty_file", {"file": found}))
        files[target] = text
        origins[target] = source
        return True

    for guarded in [f for f in pending if f.lower() in GUARDED_NAMES]:
        notes.append(Message(DOMAIN, "note.guarded_ignored", {"file": guarded}))
        pending.remove(guarded)
    # 1. files named after an exercise (exactly, or with a forgivable mistake)
    for spec in course.exercises:
        chosen = _choose(spec.file, pending, notes)
        if chosen is not None:
            pending.remove(chosen)
            if take(spec.file, chosen) and chosen != spec.file:
                notes.append(Message(DOMAIN, "note.renamed", {"found": chosen, "expected": spec.file}))
    answers_name = _choose(ANSWERS_FILE, pending, notes, extensions=(".yaml", ".yml"))
    answers = None
    if answers_name is not None:
        pending.remove(answers_name)
        if take(ANSWERS_FILE, answers_name):
            answers = files.pop(ANSWERS_FILE)
            origins.pop(ANSWERS_FILE)
            if answers_name not in (ANSWERS_FILE, "answers.yml"):
                notes.append(
                    Message(DOMAIN, "note.renamed", {"found": answers_name, "expected": ANSWERS_FILE})
                )
    # 2. notebooks, for the exercises still missing
    for notebook in [f for f in pending if f.lower().endswith(".ipynb")]:
        pending.remove(notebook)
        _take_folder_notebook(tree, folder, notebook, course, limits, files, origins, notes)
    # 3. other .py files that define an exercise's functions (e.g. 시그모이드.py, hw3.py)
    for other in [f for f in pending if f.lower().endswith(".py") and not f.lower().startswith("test")]:
        wanted = [s for s in course.exercises if s.file not in files]
        data = tree.read(_join_path(folder, other), limits.max_entry_bytes) if wanted else None
        text = _decode(other, data, []) if data is not None else None
        matches = [s.file for s in wanted if text is not None and _defines_any(text, s.functions)]
        if text is not None and matches:
            pending.remove(other)
            _decode(other, data or b"", notes)  # the encoding note, once the file is really used
            for target in matches:
                files[target] = text
                origins[target] = _join_path(folder, other)
            notes.append(Message(DOMAIN, "note.by_content", {"found": other, "expected": ", ".join(matches)}))
    _note_leftovers(
        pending, [d for d in dirs_here if d not in JUNK_DIRS and not d.startswith(".")], course, notes
    )
    if not files and answers is None:
        notes.append(Message(DOMAIN, "note.no_files", {"expected": _expected(course)}))
    return _done(name, path, form, files, answers, notes, origins)


def _take_folder_notebook(
    tree: _Tree,
    folder: str,
    notebook: str,
    course: Course,
    limits: ArchiveLimits,
    files: dict[str, str],
    origins: dict[str, str],
    notes: list[Message],
) -> None:
    if all(spec.file in files for spec in course.exercises):
        notes.append(Message(DOMAIN, "note.notebook_unused", {"notebook": notebook}))
        return
    data = tree.read(_join_path(folder, notebook), limits.max_notebook_bytes)
    if data is None:
        notes.append(
            Message(DOMAIN, "note.too_large", {"file": notebook, "limit": mib(limits.max_notebook_bytes)})
        )
        return
    text = _decode(notebook, data, notes)
    try:
        code = notebook_code(text or "", _function_names(course))
    except NotebookError as exc:
        notes.append(Message(DOMAIN, "note.notebook_invalid", {"notebook": notebook, "reason": exc}))
        return
    _take_notebook(notebook, code, course, files, origins, notes, folder=folder)


def _take_notebook(
    notebook: str,
    code: NotebookCode,
    course: Course,
    files: dict[str, str],
    origins: dict[str, str],
    notes: list[Message],
    folder: str = "",
) -> None:
    """Add one module per still-missing exercise the notebook defines, with notes on the filtering."""
    if code.magics:
        notes.append(
            Message(DOMAIN, "note.notebook_magics", {"notebook": notebook, "lines": _listing(code.magics)})
        )
    if code.shell:
        notes.append(
            Message(DOMAIN, "note.notebook_shell", {"notebook": notebook, "lines": _listing(code.shell)})
        )
    if code.dropped:
        notes.append(
            Message(DOMAIN, "note.notebook_dropped", {"notebook": notebook, "lines": _listing(code.dropped)})
        )
    for cell, line, text in code.syntax_errors:
        notes.append(
            Message(
                DOMAIN,
                "note.notebook_syntax",
                {"notebook": notebook, "cell": cell, "line": line, "message": text},
            )
        )
    for cell in code.too_deep:
        notes.append(Message(DOMAIN, "note.notebook_too_deep", {"notebook": notebook, "cell": cell}))
    taken = []
    for spec in course.exercises:
        if spec.file not in files and any(function in code.defined for function in spec.functions):
            files[spec.file] = code.code
            origins[spec.file] = _join_path(folder, notebook)
            taken.append(spec.file)
    if taken:
        notes.append(Message(DOMAIN, "note.notebook_used", {"notebook": notebook, "files": ", ".join(taken)}))
    else:
        notes.append(
            Message(
                DOMAIN, "note.notebook_no_functions", {"notebook": notebook, "expected": _expected(course)}
            )
        )


# --------------------------------------------------------------------------- finding the files


def _find_base(tree: _Tree, course: Course) -> str:
    """The folder holding the submission's files: the top, or down a chain of single sub-folders."""
    folder = ""
    for _ in range(MAX_DEPTH + 1):
        files, dirs, _skipped = tree.listdir(folder)
        if any(_is_candidate(f, course) for f in files):
            return folder
        dirs = [d for d in dirs if d not in JUNK_DIRS and not d.startswith(".")]
        if len(dirs) != 1:
            # Several folders: take the one that holds exercise files, if only one does.
            dirs = [
                d
                for d in dirs
                if any(_is_candidate(f, course) for f in tree.listdir(_join_path(folder, d))[0])
            ]
        if len(dirs) != 1:
            break
        folder = _join_path(folder, dirs[0])
    return ""


def _is_candidate(filename: str, course: Course) -> bool:
    lowered = _normal(filename)
    if lowered in GUARDED_NAMES:
        return False
    return (
        lowered.endswith((".py", ".ipynb", ".py.txt"))
        or _match_tier(filename, ANSWERS_FILE, (".yaml", ".yml")) is not None
        or any(_match_tier(filename, spec.file) is not None for spec in course.exercises)
    )


def _normal(filename: str) -> str:
    return unicodedata.normalize("NFKC", filename).strip().casefold()


def _match_tier(filename: str, expected: str, extensions: tuple[str, ...] = (".py",)) -> int | None:
    """0 exact name; 1 case, width or spacing differs; 2 a copy suffix or a .txt extension; None otherwise."""
    if filename == expected:
        return 0
    stem = PurePosixPath(expected).stem.casefold()
    lowered = _normal(filename)
    if lowered in (f"{stem}{ext}" for ext in extensions):
        return 1
    extension = "|".join(re.escape(ext) for ext in extensions)
    pattern = rf"{re.escape(stem)}{_COPY_SUFFIX}(?:(?:{extension})(?:\.txt)?|\.txt)"
    return 2 if re.fullmatch(pattern, lowered) else None


def _choose(
    expected: str, pending: list[str], notes: list[Message], extensions: tuple[str, ...] = (".py",)
) -> str | None:
    """The best-matching file for ``expected``; others are noted. Ties between inexact names take nothing."""
    ranked = sorted((tier, f) for f in pending if (tier := _match_tier(f, expected, extensions)) is not None)
    if not ranked:
        return None
    best_tier = ranked[0][0]
    best = [f for tier, f in ranked if tier == best_tier]
    if len(best) > 1:
        notes.append(Message(DOMAIN, "note.ambiguous", {"expected": expected, "found": ", ".join(best)}))
        for _tier, f in ranked:
            pending.remove(f)
        return None
    for _tier, other in ranked[1:]:
        notes.append(
            Message(DOMAIN, "note.duplicate", {"taken": best[0], "ignored": other, "expected": expected})
        )
        pending.remove(other)
    return best[0]


def names_student_file(filename: str, expected: str) -> bool:
    """Whether ``filename`` is taken for the student file ``expected`` (exactly or with a forgiven slip)."""
    extensions = (".yaml", ".yml") if expected == ANSWERS_FILE else (".py",)
    return _match_tier(filename, expected, extensions) is not None


def _exercise_for_name(filename: str, course: Course) -> str | None:
    ranked = sorted((t, s.file) for s in course.exercises if (t := _match_tier(filename, s.file)) is not None)
    return ranked[0][1] if ranked else None


def _defines_any(text: str, functions: Iterable[str]) -> bool:
    """Whether the source binds one of ``functions`` at top level (read as text, so syntax errors pass)."""
    return any(re.search(rf"(?m)^(?:def\s+{re.escape(f)}\s*\(|{re.escape(f)}\s*=)", text) for f in functions)


def _note_leftovers(pending: list[str], dirs: list[str], course: Course, notes: list[Message]) -> None:
    stems = {PurePosixPath(spec.file).stem.casefold(): spec.file for spec in course.exercises}
    ignored = []
    for leftover in pending:
        stem = _normal(leftover).split(".")[0]
        if leftover.lower().endswith(ARCHIVE_SUFFIXES):
            notes.append(Message(DOMAIN, "note.archive_ignored", {"file": leftover}))
        elif stem in stems:
            notes.append(
                Message(DOMAIN, "note.wrong_extension", {"found": leftover, "expected": stems[stem]})
            )
        elif leftover.lower().endswith(".py"):
            ignored.append(leftover)
    if ignored:
        notes.append(
            Message(DOMAIN, "note.py_ignored", {"files": _listing(ignored), "expected": _expected(course)})
        )
    if dirs:
        notes.append(Message(DOMAIN, "note.folders_ignored", {"folders": _listing([f"{d}/" for d in dirs])}))


# --------------------------------------------------------------------------- bytes to text


def _read_capped(path: Path, cap: int) -> bytes | None:
    """The file's bytes, or ``None`` when it holds more than ``cap``; never follows a final symbolic link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(cap + 1)
    return None if len(data) > cap else data


def _decode(filename: str, data: bytes, notes: list[Message]) -> str | None:
    """Source text from UTF-8 (BOM or not), UTF-16 with BOM, or CP949/EUC-KR; ``None`` when binary."""
    encoding = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\0" in data:
        return None
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp949")  # CP949 is a superset of EUC-KR
            encoding = "cp949"
        except UnicodeDecodeError:
            return None
    if encoding is not None:
        notes.append(Message(DOMAIN, "note.decoded", {"file": filename, "encoding": encoding.upper()}))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _drop_coding_cookie(text)


def _drop_coding_cookie(text: str) -> str:
    """Neutralise a non-UTF-8 ``# -*- coding: ... -*-`` line: the sandbox writes the text back as UTF-8."""
    lines = text.split("\n", 2)
    for index, line in enumerate(lines[:2]):
        found = _CODING_COOKIE.match(line)
        if found and found.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            lines[index] = "# (encoding declaration removed: the file was decoded to UTF-8)"
    return "\n".join(lines)


# --------------------------------------------------------------------------- small helpers


def _join_path(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _function_names(course: Course) -> set[str]:
    return {function for spec in course.exercises for function in spec.functions}


def _expected(course: Course) -> str:
    return ", ".join(course.student_files)


def _join(files: dict[str, str]) -> str:
    return ", ".join(files)


def _listing(items: Sequence[str]) -> str:
    shown = "; ".join(items[:LIST_LIMIT])
    return shown + (f"; … (+{len(items) - LIST_LIMIT})" if len(items) > LIST_LIMIT else "")
