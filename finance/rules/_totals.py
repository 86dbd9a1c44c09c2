"""Helpers of the budget rules: running totals against limits, shares of the contract total."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, money_str, money_text, number_text


def first_crossing(frame: pd.DataFrame, limits: pd.Series | int, by: str | None) -> pd.DataFrame:
    """Rows where a running total (date order, ties by ledger order) first exceeds its limit."""
    if frame.empty:
        return frame.assign(running=pd.Series(dtype="int64"))
    if by is None:
        running = frame["amount"].cumsum()
        limit = limits
    else:
        running = frame.groupby(by, sort=False)["amount"].cumsum()
        limit = frame[by].map(limits)
    # Only the rows above their limit are copied out of the frame (with their two new columns).
    over = (pd.Series(limit, index=frame.index).notna() & (running > limit)).to_numpy()
    crossed = frame[over].assign(running=running[over], limit=limit[over] if by is not None else limit)
    if by is None:
        return crossed.head(1)
    return crossed.groupby(by, sort=False).head(1)


def pct_of_total(pct: Decimal, total: int) -> Decimal:
    """``pct`` % of ``total`` cents, exact."""
    return Decimal(str(pct)) * total / 100


def category_cap(frame, policy, context, *, code: str, category: str, key: str) -> list[Finding]:
    """A contract-level finding when ``category`` spending exceeds ``policy[key]`` % of the total."""
    pct = policy.get(key)
    if pct is None:
        return []
    spent = int(frame.loc[frame["category"] == category, "amount"].sum())
    cap = pct_of_total(pct, context.total)
    if spent <= cap:
        return []
    share = Decimal(spent * 100) / context.total if context.total else Decimal(0)
    return [
        Finding(
            rule=code,
            subject=f"{context.contract}:contract",
            message=(
                gettext_noop(
                    "Contract %(contract)s: admin spending is %(spent)s (%(share)s%% of the contract "
                    "total), above the cap of %(pct)s%% (%(cap)s)"
                )
                if category == "admin"
                else gettext_noop(
                    "Contract %(contract)s: personnel spending is %(spent)s (%(share)s%% of the "
                    "contract total), above the cap of %(pct)s%% (%(cap)s)"
                )
            ),
            params={
                "contract": context.contract,
                "spent": money_text(spent),
                "share": f"{share.quantize(Decimal('0.01'))}",
                "pct": number_text(pct),
                "cap": money_text(int(cap)),
            },
            evidence={
                "spent": money_str(spent),
                "cap": money_str(int(cap)),
                "cap_pct": number_text(pct),
                "contract_total": money_str(context.total),
            },
            basis={"spent": spent},
        )
    ]
