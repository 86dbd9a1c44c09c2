"""WEEKEND_HOLIDAY: dated on a non-working day by the official calendar of the agency's country."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, Rule, RuleContext, expenditure_findings, iso
from finance.rules.examples import DemoExample, DemoWorld


def _day_kinds(days: list[dt.date], country: str) -> tuple[dict[dt.date, tuple[str, str]], list[int]]:
    """For each date that is a non-working day: (kind, holiday name). Also the years for which no
    official calendar was available (plain weekends were used)."""
    import chinese_calendar

    result: dict[dt.date, tuple[str, str]] = {}
    uncovered: set[int] = set()
    for day in days:
        if country == "CN":
            try:
                if chinese_calendar.is_holiday(day):
                    _on, name = chinese_calendar.get_holiday_detail(day)
                    result[day] = ("holiday", name) if name else ("weekend", "")
                continue
            except NotImplementedError:
                uncovered.add(day.year)
        else:
            uncovered.add(day.year)
        if day.weekday() >= 5:
            result[day] = ("weekend", "")
    return result, sorted(uncovered)


def weekend_holiday(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Dated on a non-working day by the official calendar (plain weekends where it has no data)."""
    if frame.empty:
        return []
    unique = pd.Series(frame["date"].dt.date.unique())
    kinds, uncovered = _day_kinds(list(unique), context.country)
    if not kinds:
        return []
    flagged = frame["date"].dt.date.map(kinds)
    hit = flagged.notna().to_numpy()
    rows = frame[hit].assign(kind=flagged[hit].str[0].to_numpy(), holiday=flagged[hit].str[1].to_numpy())

    def evidence(row):
        weekends_only = row.date.year in uncovered
        extra = (
            {"calendar_note": "no official calendar for this year: plain weekends used"}
            if weekends_only
            else {}
        )
        return {
            "date": iso(row.date),
            "kind": row.kind,
            "holiday": row.holiday,
            "calendar": "weekends-only" if weekends_only else "official",
            **extra,
        }

    weekends = expenditure_findings(
        rows[rows["kind"] == "weekend"],
        "WEEKEND_HOLIDAY",
        gettext_noop("Voucher %(voucher)s is dated %(date)s, a weekend day that is not a working day"),
        lambda row: {"date": iso(row.date)},
        evidence,
    )
    holidays = expenditure_findings(
        rows[rows["kind"] == "holiday"],
        "WEEKEND_HOLIDAY",
        gettext_noop("Voucher %(voucher)s is dated %(date)s, a public holiday (%(holiday)s)"),
        lambda row: {"date": iso(row.date), "holiday": row.holiday},
        evidence,
    )
    return weekends + holidays


def example(world: DemoWorld) -> DemoExample:
    """Supplies for the National Day fair of 1 October (a public holiday) on the first contract."""
    return world.activity(dt.date(world.year, 10, 1), "188.80", "国庆游园会", "活动物资")


RULE = Rule(
    code="WEEKEND_HOLIDAY",
    severity="info",
    position=20,
    about="expenditure",
    title=_("Weekend or public holiday"),
    description=_(
        "The expenditure is dated on a weekend or public holiday (official make-up working days "
        "count as working days). Often legitimate (weekend activities), but worth a look for "
        "personal spending."
    ),
    func=weekend_holiday,
    example=example,
    example_order=90,
)
