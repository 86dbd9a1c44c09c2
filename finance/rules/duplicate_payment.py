"""DUPLICATE_PAYMENT: one payee paid one amount more than once within a few days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._groups import clusters, invoice_groups
from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    iso,
    money_str,
    money_text,
    voucher_entry,
)
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def duplicate_payment(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Non-personnel payments to one payee of one amount, each within ``duplicate_window_days`` of
    another, that are not already exactly one DUPLICATE_INVOICE group (none is, when the contract's
    ``disabled_rules`` names DUPLICATE_INVOICE)."""
    window = int(policy["duplicate_window_days"])
    paid = np.flatnonzero((frame["category"].to_numpy() != "personnel") & (frame["amount"].to_numpy() > 0))
    # Only the two key columns are copied to find repeats; then only the repeated rows.
    repeated = frame[["payee_norm", "amount"]].iloc[paid].duplicated(keep=False).to_numpy()
    rows = frame.iloc[paid[repeated]]
    if rows.empty:
        return []
    rows = rows.sort_values(["payee_norm", "amount", "date", "id"])
    rows = rows.assign(cluster=clusters(rows, ["payee_norm", "amount"], window).values)
    rows = rows[rows.groupby("cluster")["id"].transform("size") >= 2]
    if rows.empty:  # repeats, but none within the window: no invoice group to look up
        return []
    # A contract that does not check DUPLICATE_INVOICE has no invoice group to defer to.
    if "DUPLICATE_INVOICE" in (policy.get("disabled_rules") or {}):
        group_of = {}
    else:
        groups_found = invoice_groups(frame, context)
        group_of = dict(zip(groups_found["id"], groups_found["group"], strict=True))
    findings = []
    for _cluster, members in rows.groupby("cluster", sort=False):
        groups = {group_of.get(int(i)) for i in members["id"]}
        if len(groups) == 1 and None not in groups:
            continue
        first = members.iloc[0]
        vouchers = [
            voucher_entry(v, iso(day), amount)
            for v, day, amount in zip(members["voucher_no"], members["date"], members["amount"], strict=True)
        ]
        findings.append(
            Finding(
                rule="DUPLICATE_PAYMENT",
                subject=f"{context.contract}:pay:{first.payee_norm}|{int(first.amount)}|{int(first.id)}",
                message=gettext_noop(
                    "%(count)s payments of %(amount)s each to %(payee)s within %(window)s days of one "
                    "another (vouchers %(vouchers)s, %(from)s to %(to)s)"
                ),
                params={
                    "count": len(members),
                    "amount": money_text(first.amount),
                    "payee": first.payee,
                    "window": window,
                    "vouchers": vouchers,
                    "from": iso(members["date"].iloc[0]),
                    "to": iso(members["date"].iloc[-1]),
                },
                expenditure_ids=tuple(int(i) for i in members["id"]),
                budget_line=None,
                evidence={
                    "payee": first.payee,
                    "amount": money_str(first.amount),
                    "dates": [iso(d) for d in members["date"]],
                    "window_days": window,
                },
            )
        )
    return findings


def example(world: DemoWorld) -> DemoExample:
    """The same brochure print job paid twice, two days apart, on the first contract."""
    first = world.first
    line = first.line("activities")
    day = world.working_day(5, 12)
    again = world.workday(day + dt.timedelta(days=2))
    return DemoExample(
        rows=(
            DemoRow(first.code, line, day, "1280.00", "信丰县印务中心", "宣传册印刷"),
            DemoRow(first.code, line, again, "1280.00", "信丰县印务中心", "宣传册印刷"),
        )
    )


RULE = Rule(
    code="DUPLICATE_PAYMENT",
    severity="warning",
    position=30,
    about="group",
    title=_("Possible duplicate payment"),
    description=_(
        "The same payee was paid the same amount more than once within a few days. Usually a "
        "payment entered twice; sometimes legitimate instalments or recurring fees."
    ),
    func=duplicate_payment,
    policy=(PolicyKey("duplicate_window_days", "int", 7, _("Duplicate-payment window, days")),),
    example=example,
    example_order=20,
)
