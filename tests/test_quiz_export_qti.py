"""IMS QTI 2.1 export: strict structural checks, and the exported scoring agrees with our own grader.

The official IMS XSDs may not be redistributed without registering with IMS, so the package is checked with
``qti_check`` (strict lxml checks). Set ``QTI_XSD_DIR`` to a folder holding ``qtiv2p1/imsqti_v2p1.xsd`` and
``imscp_v1p1.xsd`` to validate against the XSDs as well.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from qti_check import check_package
from test_quiz_export_olx import REAL_QUIZZES, small_quiz

from activation_lab.errors import UsageError
from activation_lab.quiz.export import qti as export_qti
from activation_lab.quiz.grade import grade_item
from activation_lab.quiz.load import load_quiz
from activation_lab.quiz.model import Item, Matching, MultipleSelect, Numeric, Quiz, ShortText, SingleChoice

NS = {"q": export_qti.QTI_NS, "cp": export_qti.CP_NS}


def _quizzes() -> list:
    params = [pytest.param(small_quiz, id="small")]
    params += [pytest.param(lambda p=path: load_quiz(p), id=path.stem) for path in REAL_QUIZZES]
    return params


def _items(folder: Path) -> list[etree._Element]:
    test = etree.parse(folder / "test.xml").getroot()
    return [
        etree.parse(folder / ref.get("href")).getroot() for ref in test.iterfind(".//q:assessmentItemRef", NS)
    ]


# --- a small interpreter for the responseProcessing the exporter writes -------------------------------------
class _Item:
    """Runs an exported item's responseProcessing on a response (the subset of QTI the exporter writes)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        declaration = root.find("q:responseDeclaration", NS)
        self.cardinality = declaration.get("cardinality")
        self.correct = [v.text for v in declaration.iterfind("q:correctResponse/q:value", NS)]
        mapping = declaration.find("q:mapping", NS)
        self.mapping = mapping

    def score(self, response: Any) -> float:
        self.response = response
        self.outcomes: dict[str, Any] = {"SCORE": 0.0}
        for rule in self.root.find("q:responseProcessing", NS):
            self._rule(rule)
        return float(self.outcomes["SCORE"])

    def _rule(self, rule: etree._Element) -> None:
        tag = etree.QName(rule).localname
        if tag == "setOutcomeValue":
            self.outcomes[rule.get("identifier")] = self._expr(rule[0])
        elif tag == "responseCondition":
            for branch in rule:
                kind = etree.QName(branch).localname
                if kind == "responseElse" or self._expr(branch[0]):
                    body = list(branch) if kind == "responseElse" else list(branch)[1:]
                    for inner in body:
                        self._rule(inner)
                    return
        else:
            raise AssertionError(f"unexpected rule {tag}")

    def _expr(self, node: etree._Element) -> Any:
        tag = etree.QName(node).localname
        if tag == "variable":
            return (
                self.response
                if node.get("identifier") == "RESPONSE"
                else self.outcomes.get(node.get("identifier"))
            )
        if tag == "baseValue":
            return float(node.text) if node.get("baseType") == "float" else node.text
        if tag == "correct":
            return self.correct if self.cardinality != "single" else self.correct[0]
        if tag == "isNull":
            value = self._expr(node[0])
            return value is None or value == [] or value == ""
        if tag == "match":
            left, right = (self._expr(child) for child in node)
            return sorted(left) == sorted(right) if isinstance(left, list) else left == right
        if tag == "sum":
            return sum(self._expr(child) for child in node)
        if tag == "mapResponse":
            return self._map()
        if tag == "stringMatch":
            left, right = (self._expr(child) for child in node)
            return left is not None and left.lower() == right.lower()
        if tag == "equal":
            got, key = (self._expr(child) for child in node)
            if got is None:
                return False
            mode = node.get("toleranceMode")
            if mode == "exact":
                return got == key
            tolerance = float(node.get("tolerance").split()[0])
            bound = tolerance if mode == "absolute" else abs(key) * tolerance / 100
            return abs(got - key) <= bound
        raise AssertionError(f"unexpected expression {tag}")

    def _map(self) -> float:
        entries = self.mapping.findall("q:mapEntry", NS)
        values = self.response if isinstance(self.response, list) else [self.response]
        total, used = 0.0, set()
        for value in values:
            if value in used:
                continue
            used.add(value)
            for entry in entries:
                key = entry.get("mapKey")
                same = key == value if entry.get("caseSensitive") != "false" else key.lower() == value.lower()
                if same:
                    total += float(entry.get("mappedValue"))
                    break
            else:
                total += float(self.mapping.get("defaultValue", "0"))
        low, high = self.mapping.get("lowerBound"), self.mapping.get("upperBound")
        if low is not None:
            total = max(total, float(low))
        if high is not None:
            total = min(total, float(high))
        return total


