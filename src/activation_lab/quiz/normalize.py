"""Text normalisation for short_text and matching answers: NFKC, case folding, collapsed spaces."""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    """Normalise ``text`` so that equivalent spellings compare equal.

    NFKC (composed and decomposed Hangul, fullwidth letters and digits become one form), then Unicode case
    folding (``Net Input`` = ``net input``, ``ß`` = ``ss``), NFKC again (folding can leave uncomposed text),
    then leading/trailing whitespace removed and every inner run of whitespace collapsed to one space.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
