"""The course's validated quizzes kept between runs: a later cold ``grade`` skips their YAML and validation.

Loading the quizzes (ruamel's round-trip parser, then every check of ``quiz.load``) is most of what a cold
single-submission ``grade`` spends before grading. This keeps the quizzes that passed, as plain JSON, in
``$ACTIVATION_LAB_CACHE`` (default ``$XDG_CACHE_HOME/activation-lab``, else ``~/.cache/activation-lab``;
``off`` turns it off). What makes it safe:

- **Keyed by content.** The key hashes every quiz file's name and bytes, the engine's version and the source
  of the modules that validate them (``quiz/*.py``, Open edX's ``calc``). Any change is a different key: a
  changed quiz file is read and validated again, never served from an older copy.
- **Plain data.** An entry is JSON naming only the quiz model's own classes; reading one builds those
  dataclasses through their constructors, nothing else (no pickle). An entry that is too large, does not
  parse, names another key or class, or lacks a field is ignored, and the quizzes are read from the files.
- **Bounded.** At most ``MAX_ENTRIES`` entries of at most ``MAX_ENTRY_BYTES`` each; the oldest go first.
- **Only valid quizzes.** A course whose quizzes have problems is never cached: its errors are found again
  by the full load, with the same messages.
- **Only our own.** An entry, or a folder, that another user owns or that others may write is not read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activation_lab import __version__
from activation_lab.fsutil import write_atomic
from activation_lab.quiz import model

ENV = "ACTIVATION_LAB_CACHE"
FORMAT = 1
MAX_ENTRIES = 8
MAX_ENTRY_BYTES = 8 << 20
PREFIX = "quizzes-"
# The model's classes by name: the only things an entry can build.
CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
}


def cache_dir() -> Path | None:
    """Where entries live, or ``None`` when ``$ACTIVATION_LAB_CACHE`` is ``off``."""
    configured = os.environ.get(ENV, "")
    if configured.lower() in ("off", "0", "no", "false"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "activation-lab"


def _engine_digest() -> bytes:
    """The source of what validates a quiz: a new validation rule is a new key even without a new version."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    sources = sorted(Path(model.__file__).parent.glob("*.py"))
    calc = importlib.util.find_spec("calc")
    if calc is not None and calc.origin:
        sources += sorted(Path(calc.origin).parent.glob("*.py"))
    for path in sources:
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def cache_key(files: Sequence[tuple[str, bytes]], strict: bool = False) -> str:
    """The key of these quiz files (name, bytes) read by this engine."""
    digest = hashlib.sha256(_engine_digest())
    digest.update(b"strict" if strict else b"lenient")
    for name, data in files:
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def encode(value: Any) -> Any:
    """A quiz (or any part of one) as JSON data; ``TypeError`` for anything the model does not hold."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if CLASSES.get(name) is not type(value):
            raise TypeError(f"not a quiz model class: {type(value)!r}")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$": name, "fields": fields}
    if isinstance(value, tuple):
        return {"$": "tuple", "items": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"$": "dict", "items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, str):
        return str(value)  # ruamel's scalar strings are plain text here
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the quiz cache")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; ``ValueError`` for anything it did not write."""
    if isinstance(data, dict):
        kind = data.get("$")
        if kind == "tuple":
            return tuple(decode(item) for item in data["items"])
        if kind == "dict":
            return {decode(key): decode(value) for key, value in data["items"]}
        cls = CLASSES.get(kind) if isinstance(kind, str) else None
        fields = data.get("fields")
        if cls is None or not isinstance(fields, dict):
            raise ValueError(f"not a quiz cache value: {str(data)[:80]}")
        names = {f.name for f in dataclasses.fields(cls)}
        if set(fields) != names:
            raise ValueError(f"{kind}: fields {sorted(fields)} instead of {sorted(names)}")
        return cls(**{name: decode(value) for name, value in fields.items()})
    if isinstance(data, list):
        raise ValueError("a bare list in the quiz cache")
    return data


def _own(path: Path) -> bool:
    """Whether ``path`` belongs to us and no one else may write it."""
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(key: str, folder: Path | None = None) -> tuple[model.Quiz, ...] | None:
    """The quizzes stored under ``key``, or ``None`` (no entry, or one that is not trusted or not sound)."""
    folder = folder if folder is not None else cache_dir()
    if folder is None:
        return None
    path = folder / f"{PREFIX}{key}.json"
    try:
        if not (_own(folder) and _own(path)) or path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        entry = json.loads(path.read_bytes())
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
            return None
        quizzes = decode(entry["quizzes"])
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None  # a damaged entry: read the files instead
    if not isinstance(quizzes, tuple) or not all(isinstance(quiz, model.Quiz) for quiz in quizzes):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: pruned last
    return quizzes


def write(key: str, quizzes: Sequence[model.Quiz], folder: Path | None = None) -> None:
    """Store ``quizzes`` under ``key`` and drop the oldest entries beyond ``MAX_ENTRIES``; never raises."""
    folder = folder if folder is not None else cache_dir()
    if folder is None:
        return
    try:
        payload = json.dumps({"format": FORMAT, "key": key, "quizzes": encode(tuple(quizzes))})
    except (TypeError, ValueError):
        return  # something the model does not usually hold: not cached
    if len(payload) > MAX_ENTRY_BYTES:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _own(folder):
            return
        write_atomic(folder / f"{PREFIX}{key}.json", payload, mode=0o600)
        entries = sorted(folder.glob(f"{PREFIX}*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
