"""Timing rules: outside the period, end-of-contract surge, late posting, weekends and holidays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
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


@rule(
    "WEEKEND_HOLIDAY",
    severity="info",
    about="expenditure",
    title=_("Weekend or public holiday"),
    description=_(
        "The expenditure is dated on a weekend or public holiday (official make-up working days "
        "count as working days). Often legitimate (weekend activities), but worth a look for "
        "personal spending."
    ),
)
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
