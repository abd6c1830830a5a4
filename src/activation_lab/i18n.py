"""Message catalogues: every text a student or instructor reads, in Korean and English.

Catalogues live in ``activation_lab/messages/<domain>.toml``; each key holds one string per language:

    [hint.ambiguous_truth]
    en = "..."
    ko = "..."

Placeholders use ``str.format`` syntax. ``tests/test_i18n.py`` checks that every key has both languages
and that both use the same placeholders.

The engine never renders text while it grades: records carry :class:`Message` values (a catalogue key and
its parameters) and the edges (the JSON report, the terminal tables, Gradescope, otter) render them in the
language asked for. Changing the language therefore never re-runs student code.

Korean particles after a placeholder are written in both forms, ``{file}을(를)``, ``{count}이(가)``,
``{value}(으)로``; at render time the form that fits the value's last sound is chosen ("0은", "1이",
"순입력으로", "2로") by the ``tossi`` library (:func:`fill`). Where the value's sound is unknown
(``sigmoid.py``) both forms stay, which is the usual Korean way to write it.
"""

from __future__ import annotations

import locale
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeAlias, Union

LANGUAGES = ("ko", "en")
TEXT = "text"  # Message.text(): the key of a course-provided text, its translations as parameters
JOIN = "join"  # Message.join(): the key of a message made of other messages
MESSAGES_DIR = Path(__file__).with_name("messages")


def default_language() -> str:
    """The language from the environment (``ACTIVATION_LAB_LANG``, then the locale); English when unknown."""
    for variable in ("ACTIVATION_LAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    with_locale = locale.getlocale()[0] or ""
    return "ko" if with_locale.lower().startswith("ko") else "en"


@cache
def load_catalog(domain: str) -> dict[str, dict[str, str]]:
    """Load one catalogue as ``{key: {lang: text}}``, flattening TOML tables into dotted keys."""
    with (MESSAGES_DIR / f"{domain}.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        if any(lang in table for lang in LANGUAGES) and all(isinstance(v, str) for v in table.values()):
            flat[prefix] = dict(table)
            return
        for key, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{key}" if prefix else key, value)

    walk("", raw)
    return flat


def message(domain: str, key: str, lang: str, /, **params: Any) -> str:
    """Render ``key`` of catalogue ``domain`` in ``lang`` (falling back to English) with ``params``."""
    return fill(_template(domain, key, lang), params, lang)


@cache
def _template(domain: str, key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (else English); ``KeyError`` when the catalogue has no such key."""
    entry = load_catalog(domain).get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in catalogue {domain!r}")
    return entry.get(lang) or entry["en"]


# A placeholder followed by a particle written in both forms: {file}을(를), {n}이(가), {z}(으)로, ...
PARTICLE_AFTER_PLACEHOLDER = re.compile(
    r"(\{[^{}]*\}['\"]?)(은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|과\(와\)|와\(과\)|\(으\)로|\(이\)나|\(이\)라)"
)


def attach_particle(word: str, particle: str) -> str:
    """``word`` with the form of ``particle`` (``을(를)``, ``(으)로``, ...) that fits its last sound."""
    import tossi  # imported here: only Korean rendering needs it

    return str(tossi.postfix(word, particle))


@lru_cache(maxsize=4096)  # the catalogues' templates: a report renders the same few dozen again and again
def _has_particle(template: str) -> bool:
    return PARTICLE_AFTER_PLACEHOLDER.search(template) is not None


def fill(template: str, params: Mapping[str, Any], lang: str) -> str:
    """Fill ``template``; in Korean, choose each particle after a placeholder by the value's last sound."""
    if lang != "ko" or not _has_particle(template):
        return template.format(**params)

    def with_particle(match: re.Match[str]) -> str:
        word = match.group(1).format(**params)
        # the result is formatted once more with the rest of the template: keep its braces literal
        return attach_particle(word, match.group(2)).replace("{", "{{").replace("}", "}}")

    return PARTICLE_AFTER_PLACEHOLDER.sub(with_particle, template).format(**params)


Param: TypeAlias = Union[str, int, float, "Message", tuple["Message", ...]]


@dataclass(frozen=True, slots=True)
class Message:
    """A text to show someone, as data: catalogue ``domain``, ``key`` and ``params``; rendered at the edge.

    A parameter may itself be a ``Message`` (rendered in the same language). Two keys of the empty domain are
    not catalogue entries: :meth:`text` (a course-provided text given in several languages, e.g. a test title
    or a quiz explanation) and :meth:`join` (several messages shown as one).
    """

    domain: str
    key: str
    params: Mapping[str, object] = field(default_factory=dict)  # kept as ``Param`` values (see below)

    def __post_init__(self) -> None:
        # Parameters are kept as plain data (so a stored report can be re-rendered): anything that is not a
        # number, a string or a message is turned into its text once, here.
        object.__setattr__(self, "params", {name: _plain(value) for name, value in self.params.items()})

    def __hash__(self) -> int:
        return hash((self.domain, self.key, tuple(sorted(self.params.items()))))

    @classmethod
    def text(cls, translations: Mapping[str, str]) -> Message:
        """A course-provided text: ``{"en": ..., "ko": ...}`` (``""``: a text in no particular language)."""
        return cls("", TEXT, dict(translations))

    @classmethod
    def join(cls, parts: Sequence[Message], separator: str = "\n", *, trim: bool = False) -> Message:
        """Messages shown as one, separated by ``separator``; ``trim`` strips each and drops empty ones."""
        return cls("", JOIN, {"parts": tuple(parts), "separator": separator, "trim": int(trim)})

    def render(self, lang: str) -> str:
        """The text in ``lang`` (falling back to English)."""
        return render(self, lang)


def render(value: Message | None, lang: str) -> str:
    """``value`` as text in ``lang``; ``None`` renders as the empty string."""
    if value is None:
        return ""
    domain, key, given = value.domain, value.key, value.params
    if domain == "" and key == TEXT:
        text = given.get(lang)
        if type(text) is str:  # the usual case: the text in the language asked for
            return text
        for candidate in (lang, "en", "ko", ""):
            text = given.get(candidate)
            if isinstance(text, str):
                return text
        return next((str(text) for text in given.values()), "")
    if domain == "" and key == JOIN:
        parts = given.get("parts", ())
        texts = (
            [render(part, lang) for part in parts if isinstance(part, Message)]
            if isinstance(parts, tuple)
            else []
        )
        if given.get("trim"):
            texts = [text.strip() for text in texts if text.strip()]
        return str(given.get("separator", "\n")).join(texts)
    # most parameters are plain strings and numbers: no call for those (a report renders ~60 messages)
    params = {
        name: param if type(param) in _PLAIN_TYPES else _render_param(param, lang)
        for name, param in given.items()
    }
    try:
        return fill(_template(domain, key, lang), params, lang)
    except (KeyError, IndexError, ValueError) as exc:
        # A broken catalogue entry must not lose a report at the very end: show the key and its values.
        shown = ", ".join(f"{name}={param}" for name, param in params.items())
        return f"[{value.domain}:{value.key}: {type(exc).__name__}] {shown}"


_PLAIN_TYPES = frozenset({str, int, float})


def _plain(value: object) -> Param:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str | int | float | Message):
        return value
    if isinstance(value, tuple | list) and value and all(isinstance(part, Message) for part in value):
        return tuple(value)
    return str(value)


def _render_param(param: object, lang: str) -> object:
    if isinstance(param, Message):
        return render(param, lang)
    if isinstance(param, tuple):
        return "\n".join(render(part, lang) for part in param)
    return param
