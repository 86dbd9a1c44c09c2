"""CASH_LIMIT: a cash payment above the largest cash payment allowed."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    cents_floor,
    expenditure_findings,
    iso,
    money_str,
    money_text,
)
from finance.rules.examples import DemoExample, DemoWorld


def cash_limit(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Paid in cash and amount > ``cash_limit``."""
    limit = cents_floor(policy["cash_limit"])
    rows = frame[(frame["payment_method"] == "cash") & (frame["amount"] > limit)]
    return expenditure_findings(
        rows,
        "CASH_LIMIT",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s paid %(amount)s in cash, above the cash limit of %(limit)s"
        ),
        lambda row: {"date": iso(row.date), "amount": money_text(row.amount), "limit": money_text(limit)},
        lambda row: {
            "amount": money_str(row.amount),
            "cash_limit": money_str(limit),
            "payment_method": "cash",
        },
    )


def example(world: DemoWorld) -> DemoExample:
    """Volunteers' meals of 1,500 paid in cash at a farm restaurant (the limit is 1,000)."""
    return world.activity(
        world.working_day(7, 7), "1500.00", "农家乐餐馆", "志愿者餐费", payment_method="cash"
    )


RULE = Rule(
    code="CASH_LIMIT",
    severity="warning",
    position=50,
    about="expenditure",
    title=_("Cash payment over the limit"),
    description=_(
        "A large payment was made in cash, which leaves no bank trail. Usually a supplier who "
        "would not take a transfer; it needs a receipt and a reason."
    ),
    func=cash_limit,
    policy=(PolicyKey("cash_limit", "decimal", Decimal("1000.00"), _("Largest cash payment")),),
    example=example,
    example_order=40,
)
