"""The notebook edition ``exercises/activations.ipynb``, generated from the stubs so that the two never drift.

Per exercise (manifest order): the stub's explanation (its module docstring, Korean first) as Markdown, its
code (imports and functions) as one code cell, and a self-check cell that runs the same public checks on the
notebook's own functions. A first cell unpacks the self-check files (embedded, so it works in Colab with no
local path). ``python -m activation_lab.handout.notebook`` rewrites the file; ``tests/test_notebook.py`` fails
when the committed notebook differs from what this module generates.
"""

from __future__ import annotations

import ast
import base64
import json
import sys
import zlib
from pathlib import Path
from typing import Any

import nbformat

from activation_lab.course import Course, load_course

# nbformat has no type hints: reached through Any, so that strict mypy accepts the calls
_V4: Any = nbformat.v4
_WRITES: Any = nbformat.writes

NOTEBOOK_NAME = "activations.ipynb"
CHECK_FILES = ("selfcheck_feedback.py", "selfcheck_plots.py", "conftest.py", "pytest.ini")
PLOT_EXERCISE = "plots"

INTRO = """# 활성화 함수 실습 — 노트북판 / Activation-function exercises — notebook edition

파이썬으로 배우는 기계학습, 3주차(3/3) "활성화 함수". 셀을 위에서부터 차례로 실행하세요.

1. 바로 아래의 **준비 셀**을 한 번 실행합니다 (자가 점검 도구를 준비합니다. 고치지 마세요).
2. 각 부분의 **코드 셀**에서 `raise NotImplementedError(...)` 줄을 여러분의 코드로 바꾸고 실행합니다.
3. 그 아래 **점검 셀**을 실행하면 공개 점검 결과와 힌트, 다음 단계가 나옵니다 (`pytest` 와 같은 점검입니다).

Colab 에서도 그대로 동작합니다. 제출할 때는 이 노트북 파일 하나를 내면 됩니다.
메시지를 영어로 보려면 준비 셀 위에 `%env ACTIVATION_LAB_LANG=en` 을 실행하세요.

"Machine Learning with Python", week 3 (3/3): activation functions. Run the cells from the top:
1. run the **set-up cell** below once (it prepares the self-check; don't edit it);
2. in each part's **code cell**, replace `raise NotImplementedError(...)` with your code and run it;
3. run the **check cell** under it: the public checks, their hints and the next step
   (the same checks as `pytest`).

It works in Colab as it is. To hand in, submit this one notebook file.
For English messages run `%env ACTIVATION_LAB_LANG=en` before the set-up cell.
"""

SETUP = '''# 준비 셀: 자가 점검 도구를 준비합니다. 고치지 마세요.
# Set-up: prepares the self-check. Don't edit.
import base64, json, os, subprocess, sys, types, zlib

CHECK_DIR = os.path.abspath("activation_lab_selfcheck")
os.makedirs(CHECK_DIR, exist_ok=True)
for _name, _text in json.loads(zlib.decompress(base64.b64decode(BUNDLE))).items():
    with open(os.path.join(CHECK_DIR, _name), "w", encoding="utf-8") as _file:
        _file.write(_text)
try:
    import pytest
except ImportError:  # a bare Python: install pytest once
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pytest"], check=True)
    import pytest

FUNCTIONS = FUNCTIONS_OF_EXERCISES


def selfcheck(exercise, namespace):
    """Run the public checks of one exercise on the functions defined in this notebook."""
    module = types.ModuleType(exercise)
    for _function in FUNCTIONS[exercise]:
        if _function in namespace:
            setattr(module, _function, namespace[_function])
    sys.modules[exercise] = module
    test_file = os.path.join(CHECK_DIR, f"test_public_{exercise}.py")
    ini = os.path.join(CHECK_DIR, "pytest.ini")
    pytest.main([test_file, "--notebook", "-c", ini, "--rootdir", CHECK_DIR, "-p", "no:cacheprovider"])


def show(plot_function):
    """Draw one of your plot functions here (or say why it cannot be drawn yet)."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    try:
        figure = plot_function()
    except NotImplementedError:
        print(f"{plot_function.__name__}: 아직 작성하지 않았습니다 / not attempted yet")
        return None
    if not hasattr(figure, "savefig"):
        got = type(figure).__name__
        print(f"{plot_function.__name__}: Figure 를 return 하세요 / return the Figure (got {got})")
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)  # shown once, as this image
    return Image(buffer.getvalue())
'''


def _split_stub(source: str) -> tuple[str, str]:
    """A stub's module docstring and the rest of its code."""
    tree = ast.parse(source)
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines = source.splitlines(keepends=True)
        return first.value.value, "".join(lines[first.end_lineno :]).strip() + "\n"
    return "", source.strip() + "\n"


def _bundle(exercises_dir: Path, course: Course) -> str:
    names = [*CHECK_FILES, *(f"test_public_{Path(spec.file).stem}.py" for spec in course.exercises)]
    files = {name: (exercises_dir / name).read_text(encoding="utf-8") for name in names}
    packed = zlib.compress(json.dumps(files, sort_keys=True, ensure_ascii=False).encode("utf-8"), 9)
    return base64.b64encode(packed).decode("ascii")


CHECK_HERE = "점검: 코드 셀 아래의 점검 셀을 실행하세요 / Check: run the check cell below the code cell."


def _markdown(docstring: str, file: str) -> str:
    """A stub's explanation; its "how to check" line (run pytest) becomes the notebook's way."""
    lines = [CHECK_HERE if "How to check" in line else line for line in docstring.strip().splitlines()]
    return f"## `{file}`\n\n```text\n" + "\n".join(lines) + "\n```\n"


def build_notebook(course: Course) -> Any:
    """The notebook edition of the course's stubs."""
    exercises_dir = course.root / "exercises"
    functions = {Path(spec.file).stem: list(spec.functions) for spec in course.exercises}
    setup = SETUP.replace("BUNDLE)", repr(_bundle(exercises_dir, course)) + ")", 1)
    setup = setup.replace("FUNCTIONS_OF_EXERCISES", json.dumps(functions), 1)
    cells = [_V4.new_markdown_cell(INTRO), _V4.new_code_cell(setup)]
    for spec in course.exercises:
        stem = Path(spec.file).stem
        docstring, code = _split_stub((exercises_dir / spec.file).read_text(encoding="utf-8"))
        cells.append(_V4.new_markdown_cell(_markdown(docstring, spec.file)))
        cells.append(_V4.new_code_cell(code.rstrip("\n")))
        cells.append(_V4.new_code_cell(f'selfcheck("{stem}", globals())'))
        if spec.id == PLOT_EXERCISE:
            cells.append(_V4.new_markdown_cell("### 강의의 그림 / The lecture's figures"))
            cells += [_V4.new_code_cell(f"show({name})") for name in spec.functions]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids: the generated file is compared byte for byte
    notebook = _V4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return notebook


def notebook_text(course: Course) -> str:
    """The notebook as the text written to ``exercises/activations.ipynb``."""
    return str(_WRITES(build_notebook(course))) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite ``exercises/activations.ipynb`` from the stubs."""
    course = load_course(Path(argv[0]) if argv else None)
    target = course.root / "exercises" / NOTEBOOK_NAME
    target.write_text(notebook_text(course), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
