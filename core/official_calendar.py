"""The official working calendar of an agency: reads, writes and the first-use fill.

Each agency keeps its own years (``OfficialCalendarYear`` with its ``OfficialCalendarDay``s):
public holidays, and make-up working days on weekends (调休上班). For a Chinese agency a year
is filled from the ``chinesecalendar`` package the first time a check needs it, if the package
knows the year; any other year is entered by a director from the State Council's notice
(docs/calendar.md). ``calendar_for`` is what the flag rules receive through their context:
``{year: {date: (kind, name)}}`` for the years that have a calendar; a year missing from it has
none, and the weekend rule then falls back to plain weekends for that year and says so.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Agency, OfficialCalendarDay, OfficialCalendarYear

Kind = OfficialCalendarDay.Kind
#: The country whose calendar the chinesecalendar package holds.
PACKAGE_COUNTRY = "CN"
#: Sent after a director saves a year (``agency``, ``year``): the finance app re-scans the
#: contracts that run in that year, so flags follow the corrected calendar.
calendar_changed = Signal()


#: The chinesecalendar package names its holidays in English (its ``Holiday`` enum's values, the
#: names stored on the days it fills); people read them in their language.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": gettext_lazy("Anti-Fascist 70th Day"),
}


def holiday_name(name: str) -> str:
    """A holiday's name in the active language: the package's English names translated (国庆节),
    a name a director entered as it was written."""
    label = PACKAGE_HOLIDAY_NAMES.get(str(name or "").strip())
    return str(label) if label is not None else str(name or "")


@functools.cache
def package_years() -> frozenset[int]:
    """The years the installed chinesecalendar package has data for."""
    import chinese_calendar

    return frozenset(day.year for day in chinese_calendar.holidays)


def package_days(year: int) -> list[tuple[dt.date, str, str]] | None:
    """(date, kind, name) of ``year`` from chinesecalendar, or None when it does not know it."""
    if year not in package_years():
        return None
    import chinese_calendar

    days = [(day, Kind.HOLIDAY, name) for day, name in chinese_calendar.holidays.items() if day.year == year]
    days += [
        (day, Kind.WORKDAY, name)
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    ]
    return sorted(days)


# --- writes ------------------------------------------------------------------------------


def calendar_years_fill(*, agency: Agency, years: Iterable[int]) -> list[OfficialCalendarYear]:
    """Create each of ``years`` that the agency lacks from chinesecalendar, when the agency is
    Chinese and the package knows the year. Returns the years created (a no-op otherwise)."""
    if (agency.country or PACKAGE_COUNTRY) != PACKAGE_COUNTRY:
        return []
    wanted = set(years) & package_years()
    have = set(
        OfficialCalendarYear.objects.filter(agency=agency, year__in=wanted).values_list("year", flat=True)
    )
    created = []
    for year in sorted(wanted - have):
        try:
            with transaction.atomic():
                calendar = OfficialCalendarYear.objects.create(
                    agency=agency, year=year, source=OfficialCalendarYear.Source.PACKAGE
                )
                OfficialCalendarDay.objects.bulk_create(
                    OfficialCalendarDay(agency=agency, calendar=calendar, date=day, kind=kind, name=name)
                    for day, kind, name in package_days(year) or []
                )
        except IntegrityError:  # filled meanwhile by a concurrent scan
            continue
        created.append(calendar)
    return created


def _check_days(year: int, holidays, workdays) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        outside = [day.isoformat() for day, _name in days if day.year != year]
        if outside:
            errors.setdefault(field, []).append(
                _("These dates are not in %(year)s: %(dates)s.") % {"year": year, "dates": ", ".join(outside)}
            )
        seen: set[dt.date] = set()
        twice = sorted({day.isoformat() for day, _name in days if day in seen or seen.add(day)})
        if twice:
            errors.setdefault(field, []).append(_("Listed twice: %(dates)s.") % {"dates": ", ".join(twice)})
    if not holidays:
        errors.setdefault("holidays", []).append(
            _("A year's notice always names public holidays; enter them.")
        )
    weekdays = [day.isoformat() for day, _name in workdays if day.weekday() < 5]
    if weekdays:
        errors.setdefault("workdays", []).append(
            _("A make-up working day is a Saturday or Sunday; these are weekdays: %(dates)s.")
            % {"dates": ", ".join(weekdays)}
        )
    both = sorted({day for day, _n in holidays} & {day for day, _n in workdays})
    if both:
        errors.setdefault("workdays", []).append(
            _("A day cannot be both a holiday and a working day: %(dates)s.")
            % {"dates": ", ".join(day.isoformat() for day in both)}
        )
    return errors


@transaction.atomic
def calendar_year_save(
    *,
    agency: Agency,
    year: int,
    holidays: list[tuple[dt.date, str]],
    workdays: list[tuple[dt.date, str]],
    notice: str = "",
    user=None,
) -> OfficialCalendarYear:
    """Enter (or replace) ``year``'s calendar: its public holidays and make-up working days.

    Every holiday and make-up day must lie in ``year``; make-up days are Saturdays or Sundays;
    no day is both; at least one holiday. The previous days are replaced, the change is kept in
    the history with ``user``.
    """
    if not 1900 <= year <= 2200:
        raise ValidationError({"year": _("Enter a year from 1900 to 2200.")})
    errors = _check_days(year, holidays, workdays)
    if errors:
        raise ValidationError(errors)
    calendar, _created = OfficialCalendarYear.objects.select_for_update().get_or_create(
        agency=agency, year=year, defaults={"source": OfficialCalendarYear.Source.ENTERED}
    )
    calendar.source = OfficialCalendarYear.Source.ENTERED
    calendar.notice = notice.strip()[:200]
    calendar.updated_by = user
    calendar._history_user = user
    calendar.full_clean()
    calendar.save()
    calendar.days.all().delete()
    OfficialCalendarDay.objects.bulk_create(
        [
            *(OfficialCalendarDay(agency=agency, calendar=calendar, date=d, kind=Kind.HOLIDAY, name=n[:100]) for d, n in holidays),
            *(OfficialCalendarDay(agency=agency, calendar=calendar, date=d, kind=Kind.WORKDAY, name=n[:100]) for d, n in workdays),
        ]
    )  # fmt: skip
    transaction.on_commit(
        lambda: calendar_changed.send(sender=OfficialCalendarYear, agency=agency, year=year)
    )
    return calendar


# --- reads -------------------------------------------------------------------------------


def calendar_for(agency: Agency, years: Iterable[int]) -> dict[int, dict[dt.date, tuple[str, str]]]:
    """``{year: {date: (kind, name)}}`` for those of ``years`` that have a calendar, filling
    from chinesecalendar on first use (``calendar_years_fill``)."""
    years = sorted(set(years))
    calendar_years_fill(agency=agency, years=years)
    result: dict[int, dict[dt.date, tuple[str, str]]] = {
        year: {}
        for year in OfficialCalendarYear.objects.filter(agency=agency, year__in=years).values_list(
            "year", flat=True
        )
    }
    rows = OfficialCalendarDay.objects.filter(agency=agency, calendar__year__in=list(result)).values_list(
        "calendar__year", "date", "kind", "name"
    )
    for year, day, kind, name in rows:
        result[year][day] = (kind, name)
    return result


def agencies_missing_year(year: int) -> list[Agency]:
    """Agencies without a calendar for ``year`` that chinesecalendar cannot fill either."""
    if year in package_years():
        return []
    have = OfficialCalendarYear.objects.filter(year=year).values_list("agency_id", flat=True)
    return list(Agency.objects.exclude(pk__in=have).order_by("name"))


def calendar_years_of(agency: Agency) -> list[OfficialCalendarYear]:
    """The agency's calendar years, newest first, with their day counts."""
    from django.db.models import Count, Q

    return list(
        OfficialCalendarYear.objects.filter(agency=agency).annotate(
            holiday_count=Count("days", filter=Q(days__kind=Kind.HOLIDAY)),
            workday_count=Count("days", filter=Q(days__kind=Kind.WORKDAY)),
        )
    )


def next_year() -> int:
    return timezone.localdate().year + 1
