"""Turn a Jupyter notebook into plain Python without running it: definitions kept, magics and plots left out.

The notebook's JSON is parsed here (no nbformat, no kernel). Code cells are joined into one module that keeps
what the exercises need at import time -- imports, function and class definitions, simple assignments -- and
leaves out what would run the student's experiments at import: IPython magics, shell escapes, plotting and
printing calls. Everything left out is recorded so that the student can be told.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection
from dataclasses import dataclass

from activation_lab.errors import SubmissionError

# Cell magics whose body is plain Python (kept without the magic line); any other cell magic drops its cell.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
# Imports only needed for plots and display: their calls are dropped, and importing them is slow.
DISPLAY_MODULES = frozenset({"matplotlib", "seaborn", "IPython", "plotly", "ipywidgets", "pylab"})
SUMMARY_WIDTH = 60
# Bounds on the work done here, in the trusted process (docs/security.md, "Parsers of the trusted parent"):
MAX_CODE_CELLS = 2000  # code cells read from one notebook
MAX_CODE_CHARS = 256 * 1024  # code of all cells together (parsed three times here; ~100x a real notebook)

_HELP_LINE = re.compile(r"\s*\?{0,2}[\w.]+\?{1,2}\s*")
_IPYTHON_ASSIGN = re.compile(r"\s*[\w.,\s]+=\s*([!%])")  # files = !ls, t = %timeit f()


class NotebookError(SubmissionError):
    """The file is not a readable Jupyter notebook (broken JSON or an unknown structure)."""


@dataclass(frozen=True, slots=True)
class NotebookCode:
    """What a notebook contributes: the filtered module text, and what was removed (with cell numbers)."""

    code: str
    defined: tuple[str, ...]  # top-level names the kept code binds (functions, classes, assignments)
    magics: tuple[str, ...] = ()  # "cell 1: %matplotlib inline"
    shell: tuple[str, ...] = ()  # "cell 2: !pip install numpy"
    dropped: tuple[str, ...] = ()  # "cell 4: plt.plot(x, sigmoid(x))"
    syntax_errors: tuple[tuple[int, int, str], ...] = ()  # (cell, line in the cell, message)
    too_deep: tuple[int, ...] = ()  # cells whose code is nested too deeply to read (left out)


def code_cells(text: str) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell of an nbformat 3 or 4 notebook, numbered from 1."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotebookError(f"not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    cells = document.get("cells")
    if cells is None and isinstance(document.get("worksheets"), list):  # nbformat 3
        cells = [
            cell
            for sheet in document["worksheets"]
            if isinstance(sheet, dict)
            for cell in sheet.get("cells", [])
        ]
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: no list of cells")
    found: list[tuple[int, str]] = []
    total = 0
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            total += len(source)
            if len(found) >= MAX_CODE_CELLS or total > MAX_CODE_CHARS:
                raise NotebookError(
                    f"too much code: more than {MAX_CODE_CELLS} code cells or "
                    f"{MAX_CODE_CHARS // 1024} KiB of code (a notebook of the course holds far less)"
                )
            found.append((number, source.replace("\r\n", "\n").replace("\r", "\n")))
    return found


def notebook_code(text: str, keep_names: Collection[str] = ()) -> NotebookCode:
    """Filter the code cells into one importable module; assignments to ``keep_names`` always stay."""
    magics: list[str] = []
    shell: list[str] = []
    dropped: list[str] = []
    syntax_errors: list[tuple[int, int, str]] = []
    defined: list[str] = []
    parts: list[str] = []
    futures: list[str] = []
    display_imports: list[tuple[str, str, ast.stmt]] = []  # (dropped summary, source, node)
    too_deep: list[int] = []
    for number, source in code_cells(text):
        python = _strip_ipython(number, source, magics, shell)
        if python is None or not python.strip():
            continue
        try:
            compile(python, f"cell {number}", "exec", dont_inherit=True)  # also 'return' outside a function
            tree = ast.parse(python)
        except SyntaxError as exc:
            syntax_errors.append((number, exc.lineno or 0, exc.msg))
            continue
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            syntax_errors.append((number, 0, f"{type(exc).__name__}: {exc}"))
            continue
        cell_defined: list[str] = []
        try:
            cell_futures = [ast.unparse(n) for n in tree.body if _is_future(n)]
            tree.body = [n for n in tree.body if not _is_future(n)]
            kept = _kept_source(number, python, tree, keep_names, dropped, cell_defined, display_imports)
        except (RecursionError, MemoryError):  # an expression nested too deeply to rewrite: the cell's fault
            too_deep.append(number)
            continue
        futures.extend(cell_futures)
        defined.extend(cell_defined)
        if kept.strip():
            parts.append(f"# --- notebook cell {number} ---\n{kept.rstrip()}\n")
    revived = _display_imports_used("\n".join(parts), display_imports)
    if revived:  # ``import matplotlib.pyplot as plt`` stays when a kept function draws with it (plots.py)
        parts.insert(0, "\n".join(dict.fromkeys(source for _, source in revived)) + "\n")
        dropped = [line for line in dropped if line not in {summary for summary, _ in revived}]
    if futures:  # ``from __future__`` imports must open the module, whichever cell they were in
        parts.insert(0, "\n".join(dict.fromkeys(futures)) + "\n")
    return NotebookCode(
        code="\n".join(parts),
        defined=tuple(dict.fromkeys(defined)),
        magics=tuple(magics),
        shell=tuple(shell),
        dropped=tuple(dropped),
        syntax_errors=tuple(syntax_errors),
        too_deep=tuple(too_deep),
    )


def _summary(number: int, text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) > SUMMARY_WIDTH:
        first = first[: SUMMARY_WIDTH - 1] + "…"
    return f"cell {number}: {first}"


def _strip_ipython(number: int, source: str, magics: list[str], shell: list[str]) -> str | None:
    """The cell without IPython syntax (``None`` when the whole cell is a non-Python cell magic)."""
    if _is_python(source):
        return source  # valid Python holds no magic (a line starting with ``%`` may be a continued modulo)
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magics.append(_summary(number, lines[first]))
        name = lines[first].lstrip()[2:].split(maxsplit=1)[0] if lines[first].strip() != "%%" else ""
        if name not in PYTHON_BODY_CELL_MAGICS:
            return None
        lines[first] = ""
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        assigned = _IPYTHON_ASSIGN.match(line)
        escape = assigned.group(1) if assigned and not _is_python(line) else stripped[:1]
        if escape in ("%", "?") or _HELP_LINE.fullmatch(line):
            magics.append(_summary(number, stripped))
        elif escape == "!":
            shell.append(_summary(number, stripped))
        else:
            out.append(line)
            continue
        # ``pass`` keeps an indented block (a magic inside a loop or a def) syntactically whole.
        out.append(f"{indent}pass")
    return "\n".join(out)


def _is_python(text: str) -> bool:
    """Whether the text parses as Python (``x = !ls`` never does; a modulo continued on a new line does)."""
    try:
        ast.parse(text.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _kept_source(
    number: int,
    python: str,
    tree: ast.Module,
    keep_names: Collection[str],
    dropped: list[str],
    defined: list[str],
    display_imports: list[tuple[str, str, ast.stmt]] | None = None,
) -> str:
    lines = python.split("\n")
    starts = [_first_line(node) for node in tree.body]
    kept = []
    for index, node in enumerate(tree.body):
        verdict = _verdict(node, keep_names)
        if verdict is False:
            dropped.append(_summary(number, _first_line_text(lines, node)))
            if display_imports is not None and isinstance(node, (ast.Import, ast.ImportFrom)):
                source = ast.get_source_segment(python, node) or ast.unparse(node)
                display_imports.append((dropped[-1], source, node))
        if not verdict:
            continue
        defined.extend(_bound_names(node))
        shares_line = (index > 0 and tree.body[index - 1].end_lineno == starts[index]) or (
            index + 1 < len(tree.body) and starts[index + 1] == node.end_lineno
        )
        if shares_line:  # ``x = 1; plt.plot(x)``: keep only this statement
            kept.append(ast.unparse(node))
        else:
            kept.append("\n".join(lines[starts[index] - 1 : node.end_lineno]))
    return "\n".join(kept)


def _first_line_text(lines: list[str], node: ast.stmt) -> str:
    """The statement's text on its first line (``ast.get_source_segment`` re-splits the cell each call)."""
    line = lines[node.lineno - 1].encode("utf-8")  # col_offset counts UTF-8 bytes
    end = node.end_col_offset if node.end_lineno == node.lineno else None
    return line[node.col_offset : end].decode("utf-8", "replace")


