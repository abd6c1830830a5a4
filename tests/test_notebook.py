"""The notebook edition: generated from the stubs (never drifts), runs top to bottom in a real kernel, as
shipped (every check cell teaches "not attempted") and with the reference pasted in (all green)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from activation_lab.course import load_course
from activation_lab.handout.notebook import NOTEBOOK_NAME, _split_stub, notebook_text

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "exercises" / NOTEBOOK_NAME


def test_the_committed_notebook_is_generated_from_the_stubs() -> None:
    expected = notebook_text(load_course())
    assert NOTEBOOK.read_text(encoding="utf-8") == expected, (
        "exercises/activations.ipynb is stale: run `python -m activation_lab.handout.notebook`"
    )


def test_the_notebook_needs_no_local_path() -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert str(REPO) not in text and "/work/" not in text and "C:\\\\" not in text
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    first_markdown = notebook.cells[0].source
    assert first_markdown.index("노트북판") < first_markdown.index("notebook edition")  # Korean first


def _stream(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _execute(notebook, folder: Path):
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def _check_cells(notebook) -> dict[str, str]:
    return {
        json.loads(cell.source.split("(", 1)[1].split(",", 1)[0]): _stream(cell)
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.startswith("selfcheck(")
    }


@pytest.mark.slow
def test_as_shipped_every_check_cell_says_not_attempted(tmp_path: Path) -> None:
    notebook = _execute(nbformat.read(NOTEBOOK, as_version=4), tmp_path)
    checks = _check_cells(notebook)
    assert set(checks) == {Path(spec.file).stem for spec in load_course().exercises}
    for exercise, output in checks.items():
        assert f"{exercise}.py" in output and "아직 작성하지 않음" in output, output
        assert "다음 단계: 위 코드 셀에서" in output
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert (
        tmp_path / "activation_lab_selfcheck" / "selfcheck_feedback.py"
    ).is_file()  # unpacked where it runs


@pytest.mark.slow
def test_with_the_reference_pasted_in_everything_is_green(tmp_path: Path) -> None:
    notebook = _execute(nbformat.reads(_filled_notebook(), as_version=4), tmp_path)
    for output in _check_cells(notebook).values():
        assert "모두 통과" in output and "다음 부분으로" in output, output
    figures = [
        o
        for c in notebook.cells
        if c.cell_type == "code" and c.source.startswith("show(")
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(figures) == 5  # the lecture's five figures, drawn once each


def _filled_notebook() -> str:
    """The notebook edition with every reference pasted into its code cells."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    course = load_course()
    for spec in course.exercises:
        _, stub_code = _split_stub((REPO / "exercises" / spec.file).read_text(encoding="utf-8"))
        _, reference_code = _split_stub((course.solutions_dir / spec.file).read_text(encoding="utf-8"))
        cell = next(c for c in notebook.cells if c.cell_type == "code" and c.source == stub_code.rstrip("\n"))
        cell.source = reference_code
    return nbformat.writes(notebook)


def test_the_filled_notebook_edition_is_graded_full_marks(tmp_path: Path, grading_context) -> None:
    from activation_lab.grading.grade import grade_path

    path = tmp_path / "activations.ipynb"
    path.write_text(_filled_notebook(), encoding="utf-8")
    report = grade_path(path, grading_context)
    assert {e.id: e.score for e in report.exercises} == {
        spec.id: 10 for spec in grading_context.course.exercises
    }


PLOTTING_CELLS = [
    "import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline",
    "def plot_relu():\n    x = np.arange(-5.0, 5.0, 0.1)\n    fig = plt.figure()\n"
    "    plt.plot(x, np.maximum(0, x))\n    return fig",
    "import seaborn as sns\nplot_relu()\nplt.show()",
]


def test_a_display_import_stays_only_when_a_function_uses_it() -> None:
    from activation_lab.submissions.notebook import notebook_code

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PLOTTING_CELLS])
    code = notebook_code(nbformat.writes(notebook), ("plot_relu",))
    assert code.code.splitlines()[0] == "import matplotlib.pyplot as plt"  # plot_relu draws with plt
    assert "seaborn" not in code.code and "plt.show()" not in code.code  # unused import, top-level calls
    assert any("seaborn" in line for line in code.dropped)
    assert not any("import matplotlib" in line for line in code.dropped)
