"""Protection of spreadsheet cells against formula injection (CSV/XLSX "CSV injection").

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
run as a formula by Excel or LibreOffice; a payee called ``=HYPERLINK(...)`` in an imported
ledger must come back out as text. Real numbers are left alone: ``-300.00`` as a ``Decimal``
is a refund, not an attack, and stays a number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

#: First characters that make a spreadsheet treat text as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell.

    Text (including lazy translations) starting with a formula trigger gets a leading
    apostrophe; numbers, dates, None and other text come back unchanged (lazy text as str).
    """
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value
    return value


def is_number(value: Any) -> bool:
    """True for real numbers (int, float, Decimal), not for bools or numeric-looking text."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