def _answers(item: Item, root: etree._Element, lang: str) -> list[tuple[Any, Any]]:
    """Pairs (our answer, the QTI response) covering right, partly right and wrong answers."""
    if isinstance(item, SingleChoice | MultipleSelect):
        by_text = {c.text: c.get("identifier") for c in root.iterfind(".//q:simpleChoice", NS)}
        qti_id = {choice.id: by_text[" ".join(choice.text.text(lang).split())] for choice in item.choices}
        if isinstance(item, SingleChoice):
            return [(choice.id, qti_id[choice.id]) for choice in item.choices]
        subsets = itertools.chain.from_iterable(
            itertools.combinations(item.choices, size) for size in range(1, len(item.choices) + 1)
        )
        return [([c.id for c in subset], [qti_id[c.id] for c in subset]) for subset in subsets]
    if isinstance(item, Numeric):
        key, bound = item.answer.value, item.answer.tolerance.bound(item.answer.value)
        candidates = [
            key,
            key + 0.5 * bound,
            key - 0.5 * bound,
            key + 2 * bound + 1e-9,
            key - 3 * bound - 1e-6,
        ]
        candidates += [wrong.value for wrong in item.wrong]
        return [(value, value) for value in candidates]
    if isinstance(item, ShortText):
        forms = [form for accept in item.accept for form in accept.forms() if " " * 2 not in form]
        texts = (
            forms
            + [form.upper() for form in forms]
            + [form for wrong in item.wrong for form in wrong.forms()]
        )
        return [(text, text) for text in [*texts, "certainly not the answer"]]
    if isinstance(item, Matching):
        sets = root.findall(".//q:simpleMatchSet", NS)
        left_id = {c.text: c.get("identifier") for c in sets[0]}
        right_id = {c.text: c.get("identifier") for c in sets[1]}
        lefts = [" ".join(p.left.text(lang).split()) for p in item.pairs]
        rights = [" ".join(p.right.text(lang).split()) for p in item.pairs]
        shifted = rights[1:] + rights[:1]
        cases = [rights, shifted, [rights[0], *shifted[1:]]]
        out = []
        for chosen in cases:
            ours = dict(zip(lefts, chosen, strict=True))
            qti = [f"{left_id[left]} {right_id[right]}" for left, right in ours.items()]
            out.append((ours, qti))
        return out
    raise AssertionError(item)


# --- tests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make_quiz", _quizzes())
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_package_is_structurally_sound(make_quiz, lang: str, tmp_path: Path) -> None:
    quiz: Quiz = make_quiz()
    folder, archive = export_qti.export(quiz, tmp_path, lang=lang)
    assert check_package(folder) == []
    assert len(_items(folder)) == len(quiz.items)
    with zipfile.ZipFile(archive) as package:
        names = package.namelist()
        assert names[0] == "imsmanifest.xml"
        assert sorted(names) == sorted(
            p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
        )
        assert package.testzip() is None


@pytest.mark.parametrize("make_quiz", _quizzes())
def test_exported_scoring_agrees_with_our_grader(make_quiz, tmp_path: Path) -> None:
    quiz: Quiz = make_quiz()
    lang = "en"
    (folder,) = export_qti.export(quiz, tmp_path, lang=lang, zip=False)
    checked = 0
    for item, root in zip(quiz.items, _items(folder), strict=True):
        runner = _Item(root)
        maxscore = root.find("q:outcomeDeclaration[@identifier='MAXSCORE']/q:defaultValue/q:value", NS)
        assert float(maxscore.text) == pytest.approx(item.points)
        for ours, response in _answers(item, root, lang):
            expected = grade_item(item, ours).score
            assert runner.score(response) == pytest.approx(expected, abs=1e-6), (item.id, ours)
            checked += 1
        assert runner.score(None) == 0.0  # nothing answered scores 0
    assert checked >= len(quiz.items)


