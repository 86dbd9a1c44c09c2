"""MISSING_RECEIPT: a non-personnel payment above the receipt threshold without an invoice number."""

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


def missing_receipt(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Non-personnel, no invoice number, amount > ``receipt_required_above``."""
    above = cents_floor(policy["receipt_required_above"])
    rows = frame[
        (frame["category"] != "personnel") & (frame["invoice_norm"] == "") & (frame["amount"] > above)
    ]
    return expenditure_findings(
        rows,
        "MISSING_RECEIPT",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s paid %(amount)s to %(payee)s without an invoice number "
            "(required above %(above)s)"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "payee": row.payee,
            "above": money_text(above),
        },
        lambda row: {"amount": money_str(row.amount), "receipt_required_above": money_str(above)},
    )


def example(world: DemoWorld) -> DemoExample:
    """Activity supplies of 860 booked without an invoice number."""
    return world.activity(world.working_day(7, 14), "860.00", "县城超市", "活动物资", invoice_no="")


RULE = Rule(
    code="MISSING_RECEIPT",
    severity="warning",
    position=60,
    about="expenditure",
    title=_("Missing invoice"),
    description=_(
        "A payment above the receipt threshold has no invoice number. Without an invoice the "
        "funder will not accept the cost; usually the invoice exists but its number was not entered."
    ),
    func=missing_receipt,
    policy=(PolicyKey("receipt_required_above", "decimal", Decimal("200.00"), _("Invoice required above")),),
    example=example,
    example_order=50,
)
