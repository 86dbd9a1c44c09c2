"""SPLIT_PURCHASE: a run of small purchases from one payee that together reach the threshold."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._groups import clusters
from finance.rules.base import Finding, PolicyKey, Rule, RuleContext, iso, money_str, money_text
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def split_purchase(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Runs of one payee's non-personnel purchases below ``approval_threshold``, consecutive dates
    at most ``split_window_days`` apart, two or more members, whose sum reaches the threshold."""
    window = int(policy["split_window_days"])
    # Amounts are whole cents, so "below the threshold" is "below its ceiling in cents".
    threshold_cents = math.ceil(Decimal(str(policy["approval_threshold"])) * 100)
    amounts = frame["amount"]
    small = (frame["category"] != "personnel") & (amounts > 0) & (amounts < threshold_cents)
    rows = frame[small]
    if rows.empty:
        return []
    rows = rows.sort_values(["payee_norm", "date", "id"])
    rows = rows.assign(run=clusters(rows, ["payee_norm"], window).values)
    stats = rows.groupby("run")["amount"].agg(["size", "sum"])
    wanted = stats[(stats["size"] >= 2) & (stats["sum"] >= threshold_cents)].index
    rows = rows[rows["run"].isin(wanted)]
    findings = []
    for _run, members in rows.groupby("run", sort=False):
        first = members.iloc[0]
        total = int(members["amount"].sum())
        vouchers = [v or f"#{i}" for v, i in zip(members["voucher_no"], members["id"], strict=True)]
        findings.append(
            Finding(
                rule="SPLIT_PURCHASE",
                subject=f"{context.contract}:split:{first.payee_norm}|{int(first.id)}",
                message=gettext_noop(
                    "%(count)s purchases from %(payee)s between %(from)s and %(to)s, each below the "
                    "approval threshold of %(threshold)s, add up to %(total)s (vouchers %(vouchers)s)"
                ),
                params={
                    "count": len(members),
                    "payee": first.payee,
                    "from": iso(members["date"].iloc[0]),
                    "to": iso(members["date"].iloc[-1]),
                    "threshold": money_text(threshold_cents),
                    "total": money_text(total),
                    "vouchers": ", ".join(vouchers),
                },
                expenditure_ids=tuple(int(i) for i in members["id"]),
                budget_line=None,
                evidence={
                    "payee": first.payee,
                    "amounts": [money_str(a) for a in members["amount"]],
                    "total": money_str(total),
                    "approval_threshold": money_str(threshold_cents),
                    "window_days": window,
                },
            )
        )
    return findings


def example(world: DemoWorld) -> DemoExample:
    """A sound-system hire split over two days, each part below the 5,000 approval threshold."""
    first = world.first
    line = first.line("activities")
    day = world.working_day(6, 9)
    after = world.workday(day + dt.timedelta(days=1))
    return DemoExample(
        rows=(
            DemoRow(first.code, line, day, "2600.00", "赣南音响租赁", "活动音响租赁"),
            DemoRow(first.code, line, after, "2480.50", "赣南音响租赁", "活动音响租赁"),
        )
    )


RULE = Rule(
    code="SPLIT_PURCHASE",
    severity="warning",
    position=40,
    about="group",
    title=_("Split purchase"),
    description=_(
        "Several purchases from one payee within a few days, each below the approval threshold, "
        "add up to more than it: a purchase may have been split to avoid prior approval. "
        "Sometimes simply repeated small supplies."
    ),
    func=split_purchase,
    policy=(
        PolicyKey("approval_threshold", "decimal", Decimal("5000.00"), _("Prior-approval threshold")),
        PolicyKey("split_window_days", "int", 7, _("Split-purchase window, days")),
    ),
    example=example,
    example_order=30,
)
