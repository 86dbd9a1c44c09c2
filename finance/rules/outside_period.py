"""OUTSIDE_PERIOD: dated before the contract start, or after its end plus the close-out days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    day_number,
    expenditure_findings,
    iso,
    money_str,
    money_text,
)
from finance.rules.examples import DemoExample, DemoWorld


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


def example(world: DemoWorld) -> DemoExample:
    """Preparation supplies bought twenty days before the first contract started."""
    day = world.workday(world.first.start - dt.timedelta(days=20))
    return world.activity(day, "420.00", "县城超市", "筹备物资")


RULE = Rule(
    code="OUTSIDE_PERIOD",
    severity="critical",
    position=40,
    about="expenditure",
    title=_("Outside the contract period"),
    description=_(
        "The expenditure is dated before the contract started or after its close-out period "
        "ended, so the funder will not accept it. Usually a date typo, or a cost of another "
        "project or year."
    ),
    func=outside_period,
    policy=(PolicyKey("closeout_days", "int", 30, _("Close-out days after the end")),),
    example=example,
    example_order=100,
)
