"""Strict structural checks of a QTI 2.1 package with lxml (the official XSDs may not be redistributed).

Checked: namespaces and root elements, required attributes, identifiers unique and well-formed, every
interaction's ``responseIdentifier`` declared with the cardinality and base type it needs, correct responses
and mapping keys naming existing choices, every variable used in processing and feedback declared, the test's
item references and the manifest's resources, files and dependencies resolving inside the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from activation_lab.quiz.export.qti import CP_NS, ITEM_RESOURCE_TYPE, QTI_NS, TEST_RESOURCE_TYPE

_IDENTIFIER = re.compile(
    r"[A-Za-z_][A-Za-z0-9_.-]*\Z"
)  # an NCName without colons, as QTI 2.1 identifiers are
_CARDINALITIES = {"single", "multiple", "ordered", "record"}
_BASE_TYPES = set("identifier boolean integer float string point pair directedPair duration file uri".split())
_INTERACTION_NEEDS = {  # interaction -> (cardinalities allowed, base types allowed)
    "choiceInteraction": ({"single", "multiple"}, {"identifier"}),
    "textEntryInteraction": ({"single"}, {"string", "float", "integer"}),
    "matchInteraction": ({"multiple", "ordered"}, {"directedPair"}),
}
_INLINE_PARENTS = {"p", "span", "div", "td", "li", "em", "strong", "label"}  # textEntry sits in running text


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _parse(path: Path, problems: list[str]) -> etree._Element | None:
    try:
        return etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        problems.append(f"{path.name}: cannot be parsed ({exc})")
        return None


def _require(element: etree._Element, names: Iterable[str], where: str, problems: list[str]) -> None:
    for name in names:
        if not element.get(name):
            problems.append(f"{where}: <{_local(element)}> lacks the required attribute {name!r}")


def _value_ok(text: str, base_type: str) -> bool:
    if base_type == "identifier":
        return bool(_IDENTIFIER.match(text))
    if base_type == "directedPair":
        parts = text.split()
        return len(parts) == 2 and all(_IDENTIFIER.match(part) for part in parts)
    if base_type in {"float", "integer"}:
        try:
            float(text) if base_type == "float" else int(text)
        except ValueError:
            return False
        return True
    return True


def check_item(root: etree._Element, where: str) -> list[str]:
    """Problems of one ``assessmentItem`` element (an empty list when it is sound)."""
    problems: list[str] = []
    if root.tag != _q("assessmentItem"):
        return [f"{where}: root is {root.tag}, not assessmentItem in {QTI_NS}"]
    _require(root, ("identifier", "title", "adaptive", "timeDependent"), where, problems)
    for element in root.iter():
        if isinstance(element.tag, str) and not element.tag.startswith(f"{{{QTI_NS}}}"):
            problems.append(f"{where}: <{element.tag}> is outside the QTI 2.1 namespace")

    responses: dict[str, tuple[str, str]] = {}
    outcomes: set[str] = set()
    for declaration in root.findall(_q("responseDeclaration")):
        _require(declaration, ("identifier", "cardinality", "baseType"), where, problems)
        identifier, cardinality = declaration.get("identifier", ""), declaration.get("cardinality", "")
        base_type = declaration.get("baseType", "")
        if cardinality not in _CARDINALITIES or base_type not in _BASE_TYPES:
            problems.append(
                f"{where}: response {identifier!r} has cardinality {cardinality!r} / {base_type!r}"
            )
        if identifier in responses:
            problems.append(f"{where}: response {identifier!r} declared twice")
        responses[identifier] = (cardinality, base_type)
        values = [value.text or "" for value in declaration.findall(f"{_q('correctResponse')}/{_q('value')}")]
        if cardinality == "single" and len(values) > 1:
            problems.append(f"{where}: single response {identifier!r} has {len(values)} correct values")
        for text in values:
            if not _value_ok(text, base_type):
                problems.append(f"{where}: correct value {text!r} is not a {base_type}")
        for entry in declaration.findall(f"{_q('mapping')}/{_q('mapEntry')}"):
            _require(entry, ("mapKey", "mappedValue"), where, problems)
            if not _value_ok(entry.get("mapKey", ""), base_type):
                problems.append(f"{where}: map key {entry.get('mapKey')!r} is not a {base_type}")
    for declaration in root.findall(_q("outcomeDeclaration")):
        _require(declaration, ("identifier", "cardinality"), where, problems)
        identifier = declaration.get("identifier", "")
        if identifier in outcomes or identifier in responses:
            problems.append(f"{where}: variable {identifier!r} declared twice")
        outcomes.add(identifier)
    if "SCORE" not in outcomes:
        problems.append(f"{where}: no SCORE outcome")

    body = root.find(_q("itemBody"))
    if body is None:
        return [*problems, f"{where}: no itemBody"]
    choice_ids: list[str] = []
    for interaction in body.iter(*(_q(name) for name in _INTERACTION_NEEDS)):
        name = _local(interaction)
        response = interaction.get("responseIdentifier", "")
        if response not in responses:
            problems.append(f"{where}: {name} answers undeclared response {response!r}")
            continue
        cardinality, base_type = responses[response]
        allowed_cardinality, allowed_types = _INTERACTION_NEEDS[name]
        if cardinality not in allowed_cardinality or base_type not in allowed_types:
            problems.append(f"{where}: {name} cannot fill a {cardinality} {base_type} response")
        if name == "choiceInteraction":
            single = interaction.get("maxChoices") == "1"
            if single != (cardinality == "single"):
                problems.append(
                    f"{where}: maxChoices={interaction.get('maxChoices')} with {cardinality} cardinality"
                )
            choices = [c.get("identifier", "") for c in interaction.findall(_q("simpleChoice"))]
            if not choices:
                problems.append(f"{where}: choiceInteraction without simpleChoice")
            _check_keys(root, response, lambda value, ids=set(choices): value in ids, where, problems)
            choice_ids += choices
        elif name == "matchInteraction":
            sets = interaction.findall(_q("simpleMatchSet"))
            if len(sets) != 2:
                problems.append(f"{where}: matchInteraction needs two simpleMatchSets, has {len(sets)}")
                continue
            sources, targets = ({c.get("identifier", "") for c in s} for s in sets)

            def pair_ok(value: str, sources: set[str] = sources, targets: set[str] = targets) -> bool:
                source, _, target = value.partition(" ")
                return source in sources and target in targets

            _check_keys(root, response, pair_ok, where, problems)
            choice_ids += [*sources, *targets]
        elif name == "textEntryInteraction" and _local(interaction.getparent()) not in _INLINE_PARENTS:
            problems.append(f"{where}: textEntryInteraction must sit in running text (<p>), not in itemBody")
    if len(set(choice_ids)) != len(choice_ids):
        problems.append(f"{where}: choice identifiers repeat")
    for choice_id in choice_ids:
        if not _IDENTIFIER.match(choice_id):
            problems.append(f"{where}: choice identifier {choice_id!r} is not an identifier")

    declared = set(responses) | outcomes
    processing = root.find(_q("responseProcessing"))
    for element in processing.iter() if processing is not None else ():
        tag = _local(element) if isinstance(element.tag, str) else ""
        if tag in {"variable", "correct", "mapResponse", "isNull"} and element.get("identifier"):
            if element.get("identifier") not in declared:
                problems.append(f"{where}: <{tag}> uses undeclared {element.get('identifier')!r}")
        if tag in {"correct", "mapResponse"} and element.get("identifier") not in responses:
            problems.append(f"{where}: <{tag}> needs a response variable, got {element.get('identifier')!r}")
        if tag == "setOutcomeValue" and element.get("identifier") not in outcomes:
            problems.append(f"{where}: setOutcomeValue sets non-outcome {element.get('identifier')!r}")
        if tag == "equal" and element.get("toleranceMode") not in {"exact", "absolute", "relative"}:
            problems.append(f"{where}: equal has toleranceMode {element.get('toleranceMode')!r}")
    for feedback in root.findall(_q("modalFeedback")):
        _require(feedback, ("outcomeIdentifier", "showHide", "identifier"), where, problems)
        if feedback.get("outcomeIdentifier") not in outcomes:
            problems.append(
                f"{where}: modalFeedback uses undeclared outcome {feedback.get('outcomeIdentifier')!r}"
            )
        if feedback.get("showHide") not in {"show", "hide"}:
            problems.append(f"{where}: modalFeedback showHide={feedback.get('showHide')!r}")
    return problems


def _check_keys(root: etree._Element, response: str, ok, where: str, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Correct values and mapping keys of ``response`` must name choices of its interaction."""
    for declaration in root.findall(_q("responseDeclaration")):
        if declaration.get("identifier") != response:
            continue
        values = [v.text or "" for v in declaration.findall(f"{_q('correctResponse')}/{_q('value')}")]
        keys = [e.get("mapKey", "") for e in declaration.findall(f"{_q('mapping')}/{_q('mapEntry')}")]
        for value in [*values, *keys]:
            if not ok(value):
                problems.append(
                    f"{where}: response {response!r} names {value!r}, which is not among its choices"
                )


