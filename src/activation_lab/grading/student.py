"""The interface through which hidden suites call a student's functions, and its in-process implementation.

The grader hands each hidden suite a ``student`` object implementing :class:`StudentCode`. In a graded run
it is the sandbox's proxy (``sandbox.session``): calls cross to an untrusted child process and come
back as plain data. For tests of the course content and for local self-checks it is
:class:`InProcessStudent`, which imports the student's file in this process; there the student is only
grading themselves.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from activation_lab.records import CallResult, Opaque, Raised
from activation_lab.sandbox import wire
from activation_lab.sandbox.limits import Limits

STDOUT_CAP = Limits().output_bytes


@runtime_checkable
class StudentCode(Protocol):
    """A student's module for one exercise, as the hidden suites see it."""

    @property
    def import_error(self) -> Raised | None:
        """Why the module failed to import, or ``None`` when it imported."""

    def defines(self, name: str) -> bool:
        """Whether the module defines a callable ``name``."""

    def call(self, name: str, *args: Any) -> CallResult:
        """Call ``name(*args)`` on copies of ``args``; raises ``ExerciseAborted`` when the process is gone."""

    def calls(self, name: str, arg_lists: Sequence[tuple[Any, ...]]) -> Iterator[CallResult]:
        """``call(name, *args)`` for each ``args`` in order, yielding each result as it comes.

        Stops after the first result that raised. The caller may stop reading at any point: the results
        it reads are exactly those of the same ``call``s made one by one (the sandbox sends the calls
        together and may have run some of the unread ones; nothing of those is ever reported).
        """


def raised_from(exc: BaseException, student_dir: str) -> Raised:
    """An exception as plain data, keeping only the frames of the student's files: the sandbox's own rule."""
    return Raised(**wire.exception_fields(wire.describe_exception(exc, student_dir)))


def through_wire(value: Any) -> Any:
    """``value`` as the grader would receive it from the sandbox (plain numbers, arrays, or an ``Opaque``)."""
    return wire.decode_value(wire.encode_value(value), opaque=Opaque)


class InProcessStudent:
    """Imports a student file into this process (trusted use only: tests and self-checks)."""

    def __init__(self, path: Path, module_name: str | None = None) -> None:
        self.path = Path(path)
        self.module_name = module_name or self.path.stem
        self._module: ModuleType | None = None
        self._import_error: Raised | None = None
        self._load()

    def _load(self) -> None:
        # Student files may import each other (``from sigmoid import sigmoid``), so their folder goes on
        # sys.path and any module of the same name imported earlier (another student's) is forgotten first.
        folder = str(self.path.parent)
        for name in [m for m in list(sys.modules) if self._is_sibling(m)]:
            del sys.modules[name]
        sys.path.insert(0, folder)
        try:
            spec = importlib.util.spec_from_file_location(self.module_name, self.path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module_name] = module
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                spec.loader.exec_module(module)
            self._module = module
        except BaseException as exc:
            self._import_error = raised_from(exc, os.path.dirname(str(self.path)))
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)

    def _is_sibling(self, module_name: str) -> bool:
        # a module of the same folder, or one named like a file of this folder but imported from elsewhere
        # (another student's sigmoid.py would otherwise answer this student's `from sigmoid import sigmoid`)
        module = sys.modules.get(module_name)
        origin = getattr(module, "__file__", None)
        if origin is None:
            return False
        return Path(origin).parent == self.path.parent or (self.path.parent / f"{module_name}.py").is_file()

    @property
    def import_error(self) -> Raised | None:
        """Why the module failed to import, or ``None``."""
        return self._import_error

    def defines(self, name: str) -> bool:
        """Whether the module defines a callable ``name``."""
        return self._module is not None and callable(getattr(self._module, name, None))

    def call(self, name: str, *args: Any) -> CallResult:
        """Call the student's function on deep copies of ``args`` and record what happened."""
        if self._module is None or not self.defines(name):
            raise AttributeError(f"{self.module_name} defines no function {name!r}")
        function = getattr(self._module, name)
        call_args = copy.deepcopy(args)
        out = io.StringIO()
        value: Any = None
        raised: Raised | None = None
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
            warnings.simplefilter("always")
            try:
                value = function(*call_args)
            except KeyboardInterrupt:  # Ctrl-C of the person running the tests, not the student's result
                raise
            except BaseException as exc:  # SystemExit too, as in the sandbox's worker
                raised = raised_from(exc, os.path.dirname(str(self.path)))
        # The same wire encoding and exception rules as the sandbox, so suites see identical results.
        return CallResult(
            value=through_wire(value) if raised is None else None,
            raised=raised,
            args_after=tuple(through_wire(a) for a in call_args),
            warnings=tuple(wire.describe_warnings(caught)),
            stdout=out.getvalue()[:STDOUT_CAP],
        )

    def calls(self, name: str, arg_lists: Sequence[tuple[Any, ...]]) -> Iterator[CallResult]:
        """``call(name, *args)`` for each ``args``, as the caller reads them; stops after one that raised."""
        for args in arg_lists:
            result = self.call(name, *args)
            yield result
            if result.raised is not None:
                return
