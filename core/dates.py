"""The dates a request may ask a report or a page to be "as of": one range for every entry point.

The ``report`` command's ``--as-of`` (``core/management/commands/report.py``), the report forms of
the pages and the ``?as_of=`` of the API all take a date ``YYYY-MM-DD`` in the years 1900 to
2999, the years ``--year`` accepts. A report reaches years past its date (a registration cycle
rolled forward, a projection to the contract end) and ``date.max`` is only 9999-12-31: a date
near it ended in an OverflowError, a date near 0001-01-01 in an empty page, never a refusal.

Dates read from files keep their own, narrower range (``core.importing.parsers.DATE_YEARS``).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.widgets import DateInput

#: The years ``--year`` and the year fields accept; an as-of date takes the days of the same years.
FIRST_YEAR, LAST_YEAR = 1900, 2999
FIRST_DAY, LAST_DAY = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def out_of_range_message() -> str:
    """What a date outside ``FIRST_DAY``..``LAST_DAY`` is told (the parameter is named by the caller)."""
    return _("Give a date from %(first)s to %(last)s, written YYYY-MM-DD.") % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def parse_as_of(raw: str) -> dt.date:
    """A date written ``YYYY-MM-DD`` between ``FIRST_DAY`` and ``LAST_DAY``.

    Anything else is a ``ValueError`` whose message says what to write (translated).
    """
    text = raw.strip()
    try:
        if not _ISO.fullmatch(text):
            raise ValueError(text)
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(out_of_range_message()) from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(out_of_range_message())
    return value


def query_date(query, name: str = "as_of", default: dt.date | None = None) -> dt.date | None:
    """The date parameter ``name`` of a query string (``request.GET`` or ``query_params``), or
    ``default`` when it is absent or blank. A bad value is a ``ValidationError`` keyed by the
    parameter's name, which the API turns into ``{"as_of": ["..."]}`` (``core.api.errors``)."""
    raw = query.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        return parse_as_of(str(raw))
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from None


class AsOfDateField(forms.DateField):
    """A form's date field in the range of ``parse_as_of``, with its one message for every bad
    value (not a date, no such day, too early, too late)."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        try:
            return parse_as_of(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
