"""SPLIT_PURCHASE: a run of small purchases from one payee that together reach the threshold."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._groups import clusters
from finance.rules.base import Finding, PolicyKey, Rule, RuleContext, money_str, money_text, voucher_entry
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def split_purchase(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Runs of one payee's non-personnel expenditures below ``approval_threshold``, consecutive
    dates at most ``split_window_days`` apart, two or more members, whose sum reaches the threshold.

    Amounts are signed and sums include reversals (flag-rules.md): a reversal is below the
    threshold, so it is a member of its run and takes its amount off the run's sum.
    """
    window = int(policy["split_window_days"])
    # Amounts are whole cents, so "below the threshold" is "below its ceiling in cents".
    threshold_cents = math.ceil(Decimal(str(policy["approval_threshold"])) * 100)
    amounts = frame["amount"].to_numpy()
    small = np.flatnonzero((frame["category"].to_numpy() != "personnel") & (amounts < threshold_cents))
    if not len(small):
        return []
    # The runs are found on the five columns they need (most rows are small purchases: copying
    # every column of them, twice, cost more than the clustering); then only their rows are taken.
    keys = frame[["payee_norm", "date", "id", "day", "amount"]].iloc[small].assign(position=small)
    keys = keys.sort_values(["payee_norm", "date", "id"])
    run = clusters(keys, ["payee_norm"], window).to_numpy()
    stats = keys.assign(run=run).groupby("run")["amount"].agg(["size", "sum"])
    wanted = stats[(stats["size"] >= 2) & (stats["sum"] >= threshold_cents)].index
    keep = np.isin(run, wanted.to_numpy())
    if not keep.any():
        return []
    rows = frame.iloc[keys["position"].to_numpy()[keep]]
    # Runs are contiguous (rows sorted by payee, date, id): slice plain lists per run instead of
    # building a DataFrame per group (thousands of runs on a large ledger).
    runs = run[keep]
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]).tolist()
    ends = [*starts[1:], len(runs)]
    ids = rows["id"].tolist()
    amounts = rows["amount"].tolist()
    payees = rows["payee"].tolist()
    norms = rows["payee_norm"].tolist()
    days = rows["date"].dt.strftime("%Y-%m-%d").tolist()
    vouchers_all = [
        voucher_entry(v, day, amount)
        for v, day, amount in zip(rows["voucher_no"].tolist(), days, amounts, strict=True)
    ]
    threshold_text, threshold_str = money_text(threshold_cents), money_str(threshold_cents)
    findings = []
    for a, b in zip(starts, ends, strict=True):
        total = sum(amounts[a:b])
        vouchers = vouchers_all[a:b]
        findings.append(
            Finding(
                rule="SPLIT_PURCHASE",
                subject=f"{context.contract}:split:{norms[a]}|{ids[a]}",
                message=gettext_noop(
                    "%(count)s purchases from %(payee)s between %(from)s and %(to)s, each below the "
                    "approval threshold of %(threshold)s, add up to %(total)s (vouchers %(vouchers)s)"
                ),
                params={
                    "count": b - a,
                    "payee": payees[a],
                    "from": days[a],
                    "to": days[b - 1],
                    "threshold": threshold_text,
                    "total": money_text(total),
                    "vouchers": vouchers,
                },
                expenditure_ids=tuple(ids[a:b]),
                budget_line=None,
                evidence={
                    "payee": payees[a],
                    "amounts": [money_str(x) for x in amounts[a:b]],
                    "total": money_str(total),
                    "approval_threshold": threshold_str,
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
