"""``activation-lab openedx export`` and ``watcher-config``: what they write, read back (no services)."""

from __future__ import annotations

import json
import stat
import tarfile
from pathlib import Path

import pytest
from lxml import etree

from activation_lab.cli.main import main as cli_main
from activation_lab.course import load_course
from activation_lab.integrations.openedx.export import stub_formulas, stub_title
from activation_lab.integrations.openedx.payload import parse_payload
from activation_lab.quiz.load import load_quiz

REPO = Path(__file__).resolve().parents[1]
COURSE = load_course(REPO)
QUIZZES = [load_quiz(path) for path in sorted((REPO / "quizzes").glob("*.yaml"))]


@pytest.fixture(scope="module", params=["ko", "en"])
def exported(request, tmp_path_factory) -> tuple[str, Path, Path]:
    out = tmp_path_factory.mktemp(f"olx-{request.param}")
    assert cli_main(["openedx", "export", str(out), "--lang", request.param, "--queue", "ml-week3"]) == 0
    return (
        request.param,
        out / f"activation-lab-openedx-{request.param}",
        out / f"activation-lab-openedx-{request.param}.tar.gz",
    )


def test_course_passes_olxcleaner(exported):
    from olxcleaner import validate

    _, folder, _ = exported
    course, errorstore, _ = validate(str(folder), steps=8)
    assert course is not None
    serious = [f"{e.name}: {e.description}" for e in errorstore.errors if e.level_val >= 3]
    assert serious == []


def test_one_unit_per_exercise_with_its_code_problem(exported):
    lang, folder, _ = exported
    chapter = etree.parse(folder / "chapter" / "code_exercises.xml").getroot()
    sequential = etree.parse(folder / "sequential" / f"{chapter[0].get('url_name')}.xml").getroot()
    assert sequential.get("graded") == "true"
    units = [etree.parse(folder / "vertical" / f"{v.get('url_name')}.xml").getroot() for v in sequential]
    assert [u.get("display_name") for u in units] == [spec.file for spec in COURSE.exercises]
    with_formulas = 0
    for unit, spec in zip(units, COURSE.exercises, strict=True):
        (ref,) = unit
        problem = etree.parse(folder / "problem" / f"{ref.get('url_name')}.xml").getroot()
        assert problem.get("weight") == f"{spec.max_score:g}"
        assert problem.get("showanswer") == "never"
        response = problem.find("coderesponse")
        assert response.get("queuename") == "ml-week3"
        stub = (REPO / "exercises" / spec.file).read_text(encoding="utf-8")
        assert response.find("codeparam/initial_display").text == stub
        payload = parse_payload(response.find("codeparam/grader_payload").text, COURSE)
        assert (payload.exercise, payload.lang, payload.course_version) == (
            spec.id,
            lang,
            COURSE.suite_version,
        )
        expected_formulas = stub_formulas(stub, lang)
        if expected_formulas:
            formulas = [li.find("span").text for li in problem.find("ul")]
            assert len(formulas) == len(expected_formulas)
            assert all(formula.startswith(": ") and len(formula) > 10 for formula in formulas)
            with_formulas += 1
        else:  # the plots exercise: figures, no formula lines in its stub
            assert problem.find("ul") is None
        answer = response.find("codeparam/answer_display").text
        reference = (REPO / "solutions" / spec.file).read_text(encoding="utf-8")
        assert (
            answer and "def " not in answer and reference not in etree.tostring(problem, encoding="unicode")
        )
    assert with_formulas >= 5  # the five activation exercises show the lecture's formulas


def test_only_the_problem_whose_stub_imports_another_module_says_so(exported):
    _, folder, _ = exported
    saying = []
    for spec in COURSE.exercises:
        problem = etree.parse(folder / "problem" / f"code_{spec.id}.xml").getroot()
        if any("from sigmoid import" in (p.text or "") for p in problem.findall("p")):
            saying.append(spec.id)
    assert saying == ["tanh", "plots"]  # both stubs suggest `from sigmoid import sigmoid`


