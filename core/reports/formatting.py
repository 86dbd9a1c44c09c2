"""Number formatting shared by reports: display strings for people, exact strings for JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

CENT = Decimal("0.01")


def _decimal(value: Decimal | int | float | str) -> Decimal:
    """``value`` as a Decimal; floats go through their shortest repr, not their binary value."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def quantize(value: Decimal | int | float | str, places: int = 2) -> Decimal:
    """``value`` rounded half-up to ``places`` decimal places."""
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value: Decimal | int | float | str | None) -> str:
    """Money for people: ``Decimal("1234.5")`` → ``"1,234.50"``; None → ``""``."""
    if value is None:
        return ""
    return f"{quantize(value):,.2f}"


def money_str(value: Decimal | int | float | str | None) -> str | None:
    """Money for JSON: ``Decimal("1234.5")`` → ``"1234.50"`` (2 places, no separators)."""
    if value is None:
        return None
    return f"{quantize(value):.2f}"


def number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """A number with thousands separators; ``places`` rounds half-up, None keeps the digits."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and places is None:
        return f"{value:,}"
    dec = _decimal(value)
    if places is not None:
        dec = quantize(dec, places)
    return f"{dec:,f}"


def pct(value: Decimal | int | float | None, places: int = 1) -> str:
    """A fraction as a percentage: ``0.2273`` → ``"22.7%"``; None → ``""``."""
    if value is None:
        return ""
    return f"{quantize(_decimal(value) * 100, places):f}%"


def rate(
    numerator: Decimal | int | float | None,
    denominator: Decimal | int | float | None,
    places: int = 4,
) -> float | None:
    """``numerator / denominator`` rounded half-up to ``places``, as a float for JSON.

    None when the denominator is 0 or missing (a rate of nothing is unknown, not zero).
    """
    if numerator is None or denominator is None:
        return None
    den = _decimal(denominator)
    if den == 0:
        return None
    return float(quantize(_decimal(numerator) / den, places))


def timestamp(value: datetime) -> str:
    """A moment in local time to the minute, e.g. ``2025-03-01 14:05``."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def display(value: Any, kind: str = "text", places: int | None = None) -> str:
    """A cell or fact value as text for people, following a column kind.

    ``money`` → ``1,234.50``; ``percent`` (a fraction) → ``22.7%``; ``int``/``number`` with
    thousands separators; dates ISO; None → ``""``. With ``kind="text"`` (facts, parameters),
    ints stay plain (years), Decimals with 2 places are shown as money, other numbers get
    separators.
    """
    if value is None:
        return ""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        if kind == "money":
            return money(value)
        if kind == "percent":
            return pct(value)
        if kind == "int":
            return number(value, 0)
        if kind == "number":
            return number(value, places)
        if isinstance(value, int):
            return str(value)  # a year or a count in running text: no separators
        if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            return money(value)
        return number(value, places)
    return str(value)