def check_package(folder: Path) -> list[str]:
    """Every structural problem of the QTI 2.1 package in ``folder`` (an empty list when it is sound)."""
    folder = Path(folder)
    problems: list[str] = []
    manifest = _parse(folder / "imsmanifest.xml", problems)
    if manifest is None:
        return problems or ["imsmanifest.xml is missing"]
    cp = f"{{{CP_NS}}}"
    if manifest.tag != f"{cp}manifest":
        return [f"imsmanifest.xml: root is {manifest.tag}, not manifest in {CP_NS}"]
    _require(manifest, ("identifier",), "imsmanifest.xml", problems)
    resources = manifest.findall(f"{cp}resources/{cp}resource")
    by_id: dict[str, etree._Element] = {}
    for resource in resources:
        _require(resource, ("identifier", "type", "href"), "imsmanifest.xml", problems)
        identifier = resource.get("identifier", "")
        if identifier in by_id:
            problems.append(f"imsmanifest.xml: resource {identifier!r} listed twice")
        by_id[identifier] = resource
        if resource.get("type") not in {ITEM_RESOURCE_TYPE, TEST_RESOURCE_TYPE}:
            problems.append(f"imsmanifest.xml: resource {identifier!r} has type {resource.get('type')!r}")
        hrefs = [resource.get("href", ""), *(f.get("href", "") for f in resource.findall(f"{cp}file"))]
        if resource.get("href") not in hrefs[1:]:
            problems.append(f"imsmanifest.xml: resource {identifier!r} does not list its href as a <file>")
        for href in hrefs:
            if not (folder / href).is_file() or ".." in Path(href).parts:
                problems.append(f"imsmanifest.xml: resource {identifier!r} points to missing file {href!r}")
    for dependency in manifest.iter(f"{cp}dependency"):
        if dependency.get("identifierref") not in by_id:
            problems.append(
                f"imsmanifest.xml: dependency on unknown resource {dependency.get('identifierref')!r}"
            )

    item_ids: dict[str, str] = {}  # href -> item identifier
    for resource in resources:
        href = resource.get("href", "")
        if resource.get("type") != ITEM_RESOURCE_TYPE or not (folder / href).is_file():
            continue
        root = _parse(folder / href, problems)
        if root is None:
            continue
        problems += check_item(root, href)
        identifier = root.get("identifier", "")
        if identifier in item_ids.values():
            problems.append(f"{href}: item identifier {identifier!r} is used twice")
        item_ids[href] = identifier

    tests = [r for r in resources if r.get("type") == TEST_RESOURCE_TYPE]
    if len(tests) != 1:
        problems.append(f"imsmanifest.xml: {len(tests)} assessmentTest resources, expected 1")
    for resource in tests:
        href = resource.get("href", "")
        root = _parse(folder / href, problems) if (folder / href).is_file() else None
        if root is None:
            continue
        if root.tag != _q("assessmentTest"):
            problems.append(f"{href}: root is {root.tag}, not assessmentTest")
            continue
        _require(root, ("identifier", "title"), href, problems)
        parts = root.findall(_q("testPart"))
        if not parts:
            problems.append(f"{href}: no testPart")
        for part in parts:
            _require(part, ("identifier", "navigationMode", "submissionMode"), href, problems)
        referenced = set()
        for ref in root.iter(_q("assessmentItemRef")):
            _require(ref, ("identifier", "href"), href, problems)
            target = ref.get("href", "")
            referenced.add(target)
            if target not in item_ids:
                problems.append(
                    f"{href}: assessmentItemRef points to {target!r}, not an item of the manifest"
                )
            elif item_ids[target] != ref.get("identifier"):
                problems.append(f"{href}: ref {ref.get('identifier')!r} names item {item_ids[target]!r}")
        for missing in sorted(set(item_ids) - referenced):
            problems.append(f"{href}: item {missing!r} is in the manifest but not in the test")
    return problems