@pytest.mark.parametrize("make_quiz", _quizzes())
def test_correct_responses_are_the_quiz_keys(make_quiz, tmp_path: Path) -> None:
    quiz: Quiz = make_quiz()
    (folder,) = export_qti.export(quiz, tmp_path, lang="ko", zip=False)
    for item, root in zip(quiz.items, _items(folder), strict=True):
        correct = [v.text for v in root.iterfind("q:responseDeclaration/q:correctResponse/q:value", NS)]
        texts = {c.get("identifier"): c.text for c in root.iter(f"{{{export_qti.QTI_NS}}}simpleChoice")}
        if isinstance(item, SingleChoice | MultipleSelect):
            expected = {" ".join(c.text.text("ko").split()) for c in item.choices if c.correct}
            assert {texts[v] for v in correct} == expected
        elif isinstance(item, Numeric):
            assert correct == [export_qti.format_number(item.answer.value)]
            assert math.isclose(float(correct[0]), item.answer.value)
        elif isinstance(item, ShortText):
            keys = {e.get("mapKey").lower() for e in root.iterfind(".//q:mapEntry", NS)}
            for accept in item.accept:
                assert {form.strip().lower() for form in accept.forms()} <= keys
        elif isinstance(item, Matching):
            assert len(correct) == len(item.pairs)


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [
        pytest.param({"abs": 0.001}, ("absolute", "0.001"), id="abs"),
        pytest.param({"rel": 0.05}, ("relative", "5"), id="rel-in-percent"),
        pytest.param({"abs": 0.001, "rel": 0.01}, ("absolute", "0.0025"), id="both-bound-at-key"),
        pytest.param({}, ("exact", None), id="exact"),
    ],
)
def test_tolerance_modes(tolerance: dict, expected: tuple, tmp_path: Path) -> None:
    from activation_lab.quiz.model import AnswerTolerance

    assert export_qti.qti_tolerance(AnswerTolerance(**tolerance), 0.25) == expected


def test_feedback_and_explanation_become_modal_feedback(tmp_path: Path) -> None:
    (folder,) = export_qti.export(small_quiz(), tmp_path, lang="en", zip=False)
    items = _items(folder)
    first = {
        f.get("identifier"): "".join(f.itertext()).strip() for f in items[0].iterfind("q:modalFeedback", NS)
    }
    assert "w is the weight" in first.values()
    assert first[export_qti.EXPLANATION_ID] == "h is the activation function"
    numeric = [("".join(f.itertext()).strip()) for f in items[3].iterfind("q:modalFeedback", NS)]
    assert numeric == ["σ(0) = 1/2, not 1"]


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        pytest.param("drop-item-file", "missing file", id="missing-file"),
        pytest.param("undeclared-response", "undeclared response", id="undeclared-response"),
        pytest.param("wrong-cardinality", "maxChoices", id="cardinality"),
        pytest.param("unknown-choice", "not among its choices", id="dangling-key"),
        pytest.param("bad-dependency", "unknown resource", id="dependency"),
    ],
)
def test_checker_catches_broken_packages(breakage: str, complaint: str, tmp_path: Path) -> None:
    (folder,) = export_qti.export(small_quiz(), tmp_path, lang="en", zip=False)
    first = next(folder.glob("items/*h-is*.xml"))
    tree = etree.parse(first)
    root = tree.getroot()
    if breakage == "drop-item-file":
        first.unlink()
    elif breakage == "undeclared-response":
        root.find(".//q:choiceInteraction", NS).set("responseIdentifier", "NOPE")
    elif breakage == "wrong-cardinality":
        root.find(".//q:choiceInteraction", NS).set("maxChoices", "0")
    elif breakage == "unknown-choice":
        root.find(".//q:correctResponse/q:value", NS).text = "C_zzz"
    elif breakage == "bad-dependency":
        manifest = etree.parse(folder / "imsmanifest.xml")
        manifest.getroot().find(".//cp:dependency", NS).set("identifierref", "RES_GONE")
        manifest.write(str(folder / "imsmanifest.xml"))
    if first.exists() and breakage != "bad-dependency":
        tree.write(str(first))
    problems = check_package(folder)
    assert any(complaint in problem for problem in problems), problems


def test_bad_language_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        export_qti.export(small_quiz(), tmp_path, lang="de")


@pytest.mark.skipif(not os.environ.get("QTI_XSD_DIR"), reason="QTI_XSD_DIR (official IMS XSDs) not set")
def test_against_the_official_xsds(tmp_path: Path) -> None:
    xsd_dir = Path(os.environ["QTI_XSD_DIR"])
    qti = etree.XMLSchema(etree.parse(str(xsd_dir / "qtiv2p1" / "imsqti_v2p1.xsd")))
    cp = etree.XMLSchema(etree.parse(str(xsd_dir / "imscp_v1p1.xsd")))
    quizzes = [small_quiz(), *(load_quiz(path) for path in REAL_QUIZZES)]
    for quiz in quizzes:
        (folder,) = export_qti.export(quiz, tmp_path, lang="ko", zip=False)
        for path in [*folder.glob("items/*.xml"), folder / "test.xml"]:
            assert qti.validate(etree.parse(str(path))), (path.name, str(qti.error_log))
        assert cp.validate(etree.parse(str(folder / "imsmanifest.xml"))), str(cp.error_log)
        shutil.rmtree(folder)
