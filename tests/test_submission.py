"""load_submission reads every form of docs/contract.md, "Submissions", forgives usual mistakes."""

from __future__ import annotations

import json
import os
import pickle
import re
import stat
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activation_lab import i18n
from activation_lab.course import Course
from activation_lab.records import ExerciseSpec
from activation_lab.submissions.archive import ArchiveLimits
from activation_lab.submissions.load import (
    Submission,
    content_hash,
    load_submission,
    safe_name,
    unique_safe_names,
)
from activation_lab.submissions.notebook import notebook_code

FUNCTIONS = {
    "c2f": ("activate", "C2F"),
    "sigmoid": ("sigmoid", "sigmoid_grad"),
    "step": ("step", "bipolar_step"),
    "tanh": ("tanh", "tanh_grad"),
    "relu": ("relu", "relu_grad"),
}
SOURCES = {
    "c2f.py": "def activate(z):\n    return 32 if z < 32 else z\n\n"
    "def C2F(C):\n    return activate(9 / 5 * C + 32)\n",
    "sigmoid.py": "import numpy as np\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n"
    "def sigmoid_grad(x):\n    return sigmoid(x) * (1 - sigmoid(x))\n",
    "step.py": "import numpy as np\n\ndef step(x):\n    return np.where(np.asarray(x) >= 0, 1, 0)\n\n"
    "def bipolar_step(x):\n    return np.where(np.asarray(x) >= 0, 1, -1)\n",
    "tanh.py": "import numpy as np\n\ndef tanh(x):\n    return np.tanh(x)\n\n"
    "def tanh_grad(x):\n    return 1 - np.tanh(x) ** 2\n",
    "relu.py": "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, x)\n\n"
    "def relu_grad(x):\n    return (np.asarray(x) > 0) * 1\n",
}
SIGMOID = SOURCES["sigmoid.py"]
ANSWERS = "sigmoid-at-zero: 0.5\n"


@pytest.fixture(scope="module")
def course() -> Course:
    specs = tuple(
        ExerciseSpec(id=i, file=f"{i}.py", functions=f, max_score=10.0, suite=f"autograder/test_{i}.py")
        for i, f in FUNCTIONS.items()
    )
    return Course(root=Path("."), exercises=specs, suite_version="1")


def build(root: Path, tree: dict[str, str | bytes | None]) -> Path:
    """Write ``tree`` (relative path -> text, bytes, or None for a folder) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in tree.items():
        target = root / relative
        if content is None:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_bytes(content.encode("utf-8"))
        else:
            target.write_bytes(content)
    return root


def build_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes | str]], **kwargs) -> Path:
    """Write a zip whose entries are ``(name or ZipInfo, data)``, deflated."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names on purpose
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, **kwargs) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return path


def error_key(submission: Submission) -> str | None:
    return submission.error.key if submission.error is not None else None


# --------------------------------------------------------------------------- folders


@pytest.mark.parametrize(
    ("tree", "files", "notes"),
    [
        pytest.param(SOURCES, set(SOURCES), (), id="five-files"),
        pytest.param(
            {"sigmoid.py": SIGMOID, "relu.py": SOURCES["relu.py"]}, {"sigmoid.py", "relu.py"}, (), id="subset"
        ),
        pytest.param({f"alice/{k}": v for k, v in SOURCES.items()}, set(SOURCES), (), id="one-folder-down"),
        pytest.param({"a/b/sigmoid.py": SIGMOID}, {"sigmoid.py"}, (), id="two-single-folders-down"),
        pytest.param(
            {"work/sigmoid.py": SIGMOID, "data/x.csv": "1,2", "docs/readme.md": "#"},
            {"sigmoid.py"},
            (),
            id="the-one-folder-with-files",
        ),
        pytest.param(
            {"alice/sigmoid.py": SIGMOID, "__MACOSX/alice/._sigmoid.py": b"\0\x05", ".git/HEAD": "ref"},
            {"sigmoid.py"},
            (),
            id="junk-folders-beside-the-folder",
        ),
        pytest.param(
            {
                "sigmoid.py": SIGMOID,
                "conftest.py": "import pytest\n",
                "sitecustomize.py": "import os\n",
                "numpy/__init__.py": "raise SystemExit\n",
                "__pycache__/sigmoid.cpython-311.pyc": b"\0\0",
                ".ipynb_checkpoints/sigmoid-checkpoint.py": "x = 1\n",
                ".DS_Store": b"\0\1",
            },
            {"sigmoid.py"},
            ("note.guarded_ignored", "note.guarded_ignored", "note.folders_ignored"),
            id="hostile-and-junk-files-never-taken",
        ),
        pytest.param(
            {
                "sigmoid.py": SIGMOID,
                "utils.py": "def helper(): pass\n",
                "test_sigmoid.py": "def test(): pass\n",
            },
            {"sigmoid.py"},
            ("note.py_ignored",),
            id="helper-modules-ignored",
        ),
        pytest.param(
            {"sigmoid.py": SIGMOID, "inner.zip": b"PK\5\6" + bytes(18)},
            {"sigmoid.py"},
            ("note.archive_ignored",),
            id="nested-zip-ignored",
        ),
        pytest.param({}, set(), ("note.no_files",), id="empty-folder"),
        pytest.param(
            {"README.txt": "hi", "notes/": None},
            set(),
            ("note.folders_ignored", "note.no_files"),
            id="none-of-the-files",
        ),
    ],
)
def test_folder_forms(tmp_path, course, tree, files, notes) -> None:
    submission = load_submission(build(tmp_path / "alice", tree), course)
    assert submission.status == "graded"
    assert submission.name == "alice"
    assert set(submission.files) == files
    assert submission.note_keys == notes
    for name in files:
        assert submission.files[name] == SOURCES[name]


