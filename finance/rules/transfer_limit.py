"""TRANSFER_LIMIT: spending above approved line amounts exceeds the tolerated re-budgeting."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._totals import pct_of_total
from finance.rules.base import Finding, PolicyKey, Rule, RuleContext, money_str, money_text, number_text


def transfer_limit(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Σ over lines of max(0, actual − approved) exceeds ``transfer_tolerance_pct`` % of the total."""
    actual = frame.groupby("line")["amount"].sum()
    lines = context.lines.set_index("code")
    over = (actual.reindex(lines.index, fill_value=0) - lines["approved"]).clip(lower=0)
    over = over[over > 0]
    moved = int(over.sum())
    pct = policy["transfer_tolerance_pct"]
    tolerance = pct_of_total(pct, context.total)
    if moved <= tolerance:
        return []
    tolerance_cents = int(tolerance)
    return [
        Finding(
            rule="TRANSFER_LIMIT",
            subject=f"{context.contract}:contract",
            message=gettext_noop(
                "Contract %(contract)s: %(moved)s was spent above approved line amounts, more than "
                "the %(pct)s%% (%(tolerance)s) of the contract total that may be moved without approval"
            ),
            params={
                "contract": context.contract,
                "moved": money_text(moved),
                "pct": number_text(pct),
                "tolerance": money_text(tolerance_cents),
            },
            evidence={
                "over_approved": money_str(moved),
                "tolerance": money_str(tolerance_cents),
                "tolerance_pct": number_text(pct),
                "lines": {code: money_str(value) for code, value in over.items()},
            },
            basis={"over": {str(k): int(v) for k, v in over.items()}},
        )
    ]


RULE = Rule(
    code="TRANSFER_LIMIT",
    severity="critical",
    position=30,
    about="contract",
    title=_("Unapproved re-budgeting"),
    description=_(
        "Spending moved between budget lines beyond what the funder tolerates without a formal "
        "budget revision. Usually a revision was agreed informally but never approved in writing."
    ),
    func=transfer_limit,
    policy=(
        PolicyKey(
            "transfer_tolerance_pct",
            "decimal",
            Decimal("10"),
            _("Re-budgeting tolerance (percent of the total)"),
        ),
    ),
    example_from="LINE_OVERSPEND",
)
