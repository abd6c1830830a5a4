"""Number parsing, text normalisation and safe key expressions used by quiz grading."""

from __future__ import annotations

import unicodedata

import pytest

from activation_lab.quiz.normalize import normalize_text
from activation_lab.quiz.numbers import NumberFormatError, evaluate_expression, parse_number


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("1/2", 0.5, id="fraction"),
        pytest.param("½", 0.5, id="vulgar-half"),
        pytest.param("０.５", 0.5, id="fullwidth-digits"),
        pytest.param("０．５", 0.5, id="fullwidth-point"),
        pytest.param(" 0.50 ", 0.5, id="spaces-and-trailing-zero"),
        pytest.param("5e-1", 0.5, id="scientific"),
        pytest.param("5E-1", 0.5, id="scientific-capital"),
        pytest.param("-0.5", -0.5, id="negative"),
        pytest.param("+0.5", 0.5, id="explicit-plus"),
        pytest.param("\u22120.5", -0.5, id="unicode-minus"),
        pytest.param("－０．５", -0.5, id="fullwidth-minus"),
        pytest.param("1e-3", 0.001, id="small-scientific"),
        pytest.param("3/4", 0.75, id="three-quarters"),
        pytest.param("¾", 0.75, id="vulgar-three-quarters"),
        pytest.param("-3/4", -0.75, id="negative-fraction"),
        pytest.param("1 / 2", 0.5, id="spaced-fraction"),
        pytest.param("１／２", 0.5, id="fullwidth-fraction"),
        pytest.param("1⁄2", 0.5, id="fraction-slash"),
        pytest.param("1½", 1.5, id="mixed-vulgar"),
        pytest.param("-½", -0.5, id="negative-vulgar"),
        pytest.param("1 1/2", 1.5, id="mixed-ascii"),
        pytest.param(".5", 0.5, id="leading-point"),
        pytest.param("5.", 5.0, id="trailing-point"),
        pytest.param("9/5", 1.8, id="c2f-weight"),
        pytest.param("32", 32.0, id="integer-string"),
        pytest.param("0.5e0/1", 0.5, id="scientific-over-integer"),
        pytest.param(0.5, 0.5, id="yaml-float"),
        pytest.param(32, 32.0, id="yaml-int"),
        pytest.param(-1, -1.0, id="yaml-negative-int"),
    ],
)
def test_numbers_we_accept(given: object, expected: float) -> None:
    assert parse_number(given) == pytest.approx(expected, rel=1e-12, abs=0.0)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        pytest.param("0,5", "comma", id="decimal-comma"),
        pytest.param("1,000", "comma", id="thousands-separator"),
        pytest.param("nan", "not_a_number", id="nan"),
        pytest.param("inf", "not_a_number", id="inf"),
        pytest.param("infinity", "not_a_number", id="infinity"),
        pytest.param("half", "not_a_number", id="word"),
        pytest.param("50%", "not_a_number", id="percent"),
        pytest.param("1_000", "not_a_number", id="underscore"),
        pytest.param("0x10", "not_a_number", id="hex"),
        pytest.param("1/0", "zero_denominator", id="divide-by-zero"),
        pytest.param("1 1/0", "zero_denominator", id="mixed-divide-by-zero"),
        pytest.param("", "empty", id="empty"),
        pytest.param("   ", "empty", id="blank"),
        pytest.param("1e400", "not_finite", id="overflow"),
        pytest.param(True, "wrong_type", id="bool"),
        pytest.param(None, "wrong_type", id="none"),
        pytest.param([0.5], "wrong_type", id="list"),
        pytest.param({"value": 0.5}, "wrong_type", id="map"),
        pytest.param(float("nan"), "not_finite", id="float-nan"),
        pytest.param("1/2/3", "not_a_number", id="double-fraction"),
        pytest.param("--1", "not_a_number", id="double-sign"),
    ],
)
def test_numbers_we_refuse_say_why(given: object, reason: str) -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_number(given)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("Net Input", "net input", id="case"),
        pytest.param("  net   input ", "net input", id="spaces"),
        pytest.param("net\tinput\n", "net input", id="tabs-newlines"),
        pytest.param("ＮＥＴ　ＩＮＰＵＴ", "net input", id="fullwidth-and-ideographic-space"),
        pytest.param(unicodedata.normalize("NFD", "순입력"), "순입력", id="decomposed-hangul"),
        pytest.param(
            "\u1109\u116e\u11ab\u110b\u1175\u11b8\u1105\u1167\u11a8", "순입력", id="conjoining-jamo"
        ),
        pytest.param("Straße", "STRASSE", id="case-folding-sharp-s"),
        pytest.param("tanh²(x)", "tanh2(x)", id="superscript-two"),
        pytest.param("Celsius", "CELSIUS", id="upper"),
        pytest.param("σ(x → −∞)", "σ(x -> -∞)", id="typed-minus-and-arrow"),
        pytest.param("both, z ≥ 0", "both, z >= 0", id="typed-greater-or-equal"),
        pytest.param("x ≤ 0", "x <= 0", id="typed-less-or-equal"),
        pytest.param("–" + "1", "-1", id="en-dash-as-minus"),
    ],
)
def test_normalisation_makes_equivalent_spellings_equal(first: str, second: str) -> None:
    assert normalize_text(first) == normalize_text(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("순입력", "순 입력", id="inner-space-is-kept"),
        pytest.param("net input", "netinput", id="no-space-removal"),
        pytest.param("Celsius", "Celcius", id="spelling"),
        pytest.param("-1", "1", id="sign-is-kept"),
        pytest.param("z > 0", "z ≥ 0", id="strict-is-not-or-equal"),
    ],
)
def test_normalisation_keeps_real_differences(first: str, second: str) -> None:
    assert normalize_text(first) != normalize_text(second)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        pytest.param("9/5", 1.8, id="fraction"),
        pytest.param("1/(1+exp(-1))", 0.7310585786300049, id="sigmoid-of-one"),
        pytest.param("2**-2", 0.25, id="power"),
        pytest.param("0.25**3", 0.015625, id="cube"),
        pytest.param("e", 2.718281828459045, id="e"),
        pytest.param("-pi/2", -1.5707963267948966, id="pi"),
        pytest.param("sqrt(2)*sqrt(2)", 2.0, id="sqrt"),
        pytest.param("tanh(0)", 0.0, id="tanh"),
        pytest.param("5/9*36.5 + 32", 52.27777777777778, id="inverted-c2f"),
    ],
)
def test_expressions_are_evaluated(expr: str, expected: float) -> None:
    assert evaluate_expression(expr) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        pytest.param("__import__('os').system('true')", "not allowed", id="import"),
        pytest.param("open('x')", "not allowed", id="call-of-unknown-function"),
        pytest.param("x + 1", "not allowed", id="unknown-name"),
        pytest.param("(1).real", "not allowed", id="attribute"),
        pytest.param("[1, 2]", "not allowed", id="list"),
        pytest.param("'1'", "not allowed", id="string-constant"),
        pytest.param("True", "not allowed", id="bool-constant"),
        pytest.param("1 if 1 else 2", "not allowed", id="conditional"),
        pytest.param("9**9**9", "cannot be computed", id="huge-power"),
        pytest.param("1/0", "cannot be computed", id="division-by-zero"),
        pytest.param("sqrt(-1)", "cannot be computed", id="domain-error"),
        pytest.param("9/", "not an arithmetic expression", id="syntax"),
        pytest.param("1" * 300, "longer than", id="too-long"),
        pytest.param("exp(1000)", "cannot be computed", id="overflow"),
    ],
)
def test_expressions_refused_without_eval(expr: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        evaluate_expression(expr)