@pytest.mark.parametrize(
    ("answers_name", "notes"),
    [
        pytest.param("answers.yaml", (), id="yaml"),
        pytest.param("answers.yml", (), id="yml"),
        pytest.param("Answers.YAML", ("note.renamed",), id="upper-case"),
        pytest.param("answers.yaml.txt", ("note.renamed",), id="txt-extension"),
    ],
)
def test_answers_beside_the_files(tmp_path, course, answers_name, notes) -> None:
    submission = load_submission(
        build(tmp_path / "bob", {"sigmoid.py": SIGMOID, answers_name: ANSWERS}), course
    )
    assert submission.answers == ANSWERS
    assert set(submission.files) == {"sigmoid.py"}
    assert submission.note_keys == notes


def test_answers_only_is_graded_without_a_no_files_note(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path / "quizonly", {"answers.yaml": ANSWERS}), course)
    assert (submission.status, submission.files, submission.answers, submission.note_keys) == (
        "graded",
        {},
        ANSWERS,
        (),
    )


def test_yaml_and_yml_both_present_takes_the_yaml(tmp_path, course) -> None:
    tree = {"answers.yaml": ANSWERS, "answers.yml": "other: 1\n"}
    submission = load_submission(build(tmp_path / "s", tree), course)
    assert submission.answers == ANSWERS
    assert submission.note_keys == ("note.duplicate",)


# --------------------------------------------------------------------------- name mistakes


@pytest.mark.parametrize(
    ("names", "taken_from", "notes"),
    [
        pytest.param(["sigmoid.py"], "sigmoid.py", (), id="exact"),
        pytest.param(["Sigmoid.py"], "Sigmoid.py", ("note.renamed",), id="capitalised"),
        pytest.param(["SIGMOID.PY"], "SIGMOID.PY", ("note.renamed",), id="upper-case"),
        pytest.param(["sigmoid.PY"], "sigmoid.PY", ("note.renamed",), id="upper-case-extension"),
        pytest.param(["ｓｉｇｍｏｉｄ.py"], "ｓｉｇｍｏｉｄ.py", ("note.renamed",), id="full-width"),
        pytest.param(["sigmoid.py "], "sigmoid.py ", ("note.renamed",), id="trailing-space"),
        pytest.param(["sigmoid (1).py"], "sigmoid (1).py", ("note.renamed",), id="copy-number"),
        pytest.param(["sigmoid(2).py"], "sigmoid(2).py", ("note.renamed",), id="copy-number-no-space"),
        pytest.param(["sigmoid - Copy.py"], "sigmoid - Copy.py", ("note.renamed",), id="windows-copy"),
        pytest.param(
            ["sigmoid - 복사본.py"], "sigmoid - 복사본.py", ("note.renamed",), id="korean-windows-copy"
        ),
        pytest.param(["sigmoid.py.txt"], "sigmoid.py.txt", ("note.renamed",), id="hidden-txt-extension"),
        pytest.param(["sigmoid.txt"], "sigmoid.txt", ("note.renamed",), id="txt-extension"),
        pytest.param(
            ["시그모이드.py"], "시그모이드.py", ("note.by_content",), id="korean-name-defines-sigmoid"
        ),
        pytest.param(["my_hw3.py"], "my_hw3.py", ("note.by_content",), id="other-name-defines-sigmoid"),
        pytest.param(["sigmoid.py", "Sigmoid.py"], "sigmoid.py", ("note.duplicate",), id="exact-wins"),
        pytest.param(
            ["Sigmoid.py", "sigmoid (1).py"],
            "Sigmoid.py",
            ("note.duplicate", "note.renamed"),
            id="closer-mistake-wins",
        ),
        pytest.param(
            ["sigmoid (1).py", "sigmoid (2).py"],
            None,
            ("note.ambiguous", "note.no_files"),
            id="two-copies-are-ambiguous",
        ),
        pytest.param(["sigmoid.pdf"], None, ("note.wrong_extension", "note.no_files"), id="wrong-extension"),
    ],
)
def test_name_mistakes(tmp_path, course, names, taken_from, notes) -> None:
    submission = load_submission(build(tmp_path / "s", dict.fromkeys(names, SIGMOID)), course)
    assert submission.status == "graded"
    if taken_from is None:
        assert submission.files == {}
    else:
        assert submission.files == {"sigmoid.py": SIGMOID}
        assert submission.origins == {"sigmoid.py": taken_from}
    assert submission.note_keys == notes


def test_a_korean_named_file_that_defines_nothing_is_ignored_with_a_note(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path / "s", {"시그모이드.py": "x = 1\n"}), course)
    assert submission.files == {}
    assert submission.note_keys == ("note.py_ignored", "note.no_files")
    assert "시그모이드.py" in submission.render_notes("ko")[0]


