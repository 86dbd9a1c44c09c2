"""CONTRACT_OVERSPEND: the contract's running total first exceeds the contract total."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._totals import first_crossing
from finance.rules.base import Finding, Rule, RuleContext, iso, money_str, money_text, voucher_params


def contract_overspend(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """The expenditure at which the contract's running total first exceeds the contract total."""
    crossing = first_crossing(frame, context.total, by=None)
    findings = []
    for row in crossing.itertuples(index=False):
        findings.append(
            Finding(
                rule="CONTRACT_OVERSPEND",
                subject=f"{context.contract}:contract",
                message=gettext_noop(
                    "Contract %(contract)s is overspent from voucher %(voucher)s of %(date)s: "
                    "spending reached %(running)s, above the contract total %(total)s"
                ),
                params={
                    "contract": context.contract,
                    **voucher_params(row.voucher_no, row.amount, row.payee),
                    "date": iso(row.date),
                    "running": money_text(row.running),
                    "total": money_text(context.total),
                },
                expenditure_ids=(int(row.id),),
                budget_line=None,
                evidence={
                    "contract_total": money_str(context.total),
                    "running_total": money_str(row.running),
                    "amount": money_str(row.amount),
                    "actual": money_str(int(frame["amount"].sum())),
                },
            )
        )
    return findings


RULE = Rule(
    code="CONTRACT_OVERSPEND",
    severity="critical",
    position=20,
    about="expenditure",
    title=_("Contract overspent"),
    description=_(
        "Total spending went past the contract total: the excess will not be reimbursed. Usually "
        "costs of another project were booked here, or a reversal is missing."
    ),
    func=contract_overspend,
    example_from="LINE_OVERSPEND",
)
