"""UNASSIGNED_PERSONNEL: a salary for someone with no assignment to the contract on that date."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._staff import covered, named_personnel, staff_labels
from finance.rules.base import Finding, Rule, RuleContext, expenditure_findings, iso, money_str, money_text
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def unassigned_personnel(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """A personnel expenditure's staff member has no assignment covering the date (only when the
    contract has assignments at all)."""
    if context.assignments.empty:
        return []
    rows = named_personnel(frame)
    if rows.empty:
        return []
    found = covered(rows, context.assignments, "start", "end")
    rows = rows[~rows["id"].map(found).fillna(False).astype(bool)]
    labels = staff_labels(context)
    return expenditure_findings(
        rows,
        "UNASSIGNED_PERSONNEL",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s pays %(amount)s to staff member %(staff)s, who was not "
            "assigned to contract %(contract)s on that date"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "staff": " ".join(labels.get(int(row.staff_id), ("?", ""))).strip(),
            "contract": context.contract,
        },
        lambda row: {
            "date": iso(row.date),
            "amount": money_str(row.amount),
            "staff_no": labels.get(int(row.staff_id), ("", ""))[0],
        },
    )


def example(world: DemoWorld) -> DemoExample:
    """A salary early in the year on the first contract for a current employee assigned to
    another contract."""
    first = world.first
    personnel = first.line_of("personnel")
    if personnel is None:
        return DemoExample()
    hired_before = {
        spell.staff_id for spell in world.spells if spell.exit_date is None and spell.hire_date < first.start
    }
    current = next(
        (
            member
            for member in world.staff
            if member.staff_id in hired_before and member.staff_id not in first.assigned_staff
        ),
        None,
    )
    if current is None:
        return DemoExample()
    day = world.working_day(3, 10)
    return DemoExample(
        rows=(
            DemoRow(
                first.code,
                personnel,
                day,
                "3650.00",
                current.name,
                f"{day.month}月工资",
                invoice_no="",
                staff_id=current.staff_id,
            ),
        )
    )


RULE = Rule(
    code="UNASSIGNED_PERSONNEL",
    severity="warning",
    position=80,
    about="expenditure",
    title=_("Pay to someone not assigned to the contract"),
    description=_(
        "A personnel cost names a staff member who had no assignment to this contract on that "
        "date. Funders pay only for staff working on their project; usually an assignment is "
        "missing or the salary belongs to another contract."
    ),
    func=unassigned_personnel,
    example=example,
    example_order=130,
)
