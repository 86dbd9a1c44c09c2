"""Timing rules: outside the period, end-of-contract surge, late posting, weekends and holidays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    RuleContext,
    day_number,
    expenditure_findings,
    iso,
    money_str,
    money_text,
    number_text,
    rule,
)


@rule(
    "OUTSIDE_PERIOD",
    severity="critical",
    about="expenditure",
    title=_("Outside the contract period"),
    description=_(
        "The expenditure is dated before the contract started or after its close-out period "
        "ended, so the funder will not accept it. Usually a date typo, or a cost of another "
        "project or year."
    ),
)
def outside_period(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Dated before the contract start, or after end + ``closeout_days``."""
    last = context.end + dt.timedelta(days=int(policy["closeout_days"]))
    start_day, last_day = day_number(context.start), day_number(last)
    rows = frame[(frame["day"] < start_day) | (frame["day"] > last_day)]
    return expenditure_findings(
        rows,
        "OUTSIDE_PERIOD",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s (%(amount)s) is outside the eligible period "
            "%(start)s to %(last)s (contract end plus %(days)s days of close-out)"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "start": context.start.isoformat(),
            "last": last.isoformat(),
            "days": int(policy["closeout_days"]),
        },
        lambda row: {
            "date": iso(row.date),
            "amount": money_str(row.amount),
            "start": context.start.isoformat(),
            "end": context.end.isoformat(),
            "closeout_days": int(policy["closeout_days"]),
        },
    )


@rule(
    "SPENDING_SURGE",
    severity="warning",
    about="contract",
    title=_("End-of-contract spending surge"),
    description=_(
        "Much more was spent in the last weeks of the contract than on average: money spent to "
        "use up a budget rather than for the work. Usually explained by a planned final event or "
        "an equipment purchase the funder agreed to."
    ),
)
def spending_surge(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Spending in the last ``surge_window_days`` of the period above ``surge_factor`` × the average."""
    window = int(policy["surge_window_days"])
    factor = Decimal(str(policy["surge_factor"]))
    length = (context.end - context.start).days + 1
    if window <= 0 or length < 3 * window:
        return []
    start_day, end_day = day_number(context.start), day_number(context.end)
    in_period = frame[(frame["day"] >= start_day) & (frame["day"] <= end_day)]
    total = int(in_period["amount"].sum())
    last = int(in_period.loc[in_period["day"] > end_day - window, "amount"].sum())
    # last > factor × total × window / length, kept exact in integers and Decimal.
    if Decimal(last * length) <= factor * total * window:
        return []
    average = int((Decimal(total) * window / length).to_integral_value())
    window_start = context.end - dt.timedelta(days=window - 1)
    return [
        Finding(
            rule="SPENDING_SURGE",
            subject=f"{context.contract}:contract",
            message=gettext_noop(
                "Contract %(contract)s: %(last)s was spent in the last %(window)s days "
                "(%(from)s to %(to)s), more than %(factor)s times the average of %(average)s "
                "per %(window)s days over the period"
            ),
            params={
                "contract": context.contract,
                "last": money_text(last),
                "window": window,
                "from": window_start.isoformat(),
                "to": context.end.isoformat(),
                "factor": number_text(factor),
                "average": money_text(average),
            },
            evidence={
                "last_window": money_str(last),
                "average_per_window": money_str(average),
                "period_total": money_str(total),
                "window_days": window,
                "factor": number_text(factor),
                "period_days": length,
            },
            basis={"last": last, "total": total},
        )
    ]


@rule(
    "LATE_POSTING",
    severity="info",
    about="expenditure",
    title=_("Late posting"),
    description=_(
        "The expenditure was booked long after it happened. Late entries weaken the books as a "
        "record and may hide back-dated costs; usually receipts were handed in late."
    ),
)
def late_posting(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """``posted_on`` − date > ``posting_grace_days``."""
    grace = int(policy["posting_grace_days"])
    lag = (frame["posted_on"] - frame["date"]).dt.days
    late = (lag.notna() & (lag > grace)).to_numpy()
    # .to_numpy(): assigning a Series to an empty frame would adopt the Series' index.
    rows = frame[late].assign(lag=lag[late].to_numpy())
    return expenditure_findings(
        rows,
        "LATE_POSTING",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s was posted on %(posted)s, %(lag)s days later "
            "(more than %(grace)s days)"
        ),
        lambda row: {
            "date": iso(row.date),
            "posted": iso(row.posted_on),
            "lag": int(row.lag),
            "grace": grace,
        },
        lambda row: {
            "date": iso(row.date),
            "posted_on": iso(row.posted_on),
            "days_late": int(row.lag),
            "grace_days": grace,
        },
    )


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


@rule(
    "WEEKEND_HOLIDAY",
    severity="info",
    about="expenditure",
    title=_("Weekend or public holiday"),
    description=_(
        "The expenditure is dated on a weekend or public holiday (official make-up working days "
        "count as working days). Often legitimate (weekend activities), but worth a look for "
        "personal spending. A contract running into a year without an official calendar gets one "
        "finding saying so; that year is checked against plain weekends."
    ),
)
def weekend_holiday(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Dated on a non-working day by the agency's official calendar (``context.calendar``); for
    a year without one, plain weekends, and one contract-level finding naming the year(s)."""
    days = list(pd.Series(frame["date"].dt.date.unique())) if not frame.empty else []
    years = sorted({day.year for day in days} | set(range(context.start.year, context.end.year + 1)))
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
    kinds = {day: kind for day in days if (kind := _day_kind(day, calendar)) is not None}
    if not kinds:
        return findings
    flagged = frame["date"].dt.date.map(kinds)
    hit = flagged.notna().to_numpy()
    rows = frame[hit].assign(kind=flagged[hit].str[0].to_numpy(), holiday=flagged[hit].str[1].to_numpy())

    def evidence(row):
        if row.date.year in missing:
            return {
                "date": iso(row.date),
                "kind": row.kind,
                "holiday": row.holiday,
                "calendar": "weekends-only",
                "calendar_missing_year": row.date.year,
                "calendar_finding": missing_subject,
            }
        return {"date": iso(row.date), "kind": row.kind, "holiday": row.holiday, "calendar": "official"}

    findings += expenditure_findings(
        rows[rows["kind"] == "weekend"],
        "WEEKEND_HOLIDAY",
        gettext_noop("Voucher %(voucher)s is dated %(date)s, a weekend day that is not a working day"),
        lambda row: {"date": iso(row.date)},
        evidence,
    )
    findings += expenditure_findings(
        rows[rows["kind"] == "holiday"],
        "WEEKEND_HOLIDAY",
        gettext_noop("Voucher %(voucher)s is dated %(date)s, a public holiday (%(holiday)s)"),
        lambda row: {"date": iso(row.date), "holiday": row.holiday},
        evidence,
    )
    return findings
