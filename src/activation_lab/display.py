"""Text that came from a submission, made inert for the instructor's terminal and spreadsheet.

Every string a submission can influence -- folder and file names, exception text, printed output, notes,
quiz answers -- is shown *verbatim and inert*: control characters (escape sequences, carriage returns,
bidirectional overrides) become visible symbols, and rich never reads them as markup or emoji codes, so
``alice[dim]`` and ``alice:smile:`` stay as written, and CSV cells that a spreadsheet would read as a formula
get a leading ``'`` (OWASP's rule against CSV injection). JSON reports keep the raw text: they are data.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text on screen.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
_CONTROL_KEEPING_LINES = re.compile(_CONTROL.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _visible_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ESC -> ␛, CR -> ␍, LF -> ␊
    if code == 0x7F:
        return "␡"
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def visible(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and format character shown as a symbol (``\\x1b`` -> ``␛``).

    With ``keep_newlines`` a line feed stays a line break (multi-line feedback); a carriage return never does.
    """
    pattern = _CONTROL_KEEPING_LINES if keep_newlines else _CONTROL
    return pattern.sub(_visible_char, str(text))


def inert(text: object, *, keep_newlines: bool = False, style: str = "") -> Any:
    """``text`` as a rich ``Text``: shown as written, never read as markup (``[dim]``) or emoji codes."""
    from rich.text import Text

    return Text(visible(text, keep_newlines=keep_newlines), style=style)


def markup_safe(text: object) -> str:
    """``text`` for a place that reads rich markup: control characters visible, markup escaped.

    Rich still replaces emoji codes there (``:smile:``) unless emoji are off; prefer :func:`inert`.
    """
    from rich.markup import escape

    return escape(visible(text))


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting with ``= + - @``, tab or CR gets a leading ``'``.

    Numbers are left as numbers; text also has its control characters made visible.
    """
    if not isinstance(value, str):
        return value
    text = visible(value)
    # visible() turned a leading tab or CR into a symbol already; the raw check covers the rule as written.
    return f"'{text}" if value.startswith(FORMULA_STARTS) else text
