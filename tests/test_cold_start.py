"""The cold single-submission CLI (issue 9): one YAML pass within the bounds, each formula parsed once, and
the commands import only what they use. Grades never depend on any of it."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError as YAMLError

from activation_lab.quiz import formulas
from activation_lab.quiz.load import QuizValidationError, check_yaml_bounds, parse_yaml


def _bomb(levels: int = 7, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _refusal(text: str) -> tuple[str, int, str]:
    with pytest.raises(QuizValidationError) as raised:
        parse_yaml(text, "answers.yaml")
    problem = raised.value.problems[0]
    return problem.text.key, problem.line, str(problem.text.params.get("what", problem.text.params))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_bomb(), id="alias-bomb"),
        pytest.param("a: 1\nb: [\n" + _bomb(), id="syntax-error-before-a-bomb"),
        pytest.param("a: &a [1, *a]\n", id="recursive-alias"),
        pytest.param("x: " + "[" * 100 + "]" * 100 + "\n", id="deep-nesting"),
        pytest.param("a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(150)), id="many-aliases"),
    ],
)
def test_one_pass_refuses_what_the_separate_bounds_pass_refuses_at_the_same_line(text: str) -> None:
    try:
        check_yaml_bounds(text, "answers.yaml")
    except QuizValidationError as exc:
        expected = exc.problems[0]
        assert _refusal(text)[:2] == (expected.text.key, expected.line)
    except YAMLError as exc:  # a syntax error comes before any bound: both stop at the parser's error
        assert exc.problem_mark is not None
        assert _refusal(text)[:2] == ("validate.bad_yaml", exc.problem_mark.line + 1)
    else:
        pytest.fail("every text here passes a bound or is not YAML")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\na: 1\n---\n" + _bomb(), id="second-document"),
        pytest.param("a: 1\na: 2\n" + _bomb(), id="duplicate-key"),
        pytest.param("a: *nowhere\n" + _bomb(), id="undefined-alias"),
    ],
)
def test_a_bound_passed_after_another_error_is_still_what_is_reported(text: str) -> None:
    # The loader stops at the first problem it meets; the bounds keep their precedence over the whole text.
    key, _, what = _refusal(text)
    assert key == "validate.yaml_too_complex", what


def test_an_error_without_a_bound_passed_is_the_loaders_own() -> None:
    assert _refusal("a: 1\na: 2\n")[0] == "validate.duplicate_key"
    assert _refusal("---\na: 1\n---\nb: 2\n")[0] == "validate.bad_yaml"


def test_within_the_bounds_the_data_and_its_lines_are_the_plain_loaders() -> None:
    text = "base: &base {a: 1, b: [1, 2]}\nother: *base\nitems:\n  - id: q1\n    answer: 0.25\n"
    ours, plain = parse_yaml(text, "answers.yaml"), YAML(typ="rt").load(text)
    assert ours == plain
    assert ours["items"][0].lc.line == plain["items"][0].lc.line == 3


def test_a_formula_is_parsed_once_and_evaluated_at_every_point() -> None:
    text = "1/(1+e^(-x))*(1-1/(1+e^(-x)))"
    formulas._parsed.cache_clear()
    values = [formulas.evaluate(text, {"x": x}) for x in (-2.0, 0.0, 0.5, 3.0)]
    assert formulas._parsed.cache_info().misses == 1 and formulas._parsed.cache_info().hits == 3
    for x, value in zip((-2.0, 0.0, 0.5, 3.0), values, strict=True):
        sigma = 1 / (1 + math.exp(-x))
        assert value == pytest.approx(sigma * (1 - sigma), rel=1e-12)


def test_a_parsed_formula_keeps_its_own_variables_and_refusals() -> None:
    formulas._parsed.cache_clear()
    assert formulas.evaluate("2*x", {"x": 3.0}) == 6.0
    with pytest.raises(formulas.FormulaError) as unknown:  # the same text with x undefined this time
        formulas.evaluate("2*x", {})
    assert unknown.value.reason == "formula_unknown_name"
    for _ in range(2):  # a text that does not parse is refused every time, and never kept
        with pytest.raises(formulas.FormulaError) as unreadable:
            formulas.evaluate("2*(x", {"x": 1.0})
        assert unreadable.value.reason == "formula_unreadable"
    assert formulas._parsed.cache_info().currsize == 1


def test_the_parsed_formulas_kept_are_bounded() -> None:
    formulas._parsed.cache_clear()
    for n in range(formulas.PARSED_CACHE_SIZE + 20):
        assert formulas.evaluate(f"x+{n}", {"x": 1.0}) == 1.0 + n
    assert formulas._parsed.cache_info().currsize == formulas.PARSED_CACHE_SIZE


# ---------------------------------------------------------------------------------------------------------
# What a cold command imports, and what a one-submission worker prepares
# ---------------------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pytest", "rich", "lxml", "matplotlib", "calc", "ruamel.yaml")


def _modules_after(code: str) -> set[str]:
    """The heavy modules a fresh interpreter has imported after running ``code``."""
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_command_line_parser_imports_no_heavy_library() -> None:
    # Every command registers its parser; `grade` then pays only for what grading needs.
    code = "from activation_lab.cli.main import build_parser\nbuild_parser()"
    assert _modules_after(code) == set()


def test_a_grading_run_imports_pytest_only_where_it_grades() -> None:
    code = "import activation_lab.grading.batch, activation_lab.cli.grade"
    assert not {"pytest", "numpy", "rich", "matplotlib"} & _modules_after(code)


@pytest.mark.parametrize(
    ("files", "plots"),
    [
        pytest.param(("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py"), False, id="five-files"),
        pytest.param(("relu.py", "plots.py"), True, id="with-plots"),
    ],
)
def test_a_worker_warms_only_the_exercises_of_its_submission(files: tuple[str, ...], plots: bool) -> None:
    code = (
        "from activation_lab.course import load_course\n"
        "from activation_lab.grading.suites import warm_up\n"
        f"warm_up(load_course({str(REPO)!r}), {files!r})"
    )
    assert ("matplotlib" in _modules_after(code)) is plots


def test_warming_only_some_exercises_still_grades_the_others(grading_context, tmp_path: Path) -> None:
    from activation_lab.grading.batch import grade_batch
    from activation_lab.grading.suites import warm_up

    warm_up(grading_context.course, {"relu.py"})
    folder = tmp_path / "alice"
    folder.mkdir()
    for name in ("relu.py", "step.py"):
        (folder / name).write_text((REPO / "solutions" / name).read_text("utf-8"), encoding="utf-8")
    (report,) = grade_batch([folder], grading_context, lang="en", jobs=1).reports
    scores = {exercise["id"]: exercise["score"] for exercise in report["exercises"]}
    assert scores["relu"] == scores["step"] == 10.0


def test_a_context_without_quizzes_reads_no_quiz_file(tmp_path: Path) -> None:
    from activation_lab.errors import CourseError
    from activation_lab.grading.grade import make_context

    course = tmp_path / "course"
    shutil.copytree(REPO, course, ignore=shutil.ignore_patterns(".git", "tests", "benchmarks", "examples"))
    (course / "quizzes" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CourseError):
        make_context(course)  # grading reads every quiz: a broken one stops it
    ctx = make_context(course, quizzes=False)  # check DIR --plot runs the figures only
    assert ctx.quizzes == () and ctx.quiz_version == ""


def test_a_new_sandbox_imports_matplotlib_as_it_starts_not_when_first_used(monkeypatch) -> None:
    # The zygote imports what the files mention while the trusted side prepares; nothing is asked later.
    from activation_lab.sandbox.host import RunningSandbox
    from activation_lab.sandbox.session import SubmissionSandbox, detect_isolation

    asked: list[dict] = []
    ask = RunningSandbox.ask

    def recording_ask(self, message, *args, **kwargs):
        asked.append(message)
        return ask(self, message, *args, **kwargs)

    monkeypatch.setattr(RunningSandbox, "ask", recording_ask)
    monkeypatch.setenv("ACTIVATION_LAB_SANDBOX_REUSE", "0")  # a sandbox of its own, started here
    source = "# draws with matplotlib\nimport sys\n\n\ndef loaded():\n"
    source += "    return 'matplotlib.pyplot' in sys.modules\n"
    with SubmissionSandbox({"probe.py": source}, isolation=detect_isolation()) as box:
        result = box.open("probe").call("loaded")
    assert result.value is True  # the worker, forked from the zygote, has it without importing it
    assert not [message for message in asked if "preload" in message]


# ---------------------------------------------------------------------------------------------------------
# The quiz cache: keyed by content, plain data, bounded, ignored when damaged or not ours
# ---------------------------------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """``value`` with its exact types spelled out (a str subclass such as ruamel's counts as str)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), tuple(_plain(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, tuple):
        return (tuple, tuple(_plain(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((_plain(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, str):
        return (str, str(value))
    return (type(value), value)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """The real course's content folders, to change a quiz in."""
    root = tmp_path / "course"
    for folder in ("autograder", "solutions", "quizzes", "exercises"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def _load(root: Path, folder: Path):
    from activation_lab.course import load_course
    from activation_lab.grading.grade import load_course_quizzes

    os.environ["ACTIVATION_LAB_CACHE"] = str(folder)
    try:
        return load_course_quizzes(load_course(root), cache=True)
    finally:
        os.environ["ACTIVATION_LAB_CACHE"] = "off"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("quizzes-*.json"))


def test_cached_quizzes_are_the_validated_ones_type_for_type(course_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    fresh, version = _load(course_copy, folder)
    assert len(_entries(folder)) == 1
    cached, cached_version = _load(course_copy, folder)
    assert cached_version == version and cached == fresh
    assert _plain(cached) == _plain(fresh)


def test_cached_quizzes_grade_every_example_answer_the_same(course_copy: Path, tmp_path: Path) -> None:
    from activation_lab.quiz.grade import grade_submission_answers

    folder = tmp_path / "cache"
    fresh, _ = _load(course_copy, folder)
    cached, _ = _load(course_copy, folder)
    answers = [*(REPO / "examples").rglob("answers.yaml"), *(REPO / "tests").rglob("answers.yaml")]
    assert len(answers) >= 5
    for path in sorted(answers):
        text = path.read_bytes().decode("utf-8", errors="replace")  # one is CP949 on purpose
        assert grade_submission_answers(list(cached), text) == grade_submission_answers(list(fresh), text)


def test_a_changed_quiz_file_is_read_again(course_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    quiz_file = course_copy / "quizzes" / "neuron.yaml"
    before, version = _load(course_copy, folder)
    text = quiz_file.read_text("utf-8")
    changed = text.replace("    type: single_choice\n", "    type: single_choice\n    points: 7\n", 1)
    assert changed != text
    quiz_file.write_text(changed, encoding="utf-8")
    after, new_version = _load(course_copy, folder)
    assert new_version != version
    maxima = {quiz.id: quiz.max_score for quiz in after}
    assert maxima["neuron-parts"] == {quiz.id: quiz.max_score for quiz in before}["neuron-parts"] + 6
    assert len(_entries(folder)) == 2  # the old content keeps its own entry; it is never served for the new


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "not json at all", id="garbage"),
        pytest.param(lambda text: text.replace('"$": "Quiz"', '"$": "Path"'), id="foreign-class"),
        pytest.param(lambda text: text.replace('"points"', '"pointz"', 1), id="unknown-field"),
        pytest.param(lambda text: text.replace('"key": "', '"key": "0', 1), id="other-key"),
        pytest.param(lambda text: '{"format": 1, "key": "x", "quizzes": [[[[]]]]}', id="bare-lists"),
    ],
)
def test_a_damaged_entry_is_ignored_without_a_crash(course_copy: Path, tmp_path: Path, damage) -> None:
    folder = tmp_path / "cache"
    fresh, _ = _load(course_copy, folder)
    (entry,) = _entries(folder)
    entry.write_text(damage(entry.read_text("utf-8")), encoding="utf-8")
    reread, _ = _load(course_copy, folder)
    assert _plain(reread) == _plain(fresh)
    assert _plain(_load(course_copy, folder)[0]) == _plain(fresh)  # the entry written again serves


def test_an_entry_others_may_write_is_not_read(course_copy: Path, tmp_path: Path) -> None:
    from activation_lab.quiz import cache as quiz_cache

    folder = tmp_path / "cache"
    _load(course_copy, folder)
    (entry,) = _entries(folder)
    key = entry.name[len(quiz_cache.PREFIX) : -len(".json")]
    assert quiz_cache.read(key, folder) is not None
    entry.chmod(0o666)
    assert quiz_cache.read(key, folder) is None
    entry.chmod(0o600)
    folder.chmod(0o777)
    assert quiz_cache.read(key, folder) is None


def test_the_cache_keeps_a_bounded_number_of_entries(course_copy: Path, tmp_path: Path) -> None:
    from activation_lab.quiz import cache as quiz_cache

    folder = tmp_path / "cache"
    quizzes, _ = _load(course_copy, folder)
    for n in range(quiz_cache.MAX_ENTRIES + 3):
        quiz_cache.write(f"{n:064x}", quizzes, folder)
    assert len(_entries(folder)) == quiz_cache.MAX_ENTRIES


def test_broken_quizzes_are_never_cached_and_say_the_same(course_copy: Path, tmp_path: Path) -> None:
    from activation_lab.course import load_course
    from activation_lab.errors import CourseError
    from activation_lab.grading.grade import load_course_quizzes

    (course_copy / "quizzes" / "broken.yaml").write_text("id: x\nitems: [\n", encoding="utf-8")
    with pytest.raises(CourseError) as uncached:
        load_course_quizzes(load_course(course_copy))
    folder = tmp_path / "cache"
    with pytest.raises(CourseError) as cached:
        _load(course_copy, folder)
    assert str(cached.value) == str(uncached.value)
    assert _entries(folder) == []


def test_only_the_strong_sandbox_uses_the_cache(course_copy: Path, tmp_path: Path, monkeypatch) -> None:
    from activation_lab.grading.grade import make_context

    folder = tmp_path / "cache"
    monkeypatch.setenv("ACTIVATION_LAB_CACHE", str(folder))
    for weak in ("unshare", "none"):  # student code may write the grader's files there
        make_context(course_copy, isolation=weak, quiz_cache=True)
    assert _entries(folder) == []
    make_context(course_copy, isolation="bwrap", quiz_cache=True)
    assert len(_entries(folder)) == 1


# ---------------------------------------------------------------------------------------------------------
# The suites of one submission collected in one pytest session
# ---------------------------------------------------------------------------------------------------------


def _records(collection) -> list[tuple]:
    """Every field of every collected test (the test functions compared as objects)."""
    import dataclasses

    return [tuple(getattr(t, f.name) for f in dataclasses.fields(t)) for t in collection.tests]


def test_suites_collected_together_are_recorded_as_one_session_each(course_copy: Path) -> None:
    from activation_lab.course import load_course
    from activation_lab.grading import collect

    course = load_course(course_copy)
    paths = [course_copy / spec.suite for spec in course.exercises]
    together = collect.collect_suites(paths, course_copy)
    keys = [collect._suite_key(path, course_copy) for path in paths]
    assert all(key in collect._TOGETHER for key in keys)  # one session collected them all
    alone = [collect._collect(*key) for key in keys]  # a session per file, as before
    assert [_records(c) for c in together] == [_records(c) for c in alone]
    assert [c.errors for c in together] == [c.errors for c in alone] == [()] * len(paths)
    assert sum(len(c.tests) for c in together) >= 48


def test_a_broken_suite_among_others_says_what_it_says_alone(course_copy: Path) -> None:
    from activation_lab.course import load_course
    from activation_lab.grading import collect

    suite = course_copy / "autograder" / "test_step.py"
    suite.write_text(suite.read_text("utf-8") + "\ndef test_broken(:\n", encoding="utf-8")
    course = load_course(course_copy)
    paths = [course_copy / spec.suite for spec in course.exercises]
    together = collect.collect_suites(paths, course_copy)
    alone = [collect._collect(*collect._suite_key(path, course_copy)) for path in paths]
    broken = [spec.id for spec, c in zip(course.exercises, together, strict=True) if c.errors]
    assert broken == ["step"]
    assert [(c.errors, _records(c)) for c in together] == [(c.errors, _records(c)) for c in alone]


def test_the_sandbox_probe_starts_early_and_is_waited_for() -> None:
    """The CLI starts bubblewrap's probe before importing the engine; whoever asks first waits for it."""
    from activation_lab.sandbox import isolation

    for mode in ("none", "bwrap"):
        isolation.probe_in_background(mode)
        answer = isolation.probe(mode)
        assert not isolation._PROBING[mode].is_alive()
        assert answer is isolation._probe(mode) and (mode != "none" or answer is True)


def test_grading_asks_for_one_blas_thread_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from activation_lab.cli import grade

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    grade.single_threaded_blas()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "3"
