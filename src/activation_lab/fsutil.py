"""Writing files so that a reader never sees half of one: the one ``write_atomic`` of the project."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` via a temporary file beside it and ``os.replace``.

    A reader (or an interrupted run) sees either the old file or the complete new one, never a partial one.
    The file gets ``mode`` (default: what the umask allows for a shared result, not ``mkstemp``'s 0600).
    Missing parent folders are created.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path = Path(path)
    # what replacing() does, on one descriptor (a batch writes two files per submission): no reopening
    try:
        descriptor, name = _temporary_beside(path)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = _temporary_beside(path)
    try:
        try:
            os.fchmod(descriptor, mode if mode is not None else 0o666 & ~_umask())
            view = memoryview(payload)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def _temporary_beside(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


@contextlib.contextmanager
def replacing(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` to write (by any means); it replaces ``path`` when the block ends.

    When the block raises, the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
