"""LATE_POSTING: booked long after the transaction."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, PolicyKey, Rule, RuleContext, expenditure_findings, iso
from finance.rules.examples import DemoExample, DemoWorld


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


def example(world: DemoWorld) -> DemoExample:
    """A March purchase of last year's closed contract (else of the first), booked 75 days
    later: a current contract's window may be shorter than the grace days."""
    on = world.closed
    day = world.workday(dt.date(on.start.year, 3, 3)) if on else world.working_day(3, 3)
    return world.activity(
        day, "245.30", "县城超市", "活动物资", contract=on, posted_on=day + dt.timedelta(days=75)
    )


RULE = Rule(
    code="LATE_POSTING",
    severity="info",
    position=30,
    about="expenditure",
    title=_("Late posting"),
    description=_(
        "The expenditure was booked long after it happened. Late entries weaken the books as a "
        "record and may hide back-dated costs; usually receipts were handed in late."
    ),
    func=late_posting,
    policy=(PolicyKey("posting_grace_days", "int", 30, _("Days before a posting is late")),),
    example=example,
    example_order=80,
)