def test_one_file_defining_several_exercises_feeds_each(tmp_path, course) -> None:
    text = SOURCES["sigmoid.py"] + SOURCES["relu.py"]
    submission = load_submission(build(tmp_path / "s", {"homework.py": text}), course)
    assert submission.files == {"sigmoid.py": text, "relu.py": text}
    assert submission.note_keys == ("note.by_content",)


# --------------------------------------------------------------------------- encodings and odd contents

KOREAN = "# 시그모이드 함수\ndef sigmoid(x):\n    return x\n"


@pytest.mark.parametrize(
    ("data", "text", "notes"),
    [
        pytest.param(KOREAN.encode("utf-8"), KOREAN, (), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + KOREAN.encode("utf-8"), KOREAN, (), id="utf-8-bom"),
        pytest.param(KOREAN.encode("cp949"), KOREAN, ("note.decoded",), id="cp949"),
        pytest.param(KOREAN.encode("euc-kr"), KOREAN, ("note.decoded",), id="euc-kr"),
        pytest.param(
            "# 똠방각하\n".encode("cp949"), "# 똠방각하\n", ("note.decoded",), id="cp949-beyond-euc-kr"
        ),
        pytest.param(KOREAN.encode("utf-16"), KOREAN, ("note.decoded",), id="utf-16-notepad"),
        pytest.param(KOREAN.replace("\n", "\r\n").encode(), KOREAN, (), id="crlf"),
        pytest.param(KOREAN.replace("\n", "\r").encode(), KOREAN, (), id="old-mac-cr"),
        pytest.param(
            ("# -*- coding: cp949 -*-\n" + KOREAN).encode("cp949"),
            "# (encoding declaration removed: the file was decoded to UTF-8)\n" + KOREAN,
            ("note.decoded",),
            id="coding-cookie-neutralised",
        ),
        pytest.param(
            b"# -*- coding: utf-8 -*-\nx = 1\n",
            "# -*- coding: utf-8 -*-\nx = 1\n",
            (),
            id="utf-8-cookie-kept",
        ),
        pytest.param(
            b"def sigmoid(x)\n    return x\n", "def sigmoid(x)\n    return x\n", (), id="syntax-error-kept"
        ),
        pytest.param(b"", "", ("note.empty_file",), id="empty"),
        pytest.param(b"  \n\n", "  \n\n", ("note.empty_file",), id="blank"),
        pytest.param(b"\x00\x01import os", None, ("note.binary_file", "note.no_files"), id="nul-bytes"),
        pytest.param(b"\x80\x81\xff def", None, ("note.binary_file", "note.no_files"), id="undecodable"),
    ],
)
def test_encodings_and_contents(tmp_path, course, data, text, notes) -> None:
    submission = load_submission(build(tmp_path / "s", {"sigmoid.py": data}), course)
    assert submission.status == "graded"
    assert submission.files == ({} if text is None else {"sigmoid.py": text})
    assert submission.note_keys == notes


def test_decoded_note_names_the_encoding(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path / "s", {"sigmoid.py": KOREAN.encode("cp949")}), course)
    assert dict(submission.notes[0].params) == {"file": "sigmoid.py", "encoding": "CP949"}


def test_an_oversized_file_in_a_folder_is_missing_with_a_note(tmp_path, course) -> None:
    big = "x = 1\n" * 200_000  # 1.2 MB
    submission = load_submission(
        build(tmp_path / "s", {"sigmoid.py": big, "relu.py": SOURCES["relu.py"]}), course
    )
    assert set(submission.files) == {"relu.py"}
    assert submission.note_keys == ("note.too_large",)


# --------------------------------------------------------------------------- links, devices, unknown paths


def test_a_symlink_in_a_folder_is_never_followed(tmp_path, course) -> None:
    secret = build(tmp_path / "instructor", {"key.py": "def sigmoid(x): return 'SECRET'\n"}) / "key.py"
    folder = build(tmp_path / "s", {"relu.py": SOURCES["relu.py"]})
    (folder / "sigmoid.py").symlink_to(secret)
    (folder / "numpy").symlink_to(tmp_path / "instructor")
    submission = load_submission(folder, course)
    assert set(submission.files) == {"relu.py"}
    assert submission.note_keys == ("note.link_ignored", "note.link_ignored")
    assert all("SECRET" not in text for text in submission.files.values())


def test_a_fifo_named_like_an_exercise_is_skipped_without_blocking(tmp_path, course) -> None:
    folder = build(tmp_path / "s", {"relu.py": SOURCES["relu.py"]})
    os.mkfifo(folder / "sigmoid.py")
    submission = load_submission(folder, course)
    assert set(submission.files) == {"relu.py"}
    assert submission.note_keys == ("note.link_ignored",)


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.py")
    return tmp_path / "pipe.py"


