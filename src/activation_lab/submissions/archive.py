"""Read a submitted ``.zip`` safely, in memory: no extraction, no traversal, no links, no bombs.

Nothing is ever written to disk. The listing is checked as a whole before any entry is read (a hostile
archive is refused outright, not partly used), and every entry is then read under caps that count the bytes
actually decompressed, not the sizes the archive declares.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from activation_lab.errors import SubmissionError
from activation_lab.i18n import Message

_ENCRYPTED_FLAG = 0x1
_UTF8_NAME_FLAG = 0x800


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps for one submitted archive (documented in docs/submissions.md)."""

    max_archive_bytes: int = 20 * 1024 * 1024  # the .zip file itself
    max_entries: int = 200  # files and folders listed in it
    max_entry_bytes: int = 1024 * 1024  # one source or answers file, decompressed
    max_notebook_bytes: int = 5 * 1024 * 1024  # one notebook, decompressed (outputs can be large)
    max_total_bytes: int = 8 * 1024 * 1024  # everything read from one archive, decompressed
    max_ratio: int = 100  # decompressed / compressed, judged above ratio_floor bytes
    ratio_floor: int = 64 * 1024


class ArchiveRefused(SubmissionError):
    """The archive cannot be used; ``message`` (``error.<key>`` of ``messages/submission.toml``) says why."""

    def __init__(self, key: str, /, **params: str) -> None:
        super().__init__(f"{key}: {params}")
        self.message = Message("submission", f"error.{key}", params)


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author saw it: CP949 names from Korean Windows zips are recovered."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAME_FLAG:
        # zipfile decodes names without the UTF-8 flag as CP437; Korean Windows writes them in CP949.
        try:
            name = name.encode("cp437").decode("cp949")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def _safe_relative(name: str) -> str | None:
    """``name`` as a clean relative POSIX path, or ``None`` when it is absolute or climbs out."""
    if not name or "\0" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    return "/".join(parts)


class SafeArchive:
    """An opened zip whose whole listing passed the safety checks; entries are read one by one under caps."""

    def __init__(self, path: Path, limits: ArchiveLimits | None = None) -> None:
        self.limits = limits or ArchiveLimits()
        self._total = 0
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ArchiveRefused("zip_corrupt", reason=exc.strerror or type(exc).__name__) from None
        if size > self.limits.max_archive_bytes:
            raise ArchiveRefused("zip_too_large", entry=path.name, limit=mib(self.limits.max_archive_bytes))
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveRefused("zip_corrupt", reason=str(exc) or type(exc).__name__) from None
        try:
            self._infos = self._check_listing(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise

    def _check_listing(self, infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
        if len(infos) > self.limits.max_entries:
            raise ArchiveRefused("zip_too_many", count=str(len(infos)), limit=str(self.limits.max_entries))
        files: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = entry_name(info)
            clean = _safe_relative(name)
            if clean is None:
                raise ArchiveRefused("zip_unsafe_path", entry=name)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefused("zip_symlink", entry=name)
            if info.flag_bits & _ENCRYPTED_FLAG:
                raise ArchiveRefused("zip_encrypted", entry=name)
            if info.is_dir() or not clean:
                continue
            if clean in files:
                # Two entries with one name show different contents to different tools: refuse the trick.
                raise ArchiveRefused("zip_duplicate", entry=name)
            files[clean] = info
        return files

    def files(self) -> list[str]:
        """The relative POSIX paths of the regular files in the archive, sorted."""
        return sorted(self._infos)

    def read(self, name: str, cap: int) -> bytes:
        """Decompress one entry; refused when it really exceeds ``cap``, the ratio or the total budget."""
        info = self._infos[name]
        if info.file_size > cap:
            raise ArchiveRefused("zip_entry_too_large", entry=name, limit=mib(cap))
        try:
            with self._zip.open(info) as handle:
                # zipfile never yields more than the declared size and checks the CRC at the end, so a lying
                # header ends as BadZipFile; reading cap + 1 bytes still bounds the work if that ever changes.
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise ArchiveRefused("zip_corrupt", reason=f"{name}: {exc}") from None
        if len(data) > cap:
            raise ArchiveRefused("zip_entry_too_large", entry=name, limit=mib(cap))
        ratio = len(data) / max(info.compress_size, 1)
        if len(data) > self.limits.ratio_floor and ratio > self.limits.max_ratio:
            raise ArchiveRefused("zip_bomb", entry=name, ratio=f"{ratio:.0f}")
        self._total += len(data)
        if self._total > self.limits.max_total_bytes:
            raise ArchiveRefused("zip_total_too_large", limit=mib(self.limits.max_total_bytes))
        return data

    def close(self) -> None:
        """Close the underlying file."""
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def mib(size: int) -> str:
    """A byte count as the catalogue texts show limits: ``"1 MiB"``, ``"0.5 MiB"``."""
    return f"{size / (1024 * 1024):g} MiB"
