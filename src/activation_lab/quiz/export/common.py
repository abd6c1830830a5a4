"""Shared parts of the quiz exports: the export's checks and folder, safe identifiers, prompt paragraphs,
short-text answer forms, archives."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tarfile
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from lxml import etree

from activation_lab.errors import QuizError, UsageError
from activation_lab.fsutil import replacing, write_atomic
from activation_lab.i18n import LANGUAGES, message
from activation_lab.quiz.model import LocalizedText, Quiz, ShortText

# Archives are reproducible: the same quiz gives the same bytes (fixed times, owners and order).
ARCHIVE_MTIME = 946_684_800  # 2000-01-01T00:00:00Z

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_CODE_FENCE = re.compile(r"^```[\w+-]*\n(.*?)\n?```$", re.DOTALL)


def check_language(lang: str) -> None:
    """Raise ``UsageError`` unless ``lang`` is a course language."""
    if lang not in LANGUAGES:
        raise UsageError(message("quiz_export", "export.error.bad_language", "en", lang=lang))


def export_package(
    quiz: Quiz,
    out_dir: Path,
    *,
    lang: str,
    label: str,
    build: Callable[[Path], None],
    pack: Callable[[Path], Path] | None,
) -> list[Path]:
    """Write one export: check ``lang`` and that ``quiz`` has items, build the folder
    ``out_dir/<quiz id>-<label>-<lang>`` with ``build`` (replacing one of that name atomically), then
    ``pack(folder)`` it into an archive. Return the folder's path and the archive's.
    """
    check_language(lang)
    if not quiz.items:
        raise QuizError(message("quiz_export", "export.error.empty_quiz", "en", quiz=quiz.id))
    folder = replace_folder(build, Path(out_dir) / f"{UniqueNames()(quiz.id)}-{label}-{lang}")
    return [folder] if pack is None else [folder, pack(folder)]


def xml_name(text: str, *, prefix: str = "") -> str:
    """``text`` reduced to letters, digits, ``_`` and ``-`` (an NCName if ``prefix`` starts with a letter)."""
    cleaned = _UNSAFE.sub("_", text).strip("_") or "x"
    return f"{prefix}{cleaned}"


class UniqueNames:
    """Hands out safe names, adding ``_2``, ``_3`` ... when two texts clean up to the same name."""

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._taken: set[str] = set()

    def __call__(self, text: str) -> str:
        """A safe name for ``text`` that no earlier call returned."""
        base = xml_name(text, prefix=self._prefix)
        name, counter = base, 2
        while name.lower() in self._taken:  # case-insensitive: file systems may fold case
            name, counter = f"{base}_{counter}", counter + 1
        self._taken.add(name.lower())
        return name


def localized(text: LocalizedText | None, lang: str) -> str:
    """The text in ``lang`` (falling back as ``LocalizedText.text`` does); empty for ``None``."""
    return "" if text is None else text.text(lang).strip()


def paragraphs(text: str) -> list[str]:
    """Split a prompt into paragraphs at blank lines; a fenced code block stays one paragraph."""
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in text.strip().splitlines():
        if line.strip().startswith("```"):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def append_paragraphs(parent: etree._Element, text: str, make: Callable[[str], etree._Element]) -> None:
    """Append ``text`` under ``parent`` as ``<p>`` paragraphs (fenced code as ``<pre>``) made by ``make``."""
    for block in paragraphs(text):
        fence = _CODE_FENCE.match(block.strip())
        if fence:
            pre = make("pre")
            pre.text = fence.group(1)
            parent.append(pre)
            continue
        paragraph = make("p")
        lines = block.splitlines()
        paragraph.text = lines[0]
        for line in lines[1:]:
            br = make("br")
            br.tail = line
            paragraph.append(br)
        parent.append(paragraph)


def _is_korean(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" for char in text)


def answer_forms(item: ShortText, lang: str) -> list[str]:
    """Every accepted text and variant, and its NFKC/whitespace-collapsed form, once each (case-blind).

    Forms written in ``lang`` come first (stable otherwise): the first is what "Show answer" displays.
    """
    forms: list[str] = []
    seen: set[str] = set()
    for accept in item.accept:
        for form in accept.forms():
            for candidate in (form.strip(), one_line(unicodedata.normalize("NFKC", form))):
                if candidate and candidate.lower() not in seen:
                    seen.add(candidate.lower())
                    forms.append(candidate)
    return sorted(forms, key=lambda form: _is_korean(form) != (lang == "ko"))


def wrong_answer_feedback(item: ShortText, forms: Iterable[str]) -> list[tuple[str, LocalizedText]]:
    """Each written form of the known wrong answers that have feedback, with that feedback, in order; a form
    that one of the accepted ``forms`` equals (case-insensitively) is left out: it is graded right."""
    accepted = {form.lower() for form in forms}
    return [
        (form.strip(), wrong.feedback)
        for wrong in item.wrong
        if wrong.feedback is not None
        for form in wrong.forms()
        if form.strip() and form.strip().lower() not in accepted
    ]


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(text.split())


def format_number(value: float) -> str:
    """A float as the shortest text that reads back to it (``0.5``, ``1.8``, ``32``)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write_xml(path: Path, root: etree._Element) -> None:
    """Write ``root`` as a UTF-8 XML document with a declaration, pretty-printed."""
    write_atomic(path, etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def replace_folder(build: Callable[[Path], None], target: Path) -> Path:
    """Build a folder with ``build(tmp)`` beside ``target``, then swap it in: no half-written export shows."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; an export is meant to be shared
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old)
        else:
            os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise QuizError(
            message("quiz_export", "export.error.cannot_write", "en", path=target, reason=exc)
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _files_under(folder: Path) -> Iterable[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def write_tarball(folder: Path, target: Path, *, arcname: str) -> Path:
    """Pack ``folder`` as ``target`` (.tar.gz) with ``arcname/`` as its one top-level folder, atomically."""

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = ARCHIVE_MTIME
        info.mode = 0o755 if info.isdir() else 0o644
        return info

    try:
        # gzip's own header carries a time too; fix it so archives are byte-for-byte reproducible
        with replacing(target) as tmp, open(tmp, "wb") as raw:
            with gzip.GzipFile(target.name, mode="wb", fileobj=raw, mtime=ARCHIVE_MTIME) as zipped:
                with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    directories = sorted({p.parent for p in _files_under(folder)} | {folder})
                    for directory in directories:
                        relative = directory.relative_to(folder).as_posix()
                        name = arcname if relative == "." else f"{arcname}/{relative}"
                        tar.add(directory, arcname=name, recursive=False, filter=normalise)
                    for path in _files_under(folder):
                        tar.add(
                            path, arcname=f"{arcname}/{path.relative_to(folder).as_posix()}", filter=normalise
                        )
    except OSError as exc:
        raise QuizError(
            message("quiz_export", "export.error.cannot_write", "en", path=target, reason=exc)
        ) from exc
    return target


def write_zip(folder: Path, target: Path) -> Path:
    """Zip the contents of ``folder`` (no enclosing folder, as IMS packages require) as ``target``."""
    try:
        with replacing(target) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # the manifest first: some importers only look at the first entries
            files = sorted(_files_under(folder), key=lambda p: (p.name != "imsmanifest.xml", p.as_posix()))
            for path in files:
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    except OSError as exc:
        raise QuizError(
            message("quiz_export", "export.error.cannot_write", "en", path=target, reason=exc)
        ) from exc
    return target
