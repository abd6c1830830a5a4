"""Benchmark the main job: grade a synthetic class of five-file submissions, as ratios to a yardstick.

    python benchmarks/grade_class.py [--students 200] [--jobs 2] [--seed 0] [--large 1000] [--otter 4]
                                     [--compare-src OTHER/src] [--repeat N] [--keep DIR]

Absolute times move from machine to machine (and with the load of a shared one), so every figure is also
given as a ratio to a **yardstick measured in the same run**: a cold ``python -c "import numpy"`` (median of
several, before and after the class). The run:

1. builds the class from the reference solutions and the corpus of right and wrong student files
   (``tests/corpus/{right,wrong}/<exercise>/*.py``) and runs ``python -m activation_lab grade CLASS --jobs N
   --out OUT`` as a child process exactly as an instructor would (sandbox on), polling ``/proc`` for every
   process of the tree (CLI, pool workers, sandboxes, zygotes, exercise workers) to find the peak memory
   (a few times a second: at most ~4 % of one core). Where a CPU-accounting cgroup is writable, the CLI runs
   in one and its sandboxes in another (``CpuGroups``, ``ACTIVATION_LAB_ACCOUNTING_CGROUP``): the CPU per
   submission of the trusted side and of the sandbox, user and system, counted by the kernel.
   Each result file is written the moment its submission is graded, so the gaps between their modification
   times are the cost of one submission as the batch sees it with N jobs;
2. records, through the engine's opt-in timing hook (``ACTIVATION_LAB_PROFILE``, see
   ``grading/timing.py``), where each submission's time goes in the trusted worker that graded it;
3. times one submission graded by a cold CLI (what a student's self-check or one Gradescope run pays);
4. times one student call through the sandbox (wall, and the trusted side's CPU) and in-process, and
   the suites alone with the students' code imported in-process (no sandbox): the trusted side's
   own cost per submission; with ``--compare-src OTHER/src``, that and the class are also graded with
   another checkout's engine (a before/after in the same run);
5. grades a class of ``--large`` submissions for its wall time (0 skips it);
6. runs ``otter run`` with the bridge's autograder.zip on ``--otter`` single-file submissions (0 skips it;
   ``benchmarks/otter_compare.py`` does this at length).

Writes ``benchmarks/results.json`` (``{"runs": [...]}``, one per ``--repeat``) and prints a table per run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXERCISE_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py")
TARGET_RATIO_MEDIAN = 0.2  # of the yardstick (issue 9)
TARGET_RATIO_P90 = 0.4
TARGET_MB = 250.0
TARGET_LARGE_S = 60.0
PROFILE_ENV = "ACTIVATION_LAB_PROFILE"  # activation_lab.grading.timing.ENV
PAGE = os.sysconf("SC_PAGE_SIZE")


def build_class(root: Path, students: int, seed: int) -> Path:
    """A class folder of ``students`` folders, each holding all five files: half right, half with mistakes."""
    rng = random.Random(seed)
    corpus = REPO / "tests" / "corpus"
    right = {f: sorted((corpus / "right" / f[:-3]).glob("*.py")) for f in EXERCISE_FILES}
    wrong = {f: sorted((corpus / "wrong" / f[:-3]).glob("*.py")) for f in EXERCISE_FILES}
    klass = root / "class"
    for index in range(students):
        folder = klass / f"student{index:03d}"
        folder.mkdir(parents=True)
        for file_name in EXERCISE_FILES:
            draw = rng.random()
            if draw < 0.5 or not (right[file_name] or wrong[file_name]):
                source = REPO / "solutions" / file_name
            elif draw < 0.65 and right[file_name]:
                source = rng.choice(right[file_name])
            else:
                source = rng.choice(wrong[file_name] or right[file_name])
            shutil.copyfile(source, folder / file_name)
    return klass


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


TICKS = os.sysconf("SC_CLK_TCK")


def _tree_sample(root: int, cpu_seen: dict[tuple[int, int], float]) -> tuple[int, int, int]:
    """(processes, sum of RSS, sum of PSS) in bytes over ``root`` and its descendants; records their CPU time.

    ``cpu_seen`` maps (pid, start time) to the latest CPU seconds seen, so processes that ended still count
    (up to the last sample) even when nobody in the tree waited for them (the sandbox's pid namespace).
    """
    tree = _children()
    pending, count, rss, pss = [root], 0, 0, 0
    while pending:
        pid = pending.pop()
        pending.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            utime, stime, started = int(fields[11]), int(fields[12]), int(fields[19])
            cpu_seen[(pid, started)] = (utime + stime) / TICKS
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                memory = dict(line.split(":", 1) for line in handle if ":" in line and not line[0].isdigit())
            rss += int(memory["Rss"].split()[0]) * 1024
            pss += int(memory["Pss"].split()[0]) * 1024
            count += 1
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return count, rss, pss


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def yardstick(repeats: int = 5) -> list[float]:
    """Seconds of ``repeats`` cold ``python -c "import numpy"`` runs (the same interpreter as the grader)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        times.append(time.perf_counter() - started)
    return times


def _grade_command(paths: list[Path], jobs: int, seed: int, out: Path | None) -> list[str]:
    command = [sys.executable, "-m", "activation_lab", "grade", *map(str, paths), "--jobs", str(jobs)]
    # --course: every engine compared grades this checkout's course content
    command += ["--format", "json", "--lang", "en", "--seed", str(seed), "--course", str(REPO)]
    return command + (["--out", str(out)] if out is not None else [])


def _env(profile: Path | None, src: Path = REPO / "src") -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop(PROFILE_ENV, None)
    if profile is not None:
        env[PROFILE_ENV] = str(profile)
    return env


def _machine_busy_s() -> float:
    """Seconds of CPU the whole machine has spent busy (user, nice, system, irq, softirq) since boot.

    The tree's own accounting misses the sandbox's processes: they end inside the sandbox's PID namespace
    and their CPU time never reaches a parent we wait for (measured: 7.2 s of a 300-submission run's 18.5 s).
    The machine's counter misses nothing, but counts everything else too: read it on a quiet machine.
    """
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


ACCOUNTING_ENV = "ACTIVATION_LAB_ACCOUNTING_CGROUP"  # activation_lab.sandbox.cgroup.ACCOUNTING_ENV
CGROUP_ROOT = Path("/sys/fs/cgroup")


class CpuGroups:
    """Two CPU-accounting cgroups for one graded run: ``trusted`` (CLI, grading workers) and ``sandbox``.

    The CLI joins ``trusted`` before it execs (every process it forks inherits the group); the engine starts
    every sandbox in ``sandbox`` when ``ACTIVATION_LAB_ACCOUNTING_CGROUP`` names it (``sandbox/cgroup.py``:
    the sandbox's first process joins before it becomes bubblewrap, so bubblewrap, the zygote and the
    exercise workers count there). The kernel counts every process, also those that end inside the sandbox's
    PID namespace, which nobody waits for. cgroup v1 ``cpuacct`` or v2 ``cpu.stat``, where writable.
    """

    def __init__(self, version: str, base: Path) -> None:
        self.version = version
        self.base = base
        self.trusted = base / "trusted"
        self.sandbox = base / "sandbox"

    @classmethod
    def create(cls) -> CpuGroups | None:
        """New groups under the first writable CPU-accounting hierarchy, or ``None`` (no cgroups here)."""
        name = f"activation-lab-bench-{os.getpid()}-{time.monotonic_ns()}"
        for version, parent in cls._hierarchies():
            groups = cls(version, parent / name)
            try:
                groups.base.mkdir()
                groups.trusted.mkdir()
                groups.sandbox.mkdir()
                if version == "v2":  # so the engine's memory cgroup can be made inside (best effort)
                    for folder in (groups.base, groups.sandbox):
                        with contextlib.suppress(OSError):
                            (folder / "cgroup.subtree_control").write_text("+memory")
                groups.usage("trusted")
            except (OSError, ValueError, KeyError):
                groups.remove(wait=0)
                continue
            return groups
        return None

    @staticmethod
    def _hierarchies() -> list[tuple[str, Path]]:
        found = []
        if (CGROUP_ROOT / "cpuacct" / "cpuacct.usage").is_file():
            found.append(("v1", CGROUP_ROOT / "cpuacct"))
        try:
            own = next(
                line[3:].strip("/")
                for line in Path("/proc/self/cgroup").read_text().splitlines()
                if line.startswith("0::")
            )
        except (OSError, StopIteration):
            return found
        for mount in (CGROUP_ROOT, CGROUP_ROOT / "unified"):  # pure v2, or the hybrid layout's v2 tree
            if (mount / "cgroup.controllers").is_file():
                found.append(("v2", mount / own if own else mount))
        return found

    def join_trusted(self) -> None:
        """Move the calling process into ``trusted`` (the CLI's ``preexec_fn``: before it execs)."""
        (self.trusted / "cgroup.procs").write_text(str(os.getpid()))

    def usage(self, which: str) -> tuple[float, float, float]:
        """CPU seconds (total, user, system) the group's processes used so far, ended ones included."""
        folder = self.trusted if which == "trusted" else self.sandbox
        if self.version == "v2":
            stat = dict(line.split() for line in (folder / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6, int(stat["user_usec"]) / 1e6, int(stat["system_usec"]) / 1e6
        total = int((folder / "cpuacct.usage").read_text()) / 1e9
        try:  # nanoseconds where the kernel has them, else clock ticks
            user = int((folder / "cpuacct.usage_user").read_text()) / 1e9
            system = int((folder / "cpuacct.usage_sys").read_text()) / 1e9
        except OSError:
            stat = dict(line.split() for line in (folder / "cpuacct.stat").read_text().splitlines())
            user, system = int(stat["user"]) / TICKS, int(stat["system"]) / TICKS
        return total, user, system

    def remove(self, wait: float = 10.0) -> None:
        """Remove the groups once their processes are gone (a sandbox may take a moment to end)."""
        deadline = time.monotonic() + wait
        for folder in (self.sandbox, self.trusted, self.base):
            while folder.is_dir():
                for child in [c for c in folder.iterdir() if c.is_dir()]:  # v2: memory cgroups left over
                    with contextlib.suppress(OSError):
                        child.rmdir()
                try:
                    folder.rmdir()
                except OSError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.1)


def _used(groups: CpuGroups, before: dict[str, tuple[float, float, float]]) -> dict[str, list[float]]:
    """CPU seconds (total, user, system) of each group since ``before``."""
    return {
        which: [a - b for a, b in zip(groups.usage(which), before[which], strict=True)]
        for which in ("trusted", "sandbox")
    }


def _cpu_split(version: str, used: dict[str, list[float]], students: int) -> dict:
    """Milliseconds of CPU per submission of each group, user and system."""
    split: dict[str, object] = {"method": f"cgroup {version}"}
    for which, (total, user, system) in used.items():
        split[which] = {
            "ms": round(1000 * total / students, 1),
            "user_ms": round(1000 * user / students, 1),
            "sys_ms": round(1000 * system / students, 1),
        }
    # an engine that ignores ACCOUNTING_ENV (an older checkout) leaves every process in the trusted group
    split["separated"] = used["sandbox"][0] > 0
    return split


def grade_class(
    klass: Path, work: Path, jobs: int, seed: int, profile: Path | None, src: Path = REPO / "src"
) -> dict:
    """Grade the class in a child process with the engine in ``src``; wall, CPU, peak memory, gaps."""
    out = work / "out"
    command = _grade_command([klass], jobs, seed, out)
    groups = CpuGroups.create()
    env = _env(profile, src)
    if groups is not None:
        env[ACCOUNTING_ENV] = str(groups.sandbox)
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _machine_busy_s()
    group_before = {which: groups.usage(which) for which in ("trusted", "sandbox")} if groups else {}
    started = time.monotonic()
    started_wall = time.time()
    sampler_cpu = 0.0
    samples = 0
    # Files, not pipes: a class's JSON array is far larger than a pipe buffer and nobody reads it early.
    stdout_path, stderr_path = work / "stdout.json", work / "stderr.txt"
    try:
        with stdout_path.open("wb") as stdout_file, stderr_path.open("wb") as stderr_file:
            process = subprocess.Popen(
                command,
                stdout=stdout_file,
                stderr=stderr_file,
                env=env,
                preexec_fn=groups.join_trusted if groups is not None else None,
            )
            peak_rss = peak_pss = peak_processes = 0
            cpu_seen: dict[tuple[int, int], float] = {}
            while process.poll() is None:
                sample_started = time.process_time()
                count, rss, pss = _tree_sample(process.pid, cpu_seen)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
                peak_processes = max(peak_processes, count)
                cost = time.process_time() - sample_started
                sampler_cpu += cost
                samples += 1
                # Reading smaps_rollup of ~25 processes costs ~10 ms of CPU (and takes each one's memory
                # map lock): at most ~4 % of one core, however fast the machine, so it barely competes.
                _wait(process, max(SAMPLE_SECONDS, SAMPLER_SHARE * cost))
        wall = time.monotonic() - started
        machine_cpu = _machine_busy_s() - busy_before
        # The processes we wait for, and those seen in /proc while they ran (the sandbox's are not all seen).
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        waited_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        cpu = max(waited_cpu, sum(cpu_seen.values()))
        used = None
        if groups is not None:
            _wait_for_sandboxes(groups)
            used = _used(groups, group_before)
    finally:
        if groups is not None:
            groups.remove()
    load_after = os.getloadavg()[0]
    if process.returncode != 0:
        stderr = stderr_path.read_text(errors="replace")[-3000:]
        raise SystemExit(f"grading failed ({process.returncode}):\n{stderr}")
    reports = json.loads(stdout_path.read_text(encoding="utf-8"))
    finished = sorted(path.stat().st_mtime_ns / 1e9 for path in out.glob("*.json"))
    gaps = [b - a for a, b in zip([started_wall, *finished], finished, strict=False)][1:]
    students = len(reports)
    scores = [r["score"] for r in reports]
    split = None
    if groups is not None and used is not None and students:
        split = _cpu_split(groups.version, used, students)
        cpu = used["trusted"][0] + used["sandbox"][0]  # exact: the kernel's count of the whole tree
    return {
        "students": students,
        "jobs": jobs,
        "isolation": reports[0]["isolation"] if reports else "?",
        "graded": sum(1 for r in reports if r["status"] == "graded"),
        "grades_csv": (out / "grades.csv").is_file(),
        "full_marks": sum(1 for r in reports if r["score"] == r["max_score"]),
        "mean_score": round(statistics.mean(scores), 3),
        "wall_s": round(wall, 3),
        "ms_per_submission_wall": round(1000 * wall / students, 1),
        "ms_per_submission_median": round(1000 * statistics.median(gaps), 1),
        "ms_per_submission_p90": round(1000 * _percentile(gaps, 0.9), 1),
        "startup_to_first_result_s": round(finished[0] - started_wall, 3),
        "cpu_ms_per_submission": round(1000 * cpu / students, 1),
        "cpu_bound_ms_per_submission": round(1000 * cpu / students / min(jobs, os.cpu_count() or 1), 1),
        "machine_cpu_ms_per_submission": round(1000 * machine_cpu / students, 1),
        "machine_busy_share": round(machine_cpu / wall / (os.cpu_count() or 1), 3),
        "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
        "peak_tree_pss_mb": round(peak_pss / 2**20, 1),
        "peak_tree_rss_sum_mb": round(peak_rss / 2**20, 1),
        "peak_processes": peak_processes,
        "cpu_split": split,
        "sampler": {
            "samples": samples,
            "cpu_ms": round(1000 * sampler_cpu, 1),
            "share_of_one_core": round(sampler_cpu / wall, 4),
        },
    }


SAMPLE_SECONDS = 0.05  # the shortest pause between two samples of the tree's memory
SAMPLER_SHARE = 25  # pause at least this many times a sample's own CPU time (<= 4 % of one core)


def _wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)


def _wait_for_sandboxes(groups: CpuGroups, seconds: float = 5.0) -> None:
    """Let the sandboxes' last processes end (they outlive the CLI by a moment) before reading their CPU."""
    deadline = time.monotonic() + seconds
    procs = groups.sandbox / "cgroup.procs"
    while time.monotonic() < deadline:
        try:
            empty = not procs.read_text().strip() and not any(
                (child / "cgroup.procs").read_text().strip()
                for child in groups.sandbox.iterdir()
                if child.is_dir()
            )
        except OSError:
            return
        if empty:
            return
        time.sleep(0.05)


# Phases of grading/timing.py in the order a submission meets them, with what they cover.
PHASES = {
    "load": "read and check the submission's files (parent)",
    "sandbox.start": "take over an idle sandbox or launch one, write the files",
    "sandbox.ready": "wait for the sandbox's zygote (NumPy import) and preloads",
    "sandbox.worker_start": "fork the submission's worker or hand it on, import the student's module",
    "student_calls": "round trips: encode, send, student code runs, receive, decode",
    "checks": "hidden tests' own code: reference calls, output rules, comparisons",
    "feedback": "render failures, advice and hints (failed tests only)",
    "collect": "find the suites' collected tests (pytest collection, once per process)",
    "pytest_session": "a full pytest session (only for suites that need one)",
    "quiz": "grade answers.yaml",
    "report": "report to JSON, hand to parent, write result file and grades.csv",
    "sandbox.close": "kill the workers, confirm, clean up, hand the sandbox on",
    "other": "the rest of grade_submission (runner set-up, records)",
}


def read_profile(folder: Path, students: int) -> dict:
    """Mean milliseconds per submission per phase, over every process's profile lines."""
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    for path in folder.glob("profile-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for name, value in record["seconds"].items():
                seconds[name] = seconds.get(name, 0.0) + value
            for name, value in record["counts"].items():
                counts[name] = counts.get(name, 0) + value
    total = sum(seconds.values()) or 1.0
    phases = {
        name: {"ms": round(1000 * seconds[name] / students, 2), "share": round(seconds[name] / total, 3)}
        for name in [*PHASES, *sorted(set(seconds) - set(PHASES))]
        if name in seconds
    }
    return {
        "phases_ms_per_submission": phases,
        "sum_ms_per_submission": round(1000 * total / students, 1),
        "round_trips_per_submission": round(counts.get("round_trips", 0) / students, 1),
        "tests_per_submission": round(counts.get("tests", 0) / students, 1),
        "workers_per_submission": round(counts.get("workers", 0) / students, 2),
        "hand_overs_per_submission": round(counts.get("hand_overs", 0) / students, 2),
        "note": "worker time (each worker grades one submission at a time); parent phases divided by n",
    }


def cold_single(submission: Path, seed: int, repeats: int = 3) -> list[float]:
    """Seconds of ``repeats`` cold CLI runs grading one submission (sandbox on).

    The runs share a quiz cache (``quiz/cache.py``) that starts empty: the first run reads and validates
    the quizzes (what a first Gradescope run pays), the others take them from the cache (a regrade).
    """
    times = []
    with tempfile.TemporaryDirectory(prefix="activation-lab-bench-cache-") as cache:
        env = {**_env(None), "ACTIVATION_LAB_CACHE": cache}
        for _ in range(repeats):
            started = time.perf_counter()
            command = _grade_command([submission], 1, seed, None)
            subprocess.run(command, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - started)
    return times


TRUSTED_ONLY = """
import json, statistics, sys, time
from pathlib import Path
from activation_lab.course import load_course
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import run_suites
course = load_course(Path(sys.argv[1]))
folders = sorted(Path(sys.argv[2]).iterdir())
def students(folder):
    return {s.id: InProcessStudent(folder / s.file) for s in course.exercises if (folder / s.file).is_file()}
run_suites(course, students(folders[0]), lang="en", seed=0)  # collection and imports are not per submission
times = []
for folder in folders[1:]:
    chosen = students(folder)
    started = time.perf_counter()
    run_suites(course, chosen, lang="en", seed=0)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


ROUND_TRIP = """
import json, sys, time
from pathlib import Path
import numpy as np
from activation_lab.grading.student import InProcessStudent
from activation_lab.sandbox.session import SubmissionSandbox
path = Path(sys.argv[1])
inputs = {"scalar": 3.0, "array": np.linspace(-5, 5, 20).reshape(4, 5)}
out, n = {}, 200
with SubmissionSandbox({"relu.py": path.read_text()}) as box:
    student = box.open("relu")
    for label, x in inputs.items():
        student.call("relu", x)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            student.call("relu", x)
        out[label] = {"wall_us": 1e6 * (time.perf_counter() - wall) / n,
                      "trusted_cpu_us": 1e6 * (time.process_time() - cpu) / n}
local = InProcessStudent(path)
for label, x in inputs.items():
    wall = time.perf_counter()
    for _ in range(n):
        local.call("relu", x)
    out[label]["in_process_us"] = 1e6 * (time.perf_counter() - wall) / n
print(json.dumps(out))
"""


def round_trips() -> dict:
    """Microseconds per student call through the sandbox (wall, and the trusted side's CPU) and in-process.

    ``relu`` of the reference solution on a float and on a 4x5 array, 200 calls each.
    """
    done = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, str(REPO / "solutions" / "relu.py")],
        check=True,
        capture_output=True,
        env=_env(None),
    )
    measured = json.loads(done.stdout)
    return {kind: {k: round(v) for k, v in values.items()} for kind, values in measured.items()}


def trusted_only(klass: Path, src: Path, count: int = 40) -> float:
    """Median seconds per submission of the suites with the students' code in-process (no sandbox).

    The trusted side's own cost (suites, checks, feedback, records) plus an in-process call per student
    call, measured with the engine in ``src`` (another checkout's ``src`` gives a before/after).
    """
    sample = klass.parent / f"sample-{count}"
    if not sample.exists():
        sample.mkdir()
        for folder in sorted(klass.iterdir())[: count + 1]:
            shutil.copytree(folder, sample / folder.name)
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop(PROFILE_ENV, None)
    done = subprocess.run(
        [sys.executable, "-c", TRUSTED_ONLY, str(REPO), str(sample)],
        check=True,
        capture_output=True,
        env=env,
    )
    return statistics.median(json.loads(done.stdout))


def run(
    students: int,
    jobs: int,
    seed: int,
    keep: Path | None,
    large: int = 0,
    otter: int = 0,
    compare_src: Path | None = None,
) -> dict:
    """Build the class, grade it in a child process, and measure it beside the yardstick."""
    work = Path(tempfile.mkdtemp(prefix="activation-lab-bench-")) if keep is None else keep
    try:
        load_start = os.getloadavg()
        sticks = yardstick()
        klass = build_class(work, students, seed)
        profile = work / "profile"
        profile.mkdir()
        (work / "main").mkdir()
        result = grade_class(klass, work / "main", jobs, seed, profile)
        result["profile"] = read_profile(profile, students)
        result["trusted_only_ms_per_submission"] = round(1000 * trusted_only(klass, REPO / "src"), 2)
        if compare_src is not None:
            before = trusted_only(klass, compare_src)
            result["trusted_only_compare"] = {"src": str(compare_src), "ms": round(1000 * before, 2)}
            (work / "before").mkdir()
            graded = grade_class(klass, work / "before", jobs, seed, None, compare_src)
            ours = {path.name: path.read_bytes() for path in (work / "main" / "out").glob("*.json")}
            theirs = {path.name: path.read_bytes() for path in (work / "before" / "out").glob("*.json")}
            result["compare"] = {
                "src": str(compare_src),
                "identical_result_files": sum(1 for name, data in ours.items() if theirs.get(name) == data),
            } | {
                key: graded[key]
                for key in (
                    "ms_per_submission_median",
                    "ms_per_submission_p90",
                    "ms_per_submission_wall",
                    "cpu_ms_per_submission",
                    "cpu_split",
                    "machine_cpu_ms_per_submission",
                    "peak_tree_pss_mb",
                    "mean_score",
                    "load_average_before_after",
                )
            }
        result["round_trip_us"] = round_trips()
        single = cold_single(klass / "student000", seed)
        result["cold_single_submission_s"] = [round(t, 3) for t in single]
        if large:
            big = build_class(work / "large", large, seed + 1)
            (work / "large" / "run").mkdir()
            measured = grade_class(big, work / "large" / "run", jobs, seed, None)
            result["large"] = {
                key: measured[key]
                for key in (
                    "students",
                    "graded",
                    "grades_csv",
                    "wall_s",
                    "ms_per_submission_wall",
                    "peak_tree_pss_mb",
                    "load_average_before_after",
                )
            }
        if otter:
            sys.path.insert(0, str(REPO / "benchmarks"))
            from otter_compare import run as otter_run

            compared = otter_run(otter, jobs, seed, None, None)
            result["otter"] = {
                key: compared[key]
                for key in (
                    "submissions",
                    "activation_lab_ms_per_submission",
                    "otter_run_ms_per_submission",
                    "otter_run_median_single_run_s",
                    "speedup",
                    "score_mismatches",
                    "load_average_before_after",
                )
            }
        sticks += yardstick()
        stick = statistics.median(sticks)
        result["yardstick_numpy_import_s"] = [round(t, 3) for t in sticks]
        result["yardstick_median_s"] = round(stick, 4)
        result["ratio_median"] = round(result["ms_per_submission_median"] / 1000 / stick, 3)
        result["ratio_p90"] = round(result["ms_per_submission_p90"] / 1000 / stick, 3)
        result["ratio_wall_per_submission"] = round(result["ms_per_submission_wall"] / 1000 / stick, 3)
        result["ratio_cold_single"] = round(statistics.median(single) / stick, 2)
        result["ratio_cold_single_first"] = round(single[0] / stick, 2)  # quizzes read and validated
        result["ratio_cold_single_cached"] = round(statistics.median(single[1:] or single) / stick, 2)
        result["ratio_trusted_only"] = round(result["trusted_only_ms_per_submission"] / 1000 / stick, 3)
        if "compare" in result:
            for key in ("median", "p90", "wall"):
                ms = result["compare"][f"ms_per_submission_{key}"]
                result["compare"][f"ratio_{key}"] = round(ms / 1000 / stick, 3)
        if otter:
            otter_s = result["otter"]["otter_run_ms_per_submission"] / 1000
            result["otter"]["ratio_otter_per_submission"] = round(otter_s / stick, 1)
        result["load_average_1_5_15_start"] = [round(x, 2) for x in load_start]
        result["load_average_1_5_15_end"] = [round(x, 2) for x in os.getloadavg()]
        result["machine"] = machine()
        return result
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def machine() -> dict[str, object]:
    """What the figures were measured on: Python version, core count, platform."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def split_text(split: dict | None) -> str:
    """``trusted X ms (user/sys), sandbox Y ms (user/sys)`` of a run's ``cpu_split``."""
    if split is None:
        return "n/a (no writable CPU-accounting cgroup here)"

    def part(name: str) -> str:
        used = split[name]
        return f"{name} {used['ms']} ms ({used['user_ms']}/{used['sys_ms']})"

    if not split["separated"]:
        return f"{part('trusted')}: everything (this engine ignores {ACCOUNTING_ENV})"
    return f"{part('trusted')}, {part('sandbox')}"


def _split_rows(split: dict | None, sampler: dict | None) -> list[tuple[str, str]]:
    rows = []
    if split is not None:
        rows.append(("CPU per submission (user/sys)", split_text(split) + f" [{split['method']}]"))
    if sampler is not None:
        rows.append(
            (
                "benchmark's own /proc sampling",
                f"{sampler['cpu_ms']} ms CPU over {sampler['samples']} samples "
                f"= {100 * sampler['share_of_one_core']:.1f} % of one core",
            )
        )
    return rows


def table(result: dict) -> list[tuple[str, str]]:
    """The printed rows of a result."""
    stick = result["yardstick_median_s"]
    single = result["cold_single_submission_s"]
    rows = [
        (
            "yardstick: cold `import numpy`",
            f"{1000 * stick:.0f} ms (median of {len(result['yardstick_numpy_import_s'])})",
        ),
        (
            "submissions graded",
            f"{result['graded']} / {result['students']} "
            f"(jobs {result['jobs']}, sandbox {result['isolation']})",
        ),
        (
            "per submission, median",
            f"{result['ms_per_submission_median']} ms = {result['ratio_median']} x yardstick "
            f"(target <= {TARGET_RATIO_MEDIAN})",
        ),
        (
            "per submission, p90",
            f"{result['ms_per_submission_p90']} ms = {result['ratio_p90']} x yardstick "
            f"(target <= {TARGET_RATIO_P90})",
        ),
        (
            "per submission, wall / n",
            f"{result['ms_per_submission_wall']} ms = {result['ratio_wall_per_submission']} x",
        ),
        (
            "CPU per submission" + (" (cgroups)" if result.get("cpu_split") else " (tree, waited for)"),
            f"{result['cpu_ms_per_submission']} ms "
            f"(/ {result['jobs']} cores = {result['cpu_bound_ms_per_submission']})",
        ),
        *_split_rows(result.get("cpu_split"), result.get("sampler")),
        (
            "CPU per submission (whole machine)",
            f"{result['machine_cpu_ms_per_submission']} ms, cores busy "
            f"{round(100 * result['machine_busy_share'])} % of the run (counts any other load too)",
        ),
        ("total wall", f"{result['wall_s']} s (first result after {result['startup_to_first_result_s']} s)"),
        ("peak memory, process tree (PSS)", f"{result['peak_tree_pss_mb']} MB  (target <= {TARGET_MB:g})"),
        (
            "peak memory, sum of RSS",
            f"{result['peak_tree_rss_sum_mb']} MB over {result['peak_processes']} processes",
        ),
        (
            "one submission, cold CLI",
            f"first {single[0]} s = {result['ratio_cold_single_first']} x yardstick; quizzes cached: "
            f"{min(single[1:] or [0])}-{max(single[1:] or [0])} s = {result['ratio_cold_single_cached']} x",
        ),
    ]
    trusted = f"{result['trusted_only_ms_per_submission']} ms = {result['ratio_trusted_only']} x yardstick"
    if "trusted_only_compare" in result:
        compared = result["trusted_only_compare"]
        trusted += f" (engine in {compared['src']}: {compared['ms']} ms)"
    rows.append(("suites + checks, no sandbox", trusted))
    trip = result["round_trip_us"]
    rows.append(
        (
            "one student call (wall / trusted CPU)",
            f"float {trip['scalar']['wall_us']} / {trip['scalar']['trusted_cpu_us']} us, "
            f"4x5 array {trip['array']['wall_us']} / {trip['array']['trusted_cpu_us']} us "
            f"(in-process {trip['scalar']['in_process_us']} / {trip['array']['in_process_us']} us)",
        )
    )
    if "compare" in result:
        before = result["compare"]
        rows.append(
            (
                "same class, engine in --compare-src",
                f"median {before['ms_per_submission_median']} ms = {before['ratio_median']} x, "
                f"p90 {before['ratio_p90']} x, wall/n {before['ratio_wall']} x, "
                f"CPU {before['cpu_ms_per_submission']} ms ({split_text(before.get('cpu_split'))}), "
                f"{before['peak_tree_pss_mb']} MB, "
                f"{before['identical_result_files']} / {result['students']} result files identical",
            )
        )
    if "large" in result:
        large = result["large"]
        rows.append(
            (
                f"class of {large['students']}, wall",
                f"{large['wall_s']} s (target < {TARGET_LARGE_S:g}), {large['graded']} graded, "
                f"grades.csv {'written' if large['grades_csv'] else 'MISSING'}, "
                f"peak {large['peak_tree_pss_mb']} MB",
            )
        )
    if "otter" in result:
        otter = result["otter"]
        rows.append(
            (
                f"otter run ({otter['submissions']} one-file subs.)",
                f"{otter['otter_run_ms_per_submission'] / 1000:.1f} s each = "
                f"{otter['ratio_otter_per_submission']} x yardstick; "
                f"ours {otter['activation_lab_ms_per_submission']} ms "
                f"({otter['speedup']}x), {len(otter['score_mismatches'])} score mismatches",
            )
        )
    rows.append(
        (
            "load average (1/5/15) start, end",
            f"{result['load_average_1_5_15_start']}, {result['load_average_1_5_15_end']}",
        )
    )
    profile = result["profile"]
    rows.append(
        (
            "profile per submission (worker)",
            f"{profile['sum_ms_per_submission']} ms, {profile['round_trips_per_submission']} round trips, "
            f"{profile['tests_per_submission']} tests, {profile['workers_per_submission']} workers, "
            f"{profile['hand_overs_per_submission']} hand-overs",
        )
    )
    for name, phase in profile["phases_ms_per_submission"].items():
        rows.append(
            (f"  {name}", f"{phase['ms']:7.2f} ms  {100 * phase['share']:5.1f} %  {PHASES.get(name, '')}")
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table, write benchmarks/results.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--large", type=int, default=1000, help="also time a class this big (0: skip)")
    parser.add_argument("--otter", type=int, default=4, help="otter run on this many files (0: skip)")
    parser.add_argument("--keep", type=Path, default=None, help="build the class here and keep it")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure this many times (--large, --otter once)"
    )
    parser.add_argument(
        "--compare-src", type=Path, default=None, help="also grade the class with the engine in this src/"
    )
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results.json")
    args = parser.parse_args(argv)
    if args.keep is not None and args.repeat > 1:
        parser.error("--keep builds one class: use it without --repeat")
    runs = []
    for number in range(args.repeat):
        first = number == 0  # the class of --large and otter only once
        large, otter = (args.large, args.otter) if first else (0, 0)
        result = run(args.students, args.jobs, args.seed, args.keep, large, otter, args.compare_src)
        runs.append(result)
        print(f"run {number + 1} of {args.repeat}")
        rows = table(result)
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
        print(flush=True)
    temporary = args.results.with_name(f".{args.results.name}.tmp")
    temporary.write_text(json.dumps({"runs": runs}, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
