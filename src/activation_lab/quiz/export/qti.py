"""Export a quiz as an IMS QTI 2.1 content package: ``imsmanifest.xml``, one file per item, an assessmentTest.

=================  ===========================================================================================
single_choice      ``choiceInteraction maxChoices=1``; identifier response; match → the item's points
multiple_select    ``choiceInteraction``, multiple cardinality; all_or_nothing: match; each_answer: mapping
numeric            ``textEntryInteraction``, float response; ``equal`` with toleranceMode abs/relative/exact
short_text         ``textEntryInteraction``, string response; a case-insensitive ``mapping`` of every form
matching           ``matchInteraction``; directedPair response; a ``mapping`` gives each pair its share
=================  ===========================================================================================

Choice feedback, known wrong answers and the explanation become ``modalFeedback``. Scores are in points
(``SCORE``, with ``MAXSCORE`` declared); the test sums them.

Why one long module: QTI spells each item type as its own response processing; the table above is the
module, one function per row, and the package writer around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from activation_lab.errors import QuizError
from activation_lab.i18n import message
from activation_lab.quiz.export.common import (
    UniqueNames,
    answer_forms,
    append_paragraphs,
    export_package,
    format_number,
    localized,
    one_line,
    write_xml,
    write_zip,
    wrong_answer_feedback,
)
from activation_lab.quiz.model import (
    AnswerTolerance,
    Item,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_RESOURCE_TYPE = "imsqti_item_xmlv2p1"
TEST_RESOURCE_TYPE = "imsqti_test_xmlv2p1"
RESPONSE = "RESPONSE"
SCORE = "SCORE"
MAXSCORE = "MAXSCORE"
FEEDBACK = "FEEDBACK"
EXPLAIN = "EXPLAIN"
EXPLANATION_ID = "EXPLANATION"


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attrib)
    if text is not None:
        element.text = text
    return element


def _make(tag: str) -> etree._Element:
    return etree.Element(_q(tag))


def _value(parent: etree._Element, text: str, **attrib: str) -> etree._Element:
    return _sub(parent, "value", text, **attrib)


def qti_tolerance(tolerance: AnswerTolerance, key: float) -> tuple[str, str | None]:
    """QTI ``toleranceMode`` and ``tolerance`` for our tolerance (relative is in percent in QTI 2.1).

    Both abs and rel set: the bound at the key, ``max(abs, rel·|key|)``, as one absolute tolerance.
    """
    if not tolerance.abs and not tolerance.rel:
        return "exact", None
    if tolerance.rel and not tolerance.abs:
        return "relative", format_number(round(tolerance.rel * 100, 12))
    return "absolute", format_number(tolerance.bound(key))


class _ItemWriter:
    """Builds one ``assessmentItem``; feedback identifiers are collected as the processing is written."""

    def __init__(self, item: Item, identifier: str, lang: str) -> None:
        self.item = item
        self.lang = lang
        self.root = etree.Element(
            _q("assessmentItem"),
            nsmap={None: QTI_NS, "xsi": XSI_NS},
            identifier=identifier,
            title=one_line(localized(item.prompt, lang))[:80] or identifier,
            adaptive="false",
            timeDependent="false",
        )
        self.root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
        self.root.set(XML_LANG, lang)
        self.feedback: list[tuple[str, str]] = []  # (identifier, text) shown through modalFeedback

    # declarations -------------------------------------------------------------------------------------------
    def declare_response(self, cardinality: str, base_type: str, correct: Iterable[str]) -> etree._Element:
        declaration = _sub(self.root, "responseDeclaration", identifier=RESPONSE, cardinality=cardinality)
        declaration.set("baseType", base_type)
        values = list(correct)
        if values:
            box = _sub(declaration, "correctResponse")
            for value in values:
                _value(box, value)
        return declaration

    def declare_outcomes(self, feedback_cardinality: str = "single") -> None:
        score = _sub(
            self.root, "outcomeDeclaration", identifier=SCORE, cardinality="single", baseType="float"
        )
        _value(_sub(score, "defaultValue"), "0")
        top = _sub(
            self.root, "outcomeDeclaration", identifier=MAXSCORE, cardinality="single", baseType="float"
        )
        _value(_sub(top, "defaultValue"), format_number(self.item.points))
        _sub(
            self.root,
            "outcomeDeclaration",
            identifier=FEEDBACK,
            cardinality=feedback_cardinality,
            baseType="identifier",
        )
        _sub(self.root, "outcomeDeclaration", identifier=EXPLAIN, cardinality="single", baseType="identifier")

    def body(self) -> etree._Element:
        """The ``itemBody`` with the prompt's paragraphs (QTI 2.1's ``<prompt>`` admits no paragraphs)."""
        body = _sub(self.root, "itemBody")
        append_paragraphs(_sub(body, "div"), localized(self.item.prompt, self.lang), _make)
        return body

    # processing ---------------------------------------------------------------------------------------------
    def processing(self) -> etree._Element:
        return _sub(self.root, "responseProcessing")

    @staticmethod
    def set_outcome(parent: etree._Element, identifier: str, expression: etree._Element) -> None:
        setter = _sub(parent, "setOutcomeValue", identifier=identifier)
        setter.append(expression)

    @staticmethod
    def base(base_type: str, text: str) -> etree._Element:
        element = _make("baseValue")
        element.set("baseType", base_type)
        element.text = text
        return element

    @staticmethod
    def variable(identifier: str) -> etree._Element:
        element = _make("variable")
        element.set("identifier", identifier)
        return element

    def score_if(self, processing: etree._Element, condition: etree._Element, points: etree._Element) -> None:
        """``SCORE = points`` if ``condition`` (and the response is not empty) else 0."""
        block = _sub(processing, "responseCondition")
        when = _sub(block, "responseIf")
        when.append(condition)
        self.set_outcome(when, SCORE, points)
        self.set_outcome(_sub(block, "responseElse"), SCORE, self.base("float", "0"))

    def score_by_mapping(self, processing: etree._Element, extra: float = 0.0) -> None:
        """``SCORE = mapResponse (+ extra)``, or 0 when nothing was answered."""
        block = _sub(processing, "responseCondition")
        when = _sub(block, "responseIf")
        _sub(when, "isNull").append(self.variable(RESPONSE))
        self.set_outcome(when, SCORE, self.base("float", "0"))
        mapped = _make("mapResponse")
        mapped.set("identifier", RESPONSE)
        if extra:
            total = _make("sum")
            total.append(mapped)
            total.append(self.base("float", format_number(extra)))
            mapped = total
        self.set_outcome(_sub(block, "responseElse"), SCORE, mapped)

    def feedback_when(
        self, processing: etree._Element, condition: etree._Element, identifier: str, text: str
    ) -> None:
        block = _sub(processing, "responseCondition")
        when = _sub(block, "responseIf")
        when.append(condition)
        self.set_outcome(when, FEEDBACK, self.base("identifier", identifier))
        self.feedback.append((identifier, text))

    def finish(self, processing: etree._Element) -> etree._Element:
        """Add the explanation outcome and every ``modalFeedback``; return the finished item."""
        explanation = localized(self.item.explanation, self.lang)
        if explanation:
            self.set_outcome(processing, EXPLAIN, self.base("identifier", EXPLANATION_ID))
        for identifier, text in self.feedback:
            box = _sub(
                self.root, "modalFeedback", outcomeIdentifier=FEEDBACK, showHide="show", identifier=identifier
            )
            append_paragraphs(box, text, _make)
        if explanation:
            box = _sub(self.root, "modalFeedback", outcomeIdentifier=EXPLAIN, showHide="show")
            box.set("identifier", EXPLANATION_ID)
            box.set("title", message("quiz_export", "export.explanation", self.lang))
            append_paragraphs(box, explanation, _make)
        return self.root


def _choice_item(writer: _ItemWriter, item: SingleChoice | MultipleSelect) -> etree._Element:
    lang = writer.lang
    names = UniqueNames(prefix="C_")
    ids = {choice.id: names(choice.id) for choice in item.choices}
    single = isinstance(item, SingleChoice)
    correct = [ids[choice.id] for choice in item.choices if choice.correct]
    declaration = writer.declare_response("single" if single else "multiple", "identifier", correct)
    share = item.points / len(item.choices)
    each_answer = isinstance(item, MultipleSelect) and item.scoring == "each_answer"
    if each_answer:
        # selected-iff-correct per choice: +share for a correct box ticked, -share for a wrong one ticked,
        # plus share for every wrong box (all unticked is where the count starts)
        mapping = _sub(declaration, "mapping", defaultValue="0")
        for choice in item.choices:
            value = share if choice.correct else -share
            entry = _sub(mapping, "mapEntry", mapKey=ids[choice.id], mappedValue=format_number(value))
            entry.set("caseSensitive", "true")
    writer.declare_outcomes("single" if single else "multiple")
    interaction = _sub(writer.body(), "choiceInteraction", responseIdentifier=RESPONSE)
    interaction.set("shuffle", "true" if item.shuffle else "false")
    interaction.set("maxChoices", "1" if single else "0")
    for choice in item.choices:
        _sub(interaction, "simpleChoice", one_line(localized(choice.text, lang)), identifier=ids[choice.id])
    processing = writer.processing()
    if each_answer:
        wrong_count = sum(1 for choice in item.choices if not choice.correct)
        writer.score_by_mapping(processing, extra=share * wrong_count)
    else:
        match = _make("match")
        match.append(writer.variable(RESPONSE))
        correct_value = _make("correct")
        correct_value.set("identifier", RESPONSE)
        match.append(correct_value)
        writer.score_if(processing, match, writer.base("float", format_number(item.points)))
    if any(choice.feedback is not None for choice in item.choices):
        # FEEDBACK takes the chosen identifier(s); each modalFeedback shows when its choice is among them
        writer.set_outcome(processing, FEEDBACK, writer.variable(RESPONSE))
        for choice in item.choices:
            if choice.feedback is not None:
                writer.feedback.append((ids[choice.id], localized(choice.feedback, lang)))
    return writer.finish(processing)


def _numeric_item(writer: _ItemWriter, item: Numeric) -> etree._Element:
    key = item.answer.value
    writer.declare_response("single", "float", [format_number(key)])
    writer.declare_outcomes()
    hint = _sub(writer.body(), "p", message("quiz_export", "export.numeric_hint", writer.lang) + " ")
    _sub(hint, "textEntryInteraction", responseIdentifier=RESPONSE, expectedLength="12")
    processing = writer.processing()

    def near(value: float, tolerance: AnswerTolerance) -> etree._Element:
        mode, amount = qti_tolerance(tolerance, value)
        equal = _make("equal")
        equal.set("toleranceMode", mode)
        if amount is not None:
            equal.set("tolerance", amount)
        equal.append(writer.variable(RESPONSE))
        equal.append(writer.base("float", format_number(value)))
        return equal

    writer.score_if(
        processing, near(key, item.answer.tolerance), writer.base("float", format_number(item.points))
    )
    for index, wrong in enumerate(item.wrong, start=1):
        writer.feedback_when(
            processing,
            near(wrong.value, item.answer.tolerance),
            f"WRONG_{index}",
            localized(wrong.feedback, writer.lang),
        )
    return writer.finish(processing)


def _short_text_item(writer: _ItemWriter, item: ShortText) -> etree._Element:
    forms = answer_forms(item, writer.lang)
    declaration = writer.declare_response("single", "string", [forms[0]])
    mapping = _sub(declaration, "mapping", defaultValue="0", lowerBound="0")
    mapping.set("upperBound", format_number(item.points))
    for form in forms:
        entry = _sub(mapping, "mapEntry", mapKey=form, mappedValue=format_number(item.points))
        entry.set("caseSensitive", "false")
    writer.declare_outcomes()
    _sub(_sub(writer.body(), "p"), "textEntryInteraction", responseIdentifier=RESPONSE, expectedLength="20")
    processing = writer.processing()
    writer.score_by_mapping(processing)
    for index, (form, feedback) in enumerate(wrong_answer_feedback(item, forms), start=1):
        match = _make("stringMatch")
        match.set("caseSensitive", "false")
        match.append(writer.variable(RESPONSE))
        match.append(writer.base("string", form))
        writer.feedback_when(processing, match, f"WRONG_{index}", localized(feedback, writer.lang))
    return writer.finish(processing)


def _matching_item(writer: _ItemWriter, item: Matching) -> etree._Element:
    lang = writer.lang
    left_names = UniqueNames(prefix="L_")
    right_names = UniqueNames(prefix="R_")
    lefts = [
        (left_names(str(index)), one_line(localized(pair.left, lang)))
        for index, pair in enumerate(item.pairs, 1)
    ]
    # one right per distinct text: two pairs may share a right ("32" for two lefts)
    rights: dict[str, str] = {}
    for right in item.rights:
        text = one_line(localized(right, lang))
        if text not in rights:
            rights[text] = right_names(str(len(rights) + 1))
    pairs = [
        f"{left_id} {rights[one_line(localized(pair.right, lang))]}"
        for (left_id, _), pair in zip(lefts, item.pairs, strict=True)
    ]
    declaration = writer.declare_response("multiple", "directedPair", pairs)
    mapping = _sub(declaration, "mapping", defaultValue="0", lowerBound="0")
    mapping.set("upperBound", format_number(item.points))
    for pair in pairs:
        entry = _sub(
            mapping, "mapEntry", mapKey=pair, mappedValue=format_number(item.points / len(item.pairs))
        )
        entry.set("caseSensitive", "true")
    writer.declare_outcomes()
    interaction = _sub(writer.body(), "matchInteraction", responseIdentifier=RESPONSE)
    interaction.set("shuffle", "true" if item.shuffle else "false")
    interaction.set("maxAssociations", str(len(item.pairs)))
    left_set = _sub(interaction, "simpleMatchSet")
    for identifier, text in lefts:
        _sub(left_set, "simpleAssociableChoice", text, identifier=identifier, matchMax="1")
    right_set = _sub(interaction, "simpleMatchSet")
    for text, identifier in sorted(rights.items()):
        _sub(right_set, "simpleAssociableChoice", text, identifier=identifier, matchMax=str(len(item.pairs)))
    processing = writer.processing()
    writer.score_by_mapping(processing)
    return writer.finish(processing)


def item_element(item: Item, identifier: str, lang: str) -> etree._Element:
    """The ``assessmentItem`` of one quiz item."""
    writer = _ItemWriter(item, identifier, lang)
    if isinstance(item, SingleChoice | MultipleSelect):
        return _choice_item(writer, item)
    if isinstance(item, Numeric):
        return _numeric_item(writer, item)
    if isinstance(item, ShortText):
        return _short_text_item(writer, item)
    if isinstance(item, Matching):
        return _matching_item(writer, item)
    raise QuizError(f"cannot export item {item.id!r} of type {type(item).__name__}")  # pragma: no cover


def assessment_test_element(
    quiz: Quiz, identifier: str, refs: list[tuple[str, str]], lang: str
) -> etree._Element:
    """The ``assessmentTest``: one part, one section, every item in order; SCORE and MAXSCORE are the sums."""
    title = localized(quiz.title, lang)
    root = etree.Element(
        _q("assessmentTest"), nsmap={None: QTI_NS, "xsi": XSI_NS}, identifier=identifier, title=title
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")  # (xml:lang is not allowed here)
    for outcome in (SCORE, MAXSCORE):
        _sub(root, "outcomeDeclaration", identifier=outcome, cardinality="single", baseType="float")
    part = _sub(
        root, "testPart", identifier="PART_1", navigationMode="nonlinear", submissionMode="simultaneous"
    )
    section = _sub(part, "assessmentSection", identifier="SECTION_1", title=title, visible="true")
    for item_id, href in refs:
        _sub(section, "assessmentItemRef", identifier=item_id, href=href)
    processing = _sub(root, "outcomeProcessing")
    for outcome in (SCORE, MAXSCORE):
        setter = _sub(processing, "setOutcomeValue", identifier=outcome)
        _sub(_sub(setter, "sum"), "testVariables", variableIdentifier=outcome)
    return root


def manifest_element(identifier: str, items: list[tuple[str, str]], test: tuple[str, str]) -> etree._Element:
    """The IMS CP 1.1 ``imsmanifest.xml``: a resource per item file, and the test depending on them all."""
    cp = f"{{{CP_NS}}}"
    root = etree.Element(f"{cp}manifest", nsmap={None: CP_NS, "xsi": XSI_NS}, identifier=identifier)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD}")
    metadata = etree.SubElement(root, f"{cp}metadata")
    etree.SubElement(metadata, f"{cp}schema").text = "QTIv2.1 Package"
    etree.SubElement(metadata, f"{cp}schemaversion").text = "1.0.0"
    etree.SubElement(root, f"{cp}organizations")
    resources = etree.SubElement(root, f"{cp}resources")
    test_id, test_href = test
    for resource_id, href, kind in [
        *((i, h, ITEM_RESOURCE_TYPE) for i, h in items),
        (test_id, test_href, TEST_RESOURCE_TYPE),
    ]:
        resource = etree.SubElement(resources, f"{cp}resource", identifier=resource_id, type=kind, href=href)
        etree.SubElement(resource, f"{cp}file", href=href)
        if kind == TEST_RESOURCE_TYPE:
            for item_resource, _ in items:
                etree.SubElement(resource, f"{cp}dependency", identifierref=item_resource)
    return root


def export(quiz: Quiz, out_dir: Path, *, lang: str, zip: bool = True) -> list[Path]:
    """Write ``quiz`` as a QTI 2.1 package ``<quiz id>-qti-<lang>`` in ``out_dir`` (and a .zip)."""

    def build(root: Path) -> None:
        names = UniqueNames(prefix="I_")
        item_resources: list[tuple[str, str]] = []
        refs: list[tuple[str, str]] = []
        for item in quiz.items:
            identifier = names(item.id)
            href = f"items/{identifier}.xml"
            write_xml(root / href, item_element(item, identifier, lang))
            item_resources.append((f"RES_{identifier}", href))
            refs.append((identifier, href))
        test_id = UniqueNames(prefix="T_")(quiz.id)
        write_xml(root / "test.xml", assessment_test_element(quiz, test_id, refs, lang))
        manifest = manifest_element(f"MANIFEST_{test_id}", item_resources, (f"RES_{test_id}", "test.xml"))
        write_xml(root / "imsmanifest.xml", manifest)

    def pack(folder: Path) -> Path:
        return write_zip(folder, folder.with_name(f"{folder.name}.zip"))

    return export_package(quiz, out_dir, lang=lang, label="qti", build=build, pack=pack if zip else None)