@pytest.mark.parametrize(
    ("make", "key"),
    [
        pytest.param(lambda tmp: tmp / "nowhere", "error.not_found", id="nonexistent"),
        pytest.param(
            lambda tmp: build(tmp, {"notes.txt": "hello"}) / "notes.txt", "error.unsupported", id="txt"
        ),
        pytest.param(
            lambda tmp: build(tmp, {"answers.yaml": ANSWERS}) / "answers.yaml",
            "error.unsupported",
            id="answers-alone",
        ),
        pytest.param(lambda tmp: Path("/dev/null"), "error.unsupported", id="device"),
        pytest.param(lambda tmp: tmp / ("x" * 300), "error.unreadable", id="name-too-long"),
        pytest.param(
            lambda tmp: build(tmp, {"f.txt": "x"}) / "f.txt" / "alice",
            "error.unreadable",
            id="file-as-folder",
        ),
        pytest.param(_fifo, "error.unsupported", id="fifo"),
        pytest.param(
            lambda tmp: build(tmp, {"hello.py": "print('hi')\n"}) / "hello.py",
            "error.unknown_file",
            id="py-for-no-exercise",
        ),
        pytest.param(
            lambda tmp: build(tmp, {"conftest.py": SIGMOID}) / "conftest.py",
            "error.unknown_file",
            id="conftest-alone",
        ),
        pytest.param(
            lambda tmp: build(tmp, {"sigmoid.py": b"\0\1\2"}) / "sigmoid.py", "error.not_text", id="binary-py"
        ),
        pytest.param(
            lambda tmp: build(tmp, {"sigmoid.py": "#" * (1024 * 1024 + 1)}) / "sigmoid.py",
            "error.too_large",
            id="huge-py",
        ),
        pytest.param(
            lambda tmp: build(tmp, {"lab.ipynb": "{not json"}) / "lab.ipynb",
            "error.notebook_invalid",
            id="broken-notebook",
        ),
        pytest.param(
            lambda tmp: build(tmp, {"lab.ipynb": "[1, 2]"}) / "lab.ipynb",
            "error.notebook_invalid",
            id="json-but-no-notebook",
        ),
        pytest.param(
            lambda tmp: build(tmp, {"lab.ipynb": b"\xff\xfe\0\0"}) / "lab.ipynb",
            "error.notebook_invalid",
            id="notebook-of-garbage",
        ),
    ],
)
def test_paths_that_are_not_submissions_give_status_error(tmp_path, course, make, key) -> None:
    submission = load_submission(make(tmp_path), course)
    assert submission.status == "error"
    assert error_key(submission) == key
    assert submission.files == {} and submission.answers is None
    assert submission.render_error("ko") and submission.render_error("en")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_gives_status_error(tmp_path, course) -> None:
    folder = build(tmp_path / "locked", {"sigmoid.py": SIGMOID})
    folder.chmod(0)
    try:
        assert error_key(load_submission(folder, course)) == "error.unreadable"
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_fault_of_the_loader_is_reported_not_raised(tmp_path, course, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("activation_lab.submissions.load.notebook_code", broken)
    submission = load_submission(build(tmp_path, {"n.ipynb": notebook(SIG_DEF)}) / "n.ipynb", course)
    assert (submission.status, error_key(submission)) == ("error", "error.internal")
    assert "RuntimeError: bug" in submission.render_error("en")


# --------------------------------------------------------------------------- single files


@pytest.mark.parametrize(
    ("filename", "name", "files", "notes"),
    [
        pytest.param("sigmoid.py", "sigmoid", {"sigmoid.py"}, (), id="exercise-file"),
        pytest.param("Sigmoid.py", "Sigmoid", {"sigmoid.py"}, ("note.renamed",), id="capitalised"),
        pytest.param("sigmoid.py.txt", "sigmoid", {"sigmoid.py"}, ("note.renamed",), id="txt-extension"),
        pytest.param("kim_2026001.py", "kim_2026001", {"sigmoid.py"}, ("note.by_content",), id="by-content"),
    ],
)
def test_single_py_file(tmp_path, course, filename, name, files, notes) -> None:
    submission = load_submission(build(tmp_path, {filename: SIGMOID}) / filename, course)
    assert (submission.status, submission.name, submission.form) == ("graded", name, "file")
    assert set(submission.files) == files
    assert submission.note_keys == notes


def test_single_empty_file_is_graded_with_a_note(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path, {"relu.py": ""}) / "relu.py", course)
    assert (submission.status, submission.files, submission.note_keys) == (
        "graded",
        {"relu.py": ""},
        ("note.empty_file",),
    )


# --------------------------------------------------------------------------- zips


def symlink_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _encrypted_zip(tmp_path: Path) -> Path:
    """A zip whose entry has the 'encrypted' flag (zipfile cannot write one: the headers are patched)."""
    path = build_zip(tmp_path / "locked.zip", [("sigmoid.py", SIGMOID)])
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # local header: general purpose flags
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    return path


FIVE = [(f"student07/{name}", text) for name, text in SOURCES.items()]


