"""Microbenchmark of the sandbox side of one student call: an old and this checkout's worker, interleaved.

    python benchmarks/worker_calls.py [--base main] [--new REV] [--reps 200] [--batch 5]

The old worker (``worker.py``, ``wire.py`` and ``confine.py`` of git revision ``--base``) and the new
one (this checkout's files, or those of ``--new``) are loaded from temporary folders the way the sandbox
loads them (a script beside its own ``wire``). Both answer the same batches in one process, alternately
(A B, B A, ...), of calls of the reference solutions (``solutions/*.py``, the plots left out) with the kinds
of arguments the hidden suites send: Python ints and floats, NumPy float64/int64/float32 scalars, 0-d,
1-d, 2-d, empty and integer arrays. Measured: CPU time (``time.process_time_ns``) of ``_answer_batch``,
which includes each reply frame's JSON and its ``send`` on a socket pair, and of ``_answer`` alone; the
peer's reads are not timed. Every reply frame of the two is compared byte for byte first. Prints the
median per call of each and the ratio new / old (``--new main`` against ``--base main``: how far apart
two copies of the same code come out, about ±3 % on a loaded machine).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from activation_lab.sandbox import wire

ROOT = Path(__file__).resolve().parent.parent
CAP = 1 << 20

ARGUMENTS: list[Any] = [
    0,
    3,
    -2,
    0.5,
    -7.25,
    36.6,
    np.float64(1.5),
    np.float64(-1e-9),
    np.int64(-4),
    np.float32(1.5),
    np.array(0.75),
    np.array(-3),
    np.array([2.0]),
    np.array([-3, 0, 2]),
    np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
    np.zeros((0, 2), dtype=int),
    np.arange(-10.0, 10.0, 0.1),
]
FUNCTIONS = {
    "c2f": ["activate", "C2F"],
    "relu": ["relu", "relu_grad"],
    "sigmoid": ["sigmoid", "sigmoid_grad"],
    "step": ["step", "bipolar_step"],
    "tanh": ["tanh", "tanh_grad"],
}


def load_worker(label: str, base: str | None, folder: Path) -> ModuleType:
    """A worker loaded as the sandbox loads it (a script with its own ``wire`` and ``confine`` beside it):
    the files of git revision ``base``, or this checkout's (``None``)."""
    folder.mkdir()
    for name in ("worker", "wire", "confine"):
        if base is None:
            text = (ROOT / "src" / "activation_lab" / "sandbox" / f"{name}.py").read_text()
        else:
            text = subprocess.run(
                ["git", "show", f"{base}:src/activation_lab/sandbox/{name}.py"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        (folder / f"{name}.py").write_text(text)
    spec = importlib.util.spec_from_file_location(f"{label}_worker", folder / "worker.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"{label}_worker"] = module  # (its dataclasses look their module up there)
    spec.loader.exec_module(module)  # binds its own ``wire`` (``sys.modules["wire"]`` is the last loaded)
    return module


def load_solution(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"solution_{name}", ROOT / "solutions" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def requests(batch: int) -> list[tuple[ModuleType, dict[str, Any]]]:
    """One request per ``batch`` calls of one exercise, its arguments as they arrive (through JSON)."""
    found = []
    ident = 1
    for exercise, names in FUNCTIONS.items():
        module = load_solution(exercise)
        calls = [
            {"name": name, "args": [wire.encode_value(arg, max_array_bytes=CAP)]}
            for name in names
            for arg in ARGUMENTS
        ]
        for start in range(0, len(calls), batch):
            chunk = json.loads(json.dumps(calls[start : start + batch]))
            found.append((module, {"id": ident, "calls": chunk}))
            ident += 1
    return found


def drain(sock: socket.socket) -> bytes:
    sock.setblocking(False)
    chunks = []
    try:
        while True:
            chunks.append(sock.recv(1 << 20))
    except BlockingIOError:
        pass
    sock.setblocking(True)
    return b"".join(chunks)


def run_batches(
    impl: ModuleType, plan: list[tuple[ModuleType, dict[str, Any]]], theirs: socket.socket
) -> int:
    answer_batch = impl._answer_batch
    out = impl.CappedWriter(10_000)
    start = time.process_time_ns()
    for module, request in plan:
        answer_batch(theirs, module, request, "/nowhere", CAP, out)
    return time.process_time_ns() - start


def run_answers(impl: ModuleType, plan: list[tuple[ModuleType, dict[str, Any]]]) -> int:
    answer = impl._answer
    out = impl.CappedWriter(10_000)
    singles = [(module, call) for module, request in plan for call in request["calls"]]
    start = time.process_time_ns()
    for module, call in singles:
        answer(module, call, "/nowhere", CAP, out)
    return time.process_time_ns() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision of the old worker")
    parser.add_argument("--new", default=None, help="git revision of the new one (default: the files here)")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=5)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        impls = {
            "old": load_worker("old", options.base, Path(folder) / "old"),
            "new": load_worker("new", options.new, Path(folder) / "new"),
        }
    plan = requests(options.batch)
    calls = sum(len(request["calls"]) for _, request in plan)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        frames = {}
        for label, impl in impls.items():
            run_batches(impl, plan, theirs)
            frames[label] = drain(ours)
        same = frames["old"] == frames["new"]
        print(f"reply frames byte for byte the same: {same} ({len(frames['new'])} bytes, {calls} calls)")
        if not same:
            return 1
        times: dict[str, dict[str, list[float]]] = {label: {"batch": [], "answer": []} for label in impls}
        gc.disable()  # a collection lands in whichever run happens to trigger it
        try:
            for rep in range(options.reps):
                order = list(impls) if rep % 2 == 0 else list(reversed(impls))
                for label in order:
                    times[label]["batch"].append(run_batches(impls[label], plan, theirs) / calls / 1000)
                    drain(ours)
                    times[label]["answer"].append(run_answers(impls[label], plan) / calls / 1000)
                gc.collect()
        finally:
            gc.enable()
    print(f"{options.reps} alternating runs of {calls} calls in batches of {options.batch}, CPU us per call:")
    for kind in ("batch", "answer"):
        old = statistics.median(times["old"][kind])
        new = statistics.median(times["new"][kind])
        name = "_answer_batch (with the frame)" if kind == "batch" else "_answer alone"
        print(f"  {name:32} old {old:6.2f}  new {new:6.2f}  new/old {new / old:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
