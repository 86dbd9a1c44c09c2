"""DUPLICATE_INVOICE: one invoice of one payee charged twice, in any contracts of the agency."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._groups import invoice_groups
from finance.rules.base import Finding, Rule, RuleContext, money_str, money_text
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def _invoice_message(count: int, contracts: int) -> str:
    if contracts > 1:
        if count == 2:
            return gettext_noop(
                "Invoice %(invoice)s from %(payee)s is charged twice, to contracts %(contracts)s "
                "(%(count)s expenditures, %(total)s in all)"
            )
        return gettext_noop(
            "Invoice %(invoice)s from %(payee)s is charged %(count)s times, to contracts %(contracts)s "
            "(%(count)s expenditures, %(total)s in all)"
        )
    if count == 2:
        return gettext_noop(
            "Invoice %(invoice)s from %(payee)s is charged twice (%(count)s expenditures, %(total)s in all)"
        )
    return gettext_noop(
        "Invoice %(invoice)s from %(payee)s is charged %(count)s times (%(count)s expenditures, %(total)s in all)"
    )


def duplicate_invoice(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Two or more charges, in any contracts of the agency, share an invoice number and payee."""
    groups = invoice_groups(frame, context)
    findings = []
    for _group, rows in groups.groupby("group", sort=True):
        first = rows.iloc[0]
        total = int(rows["amount"].sum())
        contracts = list(dict.fromkeys(rows["contract"]))
        findings.append(
            Finding(
                rule="DUPLICATE_INVOICE",
                subject=f"inv:{first.payee_norm}|{first.invoice_norm}",
                message=_invoice_message(len(rows), len(contracts)),
                params={
                    "invoice": first.invoice_no,
                    "payee": first.payee,
                    "count": len(rows),
                    "total": money_text(total),
                    "contracts": ", ".join(contracts),
                },
                expenditure_ids=tuple(int(i) for i in rows["id"]),
                budget_line=None,  # a group, not a line (docs/commands.md example)
                evidence={"invoice_no": first.invoice_no, "amounts": [money_str(a) for a in rows["amount"]]},
            )
        )
    return findings


def example(world: DemoWorld) -> DemoExample:
    """One stationery invoice charged to two funders: the first and the second contract (of the
    two bureaus)."""
    first, second = world.first, world.second
    day = world.working_day(4, 8)
    return DemoExample(
        rows=(
            DemoRow(
                first.code,
                first.line("activities"),
                day,
                "930.00",
                "赣州文具店",
                "活动文具",
                invoice_no="04419823",
            ),
            DemoRow(
                second.code,
                second.line("activities"),
                day + dt.timedelta(days=1),
                "930.00",
                "赣州文具店",
                "活动文具",
                invoice_no="04419823",
            ),
        )
    )


RULE = Rule(
    code="DUPLICATE_INVOICE",
    severity="critical",
    position=50,
    about="group",
    title=_("Invoice charged twice"),
    description=_(
        "The same invoice of the same payee was charged more than once, in this contract or in "
        "two of the agency's contracts: the same cost claimed twice, or from two funders. The "
        "most serious finding; occasionally a data-entry repeat that must be reversed."
    ),
    func=duplicate_invoice,
    example=example,
    example_order=10,
)
