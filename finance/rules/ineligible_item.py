"""INELIGIBLE_ITEM: the description or payee names something funders do not pay for."""

from __future__ import annotations

import re

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    expenditure_findings,
    fold_column,
    fold_text,
    iso,
    money_text,
)
from finance.rules.examples import DemoExample, DemoWorld

DEFAULT_INELIGIBLE_KEYWORDS = [
    "烟",
    "酒",
    "礼品",
    "礼金",
    "购物卡",
    "罚款",
    "滞纳金",
    "娱乐",
    "KTV",
    "gift",
    "alcohol",
    "tobacco",
    "fine",
    "penalty",
]


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


def example(world: DemoWorld) -> DemoExample:
    """Mid-Autumn gifts (中秋礼品) bought on the first contract."""
    return world.activity(world.working_day(8, 4), "368.00", "百货商店", "中秋礼品")


RULE = Rule(
    code="INELIGIBLE_ITEM",
    severity="warning",
    position=70,
    about="expenditure",
    title=_("Possibly ineligible item"),
    description=_(
        "The description or payee contains a word of the contract's list of ineligible items "
        "(alcohol, tobacco, gifts, fines...). Funders do not pay for these; sometimes the word "
        "appears innocently in a name."
    ),
    func=ineligible_item,
    policy=(
        PolicyKey(
            "ineligible_keywords",
            "keywords",
            DEFAULT_INELIGIBLE_KEYWORDS,
            _("Ineligible words (one per line)"),
        ),
    ),
    example=example,
    example_order=60,
)
