"""Template filters that format numbers, money, percentages and dates for people.

``{% load formatting %}`` then ``{{ amount|money }}`` → ``¥1,234.50``, ``{{ rate|pct }}`` →
``22.7%``, ``{{ n|num }}`` → ``12,345`` and ``{{ day|day }}`` → the active language's date.

Money and numbers are formatted from ``Decimal`` (never through float), with comma thousands
separators and a yuan sign: both English and Simplified Chinese write amounts this way, so the
output is the same in both languages. Missing values show as an em dash.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()

#: What a missing value looks like on a page.
MISSING = "—"
CURRENCY = "¥"


def _decimal(value) -> Decimal | None:
    """``value`` as a Decimal (floats through their shortest repr), None when not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return result if result.is_finite() else None


def _places(arg, default: int) -> int:
    try:
        return int(arg)
    except (TypeError, ValueError):
        return default


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@register.filter
def money(value, places=2) -> str:
    """``Decimal("1234.5")`` → ``¥1,234.50``; ``-5`` → ``-¥5.00``; None → ``—``."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    amount = _round(amount, _places(places, 2))
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY}{abs(amount):,f}"


@register.filter
def num(value, places=None) -> str:
    """A number with thousands separators; ``|num:1`` rounds half-up to one place."""
    number = _decimal(value)
    if number is None:
        return MISSING
    if places not in (None, ""):
        number = _round(number, _places(places, 0))
    return f"{number:,f}"


@register.filter
def pct(value, places=1) -> str:
    """A fraction as a percentage: ``0.2273`` → ``22.7%``; ``|pct:0`` → ``23%``; None → ``—``."""
    fraction = _decimal(value)
    if fraction is None:
        return MISSING
    return f"{_round(fraction * 100, _places(places, 1)):,f}%"


@register.filter
def day(value) -> str:
    """A date in the active language's format (``March 1, 2025`` / ``2025年3月1日``)."""
    if value in (None, ""):
        return MISSING
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def bar(value) -> int:
    """A percentage (0–100, any number type) as the ``w-N`` width class of a progress bar."""
    number = _decimal(value)
    if number is None:
        return 0
    return int(max(Decimal(0), min(Decimal(100), _round(number, 0))))


@register.filter
def share(part, whole) -> Decimal | None:
    """``part / whole`` as a fraction (for ``|pct`` and ``|bar``); None when ``whole`` is 0."""
    a, b = _decimal(part), _decimal(whole)
    if a is None or not b:
        return None
    return a / b


@register.filter
def person(user) -> str:
    """A login as people call it: the person's name, else the login name; None → ``—``."""
    if user is None or user == "":
        return "—"
    name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return name or getattr(user, "username", "") or str(user)