def _is_future(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return int(min([node.lineno, *(d.lineno for d in decorators)]))


def _verdict(node: ast.stmt, keep_names: Collection[str]) -> bool | None:
    """``True`` keep, ``False`` leave out and tell the student, ``None`` leave out silently."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        return False if any(m.split(".")[0] in DISPLAY_MODULES for m in modules) else True
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        if any(name in keep_names for name in _bound_names(node)):
            return True  # ``relu = np.vectorize(...)`` defines an exercise function: it must stay
        return True if node.value is None or _is_simple(node.value) else False
    if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return None
    if isinstance(node, ast.If) and _is_main_guard(node.test):
        return None
    if isinstance(node, ast.Try):
        inner = [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
        return True if all(_verdict(s, keep_names) is not False for s in inner) else False
    return False


def _is_simple(expression: ast.expr) -> bool:
    """No calls (nor awaits, yields, walrus) outside lambda bodies: evaluating it runs no student code."""
    pending: list[ast.AST] = [expression]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        if isinstance(node, ast.Lambda):
            pending.extend([*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)])
            continue
        pending.extend(ast.iter_child_nodes(node))
    return True


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _display_imports_used(
    code: str, display_imports: list[tuple[str, str, ast.stmt]]
) -> list[tuple[str, str]]:
    """The left-out display imports whose names a kept function or class uses, as (summary, source)."""
    if not display_imports:
        return []
    used: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            used |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    revived = []
    for summary, source, node in display_imports:
        names = [
            alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
            for alias in node.names  # type: ignore[attr-defined]
        ]
        if used & set(names):
            revived.append((summary, source))
    return revived


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Try):
        return [
            name
            for s in [*node.body, *(s for h in node.handlers for s in h.body)]
            for name in _bound_names(s)
        ]
    names: list[str] = []
    for target in targets:
        names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names
