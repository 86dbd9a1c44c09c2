"""PAYEE_IS_STAFF: equipment or services bought from a person with a staff member's name."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    Rule,
    RuleContext,
    expenditure_findings,
    iso,
    money_str,
    money_text,
    normalise_column,
)
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def payee_is_staff(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """An ``equipment`` or ``services`` expenditure whose payee is the name of a staff member."""
    if context.staff.empty:
        return []
    names = normalise_column(context.staff["name"].astype(object))
    by_name = dict(zip(names, context.staff["staff_no"], strict=True))
    rows = frame[frame["category"].isin(["equipment", "services"]) & frame["payee_norm"].isin(set(by_name))]
    return expenditure_findings(
        rows,
        "PAYEE_IS_STAFF",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s pays %(amount)s for %(category)s to %(payee)s, the name "
            "of staff member %(staff_no)s"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "category": row.category,
            "payee": row.payee,
            "staff_no": str(by_name[row.payee_norm]),
        },
        lambda row: {
            "payee": row.payee,
            "amount": money_str(row.amount),
            "category": row.category,
            "staff_no": str(by_name[row.payee_norm]),
        },
    )


def example(world: DemoWorld) -> DemoExample:
    """Case supervision on the second contract's services line, paid to the first staff member."""
    second = world.second
    line = second.line("services", "equipment")
    if not world.staff or line is None:
        return DemoExample()
    day = world.working_day(9, 8)
    return DemoExample(
        rows=(DemoRow(second.code, line, day, "1800.00", world.staff[0].name, "个案督导服务"),)
    )


RULE = Rule(
    code="PAYEE_IS_STAFF",
    severity="warning",
    position=90,
    about="expenditure",
    title=_("Payee is a staff member"),
    description=_(
        "Equipment or services were bought from a person with the name of a staff member: a "
        "conflict of interest to explain. Sometimes a namesake, or a reimbursement booked to the "
        "wrong line."
    ),
    func=payee_is_staff,
    example=example,
    example_order=110,
)
