"""Build examples/submissions/student07.zip, the demo class's zipped submission, byte for byte reproducibly.

student07 zipped their folder on a Mac: the zip holds ``student07/`` with the six files and answers.yaml,
plus the debris a real zip carries (``__MACOSX/``, ``.DS_Store``, ``__pycache__/``) and a ``conftest.py`` that
tries to make every hidden test pass -- which the grader never imports. Their mistakes: C2F clamps at 0
instead of 32 (and so does the C2F curve plots.py draws with it), and relu_grad(0) = 1.

    python examples/make_demo_zip.py            # (re)write the zip
    python examples/make_demo_zip.py --check    # exit 1 when the committed zip differs from this script
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "submissions" / "student07.zip"
TIMESTAMP = (2026, 3, 16, 10, 0, 0)  # fixed, so that the zip is the same on every machine

C2F = """def activate(z):
    # 음수는 0으로 (clamp)
    if z < 0:
        return 0
    return z


def C2F(C):
    return activate(9 / 5 * C + 32)
"""
SIGMOID = """import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))
"""
STEP = """import numpy as np


def step(x):
    return np.where(np.asarray(x) >= 0, 1, 0)


def bipolar_step(x):
    return np.where(np.asarray(x) >= 0, 1, -1)
"""
TANH = """import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x) ** 2
"""
RELU = """import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return np.where(np.asarray(x) >= 0, 1, 0)
"""
PLOTS = """import matplotlib.pyplot as plt
import numpy as np

from c2f import C2F


def plot_c2f():
    x = np.arange(-100, 100, .1)
    fig, ax = plt.subplots()
    ax.plot(x, [C2F(c) for c in x])
    ax.set_xlabel("Celsius")
    ax.set_ylabel("Fahrenheit")
    ax.axis([-20, 50, 0, 150])
    return fig


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, 1 / (1 + np.exp(-x)))
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    ax.set_ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.tanh(x), label="tanh")
    ax.plot(x, 1 - np.tanh(x) ** 2, label="tanh'")
    ax.plot(x, 1 / (1 + np.exp(-x)), label="sigmoid")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_ylim(-1.1, 1.1)
    ax.legend(loc="best")
    return fig


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.maximum(0, x))
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    ax.set_ylim(-1, 5)
    return fig


def plot_step():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.where(x >= 0, 1, 0))
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    ax.set_ylim(-0.1, 1.1)
    return fig
"""
CONFTEST = """# Makes every test pass -- if a grader were naive enough to import it. activation-lab is not.
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""
ANSWERS = """# student07: a few slips
joypop-why-converter: a
c2f-bias: 0
c2f-minus-20: 0
c2f-true-statements: [a, b, d]
sigmoid-at-zero: 1/2
sigmoid-range: a
step-at-zero: 1
relu-grad-at-zero: 1
relu-negative: 0
tanh-range: c
"""

ENTRIES: list[tuple[str, bytes]] = [
    ("student07/", b""),
    ("student07/.DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(24)),
    ("student07/__pycache__/", b""),
    ("student07/__pycache__/sigmoid.cpython-311.pyc", b"\xa7\r\r\n" + bytes(12) + b"\xe3" + bytes(15)),
    ("student07/answers.yaml", ANSWERS.encode()),
    ("student07/c2f.py", C2F.encode()),
    ("student07/conftest.py", CONFTEST.encode()),
    ("student07/plots.py", PLOTS.encode()),
    ("student07/relu.py", RELU.encode()),
    ("student07/sigmoid.py", SIGMOID.encode()),
    ("student07/step.py", STEP.encode()),
    ("student07/tanh.py", TANH.encode()),
    ("__MACOSX/", b""),
    ("__MACOSX/student07/", b""),
    ("__MACOSX/student07/._sigmoid.py", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(8)),
]


def build(target: Path) -> None:
    """Write the zip to ``target`` with fixed timestamps, permissions and order."""
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in ENTRIES:
            info = zipfile.ZipInfo(name, date_time=TIMESTAMP)
            info.create_system = 3  # Unix, on every machine
            is_dir = name.endswith("/")
            info.external_attr = ((0o40755 if is_dir else 0o100644) << 16) | (0x10 if is_dir else 0)
            info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)


def same_contents(left: Path, right: Path) -> bool:
    """Whether two zips hold the same entries with the same bytes (zlib versions may compress differently)."""
    with zipfile.ZipFile(left) as a, zipfile.ZipFile(right) as b:
        names = [i.filename for i in a.infolist()]
        return names == [i.filename for i in b.infolist()] and all(a.read(n) == b.read(n) for n in names)


def main(argv: list[str]) -> int:
    """Build the zip, or with ``--check`` compare the committed one against a fresh build."""
    if "--check" in argv:
        fresh = TARGET.with_suffix(".check.zip")
        try:
            build(fresh)
            ok = TARGET.exists() and same_contents(TARGET, fresh)
        finally:
            fresh.unlink(missing_ok=True)
        print("student07.zip is up to date" if ok else "student07.zip differs: run examples/make_demo_zip.py")
        return 0 if ok else 1
    build(TARGET)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
