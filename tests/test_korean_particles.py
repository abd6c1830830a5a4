"""Korean particles fit the word before them in every message, whatever values fill it (issue 12).

Every message of every catalogue is rendered in Korean with sample values: Hangul words with and without a
final consonant and numbers ("0은", "1이", "2는", "순입력은", "기울기는"). A particle after a placeholder must
be the form that fits the value (the catalogue writes both forms, ``{n}이(가)``, and ``i18n.fill`` chooses);
no particle is separated from its word by a space ("1 이 됩니다"); no both-forms particle is left over after
a word whose sound is known.
"""

from __future__ import annotations

import re
import string

import pytest
import tossi

from activation_lab.i18n import MESSAGES_DIR, fill, load_catalog

SAMPLES = ("순입력", "기울기", "0", "1", "2", "3", "6", "10")
PARTICLES = ("은", "는", "이", "가", "을", "를", "과", "와", "으로", "로")
BOTH_FORMS = re.compile(r"은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|과\(와\)|와\(과\)|\(으\)로")
# a particle standing alone after a space, behind code, a number or a closing bracket: "1 이 됩니다"
SPACED = re.compile(r"[`0-9A-Za-z)\]}] (은|는|을|를|과|와|으로|로)(?=[\s.,:;)]|$)")


def _messages() -> list[tuple[str, str]]:
    out = []
    for path in sorted(MESSAGES_DIR.glob("*.toml")):
        for key, entry in load_catalog(path.stem).items():
            if "ko" in entry:
                out.append((f"{path.stem}:{key}", entry["ko"]))
    return out


MESSAGES = _messages()


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _render(template: str, sample: str) -> str:
    params = {}
    for name in _fields(template):
        params[name.split(".")[0].split("[")[0]] = sample
    try:
        return fill(template, params, "ko")
    except (ValueError, TypeError):  # a numeric format spec ({rtol:g}): a number in the sample's place
        return fill(template, {k: int(sample) if sample.isdigit() else 6 for k in params}, "ko")


@pytest.mark.parametrize(("key", "template"), MESSAGES, ids=[key for key, _ in MESSAGES])
def test_particles_fit_the_value_before_them(key: str, template: str) -> None:
    assert not SPACED.search(template), (
        f"{key}: a particle after a space: {SPACED.search(template).group(0)!r}"
    )
    for sample in SAMPLES:
        text = _render(template, sample)
        leftover = BOTH_FORMS.search(text)
        assert leftover is None, f"{key}: both forms left in {text!r}"
        for match in re.finditer(re.escape(sample) + "(" + "|".join(PARTICLES) + ")(?![가-힣])", text):
            particle = match.group(1)
            right = tossi.postfix(sample, particle)[len(sample) :]
            assert particle == right, f"{key}: {sample}{particle} should be {sample}{right} in {text!r}"


def test_render_chooses_particles_by_the_last_sound() -> None:
    template = "{a}은(는) {b}이(가) {c}을(를) {d}(으)로 {e}과(와)"
    assert (
        fill(template, dict(a=0, b=2, c="순입력", d=1, e="기울기"), "ko") == "0은 2가 순입력을 1로 기울기와"
    )
    assert (
        fill(template, dict(a=1, b=3, c="기울기", d="순입력", e=10), "ko")
        == "1은 3이 기울기를 순입력으로 10과"
    )
    # a word whose sound is unknown keeps both forms, the usual written Korean
    assert fill("{f}을(를)", {"f": "sigmoid.py"}, "ko") == "sigmoid.py을(를)"
    # braces in a value stay literal
    assert fill("{f}을(를) {g}", {"f": "{x}", "g": "{y}"}, "ko") == "{x}을(를) {y}"
    # English is untouched
    assert fill("{a} is {b}", {"a": 1, "b": 2}, "en") == "1 is 2"
