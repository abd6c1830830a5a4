"""Load and validate quiz YAML with ruamel.yaml; every problem names file, line and field.

Problems are collected, not raised one by one: ``load_quiz`` raises one ``QuizValidationError`` listing all of
them, one line each, ``FILE:LINE: FIELD: MESSAGE`` (e.g. ``quizzes/neuron.yaml:14: items[2].answer: a numeric
item needs 'answer'``). ``--strict`` (the course's own files) also requires Korean and English for every text
a student reads; without it a plain string or a single language is accepted and reported as a warning.

Why one long module: it is one recursive-descent validator over the five item types, sharing a located
problem list and the line lookup; split by item type, every part would need all of that state.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from activation_lab.errors import QuizError
from activation_lab.i18n import Message, default_language, render
from activation_lab.quiz.formulas import FORMULA_REL_TOLERANCE, FormulaError, Samples, same_formula
from activation_lab.quiz.formulas import evaluate as evaluate_formula
from activation_lab.quiz.model import (
    ITEM_TYPES,
    LANGUAGES,
    SCORING_MODES,
    Accept,
    AnswerTolerance,
    Choice,
    Item,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    NumericAnswer,
    Pair,
    Quiz,
    ShortText,
    SingleChoice,
    WrongValue,
)
from activation_lab.quiz.normalize import normalize_text
from activation_lab.quiz.numbers import NumberFormatError, evaluate_expression, parse_number

SCHEMA_VERSION = 1
# Bounds on YAML read in the trusted process (answers.yaml comes from students): docs/security.md.
YAML_MAX_CHARS = 1024 * 1024  # the text itself
YAML_MAX_DEPTH = 64  # maps and lists inside each other
YAML_MAX_ALIASES = 100  # *alias references (anchors are legal, a few are plenty)
YAML_MAX_NODES = 100_000  # values once every alias is expanded (a 455-byte alias bomb makes ~10^7)
Node = dict[Any, Any]  # a parsed YAML map (ruamel's CommentedMap at run time)
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

QUIZ_FIELDS = ("schema_version", "id", "title", "description", "items")
COMMON_ITEM_FIELDS = ("id", "type", "points", "prompt", "explanation")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single_choice": ("choices", "shuffle"),
    "multiple_select": ("choices", "scoring", "shuffle"),
    "numeric": ("answer", "wrong", "check"),
    "short_text": ("accept", "wrong", "samples"),
    "matching": ("pairs", "distractors", "shuffle"),
}
CHOICE_FIELDS = ("id", "text", "correct", "feedback")
ANSWER_FIELDS = ("value", "expr", "tolerance")
TOLERANCE_FIELDS = ("abs", "rel")
WRONG_VALUE_FIELDS = ("value", "expr", "feedback")
ACCEPT_FIELDS = ("text", "variants", "feedback")
PAIR_FIELDS = ("left", "right", "feedback")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at ``file:line`` in ``field``; ``text`` (a ``validate.*`` message) says what is wrong."""

    file: str
    line: int
    field: str
    text: Message
    severity: Literal["error", "warning"] = "error"

    @property
    def message(self) -> Message:
        """The one-line message ``FILE:LINE: FIELD: TEXT``."""
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        parts = [Message.text({"": f"{where}{self.field + ': ' if self.field else ''}"})]
        if self.severity != "error":
            parts += [Message("quiz", "validate.warning_label"), Message.text({"": " "})]
        parts.append(self.text)
        return Message.join(parts, "")

    def render(self, lang: str) -> str:
        """The one-line message ``FILE:LINE: FIELD: TEXT`` in ``lang``."""
        return render(self.message, lang)


class QuizValidationError(QuizError):
    """A quiz or answers file has problems; ``problems`` holds every one, the message has one line each."""

    def __init__(self, problems: Iterable[Problem], lang: str | None = None) -> None:
        self.problems = tuple(sorted(problems, key=lambda problem: (problem.file, problem.line)))
        self.lang = lang or default_language()
        self.message = Message.join([problem.message for problem in self.problems])
        super().__init__(render(self.message, self.lang))


def load_quiz(path: str | Path, *, strict: bool = False, lang: str | None = None) -> Quiz:
    """Read and validate one quiz file; raise ``QuizValidationError`` (a QuizError) listing every problem."""
    quiz, problems = check_quiz_file(path, strict=strict)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors or quiz is None:
        raise QuizValidationError(errors, lang)
    return quiz


