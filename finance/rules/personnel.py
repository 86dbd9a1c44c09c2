"""Personnel rules: salaries of people not employed or not assigned, payees who are staff."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    RuleContext,
    expenditure_findings,
    iso,
    money_str,
    money_text,
    normalise_column,
    rule,
)


def _named_personnel(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["category"] == "personnel") & frame["staff_id"].notna()]


def _covered(
    rows: pd.DataFrame, periods: pd.DataFrame, start: str, end: str, grace_days: int = 0
) -> pd.Series:
    """For each row (by expenditure id): True when some period of its staff member overlaps
    [date − grace_days, date]; periods have ``start``/``end`` columns (end NaT = open)."""
    if rows.empty:
        return pd.Series(dtype=bool)
    if periods.empty:
        return pd.Series(False, index=rows["id"].values)
    left = rows[["id", "staff_id", "date"]].astype({"staff_id": "int64"})
    right = periods[["staff_id", start, end]].astype({"staff_id": "int64"})
    joined = left.merge(right, on="staff_id", how="left")
    earliest = joined["date"] - pd.Timedelta(days=grace_days)
    hit = (joined[start] <= joined["date"]) & (joined[end].isna() | (joined[end] >= earliest))
    hit &= joined[start].notna()
    return hit.groupby(joined["id"]).any()


def _staff_labels(context: RuleContext) -> dict[int, tuple[str, str]]:
    staff = context.staff
    return {
        int(s): (str(n), str(name))
        for s, n, name in zip(staff["staff_id"], staff["staff_no"], staff["name"], strict=True)
    }


@rule(
    "GHOST_PERSONNEL",
    severity="critical",
    about="expenditure",
    title=_("Pay to someone not employed"),
    description=_(
        "A personnel cost names a staff member who was not employed on its date (nor recently "
        "enough for a final salary). Ghost employees are a classic fraud; usually it is a wrong "
        "staff number or a missing employment record."
    ),
)
def ghost_personnel(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """A personnel expenditure's staff member had no employment in [date − ``exit_grace_days``, date]."""
    grace = int(policy["exit_grace_days"])
    rows = _named_personnel(frame)
    covered = _covered(rows, context.spells, "hire_date", "exit_date", grace)
    if rows.empty:
        return []
    rows = rows[~rows["id"].map(covered).fillna(False).astype(bool)]
    labels = _staff_labels(context)
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


@rule(
    "UNASSIGNED_PERSONNEL",
    severity="warning",
    about="expenditure",
    title=_("Pay to someone not assigned to the contract"),
    description=_(
        "A personnel cost names a staff member who had no assignment to this contract on that "
        "date. Funders pay only for staff working on their project; usually an assignment is "
        "missing or the salary belongs to another contract."
    ),
)
def unassigned_personnel(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """A personnel expenditure's staff member has no assignment covering the date (only when the
    contract has assignments at all)."""
    if context.assignments.empty:
        return []
    rows = _named_personnel(frame)
    if rows.empty:
        return []
    covered = _covered(rows, context.assignments, "start", "end")
    rows = rows[~rows["id"].map(covered).fillna(False).astype(bool)]
    labels = _staff_labels(context)
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


@rule(
    "PAYEE_IS_STAFF",
    severity="warning",
    about="expenditure",
    title=_("Payee is a staff member"),
    description=_(
        "Equipment or services were bought from a person with the name of a staff member: a "
        "conflict of interest to explain. Sometimes a namesake, or a reimbursement booked to the "
        "wrong line."
    ),
)
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