@pytest.mark.parametrize(
    ("entries", "files", "notes"),
    [
        pytest.param(list(SOURCES.items()), set(SOURCES), (), id="files-at-the-top"),
        pytest.param(FIVE, set(SOURCES), (), id="zipped-folder"),
        pytest.param([("student07/", b""), *FIVE], set(SOURCES), (), id="with-folder-entries"),
        pytest.param(
            [*FIVE, ("__MACOSX/student07/._sigmoid.py", b"\0\5\x16\7")], set(SOURCES), (), id="macos-junk"
        ),
        pytest.param([("student07\\sigmoid.py", SIGMOID)], {"sigmoid.py"}, (), id="windows-backslashes"),
        pytest.param([("./sigmoid.py", SIGMOID)], {"sigmoid.py"}, (), id="dot-slash"),
        pytest.param([("s/Sigmoid.py", SIGMOID)], {"sigmoid.py"}, ("note.renamed",), id="name-mistake"),
        pytest.param(
            [("s/sigmoid.py", SIGMOID), ("s/conftest.py", "x")],
            {"sigmoid.py"},
            ("note.guarded_ignored",),
            id="conftest-ignored",
        ),
        pytest.param(
            [("s/sigmoid.py", SIGMOID), ("s/inner.zip", b"PK")],
            {"sigmoid.py"},
            ("note.archive_ignored",),
            id="nested-zip-ignored",
        ),
        pytest.param(
            [("s/sigmoid.py", SIGMOID), ("s/answers.yaml", ANSWERS)], {"sigmoid.py"}, (), id="answers"
        ),
        pytest.param([], set(), ("note.no_files",), id="empty-zip"),
    ],
)
def test_zip_forms(tmp_path, course, entries, files, notes) -> None:
    submission = load_submission(build_zip(tmp_path / "student07.zip", entries), course)
    assert (submission.status, submission.name, submission.form) == ("graded", "student07", "zip")
    assert set(submission.files) == files
    assert submission.note_keys == notes
    for name in files:
        assert submission.files[name] == SOURCES[name]


def test_zip_with_answers_reads_them(tmp_path, course) -> None:
    path = build_zip(tmp_path / "a.zip", [("a/answers.yaml", ANSWERS)])
    assert load_submission(path, course).answers == ANSWERS


def test_zip_names_from_korean_windows_are_decoded(tmp_path, course) -> None:
    path = build_zip(tmp_path / "k.zip", [("XXXX.py", SIGMOID)])
    korean = "시그".encode("cp949")  # 4 bytes, as long as XXXX; no UTF-8 flag, as old Windows zippers write
    path.write_bytes(path.read_bytes().replace(b"XXXX", korean))
    submission = load_submission(path, course)
    assert submission.origins == {"sigmoid.py": "시그.py"}
    assert submission.note_keys == ("note.by_content",)


def _patched_size_zip(tmp_path: Path) -> Path:
    """A zip whose central directory claims 10 bytes for a 2000-byte entry (the sizes are lies)."""
    path = build_zip(tmp_path / "lying.zip", [("sigmoid.py", SIGMOID * 10)])
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def _flipped_byte_zip(tmp_path: Path) -> Path:
    path = build_zip(tmp_path / "flipped.zip", [("sigmoid.py", SIGMOID * 10)])
    data = bytearray(path.read_bytes())
    data[40] ^= 0xFF  # inside the compressed data of the first entry
    path.write_bytes(bytes(data))
    return path


def _truncated_zip(tmp_path: Path) -> Path:
    path = build_zip(tmp_path / "cut.zip", list(SOURCES.items()))
    path.write_bytes(path.read_bytes()[:200])
    return path


@pytest.mark.parametrize(
    ("make", "key"),
    [
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("../evil.py", SIGMOID)]),
            "error.zip_unsafe_path",
            id="traversal",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("s/../../evil.py", SIGMOID)]),
            "error.zip_unsafe_path",
            id="traversal-inside",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("..\\..\\evil.py", SIGMOID)]),
            "error.zip_unsafe_path",
            id="traversal-backslashes",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [(_absolute("/etc/cron.d/x"), "x")]),
            "error.zip_unsafe_path",
            id="absolute",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("C:/Windows/x.py", "x")]),
            "error.zip_unsafe_path",
            id="drive-letter",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [(symlink_entry("sigmoid.py"), "/etc/passwd")]),
            "error.zip_symlink",
            id="symlink",
        ),
        pytest.param(_encrypted_zip, "error.zip_encrypted", id="encrypted"),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [(f"f{i}.txt", "x") for i in range(201)]),
            "error.zip_too_many",
            id="too-many-entries",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("sigmoid.py", b" " * 900_000)]),
            "error.zip_bomb",
            id="bomb-ratio",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("sigmoid.py", os.urandom(600_000).hex())]),
            "error.zip_entry_too_large",
            id="entry-too-large",
        ),
        pytest.param(
            lambda t: build_zip(t / "z.zip", [("sigmoid.py", SIGMOID), ("sigmoid.py", "x = 1\n")]),
            "error.zip_duplicate",
            id="duplicate-entry",
        ),
        pytest.param(_patched_size_zip, "error.zip_corrupt", id="lying-sizes"),
        pytest.param(_flipped_byte_zip, "error.zip_corrupt", id="bad-crc"),
        pytest.param(_truncated_zip, "error.zip_corrupt", id="truncated"),
        pytest.param(
            lambda t: build(t, {"x.zip": b"not a zip at all"}) / "x.zip", "error.zip_corrupt", id="not-a-zip"
        ),
        pytest.param(lambda t: build(t, {"x.zip": b""}) / "x.zip", "error.zip_corrupt", id="empty-file"),
    ],
)
def test_hostile_or_broken_zips_give_status_error(tmp_path, course, make, key) -> None:
    submission = load_submission(make(tmp_path), course)
    assert (submission.status, error_key(submission)) == ("error", key)
    assert submission.files == {}
    assert submission.render_error("en") != submission.render_error("ko")