def quiz_paths(directory: str | Path) -> list[Path]:
    """The quiz files of a folder, in the order they are read: ``*.yaml`` then ``*.yml``, each by name."""
    return sorted(Path(directory).glob("*.yaml")) + sorted(Path(directory).glob("*.yml"))


def load_quizzes(directory: str | Path, *, strict: bool = False, lang: str | None = None) -> list[Quiz]:
    """Every ``*.yaml`` quiz in ``directory`` (sorted by file name); item ids must be unique across them."""
    return _checked([check_quiz_file(path, strict=strict) for path in quiz_paths(directory)], lang)


def load_quiz_texts(
    texts: Iterable[tuple[str, str]], *, strict: bool = False, lang: str | None = None
) -> list[Quiz]:
    """:func:`load_quizzes` for texts already read: ``(file name used in messages, YAML text)`` pairs."""
    return _checked([check_quiz_text(text, name, strict=strict) for name, text in texts], lang)


def _checked(results: list[tuple[Quiz | None, list[Problem]]], lang: str | None) -> list[Quiz]:
    problems: list[Problem] = []
    quizzes: list[Quiz] = []
    for quiz, found in results:
        problems.extend(p for p in found if p.severity == "error")
        if quiz is not None:
            quizzes.append(quiz)
    problems.extend(cross_quiz_problems(quizzes))
    if problems:
        raise QuizValidationError(problems, lang)
    return quizzes


def cross_quiz_problems(quizzes: Iterable[Quiz]) -> list[Problem]:
    """Problems between quizzes of one course: duplicate quiz ids and item ids used by two quizzes."""
    problems: list[Problem] = []
    quiz_ids: dict[str, Quiz] = {}
    seen: dict[str, tuple[Quiz, Item]] = {}
    for quiz in quizzes:
        if quiz.id in quiz_ids:
            first = quiz_ids[quiz.id]
            problems.append(
                Problem(
                    quiz.source,
                    0,
                    "id",
                    Message("quiz", "validate.duplicate_quiz_id", {"id": quiz.id, "other": first.source}),
                )
            )
        quiz_ids.setdefault(quiz.id, quiz)
        for item in quiz.items:
            if item.id in seen:
                other_quiz, other_item = seen[item.id]
                other = f"{other_quiz.source}:{other_item.line}"
                problems.append(
                    Problem(
                        quiz.source,
                        item.line,
                        "id",
                        Message("quiz", "validate.item_id_in_two_quizzes", {"id": item.id, "other": other}),
                    )
                )
            else:
                seen[item.id] = (quiz, item)
    return problems


def check_quiz_file(path: str | Path, *, strict: bool = False) -> tuple[Quiz | None, list[Problem]]:
    """Validate one quiz file: the quiz (None when it has errors) and every problem, warnings included."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, 0, "", Message("quiz", "validate.file_not_found"))]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, 0, "", Message("quiz", "validate.file_unreadable", {"error": str(exc)}))]
    return check_quiz_text(text, name, strict=strict)


def check_quiz_text(
    text: str, name: str = "<quiz>", *, strict: bool = False
) -> tuple[Quiz | None, list[Problem]]:
    """Validate quiz YAML given as text; ``name`` is the file name used in messages."""
    try:
        document = parse_yaml(text, name)
    except QuizValidationError as exc:
        return None, list(exc.problems)
    reader = _QuizReader(name, strict)
    quiz = reader.read(document)
    has_errors = any(problem.severity == "error" for problem in reader.problems)
    return (None if has_errors else quiz), reader.problems


def _too_complex(name: str, line: int, what: str) -> QuizValidationError:
    return QuizValidationError(
        [Problem(name, line, "", Message("quiz", "validate.yaml_too_complex", {"what": what}))]
    )


class _YamlBounds:
    """The bounds of :func:`check_yaml_bounds`, applied to one parser event at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sizes: dict[str, int] = {}  # anchor -> values it expands to (set when its node is complete)
        self.stack: list[list[Any]] = [[None, 0]]  # [anchor, values so far] of each open collection
        self.aliases = 0

    def see(self, event: Any) -> None:
        """Count ``event``; raise ``QuizValidationError`` (``yaml_too_complex``) at the first bound passed."""
        from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

        mark = getattr(event, "start_mark", None)
        line = mark.line + 1 if mark is not None else 0
        stack = self.stack
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) - 1 > YAML_MAX_DEPTH:
                raise _too_complex(self.name, line, f"nested more than {YAML_MAX_DEPTH} levels deep")
            return
        if isinstance(event, CollectionEndEvent):
            anchor, count = stack.pop()
        elif isinstance(event, ScalarEvent):
            anchor, count = event.anchor, 1
        elif isinstance(event, AliasEvent):
            self.aliases += 1
            if self.aliases > YAML_MAX_ALIASES:
                raise _too_complex(self.name, line, f"more than {YAML_MAX_ALIASES} aliases (*name)")
            if event.anchor not in self.sizes:  # an alias inside its own anchor: a value that contains itself
                what = f"the alias *{event.anchor} refers to a value containing it"
                raise _too_complex(self.name, line, what)
            anchor, count = None, self.sizes[event.anchor]
        else:
            return
        if anchor is not None:
            self.sizes[anchor] = count
        stack[-1][1] += count
        if stack[-1][1] > YAML_MAX_NODES:
            what = f"more than {YAML_MAX_NODES} values once aliases are expanded"
            raise _too_complex(self.name, line, what)


