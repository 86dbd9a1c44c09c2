"""ROUND_AMOUNT: a large non-personnel payment of a perfectly round amount."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    expenditure_findings,
    iso,
    money_str,
    money_text,
)
from finance.rules.examples import DemoExample, DemoWorld


def round_amount(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Non-personnel, amount ≥ ``round_amount_min`` and a multiple of ``round_amount_unit``."""
    minimum = math.ceil(Decimal(str(policy["round_amount_min"])) * 100)
    unit_dec = Decimal(str(policy["round_amount_unit"])) * 100
    if unit_dec <= 0 or unit_dec != unit_dec.to_integral_value():
        return []
    unit = int(unit_dec)
    rows = frame[
        (frame["category"] != "personnel") & (frame["amount"] >= minimum) & (frame["amount"] % unit == 0)
    ]
    return expenditure_findings(
        rows,
        "ROUND_AMOUNT",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s paid a round %(amount)s to %(payee)s (a multiple of "
            "%(unit)s, at least %(minimum)s)"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "payee": row.payee,
            "unit": money_text(unit),
            "minimum": money_text(minimum),
        },
        lambda row: {
            "amount": money_str(row.amount),
            "round_amount_unit": money_str(unit),
            "round_amount_min": money_str(minimum),
        },
    )


def example(world: DemoWorld) -> DemoExample:
    """A venue hired for a round 6,000."""
    return world.activity(world.working_day(8, 11), "6000.00", "社区活动中心", "场地租用")


RULE = Rule(
    code="ROUND_AMOUNT",
    severity="info",
    position=10,
    about="expenditure",
    title=_("Round amount"),
    description=_(
        "A large payment of a perfectly round amount. Real invoices rarely come out round; "
        "round sums suggest estimates, advances or invented costs. Often a fee fixed by contract."
    ),
    func=round_amount,
    policy=(
        PolicyKey("round_amount_min", "decimal", Decimal("5000"), _("Round amounts from")),
        PolicyKey("round_amount_unit", "decimal", Decimal("1000"), _("Round-amount unit")),
    ),
    example=example,
    example_order=70,
)