def _absolute(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # ZipInfo() strips a leading slash; a hostile tool does not
    return info


def test_a_zip_is_never_extracted(tmp_path, course, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = build_zip(tmp_path / "z.zip", [("../escaped.py", "x"), ("sigmoid.py", SIGMOID)])
    load_submission(path, course)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["z.zip"]
    assert not (tmp_path.parent / "escaped.py").exists()


@pytest.mark.parametrize(
    ("limits", "key"),
    [
        pytest.param(ArchiveLimits(max_total_bytes=500), "error.zip_total_too_large", id="total"),
        pytest.param(ArchiveLimits(max_archive_bytes=100), "error.zip_too_large", id="archive-file"),
        pytest.param(ArchiveLimits(max_entries=3), "error.zip_too_many", id="entries"),
    ],
)
def test_zip_limits_are_enforced(tmp_path, course, limits, key) -> None:
    path = build_zip(tmp_path / "z.zip", list(SOURCES.items()))
    assert error_key(load_submission(path, course, limits=limits)) == key


# --------------------------------------------------------------------------- notebooks


def notebook(*cells: str | list[str], markdown: str = "# Lab") -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": markdown}]
            + [
                {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c}
                for c in cells
            ],
        }
    )


IMPORTS = "import numpy as np\nimport matplotlib.pyplot as plt\n"
SIG_DEF = "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"


