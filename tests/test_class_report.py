"""The class report: statistics, hostile names escaped, and the page in a real headless browser."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from activation_lab.cli.main import main
from activation_lab.reports.class_html import SECTIONS, per_test_csv, render_html
from activation_lab.reports.class_stats import class_stats

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "out" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _test(name: str, status: str, score: float, hints: tuple[str, ...] = (), feedback: str = "") -> dict:
    return {
        "name": name,
        "score": score,
        "max_score": 2.0,
        "status": status,
        "hidden": True,
        "feedback": feedback,
        "hints": list(hints),
    }


def _report(
    name: str,
    step_tests: list[dict],
    *,
    status: str = "graded",
    exercise_status: str = "graded",
    quiz: list[float] | None = None,
) -> dict:
    score = sum(t["score"] for t in step_tests)
    items = [{"id": f"q{i}", "score": s, "max_score": 1.0, "feedback": ""} for i, s in enumerate(quiz or [])]
    return {
        "submission": name,
        "status": status,
        "score": score + sum(quiz or []),
        "max_score": 7.0,
        "exercises": []
        if status == "error"
        else [
            {
                "id": "step",
                "score": score,
                "max_score": 4.0,
                "status": exercise_status,
                "attempted": True,
                "tests": step_tests,
                "notes": ["ran out of time"] if exercise_status == "timeout" else [],
                "hints": [],
            }
        ],
        "quiz": {"score": sum(quiz), "max_score": 3.0, "items": items} if quiz is not None else None,
        "error": "bad zip" if status == "error" else None,
        "error_kind": "submission" if status == "error" else None,
        "hints": [],
        "parts": [],
    }


@pytest.fixture
def reports() -> list[dict]:
    return [
        _report(
            "ann",
            [_test("arrays", "passed", 2, ("overflow_advice",)), _test("zero", "passed", 2)],
            quiz=[1, 1, 1],
        ),
        _report(
            "bob",
            [
                _test("arrays", "failed", 0, ("ambiguous_truth",), "if x >= 0 on an array"),
                _test("zero", "passed", 2),
            ],
            quiz=[1, 0, 0],
        ),
        _report(
            HOSTILE,
            [
                _test("arrays", "failed", 0, ("ambiguous_truth", "returned_none"), HOSTILE),
                _test("zero", "error", 0),
            ],
            quiz=[0, 0, 1],
        ),
        _report("dan", [], exercise_status="timeout"),
        _report("eve.zip", [], status="error"),
    ]


def test_statistics_count_failures_misconceptions_and_troubles(reports) -> None:
    stats = class_stats(reports, ["step"])
    assert stats.reports == 5 and stats.graded == 4
    tests = {t.name: t for t in stats.tests}
    assert tests["arrays"].runs == 3 and tests["arrays"].failure_rate == pytest.approx(2 / 3)
    assert tests["zero"].errored == 1 and stats.tests[0].name == "arrays"  # ranked by failure rate
    step = stats.exercises[0]
    assert step.submitted == 4 and step.full_marks == 1 and step.statuses == {"graded": 3, "timeout": 1}
    assert [(m.key, m.students) for m in stats.misconceptions] == [
        ("ambiguous_truth", 2),
        ("returned_none", 1),
    ]
    assert stats.misconceptions[0].example_submission == HOSTILE  # examples taken in name order: '<' < 'b'
    assert [(t.submission, t.status) for t in stats.troubles] == [
        ("dan", "timeout"),
        ("eve.zip", "error"),
    ]
    q = {item.id: item for item in stats.quiz_items}
    assert stats.quiz_students == 3 and q["q0"].p == pytest.approx(2 / 3)
    assert sum(stats.distribution.counts) == 4


def test_a_hint_with_parameters_shows_its_text_not_its_key(reports) -> None:
    # ambiguous_truth's hint ends with the student's own fix (`{fix}`): the text is shown, the fix elided
    page = render_html(class_stats(reports, ["step"]), "en", folder="class")
    misconceptions = page[page.index('id="misconceptions"') :]
    assert "needs one True/False" in misconceptions and "`…`" in misconceptions


def test_every_submission_derived_string_is_escaped(reports) -> None:
    page = render_html(class_stats(reports, ["step"]), "en", folder=HOSTILE)
    assert "<img" not in page and 'alert("x")</script>' not in page
    assert page.count("<script>") == 1  # only the page's own sorting script
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    for section in SECTIONS:
        assert f'<section id="{section}">' in page


def test_the_page_is_korean_or_english() -> None:
    stats = class_stats([_report("a", [_test("t", "passed", 2)])], ["step"])
    assert "점수 분포" in render_html(stats, "ko", folder="x") and '<html lang="ko">' in render_html(
        stats, "ko", folder="x"
    )
    assert "Score distribution" in render_html(stats, "en", folder="x")


def test_the_tests_csv_matches_the_table(reports) -> None:
    stats = class_stats(reports, ["step"])
    text = per_test_csv(stats.tests)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["test"], r["failed"], r["errored"]) for r in rows] == [
        ("arrays", "2", "0"),
        ("zero", "0", "1"),
    ]


def test_report_needs_a_results_folder(tmp_path, capsys) -> None:
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "holds no report" in capsys.readouterr().err


def _need_browser() -> None:
    available = Path(CHROMIUM).exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        available = False
    if not available:
        if os.environ.get("ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX"):  # CI: scripts/setup.sh installs chromium
            pytest.fail("chromium or playwright is missing; run scripts/setup.sh")
        pytest.skip("chromium or playwright is missing (scripts/setup.sh installs chromium)")


@pytest.mark.slow
def test_the_demo_class_report_in_a_real_browser(tmp_path, capsys) -> None:
    """Grade the demo class, add a report with a hostile name, and open the page in headless chromium."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    classroom = REPO / "examples" / "submissions"
    assert main(["grade", str(classroom), "--out", str(out), "--report", "--lang", "ko", "--jobs", "2"]) == 0
    assert (out / "report.html").is_file() and (out / "report-tests.csv").is_file()
    first = json.loads((out / "student02.json").read_text(encoding="utf-8"))
    first["submission"] = HOSTILE
    (out / "hostile.json").write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    assert main(["report", str(out), "--lang", "ko", "--answers", str(classroom)]) == 0
    capsys.readouterr()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        assert problems == []
        assert all(url.startswith(("file:", "data:")) for url in requests), requests
        for section in SECTIONS:
            assert page.locator(f"section#{section} h2").count() == 1
        assert page.locator("section#distribution svg rect").count() == 10
        assert "점수 분포" in page.inner_text("section#distribution h2")
        assert page.locator("img[src=x]").count() == 0 and HOSTILE in page.inner_text("body")

        # Sorting: click "failure rate" on the tests table twice; the column is ascending, then descending.
        table = page.locator("#tests-table")
        headers = table.locator("thead th")
        index = [headers.nth(i).inner_text() for i in range(headers.count())].index("실패율")

        def column() -> list[float]:
            cells = table.locator(f"tbody tr td:nth-child({index + 1})")
            return [float(cells.nth(i).get_attribute("data-sort")) for i in range(cells.count())]

        headers.nth(index).click()
        ascending = column()
        assert ascending == sorted(ascending) and len(set(ascending)) > 1
        assert headers.nth(index).get_attribute("aria-sort") == "ascending"
        headers.nth(index).click()
        assert column() == sorted(ascending, reverse=True)
        # Text columns sort in the browser's collation (localeCompare), Korean and English alike.
        cells = page.locator("#tests-table tbody tr td:nth-child(2)")
        before = cells.all_inner_texts()
        headers.nth(1).click()
        texts = cells.all_inner_texts()
        collated = page.evaluate(
            "(xs) => xs.map(x => x.toLowerCase()).sort((a, b) => a.localeCompare(b))", texts
        )
        assert [t.lower() for t in texts] == collated and texts != before
        headers.nth(index).click()  # back to the most failed first for the screenshot
        headers.nth(index).click()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "class-report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert problems == []
        browser.close()
    assert shot.stat().st_size > 10_000
    shutil.copy(out / "report.html", ARTIFACTS / "class-report.html")
    assert re.search(r"<script>", (out / "report.html").read_text(encoding="utf-8")).start() > 0