def test_quizzes_are_capa_problems_written_by_the_quiz_exporter(exported):
    from activation_lab.quiz.export.olx import problem_element

    lang, folder, _ = exported
    for quiz in QUIZZES:
        for number, item in enumerate(quiz.items, start=1):
            written = (folder / "problem" / f"{quiz.id}_{item.id}.xml").read_bytes()
            expected = etree.tostring(problem_element(item, number, lang))
            assert _canonical(written) == _canonical(expected)


def _canonical(xml: bytes) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml, parser), encoding="unicode")


def test_tarball_holds_the_course_folder(exported):
    _, folder, archive = exported
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "course/course.xml" in names and all(n == "course" or n.startswith("course/") for n in names)
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {n.removeprefix("course/") for n in names if tar_is_file(archive, n)} == files


def tar_is_file(archive: Path, name: str) -> bool:
    with tarfile.open(archive) as tar:
        return tar.getmember(name).isfile()


@pytest.mark.parametrize(
    ("lang", "function", "needle"),
    [
        pytest.param("ko", "sigmoid", "σ(x) = 1 / (1 + e^(−x))", id="ko-sigmoid"),
        pytest.param("en", "sigmoid_grad", "σ'(x) = e^(−x) / (1 + e^(−x))²", id="en-sigmoid-grad"),
        pytest.param("en", "C2F", "in Python 9//5 is integer division", id="en-c2f-continuation-line"),
    ],
)
def test_formula_comes_from_the_stub_in_the_problem_language(lang, function, needle):
    spec = next(s for s in COURSE.exercises if function in s.functions)
    stub = (REPO / "exercises" / spec.file).read_text(encoding="utf-8")
    formulas = dict(stub_formulas(stub, lang))
    assert needle in formulas[function]
    assert stub_title(stub, lang) and stub_title(stub, "ko") != stub_title(stub, "en")


def test_bad_queue_name_is_refused(tmp_path, capsys):
    assert cli_main(["openedx", "export", str(tmp_path), "--lang", "en", "--queue", "bad queue/<x>"]) == 3
    assert "queue name" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_watcher_config_names_our_handler_and_keeps_the_password_private(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ACTIVATION_LAB_XQUEUE_PASSWORD", "s3cret")
    argv = [
        "openedx",
        "watcher-config",
        str(tmp_path),
        "--queue",
        "ml-week3",
        "--server",
        "http://127.0.0.1:18040",
    ]
    assert cli_main([*argv, "--user", "grader", "--connections", "2", "--course", str(REPO)]) == 0
    assert "s3cret" not in capsys.readouterr().out
    queue = json.loads((tmp_path / "conf.d" / "ml-week3.json").read_text())["ml-week3"]
    assert queue["CONNECTIONS"] == 2
    (handler,) = queue["HANDLERS"]
    assert handler["HANDLER"] == "activation_lab.integrations.openedx.watcher.ActivationLabGrader"
    assert handler["KWARGS"]["course_root"] == str(REPO.resolve())
    servers = tmp_path / "xqueue_servers.json"
    assert json.loads(servers.read_text())[queue["SERVER_REF"]] == {
        "SERVER": "http://127.0.0.1:18040",
        "AUTH": ["grader", "s3cret"],
    }
    assert stat.S_IMODE(servers.stat().st_mode) == 0o600
    assert json.loads((tmp_path / "xqwatcher.json").read_text())["REQUESTS_TIMEOUT"] > 1


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        pytest.param([], {}, "no XQueue password", id="no-password"),
        pytest.param(
            ["--server", "127.0.0.1:18040"], {"ACTIVATION_LAB_XQUEUE_PASSWORD": "p"}, "http", id="no-scheme"
        ),
        pytest.param(
            ["--connections", "0"], {"ACTIVATION_LAB_XQUEUE_PASSWORD": "p"}, "at least 1", id="zero"
        ),
        pytest.param(
            ["--password-file", "/nonexistent/pw"], {}, "--password-file", id="missing-password-file"
        ),
    ],
)
def test_watcher_config_usage_errors(tmp_path, monkeypatch, capsys, extra, env, message):
    monkeypatch.delenv("ACTIVATION_LAB_XQUEUE_PASSWORD", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli_main(["openedx", "watcher-config", str(tmp_path / "out"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
