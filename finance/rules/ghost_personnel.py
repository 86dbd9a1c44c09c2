"""GHOST_PERSONNEL: a salary paid to someone who was not employed then, nor recently enough."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._staff import covered, named_personnel, staff_labels
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
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def ghost_personnel(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """A personnel expenditure's staff member had no employment in [date − ``exit_grace_days``, date]."""
    grace = int(policy["exit_grace_days"])
    rows = named_personnel(frame)
    found = covered(rows, context.spells, "hire_date", "exit_date", grace)
    if rows.empty:
        return []
    rows = rows[~rows["id"].map(found).fillna(False).astype(bool)]
    labels = staff_labels(context)
    return expenditure_findings(
        rows,
        "GHOST_PERSONNEL",
        gettext_noop(
            "Voucher %(voucher)s of %(date)s pays %(amount)s to staff member %(staff)s, who was not "
            "employed then nor within the %(grace)s days before"
        ),
        lambda row: {
            "date": iso(row.date),
            "amount": money_text(row.amount),
            "staff": " ".join(labels.get(int(row.staff_id), ("?", ""))).strip(),
            "grace": grace,
        },
        lambda row: {
            "date": iso(row.date),
            "amount": money_str(row.amount),
            "staff_no": labels.get(int(row.staff_id), ("", ""))[0],
            "exit_grace_days": grace,
        },
    )


def example(world: DemoWorld) -> DemoExample:
    """A salary early in the year on the first contract for someone who left well before the
    year began."""
    first = world.first
    personnel = first.line_of("personnel")
    if personnel is None:
        return DemoExample()
    still_employed = {spell.staff_id for spell in world.spells if spell.exit_date is None}
    left = next(
        (
            spell
            for spell in world.spells
            if spell.exit_date is not None
            and spell.exit_date < first.start - dt.timedelta(days=60)
            and spell.staff_id not in still_employed
        ),
        None,
    )
    if left is None:
        return DemoExample()
    day = world.working_day(2, 10)
    name = world.member(left.staff_id).name
    return DemoExample(
        rows=(
            DemoRow(
                first.code,
                personnel,
                day,
                "3650.00",
                name,
                f"{day.month}月工资",
                invoice_no="",
                staff_id=left.staff_id,
            ),
        )
    )


RULE = Rule(
    code="GHOST_PERSONNEL",
    severity="critical",
    position=60,
    about="expenditure",
    title=_("Pay to someone not employed"),
    description=_(
        "A personnel cost names a staff member who was not employed on its date (nor recently "
        "enough for a final salary). Ghost employees are a classic fraud; usually it is a wrong "
        "staff number or a missing employment record."
    ),
    func=ghost_personnel,
    policy=(PolicyKey("exit_grace_days", "int", 31, _("Days after an exit a final salary may be paid")),),
    example=example,
    example_order=120,
)
