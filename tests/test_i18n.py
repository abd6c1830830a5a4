"""Every message catalogue speaks Korean and English, with the same placeholders in both."""

from __future__ import annotations

import string

import pytest

from activation_lab import i18n

CATALOGUES = sorted(p.stem for p in i18n.MESSAGES_DIR.glob("*.toml"))


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_there_are_catalogues() -> None:
    assert CATALOGUES, "no message catalogues found"


@pytest.mark.parametrize("domain", CATALOGUES)
def test_every_key_has_both_languages_with_the_same_placeholders(domain: str) -> None:
    catalog = i18n.load_catalog(domain)
    assert catalog, f"{domain}.toml holds no messages"
    for key, entry in catalog.items():
        assert set(entry) >= {"ko", "en"}, f"{domain}:{key} lacks a language: {sorted(entry)}"
        assert entry["ko"].strip() and entry["en"].strip(), f"{domain}:{key} has an empty text"
        assert _placeholders(entry["ko"]) == _placeholders(entry["en"]), f"{domain}:{key} placeholders differ"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"ACTIVATION_LAB_LANG": "ko"}, "ko", id="explicit-ko"),
        pytest.param({"ACTIVATION_LAB_LANG": "en", "LANG": "ko_KR.UTF-8"}, "en", id="explicit-wins"),
        pytest.param({"LANG": "ko_KR.UTF-8"}, "ko", id="korean-locale"),
        pytest.param({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, "en", id="lc-all-first"),
        pytest.param({"LANG": "C.UTF-8"}, "en", id="c-locale"),
    ],
)
def test_default_language_follows_the_environment(monkeypatch, environ, expected) -> None:
    for variable in ("ACTIVATION_LAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    assert i18n.default_language() == expected


def test_unknown_message_key_is_an_error() -> None:
    with pytest.raises(KeyError, match="no message"):
        i18n.message(CATALOGUES[0], "no.such.key", "en")