def check_yaml_bounds(text: str, name: str) -> None:
    """Refuse YAML whose reading would cost more than its size suggests (alias bombs, deep nesting).

    Runs over the parser's events only (no value is built): counts aliases, nesting depth and the number
    of values once every alias is expanded, stopping at the first bound passed. Raises
    ``QuizValidationError`` (``yaml_too_complex``); a syntax error is left to the real load to report.
    :func:`parse_yaml` applies the same bounds to the events its loader reads, in one pass.
    """
    if len(text) > YAML_MAX_CHARS:
        raise _too_complex(name, 0, f"more than {YAML_MAX_CHARS // 1024} KiB")
    bounds = _YamlBounds(name)
    for event in YAML(typ="rt").parse(text):
        bounds.see(event)


def _bounded_yaml(name: str) -> YAML:
    """A round-trip loader whose parser hands every event to :class:`_YamlBounds` before the composer sees it.

    The composer takes each event once (``get_event``) and builds only nodes (shared, never expanded, so an
    alias costs one reference); values are built after the whole document is composed. So the bounds stop
    a file at the same event as a separate pass over its events would, nothing is built past that event,
    and no value is built unless every bound held: the guarantees of :func:`check_yaml_bounds` at the cost
    of one parse instead of two.
    """
    yaml = YAML(typ="rt")
    bounds = _YamlBounds(name)
    base: Any = yaml.Parser

    class BoundedParser(base):  # type: ignore[misc]
        def get_event(self) -> Any:
            event = super().get_event()
            bounds.see(event)
            return event

    yaml.Parser = BoundedParser
    return yaml


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML with ruamel's round-trip loader (positions kept, duplicate keys refused), within bounds."""
    try:
        if len(text) > YAML_MAX_CHARS:
            raise _too_complex(name, 0, f"more than {YAML_MAX_CHARS // 1024} KiB")
        try:
            return _bounded_yaml(name).load(text)
        except (YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            # The loader stops at the first problem of any kind (a second document, say); the bounds are
            # checked over the whole text first, so a bound passed later in it is what is reported.
            check_yaml_bounds(text, name)
            raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = " ".join(str(exc.problem or exc.context or "").split())
        key = "duplicate_key" if type(exc).__name__ == "DuplicateKeyError" else "bad_yaml"
        raise QuizValidationError(
            [Problem(name, line, "", Message("quiz", f"validate.{key}", {"error": problem}))]
        ) from None
    except YAMLError as exc:
        raise QuizValidationError(
            [
                Problem(
                    name, 0, "", Message("quiz", "validate.bad_yaml", {"error": " ".join(str(exc).split())})
                )
            ]
        ) from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # ruamel's constructors raise these for odd tags (``!!int text``) and unhashable complex keys
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        raise QuizValidationError(
            [Problem(name, 0, "", Message("quiz", "validate.bad_yaml", {"error": error}))]
        ) from None


def line_of(node: Any, key: Any = None) -> int:
    """The 1-based line of ``node`` (or of its ``key`` / index), 0 when ruamel did not record one."""
    try:
        if key is not None and isinstance(node, CommentedMap) and key in node:
            return int(node.lc.key(key)[0]) + 1
        if key is not None and isinstance(node, CommentedSeq) and isinstance(key, int):
            return int(node.lc.item(key)[0]) + 1
        if isinstance(node, CommentedMap | CommentedSeq):
            return int(node.lc.line) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        pass
    return 0


def _comparable(text: str) -> str:
    """How a matching side is compared: as a number when it reads as one (``1/2`` = ``0.5``), else as text."""
    try:
        return f"{parse_number(text)!r}"
    except NumberFormatError:
        return normalize_text(text)


def _join(path: str, key: Any) -> str:
    """``items[2]`` + ``answer`` → ``items[2].answer``; at the top level just the key."""
    return f"{path}.{key}" if path else str(key)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """A YAML-ish name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


class _QuizReader:
    """Walks the parsed YAML, building the model and collecting problems."""

    def __init__(self, file: str, strict: bool) -> None:
        self.file = file
        self.strict = strict
        self.problems: list[Problem] = []

    def error(self, line: int, field_path: str, key: str, **params: Any) -> None:
        self.problems.append(Problem(self.file, line, field_path, Message("quiz", f"validate.{key}", params)))

    def warn(self, line: int, field_path: str, key: str, **params: Any) -> None:
        self.problems.append(
            Problem(
                self.file, line, field_path, Message("quiz", f"validate.{key}", params), severity="warning"
            )
        )

    def error_suggest(
        self, line: int, path: str, key: str, value: str, known: tuple[str, ...], **params: Any
    ) -> None:
        """An error about a value outside ``known``, with "did you mean" when one is close."""
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
        if close:
            self.error(line, path, f"{key}_did_you_mean", suggestion=close[0], **params)
        else:
            self.error(line, path, key, known=", ".join(known), **params)

    # -- generic helpers ----------------------------------------------------------------------------

    def check_fields(
        self, node: Node, allowed: Iterable[str], path: str, elsewhere: dict[str, str] | None = None
    ) -> None:
        """Report unknown keys, suggesting the closest allowed one (or saying which item type has it)."""
        allowed = tuple(allowed)
        for key in node:
            if key in allowed:
                continue
            where = _join(path, key) if path else str(key)
            if elsewhere and key in elsewhere:
                self.error(line_of(node, key), where, "field_of_other_type", field=key, types=elsewhere[key])
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                self.error(
                    line_of(node, key), where, "unknown_field_did_you_mean", field=key, suggestion=close[0]
                )
            else:
                self.error(line_of(node, key), where, "unknown_field", field=key, allowed=", ".join(allowed))

    def require_map(self, value: Any, line: int, path: str) -> Node | None:
        if isinstance(value, dict):
            return value
        self.error(line, path, "expected_map", got=_kind(value))
        return None

    def require_list(
        self, value: Any, line: int, path: str, *, allow_empty: bool = False
    ) -> list[Any] | None:
        if not isinstance(value, list):
            self.error(line, path, "expected_list", got=_kind(value))
            return None
        if not value and not allow_empty:
            self.error(line, path, "empty_list")
            return None
        return value

    def read_id(self, node: Node, path: str) -> str | None:
        if "id" not in node:
            self.error(line_of(node), path, "missing_field", field="id")
            return None
        value = node["id"]
        if _is_number(value):
            value = str(value)
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.error(line_of(node, "id"), f"{path}.id" if path else "id", "bad_id", id=value)
            return None
        return value

    def read_text(
        self, value: Any, line: int, path: str, *, translatable: bool = True
    ) -> LocalizedText | None:
        """A string or a language map; in strict mode translatable texts need every course language."""
        if _is_number(value):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                self.error(line, path, "empty_text")
                return None
            if translatable and self.strict:
                self.error(line, path, "needs_translations", languages=", ".join(LANGUAGES))
            return LocalizedText.plain(value)
        if not isinstance(value, dict):
            self.error(line, path, "expected_text", got=_kind(value))
            return None
        translations: dict[str, str] = {}
        for lang, text in value.items():
            where = f"{path}.{lang}"
            lang_line = line_of(value, lang) or line
            if lang not in LANGUAGES:
                self.error_suggest(lang_line, where, "unknown_language", str(lang), LANGUAGES, lang=lang)
                continue
            if _is_number(text):
                text = str(text)
            if not isinstance(text, str) or not text.strip():
                self.error(lang_line, where, "empty_text")
                continue
            translations[lang] = text
        if not translations:
            if not value:
                self.error(line, path, "empty_text")
            return None
        missing = [lang for lang in LANGUAGES if lang not in translations]
        if missing:  # a map says the text is language-specific, so every language is due
            report = self.error if self.strict else self.warn
            report(line, path, "missing_translation", languages=", ".join(missing))
        return LocalizedText(translations)

    def optional_text(
        self, node: Node, key: str, path: str, *, translatable: bool = True
    ) -> LocalizedText | None:
        if key not in node or node[key] is None:
            return None
        return self.read_text(node[key], line_of(node, key), _join(path, key), translatable=translatable)

    def required_text(
        self, node: Node, key: str, path: str, *, translatable: bool = True
    ) -> LocalizedText | None:
        if key not in node:
            self.error(line_of(node), path, "missing_field", field=key)
            return None
        return self.read_text(node[key], line_of(node, key), _join(path, key), translatable=translatable)

    def read_bool(self, node: Node, key: str, path: str, default: bool) -> bool:
        if key not in node:
            return default
        value = node[key]
        if not isinstance(value, bool):
            self.error(line_of(node, key), _join(path, key), "expected_bool", got=_kind(value))
            return default
        return value

    def read_non_negative(self, node: Node, key: str, path: str) -> float | None:
        value = node[key]
        if not _is_number(value) or not 0 <= value < float("inf"):  # also refuses nan
            self.error(line_of(node, key), _join(path, key), "bad_tolerance_value", value=value)
            return None
        return float(value)

    # -- the quiz -----------------------------------------------------------------------------------

    def read(self, document: Any) -> Quiz | None:
        if document is None:
            self.error(1, "", "empty_file")
            return None
        root = self.require_map(document, 1, "")
        if root is None:
            return None
        self.check_fields(root, QUIZ_FIELDS, "")
        version = root.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION or isinstance(version, bool):
            self.error(
                line_of(root, "schema_version"),
                "schema_version",
                "bad_schema_version",
                version=version,
                supported=SCHEMA_VERSION,
            )
        quiz_id = self.read_id(root, "")
        title = self.required_text(root, "title", "")
        description = self.optional_text(root, "description", "")
        items: list[Item] = []
        if "items" not in root:
            self.error(line_of(root), "", "missing_field", field="items")
        else:
            raw_items = self.require_list(root["items"], line_of(root, "items"), "items")
            first_line: dict[str, int] = {}
            for index, raw in enumerate(raw_items or []):
                item_line = line_of(raw) or line_of(raw_items, index)
                raw_id = str(raw.get("id")) if isinstance(raw, dict) and "id" in raw else None
                duplicate = raw_id in first_line
                if raw_id is not None and duplicate:
                    self.error(
                        line_of(raw, "id"),
                        f"items[{index}].id",
                        "duplicate_item_id",
                        id=raw_id,
                        other=first_line[raw_id],
                    )
                elif raw_id is not None:
                    first_line[raw_id] = item_line
                item = self.read_item(raw, line_of(raw_items, index), f"items[{index}]")
                if item is not None and not duplicate:
                    items.append(item)
        if quiz_id is None or title is None:
            return None
        return Quiz(
            id=quiz_id,
            title=title,
            items=tuple(items),
            schema_version=SCHEMA_VERSION,
            description=description,
            source=self.file,
        )

    def read_item(self, raw: Any, line: int, path: str) -> Item | None:
        node = self.require_map(raw, line, path)
        if node is None:
            return None
        line = line_of(node) or line
        item_type = node.get("type")
        if "type" not in node:
            self.error(line, path, "missing_field", field="type")
            return None
        if item_type not in ITEM_TYPES:
            self.error_suggest(
                line_of(node, "type"),
                f"{path}.type",
                "unknown_type",
                str(item_type),
                ITEM_TYPES,
                type=item_type,
            )
            return None
        own = TYPE_FIELDS[item_type]
        elsewhere = {
            name: ", ".join(t for t, fields in TYPE_FIELDS.items() if name in fields)
            for fields in TYPE_FIELDS.values()
            for name in fields
            if name not in own
        }
        self.check_fields(node, COMMON_ITEM_FIELDS + own, path, elsewhere)
        item_id = self.read_id(node, path)
        prompt = self.required_text(node, "prompt", path)
        explanation = self.optional_text(node, "explanation", path)
        points = 1.0
        if "points" in node:
            value = node["points"]
            if not _is_number(value) or not value > 0:
                self.error(line_of(node, "points"), f"{path}.points", "bad_points", value=value)
            else:
                points = float(value)
        readers: dict[str, Callable[[Node, str], dict[str, Any] | None]] = {
            "single_choice": self.single_choice,
            "multiple_select": self.multiple_select,
            "numeric": self.numeric,
            "short_text": self.short_text,
            "matching": self.matching,
        }
        specific = readers[item_type](node, path)
        if item_id is None or prompt is None or specific is None:
            return None
        common = {"id": item_id, "prompt": prompt, "points": points, "explanation": explanation, "line": line}
        classes: dict[str, type] = {
            "single_choice": SingleChoice,
            "multiple_select": MultipleSelect,
            "numeric": Numeric,
            "short_text": ShortText,
            "matching": Matching,
        }
        return classes[item_type](**common, **specific)  # type: ignore[no-any-return]

    # -- choices ------------------------------------------------------------------------------------

    def choices(self, node: Node, path: str) -> tuple[Choice, ...] | None:
        if "choices" not in node:
            self.error(line_of(node), path, "missing_field", field="choices")
            return None
        raw_choices = self.require_list(node["choices"], line_of(node, "choices"), f"{path}.choices")
        if raw_choices is None:
            return None
        if len(raw_choices) < 2:
            self.error(line_of(node, "choices"), f"{path}.choices", "too_few_choices", count=len(raw_choices))
        result: list[Choice] = []
        first_line: dict[str, int] = {}
        ok = True
        for index, raw in enumerate(raw_choices):
            where = f"{path}.choices[{index}]"
            choice_node = self.require_map(raw, line_of(raw_choices, index), where)
            if choice_node is None:
                ok = False
                continue
            self.check_fields(choice_node, CHOICE_FIELDS, where)
            choice_id = self.read_id(choice_node, where)
            text = self.required_text(choice_node, "text", where, translatable=False)  # formulas, code
            correct = self.read_bool(choice_node, "correct", where, False)
            feedback = self.optional_text(choice_node, "feedback", where)
            if choice_id is None or text is None:
                ok = False
                continue
            choice_line = line_of(choice_node) or line_of(raw_choices, index)
            if choice_id in first_line:
                self.error(
                    choice_line,
                    f"{where}.id",
                    "duplicate_choice_id",
                    id=choice_id,
                    other=first_line[choice_id],
                )
                ok = False
                continue
            first_line[choice_id] = choice_line
            result.append(Choice(id=choice_id, text=text, correct=correct, feedback=feedback))
        return tuple(result) if ok else None

    def single_choice(self, node: Node, path: str) -> dict[str, Any] | None:
        choices = self.choices(node, path)
        shuffle = self.read_bool(node, "shuffle", path, True)
        if choices is None:
            return None
        correct = sum(choice.correct for choice in choices)
        if correct != 1:
            self.error(
                line_of(node, "choices"), f"{path}.choices", "single_choice_correct_count", count=correct
            )
            return None
        return {"choices": choices, "shuffle": shuffle}

    def multiple_select(self, node: Node, path: str) -> dict[str, Any] | None:
        choices = self.choices(node, path)
        shuffle = self.read_bool(node, "shuffle", path, True)
        scoring = node.get("scoring", "all_or_nothing")
        if scoring not in SCORING_MODES:
            self.error_suggest(
                line_of(node, "scoring"),
                f"{path}.scoring",
                "unknown_scoring",
                str(scoring),
                SCORING_MODES,
                scoring=scoring,
            )
            return None
        if choices is None:
            return None
        if not any(choice.correct for choice in choices):
            self.error(line_of(node, "choices"), f"{path}.choices", "multiple_select_no_correct")
            return None
        return {"choices": choices, "scoring": scoring, "shuffle": shuffle}

    # -- numeric ------------------------------------------------------------------------------------

    def number_or_expr(
        self, node: Node, path: str, allowed: tuple[str, ...]
    ) -> tuple[float, str | None] | None:
        """The ``value`` or ``expr`` of an answer map (exactly one of them)."""
        self.check_fields(node, allowed, path)
        has_value, has_expr = "value" in node, "expr" in node
        if has_value == has_expr:
            self.error(line_of(node), path, "value_or_expr")
            return None
        if has_value:
            value = node["value"]
            if not _is_number(value) or value != value or value in (float("inf"), float("-inf")):
                hint = "expr" if isinstance(value, str) else "value"
                self.error(line_of(node, "value"), f"{path}.value", "bad_value", value=value, hint=hint)
                return None
            return float(value), None
        expr = node["expr"]
        if _is_number(expr):
            expr = str(expr)
        if not isinstance(expr, str):
            self.error(line_of(node, "expr"), f"{path}.expr", "bad_expr", expr=expr, error=_kind(expr))
            return None
        try:
            return evaluate_expression(expr), expr
        except ValueError as exc:
            self.error(line_of(node, "expr"), f"{path}.expr", "bad_expr", expr=expr, error=str(exc))
            return None

    def tolerance(self, node: Node, path: str) -> AnswerTolerance | None:
        if "tolerance" not in node:
            return AnswerTolerance()
        where = f"{path}.tolerance"
        raw = node["tolerance"]
        if not isinstance(raw, dict):
            self.error(line_of(node, "tolerance"), where, "bad_tolerance", got=_kind(raw))
            return None
        self.check_fields(raw, TOLERANCE_FIELDS, where)
        if not any(key in raw for key in TOLERANCE_FIELDS):
            self.error(line_of(node, "tolerance"), where, "bad_tolerance", got="{}")
            return None
        absolute = self.read_non_negative(raw, "abs", where) if "abs" in raw else 0.0
        relative = self.read_non_negative(raw, "rel", where) if "rel" in raw else 0.0
        if absolute is None or relative is None:
            return None
        return AnswerTolerance(abs=absolute, rel=relative)

    def numeric(self, node: Node, path: str) -> dict[str, Any] | None:
        check = node.get("check")
        if check is not None and (not isinstance(check, str) or not check.strip()):
            self.error(line_of(node, "check"), f"{path}.check", "bad_check", got=_kind(check))
        if "answer" not in node:
            self.error(line_of(node), f"{path}.answer", "numeric_needs_answer")
            return None
        raw = node["answer"]
        where = f"{path}.answer"
        if _is_number(raw):  # shorthand: answer: 0.5
            answer: NumericAnswer | None = NumericAnswer(value=float(raw))
        elif isinstance(raw, dict):
            found = self.number_or_expr(raw, where, ANSWER_FIELDS)
            tolerance = self.tolerance(raw, where)
            answer = (
                None if found is None or tolerance is None else NumericAnswer(found[0], tolerance, found[1])
            )
        else:
            self.error(line_of(node, "answer"), where, "bad_numeric_answer", got=_kind(raw))
            answer = None
        wrong: list[WrongValue] = []
        if "wrong" in node:
            raw_wrong = self.require_list(node["wrong"], line_of(node, "wrong"), f"{path}.wrong") or []
            for index, entry in enumerate(raw_wrong):
                entry_path = f"{path}.wrong[{index}]"
                entry_node = self.require_map(entry, line_of(raw_wrong, index), entry_path)
                if entry_node is None:
                    continue
                found = self.number_or_expr(entry_node, entry_path, WRONG_VALUE_FIELDS)
                feedback = self.required_text(entry_node, "feedback", entry_path)
                if found is not None and feedback is not None:
                    wrong.append(WrongValue(value=found[0], feedback=feedback, expr=found[1]))
                    if answer is not None and abs(found[0] - answer.value) <= answer.tolerance.bound(
                        answer.value
                    ):
                        self.error(line_of(entry_node), entry_path, "wrong_value_is_correct", value=found[0])
        if answer is None:
            return None
        return {"answer": answer, "wrong": tuple(wrong), "check": check if isinstance(check, str) else None}

    # -- short text ---------------------------------------------------------------------------------

    def accept_list(
        self, node: Node, key: str, path: str, *, needs_feedback: bool
    ) -> tuple[Accept, ...] | None:
        raw_list = self.require_list(node[key], line_of(node, key), _join(path, key))
        if raw_list is None:
            return None
        result: list[Accept] = []
        for index, entry in enumerate(raw_list):
            where = f"{path}.{key}[{index}]"
            entry_line = line_of(raw_list, index)
            if isinstance(entry, str | int | float) and not isinstance(entry, bool) and not needs_feedback:
                if not str(entry).strip():
                    self.error(entry_line, where, "empty_text")
                    continue
                result.append(Accept(text=str(entry)))
                continue
            entry_node = self.require_map(entry, entry_line, where)
            if entry_node is None:
                continue
            self.check_fields(entry_node, ACCEPT_FIELDS, where)
            text = entry_node.get("text")
            if _is_number(text):
                text = str(text)
            if not isinstance(text, str) or not text.strip():
                self.error(
                    line_of(entry_node, "text") or entry_line, f"{where}.text", "missing_field", field="text"
                )
                continue
            variants: list[str] = []
            if "variants" in entry_node:
                raw_variants = self.require_list(
                    entry_node["variants"], line_of(entry_node, "variants"), f"{where}.variants"
                )
                for variant in raw_variants or []:
                    if (
                        not isinstance(variant, str | int | float)
                        or isinstance(variant, bool)
                        or not str(variant).strip()
                    ):
                        self.error(
                            line_of(entry_node, "variants"),
                            f"{where}.variants",
                            "bad_variant",
                            got=_kind(variant),
                        )
                        continue
                    variants.append(str(variant))
            if needs_feedback:
                feedback = self.required_text(entry_node, "feedback", where)
            else:
                feedback = self.optional_text(entry_node, "feedback", where)
            result.append(Accept(text=text, variants=tuple(variants), feedback=feedback))
        return tuple(result)

    def short_text(self, node: Node, path: str) -> dict[str, Any] | None:
        if "accept" not in node:
            self.error(line_of(node), f"{path}.accept", "short_text_needs_accept")
            return None
        accept = self.accept_list(node, "accept", path, needs_feedback=False)
        wrong = self.accept_list(node, "wrong", path, needs_feedback=True) if "wrong" in node else ()
        if accept is None or wrong is None:
            return None
        samples = node.get("samples")
        if samples is not None:
            if not self.formula_forms(node, accept, wrong, path):
                return None
            return {"accept": accept, "wrong": wrong, "samples": str(samples)}
        accepted = {normalize_text(form) for entry in accept for form in entry.forms()}
        for index, entry in enumerate(wrong):
            clash = [form for form in entry.forms() if normalize_text(form) in accepted]
            if clash:
                self.error(
                    line_of(node, "wrong"), f"{path}.wrong[{index}]", "wrong_text_is_accepted", text=clash[0]
                )
                return None
        return {"accept": accept, "wrong": wrong}

    def formula_forms(
        self, node: Node, accept: tuple[Accept, ...], wrong: tuple[Accept, ...], path: str
    ) -> bool:
        """Check a formula item: readable samples, every form computable there, no wrong form = a key."""
        try:
            samples = Samples.parse(str(node["samples"]))
        except ValueError as exc:
            self.error(line_of(node, "samples"), f"{path}.samples", "bad_samples", error=str(exc))
            return False
        keys = [form for entry in accept for form in entry.forms()]
        for form in keys + [form for entry in wrong for form in entry.forms()]:
            try:
                for point in samples.points():
                    evaluate_formula(form, point)
            except FormulaError as exc:
                self.error(line_of(node), path, "bad_formula", formula=form, error=exc.reason)
                return False
        for index, entry in enumerate(wrong):
            for form in entry.forms():
                if any(same_formula(form, key, samples, FORMULA_REL_TOLERANCE) for key in keys):
                    self.error(
                        line_of(node, "wrong"), f"{path}.wrong[{index}]", "wrong_text_is_accepted", text=form
                    )
                    return False
        return True

    # -- matching -----------------------------------------------------------------------------------

    def matching(self, node: Node, path: str) -> dict[str, Any] | None:
        shuffle = self.read_bool(node, "shuffle", path, True)
        if "pairs" not in node:
            self.error(line_of(node), f"{path}.pairs", "matching_needs_pairs")
            return None
        raw_pairs = self.require_list(node["pairs"], line_of(node, "pairs"), f"{path}.pairs")
        if raw_pairs is None:
            return None
        pairs: list[Pair] = []
        ok = True
        for index, entry in enumerate(raw_pairs):
            where = f"{path}.pairs[{index}]"
            entry_node = self.require_map(entry, line_of(raw_pairs, index), where)
            if entry_node is None:
                ok = False
                continue
            self.check_fields(entry_node, PAIR_FIELDS, where)
            left = self.required_text(entry_node, "left", where, translatable=False)
            right = self.required_text(entry_node, "right", where, translatable=False)
            feedback = self.optional_text(entry_node, "feedback", where)
            if left is None or right is None:
                ok = False
                continue
            pairs.append(Pair(left=left, right=right, feedback=feedback))
        distractors: list[LocalizedText] = []
        if "distractors" in node:
            raw_distractors = (
                self.require_list(
                    node["distractors"], line_of(node, "distractors"), f"{path}.distractors", allow_empty=True
                )
                or []
            )
            for index, entry in enumerate(raw_distractors):
                text = self.read_text(
                    entry,
                    line_of(raw_distractors, index) or line_of(node, "distractors"),
                    f"{path}.distractors[{index}]",
                    translatable=False,
                )
                if text is None:
                    ok = False
                else:
                    distractors.append(text)
        if not ok:
            return None
        self.unique_texts([pair.left for pair in pairs], line_of(node, "pairs"), f"{path}.pairs", "left")
        self.unique_texts(
            [pair.right for pair in pairs] + distractors, line_of(node, "pairs"), f"{path}.pairs", "right"
        )
        return {"pairs": tuple(pairs), "distractors": tuple(distractors), "shuffle": shuffle}

    def unique_texts(self, texts: list[LocalizedText], line: int, path: str, side: str) -> None:
        """Lefts (and rights with distractors) must differ after normalisation, or answers are ambiguous."""
        seen: set[str] = set()
        for text in texts:
            forms = {_comparable(form) for form in text.all_texts()}
            clash = forms & seen
            if clash:
                self.error(line, path, "duplicate_matching_text", side=side, text=text.text("en"))
            seen |= forms
