"""The director's pages of the official calendar: the years on file, and one year's form.

``/calendar/`` lists the agency's years (filled from chinesecalendar, or entered); ``/calendar/
<year>/`` is the form a director fills from the State Council's notice: holidays and make-up
working days, one per line (docs/calendar.md). Directors only; everyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import official_calendar
from core.models import OfficialCalendarDay, OfficialCalendarYear, agency_of
from core.roles import Role, has_role

_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|～|至|到)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?\s*(?P<name>.*)$"
)


def parse_day_lines(text: str) -> list[tuple[dt.date, str]]:
    """``2027-10-01..2027-10-07 国庆节`` or ``2027-09-26 国庆节`` per line → (date, name) pairs.

    A range covers every day from the first to the last. Blank lines are skipped; a line that
    is not a date (or range) is a ``ValidationError`` naming its line number.
    """
    days: list[tuple[dt.date, str]] = []
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if match is None:
                raise ValueError
            first = dt.date.fromisoformat(_pad(match["first"]))
            last = dt.date.fromisoformat(_pad(match["last"])) if match["last"] else first
            if last < first or (last - first).days > 31:
                raise ValueError
        except ValueError:
            problems.append(
                _("Line %(number)s: write a date or a range such as 2027-10-01..2027-10-07, then the name.")
                % {"number": number}
            )
            continue
        name = match["name"].strip()
        days += [(first + dt.timedelta(days=offset), name) for offset in range((last - first).days + 1)]
    if problems:
        raise ValidationError(problems)
    return days


def _pad(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


class CalendarYearForm(forms.Form):
    notice = forms.CharField(
        label=gettext_lazy("Notice"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The State Council notice the days come from, e.g. 国办发明电〔2026〕7号."),
    )
    holidays = forms.CharField(
        label=gettext_lazy("Public holidays"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "One per line: a date or a range, then the holiday's name, e.g. 2027-10-01..2027-10-07 国庆节. "
            "Include the weekend days inside a holiday."
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Saturdays or Sundays that are working days (调休上班), one per line, e.g. 2027-09-26 国庆节."
        ),
    )

    def clean_holidays(self):
        return parse_day_lines(self.cleaned_data["holidays"])

    def clean_workdays(self):
        return parse_day_lines(self.cleaned_data.get("workdays") or "")


def _lines(days) -> str:
    # The package's holiday names are English: the form shows them in the director's language.
    return "\n".join(
        f"{day.date.isoformat()} {official_calendar.holiday_name(day.name)}".strip() for day in days
    )


def _require_director(request):
    agency = agency_of(request.user)
    if agency is None or not has_role(request.user, Role.DIRECTOR):
        raise Http404
    return agency


@login_required
def calendar_years(request):
    agency = _require_director(request)
    official_calendar.calendar_years_fill(
        agency=agency, years=range(dt.date.today().year - 1, dt.date.today().year + 2)
    )
    years = official_calendar.calendar_years_of(agency)
    have = {row.year for row in years}
    upcoming = [
        year
        for year in (official_calendar.next_year() - 1, official_calendar.next_year())
        if year not in have
    ]
    return render(request, "core/calendar_years.html", {"years": years, "missing": upcoming})


@login_required
def calendar_year(request, year: int):
    agency = _require_director(request)
    if not 1900 <= year <= 2200:
        raise Http404
    existing = OfficialCalendarYear.objects.filter(agency=agency, year=year).first()
    initial = {}
    if existing is not None:
        days = list(existing.days.all())
        initial = {
            "notice": existing.notice,
            "holidays": _lines(d for d in days if d.kind == OfficialCalendarDay.Kind.HOLIDAY),
            "workdays": _lines(d for d in days if d.kind == OfficialCalendarDay.Kind.WORKDAY),
        }
    form = CalendarYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            official_calendar.calendar_year_save(
                agency=agency,
                year=year,
                holidays=form.cleaned_data["holidays"],
                workdays=form.cleaned_data["workdays"],
                notice=form.cleaned_data["notice"],
                user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("The %(year)s calendar is saved; flags are checked again.") % {"year": year}
            )
            return redirect("calendar-years")
    return render(request, "core/calendar_year.html", {"form": form, "year": year, "existing": existing})
