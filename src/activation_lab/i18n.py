"""Message catalogues: every text a student or instructor reads, in Korean and English.

Catalogues live in ``activation_lab/messages/<domain>.toml``; each key holds one string per language:

    [hint.ambiguous_truth]
    en = "..."
    ko = "..."

Placeholders use ``str.format`` syntax. ``tests/test_i18n.py`` checks that every key has both languages
and that both use the same placeholders.

Korean particles after a placeholder are written in both forms, ``{file}을(를)``, ``{count}이(가)``,
``{value}(으)로``; at render time the form that fits the value's last sound is chosen ("0은", "1이",
"순입력으로", "2로") by the ``tossi`` library. Where the value's sound is unknown (``sigmoid.py``) both forms
stay, which is the usual Korean way to write it.
"""

from __future__ import annotations

import locale
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LANGUAGES = ("ko", "en")
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


# A placeholder followed by a particle written in both forms: {file}을(를), {n}이(가), {z}(으)로, ...
PARTICLE_AFTER_PLACEHOLDER = re.compile(
    r"(\{[^{}]*\}['\"]?)(은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|과\(와\)|와\(과\)|\(으\)로|\(이\)나|\(이\)라)"
)


def attach_particle(word: str, particle: str) -> str:
    """``word`` with the form of ``particle`` (``을(를)``, ``(으)로``, ...) that fits its last sound."""
    import tossi  # imported here: only Korean rendering needs it

    return str(tossi.postfix(word, particle))


def render(template: str, params: dict[str, Any], lang: str) -> str:
    """Fill ``template``; in Korean, choose each particle after a placeholder by the value's last sound."""
    if lang != "ko" or not PARTICLE_AFTER_PLACEHOLDER.search(template):
        return template.format(**params)

    def with_particle(match: re.Match[str]) -> str:
        word = match.group(1).format(**params)
        # the result is formatted once more with the rest of the template: keep its braces literal
        return attach_particle(word, match.group(2)).replace("{", "{{").replace("}", "}}")

    return PARTICLE_AFTER_PLACEHOLDER.sub(with_particle, template).format(**params)


def message(domain: str, key: str, lang: str, /, **params: Any) -> str:
    """Render ``key`` of catalogue ``domain`` in ``lang`` (falling back to English) with ``params``."""
    entry = load_catalog(domain).get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in catalogue {domain!r}")
    template = entry.get(lang) or entry["en"]
    return render(template, params, lang)
