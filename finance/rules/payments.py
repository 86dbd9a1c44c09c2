"""Single-payment rules: cash over the limit, missing receipts, ineligible items, round amounts."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    RuleContext,
    expenditure_findings,
    fold_column,
    fold_text,
    iso,
    money_str,
    money_text,
    rule,
)


def _cents_floor(value) -> int:
    """A policy money value in cents, for "amount > value" on whole cents."""
    return math.floor(Decimal(str(value)) * 100)


@rule(
    "CASH_LIMIT",
    severity="warning",
    about="expenditure",
    title=_("Cash payment over the limit"),
    description=_(
        "A large payment was made in cash, which leaves no bank trail. Usually a supplier who "
        "would not take a transfer; it needs a receipt and a reason."
    ),
)
def cash_limit(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Paid in cash and amount > ``cash_limit``."""
    limit = _cents_floor(policy["cash_limit"])
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


@rule(
    "MISSING_RECEIPT",
    severity="warning",
    about="expenditure",
    title=_("Missing invoice"),
    description=_(
        "A payment above the receipt threshold has no invoice number. Without an invoice the "
        "funder will not accept the cost; usually the invoice exists but its number was not entered."
    ),
)
def missing_receipt(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Non-personnel, no invoice number, amount > ``receipt_required_above``."""
    above = _cents_floor(policy["receipt_required_above"])
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


@rule(
    "INELIGIBLE_ITEM",
    severity="warning",
    about="expenditure",
    title=_("Possibly ineligible item"),
    description=_(
        "The description or payee contains a word of the contract's list of ineligible items "
        "(alcohol, tobacco, gifts, fines...). Funders do not pay for these; sometimes the word "
        "appears innocently in a name."
    ),
)
def ineligible_item(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Description or payee contains an ``ineligible_keywords`` entry (case-insensitive)."""
    keywords = [k for k in policy.get("ineligible_keywords") or [] if str(k).strip()]
    if not keywords or frame.empty:
        return []
    folded = {fold_text(k).strip(): k for k in keywords}
    pattern = "|".join(re.escape(k) for k in sorted(folded, key=len, reverse=True))
    # Full-width and case folded, but spaces kept: "of inexpensive" must not read as "fine".
    text = fold_column(frame["description"]) + "\x00" + fold_column(frame["payee"])
    hits = text.str.contains(pattern, regex=True)
    rows = frame[hits.values]
    if rows.empty:
        return []
    matched = text[hits].str.findall(pattern)
    rows = rows.assign(words=[sorted({folded[m] for m in found}) for found in matched])
    return expenditure_findings(
        rows,
        "INELIGIBLE_ITEM",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s (%(amount)s, %(payee)s: %(description)s) mentions "
            "ineligible item %(words)s"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "payee": row.payee,
            "description": row.description,
            "words": ", ".join(row.words),
        },
        lambda row: {"keywords": row.words, "description": row.description, "payee": row.payee},
    )


@rule(
    "ROUND_AMOUNT",
    severity="info",
    about="expenditure",
    title=_("Round amount"),
    description=_(
        "A large payment of a perfectly round amount. Real invoices rarely come out round; "
        "round sums suggest estimates, advances or invented costs. Often a fee fixed by contract."
    ),
)
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
