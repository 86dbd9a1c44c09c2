"""WEEKEND_HOLIDAY: dated on a non-working day by the agency's official calendar (the rule
context's ``calendar``); a year without one is checked against plain weekends, with one
contract-level finding naming the year."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, Rule, RuleContext, voucher_params
from finance.rules.examples import DemoExample, DemoWorld

EPOCH_DATE = dt.date(1970, 1, 1)


def _package_calendar(years: list[int], country: str) -> dict[int, dict[dt.date, tuple[str, str]]]:
    """The chinesecalendar package's years, in the shape of ``RuleContext.calendar``: used only
    when no calendar was handed in (a rule run on its own, on a hand-built frame)."""
    import chinese_calendar

    if country != "CN":
        return {}
    known = {day.year for day in chinese_calendar.holidays}
    calendar: dict[int, dict[dt.date, tuple[str, str]]] = {year: {} for year in years if year in known}
    for day, name in chinese_calendar.holidays.items():
        if day.year in calendar:
            calendar[day.year][day] = ("holiday", name)
    for day, name in chinese_calendar.workdays.items():
        if day.year in calendar and day.weekday() >= 5:
            calendar[day.year][day] = ("workday", name)
    return calendar


def _day_kind(day: dt.date, calendar: dict[int, dict[dt.date, tuple[str, str]]]) -> tuple[str, str] | None:
    """("holiday", name) or ("weekend", "") for a non-working day, None for a working day. A
    year missing from ``calendar`` has no official calendar: plain weekends."""
    entry = calendar.get(day.year, {}).get(day)
    if entry is not None:
        return ("holiday", entry[1]) if entry[0] == "holiday" else None
    return ("weekend", "") if day.weekday() >= 5 else None


def weekend_holiday(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Dated on a non-working day by the agency's official calendar (``context.calendar``); for
    a year without one, plain weekends, and one contract-level finding naming the year(s)."""
    # The calendar is asked once per distinct day; rows find their day's kind by index, and the
    # findings are built from plain lists (tens of thousands on a large ledger).
    if frame.empty:
        day_numbers, where = np.array([], dtype="int64"), np.array([], dtype="int64")
    else:
        day_numbers, where = np.unique(frame["day"].to_numpy(), return_inverse=True)
    unique = [EPOCH_DATE + dt.timedelta(days=int(n)) for n in day_numbers]
    years = sorted({day.year for day in unique} | set(range(context.start.year, context.end.year + 1)))
    calendar = context.calendar if context.calendar is not None else _package_calendar(years, context.country)
    missing = [year for year in years if year not in calendar]
    missing_subject = f"{context.contract}:calendar-missing"
    findings: list[Finding] = []
    if missing:
        findings.append(
            Finding(
                rule="WEEKEND_HOLIDAY",
                subject=missing_subject,
                message=gettext_noop(
                    "There is no official calendar for %(years)s: expenditures dated then are checked "
                    "against plain weekends only, so public holidays and make-up working days are not "
                    "known. A director can enter the year under Official calendar."
                ),
                params={"years": ", ".join(str(year) for year in missing)},
                evidence={"missing_years": missing},
            )
        )
    kinds = {day: kind for day in unique if (kind := _day_kind(day, calendar)) is not None}
    if not kinds:
        return findings
    kind_at = np.array([kinds.get(day, ("", ""))[0] for day in unique], dtype=object)[where]
    for kind, message in (
        (
            "weekend",
            gettext_noop("Voucher %(voucher)s is dated %(date)s, a weekend day that is not a working day"),
        ),
        ("holiday", gettext_noop("Voucher %(voucher)s is dated %(date)s, a public holiday (%(holiday)s)")),
    ):
        hit = kind_at == kind
        if not hit.any():
            continue
        rows = frame[hit]
        dates = [unique[k] for k in where[hit].tolist()]
        for i, voucher, line, amount, payee, day in zip(
            rows["id"].tolist(),
            rows["voucher_no"].tolist(),
            rows["line"].tolist(),
            rows["amount"].tolist(),
            rows["payee"].tolist(),
            dates,
            strict=True,
        ):
            text = day.isoformat()
            holiday = kinds[day][1]
            params = {**voucher_params(voucher, amount, payee), "date": text}
            if kind == "holiday":
                params["holiday"] = holiday
            if day.year in missing:
                evidence = {
                    "date": text,
                    "kind": kind,
                    "holiday": holiday,
                    "calendar": "weekends-only",
                    "calendar_missing_year": day.year,
                    "calendar_finding": missing_subject,
                }
            else:
                evidence = {"date": text, "kind": kind, "holiday": holiday, "calendar": "official"}
            findings.append(
                Finding(
                    rule="WEEKEND_HOLIDAY",
                    subject=f"exp:{i}",
                    message=message,
                    params=params,
                    expenditure_ids=(i,),
                    budget_line=line,
                    evidence=evidence,
                )
            )
    return findings


def example(world: DemoWorld) -> DemoExample:
    """Supplies for a fair on a public holiday on the first contract: the National Day of
    1 October once the data window has reached it, else the window's latest holiday."""
    day, name = world.rest_day()
    return world.activity(day, "188.80", f"{name}游园会", "活动物资")


RULE = Rule(
    code="WEEKEND_HOLIDAY",
    severity="info",
    position=20,
    about="expenditure",
    title=_("Weekend or public holiday"),
    description=_(
        "The expenditure is dated on a weekend or public holiday (official make-up working days "
        "count as working days). Often legitimate (weekend activities), but worth a look for "
        "personal spending. A contract running into a year without an official calendar gets one "
        "finding saying so; that year is checked against plain weekends."
    ),
    func=weekend_holiday,
    example=example,
    example_order=90,
)
