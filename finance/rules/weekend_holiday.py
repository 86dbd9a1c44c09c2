"""WEEKEND_HOLIDAY: dated on a non-working day by the official calendar of the agency's country."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, Rule, RuleContext
from finance.rules.examples import DemoExample, DemoWorld

EPOCH_DATE = dt.date(1970, 1, 1)


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
    # The calendar is asked once per distinct day; rows find their day's kind by index, and the
    # findings are built from plain lists (tens of thousands on a large ledger).
    day_numbers, where = np.unique(frame["day"].to_numpy(), return_inverse=True)
    unique = [EPOCH_DATE + dt.timedelta(days=int(n)) for n in day_numbers]
    kinds, uncovered = _day_kinds(unique, context.country)
    if not kinds:
        return []
    kind_at = np.array([kinds.get(day, ("", ""))[0] for day in unique], dtype=object)[where]
    found = []
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
        for i, voucher, line, day in zip(
            rows["id"].tolist(), rows["voucher_no"].tolist(), rows["line"].tolist(), dates, strict=True
        ):
            text = day.isoformat()
            holiday = kinds[day][1]
            params = {"voucher": voucher or f"#{i}", "date": text}
            if kind == "holiday":
                params["holiday"] = holiday
            evidence = {"date": text, "kind": kind, "holiday": holiday}
            if day.year in uncovered:
                evidence["calendar"] = "weekends-only"
                evidence["calendar_note"] = "no official calendar for this year: plain weekends used"
            else:
                evidence["calendar"] = "official"
            found.append(
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
    return found


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
