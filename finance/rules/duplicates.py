"""Repeated charges: the same invoice twice (across the agency), duplicate payments, split purchases.

Only positive amounts are charges here: a reversal (negative amount) that carries the invoice
number of the row it corrects is a correction, not a second charge.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, RuleContext, iso, money_str, money_text, rule


def _invoice_groups(frame: pd.DataFrame, context: RuleContext) -> pd.DataFrame:
    """Charges sharing a non-empty invoice number and payee, across all the agency's contracts,
    in groups that include at least one charge of this contract. Adds a ``group`` column."""
    own = frame[(frame["invoice_norm"] != "") & (frame["amount"] > 0)]
    others = context.agency_invoices
    others = others[
        (others["invoice_norm"] != "") & (others["amount"] > 0) & (others["contract"] != context.contract)
    ]
    if own.empty:
        return own.assign(group=pd.Series(dtype="int64"))
    # Only other contracts' rows that share a key with this contract can matter.
    if not others.empty:
        keys = pd.MultiIndex.from_frame(own[["invoice_norm", "payee_norm"]])
        others = others[pd.MultiIndex.from_frame(others[["invoice_norm", "payee_norm"]]).isin(keys)]
    if others.empty:
        own = own[own.duplicated(["invoice_norm", "payee_norm"], keep=False)]
    charges = pd.concat([own, others], ignore_index=True) if not others.empty else own
    if charges.empty:
        return charges.assign(group=pd.Series(dtype="int64"))
    sizes = charges.groupby(["invoice_norm", "payee_norm"], sort=False)["id"].transform("size")
    charges = charges[sizes >= 2]
    if charges.empty:
        return charges.assign(group=pd.Series(dtype="int64"))
    charges = charges.assign(group=charges.groupby(["invoice_norm", "payee_norm"], sort=False).ngroup())
    return charges.sort_values(["group", "date", "id"])


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


@rule(
    "DUPLICATE_INVOICE",
    severity="critical",
    about="group",
    title=_("Invoice charged twice"),
    description=_(
        "The same invoice of the same payee was charged more than once, in this contract or in "
        "two of the agency's contracts: the same cost claimed twice, or from two funders. The "
        "most serious finding; occasionally a data-entry repeat that must be reversed."
    ),
)
def duplicate_invoice(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Two or more charges, in any contracts of the agency, share an invoice number and payee."""
    groups = _invoice_groups(frame, context)
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
                budget_line=None,  # a group, not a line (cli.md example)
                evidence={"invoice_no": first.invoice_no, "amounts": [money_str(a) for a in rows["amount"]]},
            )
        )
    return findings


def _clusters(rows: pd.DataFrame, keys: list[str], window: int) -> pd.Series:
    """Label runs within each key group (rows sorted by date) whose consecutive dates are at
    most ``window`` days apart: a new run starts at a bigger gap or a new key."""
    gap = rows.groupby(keys, sort=False)["day"].diff()
    starts = gap.isna() | (gap > window)
    return starts.cumsum()


@rule(
    "DUPLICATE_PAYMENT",
    severity="warning",
    about="group",
    title=_("Possible duplicate payment"),
    description=_(
        "The same payee was paid the same amount more than once within a few days. Usually a "
        "payment entered twice; sometimes legitimate instalments or recurring fees."
    ),
)
def duplicate_payment(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Non-personnel payments to one payee of one amount, each within ``duplicate_window_days`` of
    another, that are not already exactly one DUPLICATE_INVOICE group."""
    window = int(policy["duplicate_window_days"])
    rows = frame[(frame["category"] != "personnel") & (frame["amount"] > 0)]
    rows = rows[rows.duplicated(["payee_norm", "amount"], keep=False)]
    if rows.empty:
        return []
    rows = rows.sort_values(["payee_norm", "amount", "date", "id"])
    rows = rows.assign(cluster=_clusters(rows, ["payee_norm", "amount"], window).values)
    rows = rows[rows.groupby("cluster")["id"].transform("size") >= 2]
    invoice_groups = _invoice_groups(frame, context)
    group_of = dict(zip(invoice_groups["id"], invoice_groups["group"], strict=True))
    findings = []
    for _cluster, members in rows.groupby("cluster", sort=False):
        groups = {group_of.get(int(i)) for i in members["id"]}
        if len(groups) == 1 and None not in groups:
            continue
        first = members.iloc[0]
        vouchers = [v or f"#{i}" for v, i in zip(members["voucher_no"], members["id"], strict=True)]
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
                    "vouchers": ", ".join(vouchers),
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


@rule(
    "SPLIT_PURCHASE",
    severity="warning",
    about="group",
    title=_("Split purchase"),
    description=_(
        "Several purchases from one payee within a few days, each below the approval threshold, "
        "add up to more than it: a purchase may have been split to avoid prior approval. "
        "Sometimes simply repeated small supplies."
    ),
)
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
    rows = rows.assign(run=_clusters(rows, ["payee_norm"], window).values)
    stats = rows.groupby("run")["amount"].agg(["size", "sum"])
    wanted = stats[(stats["size"] >= 2) & (stats["sum"] >= threshold_cents)].index
    rows = rows[rows["run"].isin(wanted)]
    if rows.empty:
        return []
    # Runs are contiguous (rows sorted by payee, date, id): slice plain lists per run instead of
    # building a DataFrame per group (thousands of runs on a large ledger).
    runs = rows["run"].to_numpy()
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]).tolist()
    ends = [*starts[1:], len(runs)]
    ids = rows["id"].tolist()
    amounts = rows["amount"].tolist()
    vouchers_all = [v or f"#{i}" for v, i in zip(rows["voucher_no"].tolist(), ids, strict=True)]
    payees = rows["payee"].tolist()
    norms = rows["payee_norm"].tolist()
    days = rows["date"].dt.strftime("%Y-%m-%d").tolist()
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
                    "vouchers": ", ".join(vouchers),
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
