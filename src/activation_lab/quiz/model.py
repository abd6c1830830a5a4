"""The quiz data model (docs/contract.md, "Quizzes"): frozen records from ``load_quiz``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from activation_lab.i18n import Message

LANGUAGES: tuple[str, ...] = ("ko", "en")  # the languages a course text may carry
ITEM_TYPES: tuple[str, ...] = ("single_choice", "multiple_select", "numeric", "short_text", "matching")
SCORING_MODES: tuple[str, ...] = ("all_or_nothing", "each_answer")
Scoring = Literal["all_or_nothing", "each_answer"]


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in one or more languages; a plain YAML string is stored under the language key ``""``."""

    translations: Mapping[str, str]

    @classmethod
    def plain(cls, text: str) -> LocalizedText:
        """A language-neutral text (a plain string in the YAML)."""
        return cls({"": text})

    @property
    def is_plain(self) -> bool:
        """True when the YAML gave a plain string rather than a language map."""
        return set(self.translations) == {""}

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages present (empty for a plain string)."""
        return tuple(lang for lang in self.translations if lang)

    def message(self) -> Message:
        """The text as a message, rendered in a language later (with the same fallbacks as :meth:`text`)."""
        return Message.text(self.translations)

    def text(self, lang: str) -> str:
        """The text in ``lang``, else English, else Korean, else the plain string, else any language."""
        for candidate in (lang, "en", "ko", ""):
            if candidate in self.translations:
                return self.translations[candidate]
        return next(iter(self.translations.values()), "")

    def all_texts(self) -> tuple[str, ...]:
        """Every translation (used to accept an answer written in any language)."""
        return tuple(self.translations.values())

    def __str__(self) -> str:
        return self.text("en")

    def __hash__(self) -> int:  # the mapping is not hashable; its items are
        return hash(tuple(sorted(self.translations.items())))


@dataclass(frozen=True, slots=True)
class Choice:
    """One choice of a single_choice or multiple_select item; ``feedback`` is shown when it is chosen."""

    id: str
    text: LocalizedText
    correct: bool = False
    feedback: LocalizedText | None = None


@dataclass(frozen=True, slots=True)
class AnswerTolerance:
    """How far a numeric answer may be from the key: ``|got - key| <= max(abs, rel * |key|)``."""

    abs: float = 0.0
    rel: float = 0.0

    def bound(self, key: float) -> float:
        """The largest accepted distance from ``key``."""
        return max(self.abs, self.rel * abs(key))


@dataclass(frozen=True, slots=True)
class NumericAnswer:
    """The key of a numeric item: a value (or the ``expr`` it was computed from) and its tolerance."""

    value: float
    tolerance: AnswerTolerance = AnswerTolerance()
    expr: str | None = None  # e.g. "9/5"; ``value`` is its safe evaluation


@dataclass(frozen=True, slots=True)
class WrongValue:
    """A known wrong numeric answer whose feedback names the misconception (uses the item's tolerance)."""

    value: float
    feedback: LocalizedText
    expr: str | None = None


@dataclass(frozen=True, slots=True)
class Accept:
    """An accepted short_text answer and its spelling variants (compared after normalisation)."""

    text: str
    variants: tuple[str, ...] = ()
    feedback: LocalizedText | None = None

    def forms(self) -> tuple[str, ...]:
        """The text and every variant."""
        return (self.text, *self.variants)


@dataclass(frozen=True, slots=True)
class Pair:
    """One left → right pair of a matching item; either side may be localised."""

    left: LocalizedText
    right: LocalizedText
    feedback: LocalizedText | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemBase:
    """Fields every item has; ``line`` is the 1-based YAML line of the item (for messages)."""

    id: str
    prompt: LocalizedText
    points: float = 1.0
    explanation: LocalizedText | None = None  # shown after grading, right or wrong
    line: int = 0

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleChoice(ItemBase):
    """Exactly one correct choice."""

    choices: tuple[Choice, ...]
    shuffle: bool = True

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        return "single_choice"

    @property
    def correct_choice(self) -> Choice:
        """The one correct choice (the loader guarantees there is exactly one)."""
        return next(choice for choice in self.choices if choice.correct)


@dataclass(frozen=True, slots=True, kw_only=True)
class MultipleSelect(ItemBase):
    """Any number (at least one) of correct choices; scored ``all_or_nothing`` or ``each_answer``."""

    choices: tuple[Choice, ...]
    scoring: Scoring = "all_or_nothing"
    shuffle: bool = True

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        return "multiple_select"

    @property
    def correct_ids(self) -> frozenset[str]:
        """Ids of the correct choices."""
        return frozenset(choice.id for choice in self.choices if choice.correct)


@dataclass(frozen=True, slots=True, kw_only=True)
class Numeric(ItemBase):
    """A number within a tolerance; ``check`` names the reference computation that must equal the key."""

    answer: NumericAnswer
    wrong: tuple[WrongValue, ...] = ()
    check: str | None = None  # e.g. "sigmoid_grad(0)"; see tests/test_quiz_keys.py

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        return "numeric"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortText(ItemBase):
    """A short text compared after normalisation (NFKC, case folding, whitespace) with accepted forms."""

    accept: tuple[Accept, ...]
    wrong: tuple[Accept, ...] = ()  # known wrong answers whose feedback names the misconception
    # Open edX's samples ("x@-2:2#10"): when set, answers are formulas compared numerically at those points
    samples: str | None = None

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        return "short_text"


@dataclass(frozen=True, slots=True, kw_only=True)
class Matching(ItemBase):
    """Match each left to its right; ``distractors`` match nothing. Each pair earns an even share."""

    pairs: tuple[Pair, ...]
    distractors: tuple[LocalizedText, ...] = ()
    shuffle: bool = True

    @property
    def type(self) -> str:
        """The YAML ``type`` of this item."""
        return "matching"

    @property
    def rights(self) -> tuple[LocalizedText, ...]:
        """Every right-hand option: the pairs' rights then the distractors."""
        return (*(pair.right for pair in self.pairs), *self.distractors)


Item = SingleChoice | MultipleSelect | Numeric | ShortText | Matching


@dataclass(frozen=True, slots=True)
class Quiz:
    """One quiz file: its id, title and items in order; ``source`` is the path it was loaded from."""

    id: str
    title: LocalizedText
    items: tuple[Item, ...]
    schema_version: int = 1
    description: LocalizedText | None = None
    source: str = ""
    extra: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)

    @property
    def max_score(self) -> float:
        """The sum of the items' points."""
        return float(sum(item.points for item in self.items))

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError when there is none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)