@pytest.mark.parametrize(
    ("cells", "files", "notes", "kept", "left_out"),
    [
        pytest.param(
            [IMPORTS, SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_dropped", "note.notebook_used"),
            ["import numpy as np", "def sigmoid"],
            ["matplotlib"],
            id="plain",
        ),
        pytest.param(
            [["%matplotlib inline\n", IMPORTS], SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_magics", "note.notebook_dropped", "note.notebook_used"),
            ["def sigmoid"],
            ["%matplotlib"],
            id="line-magic",
        ),
        pytest.param(
            ["import numpy as np", "%%time\n" + SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_magics", "note.notebook_used"),
            ["def sigmoid"],
            ["%%time"],
            id="time-cell-keeps-its-body",
        ),
        pytest.param(
            ["import numpy as np", SIG_DEF, "%%bash\necho hi\n"],
            {"sigmoid.py"},
            ("note.notebook_magics", "note.notebook_used"),
            ["def sigmoid"],
            ["echo"],
            id="bash-cell-dropped",
        ),
        pytest.param(
            ["!pip install numpy\nimport numpy as np", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_shell", "note.notebook_used"),
            ["import numpy"],
            ["pip"],
            id="shell-escape",
        ),
        pytest.param(
            ["import numpy as np\nfiles = !ls", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_shell", "note.notebook_used"),
            ["import numpy"],
            ["ls"],
            id="shell-assignment",
        ),
        pytest.param(
            ["import numpy as np", SIG_DEF, "sigmoid?\n"],
            {"sigmoid.py"},
            ("note.notebook_magics", "note.notebook_used"),
            ["def sigmoid"],
            ["sigmoid?"],
            id="help",
        ),
        pytest.param(
            [
                "import numpy as np",
                SIG_DEF + "x = np.arange(-10, 10, 0.1)\nplt.plot(x, sigmoid(x))\nprint(sigmoid(0))",
            ],
            {"sigmoid.py"},
            ("note.notebook_dropped", "note.notebook_used"),
            ["def sigmoid"],
            ["plt.plot", "print", "np.arange"],
            id="plots-and-prints-dropped",
        ),
        pytest.param(
            [
                "import numpy as np",
                "def sigmoid(x):\n    for _ in range(1):\n        %time pass\n"
                "    return 1 / (1 + np.exp(-x))\n",
            ],
            {"sigmoid.py"},
            ("note.notebook_magics", "note.notebook_used"),
            ["def sigmoid", "pass"],
            ["%time"],
            id="indented-magic-becomes-pass",
        ),
        pytest.param(
            ["import numpy as np\nE = 2.718281828\nrelu = np.vectorize(lambda x: max(0, x))", SIG_DEF],
            {"sigmoid.py", "relu.py"},
            ("note.notebook_used",),
            ["E = 2.718281828", "relu = np.vectorize"],
            [],
            id="assignments-kept",
        ),
        pytest.param(
            ["import numpy as np", SIG_DEF + "if __name__ == '__main__':\n    print(sigmoid(0))\n"],
            {"sigmoid.py"},
            ("note.notebook_used",),
            ["def sigmoid"],
            ["__main__"],
            id="main-guard",
        ),
        pytest.param(
            ["import numpy as np", "def step(x)\n    return x >= 0\n", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_syntax", "note.notebook_used"),
            ["def sigmoid"],
            ["def step"],
            id="syntax-error-cell-left-out",
        ),
        pytest.param(
            ["import numpy as np\nprint('hello')"],
            set(),
            ("note.notebook_dropped", "note.notebook_no_functions"),
            [],
            [],
            id="no-functions",
        ),
        pytest.param([], set(), ("note.notebook_no_functions",), [], [], id="no-code-cells"),
        pytest.param(
            [
                "import numpy as np",
                SIG_DEF,
                "def tanh(x):\n    return 2 * sigmoid(2 * x) - 1\n",
                "def relu(x):\n    return np.maximum(0, x)\n",
            ],
            {"sigmoid.py", "tanh.py", "relu.py"},
            ("note.notebook_used",),
            ["def sigmoid", "def tanh", "def relu"],
            [],
            id="several-exercises",
        ),
        pytest.param(
            ["import numpy as np", "return 1", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_syntax", "note.notebook_used"),
            ["def sigmoid"],
            ["return 1\n"],
            id="return-outside-function-cell-left-out",
        ),
        pytest.param(
            ["import numpy as np", "from __future__ import annotations\n" + SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_used",),
            ["from __future__ import annotations\n\n# --- notebook cell 2 ---\nimport numpy"],
            [],
            id="future-import-hoisted",
        ),
        pytest.param(
            ["import numpy as np\nM = (7\n     % 2)", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_used",),
            ["% 2)"],
            ["pass"],
            id="modulo-continuation-is-not-a-magic",
        ),
        pytest.param(
            ["try:\n    import numpy as np\nexcept ImportError:\n    np = None\n", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_used",),
            ["try:"],
            [],
            id="guarded-import-kept",
        ),
        pytest.param(
            ["import numpy as np\nx = 1; plt.plot(x)", SIG_DEF],
            {"sigmoid.py"},
            ("note.notebook_dropped", "note.notebook_used"),
            ["x = 1"],
            ["plt"],
            id="semicolons",
        ),
    ],
)
def test_notebooks(tmp_path, course, cells, files, notes, kept, left_out) -> None:
    path = build(tmp_path, {"student12.ipynb": notebook(*cells)}) / "student12.ipynb"
    submission = load_submission(path, course)
    assert (submission.status, submission.name, submission.form) == ("graded", "student12", "notebook")
    assert set(submission.files) == files
    assert submission.note_keys == notes
    codes = set(submission.files.values())
    assert len(codes) <= 1, "every exercise gets the whole filtered notebook"
    code = codes.pop() if codes else ""
    compile(code, "student12.py", "exec")
    for snippet in kept:
        assert snippet in code
    for snippet in left_out:
        assert snippet not in code


def test_notebook_module_defines_the_functions_without_plotting(tmp_path, course) -> None:
    cells = [
        "%matplotlib inline\n" + IMPORTS,
        SIG_DEF + "plt.plot([1], [2])\nraise SystemExit('ran a plot cell')",
    ]
    submission = load_submission(build(tmp_path, {"n.ipynb": notebook(*cells)}) / "n.ipynb", course)
    namespace: dict = {}
    exec(compile(submission.files["sigmoid.py"], "sigmoid.py", "exec"), namespace)  # trusted test content
    assert namespace["sigmoid"](0) == 0.5
    assert "plt" not in namespace


def test_nbformat_3_notebooks_are_read(tmp_path, course) -> None:
    old = {
        "nbformat": 3,
        "worksheets": [{"cells": [{"cell_type": "code", "input": ["import numpy as np\n", SIG_DEF]}]}],
    }
    submission = load_submission(build(tmp_path, {"old.ipynb": json.dumps(old)}) / "old.ipynb", course)
    assert set(submission.files) == {"sigmoid.py"}


@pytest.mark.parametrize(
    ("tree", "origins", "notes"),
    [
        pytest.param(
            {
                "sigmoid.py": SIGMOID,
                "lab.ipynb": notebook(
                    "import numpy as np", SIG_DEF, "def relu(x):\n    return np.maximum(0, x)\n"
                ),
            },
            {"sigmoid.py": "sigmoid.py", "relu.py": "lab.ipynb"},
            ("note.notebook_used",),
            id="files-first-notebook-fills-the-rest",
        ),
        pytest.param(
            {**SOURCES, "lab.ipynb": notebook(SIG_DEF)},
            {f: f for f in SOURCES},
            ("note.notebook_unused",),
            id="notebook-unused",
        ),
        pytest.param(
            {"sigmoid.py": SIGMOID, "lab.ipynb": "{broken"},
            {"sigmoid.py": "sigmoid.py"},
            ("note.notebook_invalid",),
            id="broken-notebook-in-folder",
        ),
        pytest.param(
            {
                "s/lab.ipynb": notebook("import numpy as np", SIG_DEF),
                "s/.ipynb_checkpoints/lab-checkpoint.ipynb": notebook("def relu(x): return x"),
            },
            {"sigmoid.py": "s/lab.ipynb"},
            ("note.notebook_used",),
            id="checkpoints-ignored",
        ),
    ],
)
def test_notebooks_in_folders(tmp_path, course, tree, origins, notes) -> None:
    submission = load_submission(build(tmp_path / "s", tree), course)
    assert submission.origins == origins
    assert submission.note_keys == notes


def test_notebook_in_a_zip(tmp_path, course) -> None:
    path = build_zip(tmp_path / "nb.zip", [("nb/lab.ipynb", notebook("import numpy as np", SIG_DEF))])
    submission = load_submission(path, course)
    assert (submission.status, set(submission.files)) == ("graded", {"sigmoid.py"})


# --------------------------------------------------------------------------- names, hashes, notes


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        pytest.param("alice", "alice", id="plain"),
        pytest.param("김철수", "김철수", id="hangul-kept"),
        pytest.param("a b/c\\d", "a_b_c_d", id="separators"),
        pytest.param("../../etc", "etc", id="traversal"),
        pytest.param(".hidden", "hidden", id="leading-dot"),
        pytest.param("CON", "CON_", id="windows-reserved"),
        pytest.param("nul.txt", "nul.txt_", id="windows-reserved-with-extension"),
        pytest.param("", "submission", id="empty"),
        pytest.param("x" * 300, "x" * 100, id="long"),
    ],
)
def test_safe_name(name, safe) -> None:
    assert safe_name(name) == safe


def test_unique_safe_names_differ_even_ignoring_case() -> None:
    assert unique_safe_names(["alice", "Alice", "alice", "a/b", "a_b"]) == [
        "alice",
        "Alice-2",
        "alice-3",
        "a_b",
        "a_b-2",
    ]


def test_content_hash_depends_on_content_only(tmp_path, course) -> None:
    folder = load_submission(build(tmp_path / "alice", {**SOURCES, "answers.yaml": ANSWERS}), course)
    crlf = {name: text.replace("\n", "\r\n") for name, text in SOURCES.items()}
    zipped = load_submission(
        build_zip(tmp_path / "bob.zip", [*crlf.items(), ("answers.yml", ANSWERS)]), course
    )
    changed = load_submission(build(tmp_path / "carol", {**SOURCES, "answers.yaml": "x: 1\n"}), course)
    without = load_submission(build(tmp_path / "dave", SOURCES), course)
    assert folder.content_hash == zipped.content_hash == content_hash(SOURCES, ANSWERS)
    assert len({folder.content_hash, changed.content_hash, without.content_hash}) == 3


def test_submission_is_frozen_and_pickles(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path / "s", {"Sigmoid.py": SIGMOID}), course)
    with pytest.raises(AttributeError):
        submission.name = "x"  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(submission))
    assert copy == submission
    assert copy.notes[0].key == "note.renamed"


def test_notes_are_messages_that_render_in_both_languages(tmp_path, course) -> None:
    submission = load_submission(build(tmp_path / "s", {"Sigmoid.py": SIGMOID}), course)
    (note,) = submission.notes
    assert isinstance(note, i18n.Message) and note.domain == "submission"
    assert pickle.loads(pickle.dumps(note)) == note and hash(note) == hash(pickle.loads(pickle.dumps(note)))
    english, korean = note.render("en"), submission.render_notes("ko")[0]
    assert "Sigmoid.py" in english and "Sigmoid.py" in korean and english != korean
    with pytest.raises(AttributeError):
        note.key = "other"  # type: ignore[misc]


def test_every_message_key_the_loader_uses_is_in_the_catalogue() -> None:
    source_dir = Path(__file__).resolve().parents[1] / "src" / "activation_lab" / "submissions"
    used = set(re.findall(r'Message\(\s*DOMAIN,\s*"([\w.]+)"', (source_dir / "load.py").read_text()))
    used |= {
        f"error.{key}"
        for key in re.findall(r'ArchiveRefused\(\s*"(\w+)"', (source_dir / "archive.py").read_text())
    }
    catalogue = i18n.load_catalog("submission")
    assert used and used <= set(catalogue), sorted(used - set(catalogue))
    assert set(catalogue) <= used, f"unused messages: {sorted(set(catalogue) - used)}"


# --------------------------------------------------------------------------- never an exception


@pytest.mark.parametrize("suffix", [".zip", ".ipynb", ".py"])
@pytest.mark.parametrize("seed", range(12))
def test_random_bytes_never_raise(tmp_path, course, suffix, seed) -> None:
    import random

    generator = random.Random(seed)
    data = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 3000)))
    if suffix == ".zip" and seed % 2:  # a real zip header followed by garbage
        data = build_zip(tmp_path / "seed.zip", [("sigmoid.py", SIGMOID)]).read_bytes()[:60] + data
    path = build(tmp_path, {f"sigmoid{suffix}": data}) / f"sigmoid{suffix}"
    submission = load_submission(path, course)
    assert submission.status in ("graded", "error")
    assert (submission.status == "error") == (submission.error is not None)


def test_a_deeply_nested_notebook_cell_does_not_crash(tmp_path, course) -> None:
    deep = "x = " + "(" * 500 + "1" + ")" * 500
    path = build(tmp_path, {"deep.ipynb": notebook(deep, "import numpy as np\n" + SIG_DEF)}) / "deep.ipynb"
    submission = load_submission(path, course)
    assert submission.status == "graded"
    assert "note.notebook_syntax" in submission.note_keys


FRAGMENTS = [
    "import numpy as np",
    "from __future__ import annotations",
    "return 1",
    "    break",
    "import matplotlib.pyplot as plt",
    "def sigmoid(x):",
    "    return 1 / (1 + np.exp(-x))",
    "    %time sigmoid(1)",
    "@np.vectorize",
    "class Model:",
    "    pass",
    "if True:",
    "for i in range(3):",
    "    print(i)",
    "%matplotlib inline",
    "%%time",
    "!pip install numpy",
    "files = !ls",
    "sigmoid?",
    "x = 1; plt.plot(x)",
    "y = (x",
    "     % 2)",
    "relu = lambda x: np.maximum(0, x)",
    '"""',
    "try:",
    "except ImportError:",
    "",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("\n".join), max_size=5))
def test_filtered_notebook_code_always_compiles(cells) -> None:
    code = notebook_code(notebook(*cells), {"sigmoid", "relu"})
    compile(code.code, "notebook.py", "exec")
    assert not any(line.lstrip().startswith(("%", "!")) for line in code.code.splitlines())
