"""Text normalisation for short_text and matching answers: NFKC, case folding, typed math, spaces."""

from __future__ import annotations

import unicodedata

# The quizzes print math with the typographic minus (−, U+2212), arrows and comparisons (→, ≥, ≤); a student
# types "-", "->", ">=" and "<=" (and a CP949 file cannot hold "−" at all). NFKC leaves these alone.
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-"})
_TYPED = (("->", "\u2192"), (">=", "\u2265"), ("<=", "\u2264"))


def normalize_text(text: str) -> str:
    """Normalise ``text`` so that equivalent spellings compare equal.

    NFKC (composed and decomposed Hangul, fullwidth letters and digits become one form), then Unicode case
    folding (``Net Input`` = ``net input``, ``ß`` = ``ss``), NFKC again (folding can leave uncomposed text),
    then the minus sign and dashes written as ``-``, and ``->``, ``>=``, ``<=`` as ``→``, ``≥``, ``≤``, then
    leading/trailing whitespace removed and every inner run of whitespace collapsed to one space.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    folded = folded.translate(_MINUS)
    for typed, printed in _TYPED:
        folded = folded.replace(typed, printed)
    return " ".join(folded.split())
