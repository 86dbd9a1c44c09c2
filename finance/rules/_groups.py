"""Helpers of the repeated-charge rules: invoice groups across the agency, runs of close dates.

Only positive amounts are charges here: a reversal (negative amount) that carries the invoice
number of the row it corrects is a correction, not a second charge. A contract that does not run
DUPLICATE_INVOICE (its ``disabled_rules``) has no charges in another contract's groups: the group
is made of the charges of the contracts that check the rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finance.rules.base import RuleContext

#: What makes two charges one invoice: its number and its payee, both normalised.
_KEY = ["invoice_norm", "payee_norm"]


def invoice_groups(frame: pd.DataFrame, context: RuleContext) -> pd.DataFrame:
    """Charges sharing a non-empty invoice number and payee, across all the agency's contracts,
    in groups that include at least one charge of this contract. Adds a ``group`` column.

    Other contracts that do not run DUPLICATE_INVOICE (``context.rules_off``) are left out: their
    charges neither join a group nor make one fire."""
    charged = np.flatnonzero((frame["invoice_norm"].to_numpy() != "") & (frame["amount"].to_numpy() > 0))
    own_keys = frame[_KEY].iloc[charged]
    others = context.agency_invoices
    others = others[
        (others["invoice_norm"] != "") & (others["amount"] > 0) & (others["contract"] != context.contract)
    ]
    unchecked = context.contracts_not_running("DUPLICATE_INVOICE")
    if unchecked and not others.empty:
        others = others[~others["contract"].isin(unchecked)]
    if own_keys.empty:
        return frame.iloc[charged].assign(group=pd.Series(dtype="int64"))
    # Only other contracts' rows that share a key with this contract can matter.
    if not others.empty:
        others = others[pd.MultiIndex.from_frame(others[_KEY]).isin(pd.MultiIndex.from_frame(own_keys))]
    # Only this contract's charges whose key another charge shares can be in a group: the others
    # are not copied out of the frame (its every column, for most of its rows).
    repeated = own_keys.duplicated(keep=False).to_numpy()
    if not others.empty:
        repeated |= pd.MultiIndex.from_frame(own_keys).isin(pd.MultiIndex.from_frame(others[_KEY]))
    own = frame.iloc[charged[repeated]]
    charges = pd.concat([own, others], ignore_index=True) if not others.empty else own
    if charges.empty:
        return charges.assign(group=pd.Series(dtype="int64"))
    sizes = charges.groupby(["invoice_norm", "payee_norm"], sort=False)["id"].transform("size")
    charges = charges[sizes >= 2]
    if charges.empty:
        return charges.assign(group=pd.Series(dtype="int64"))
    charges = charges.assign(group=charges.groupby(["invoice_norm", "payee_norm"], sort=False).ngroup())
    return charges.sort_values(["group", "date", "id"])


def clusters(rows: pd.DataFrame, keys: list[str], window: int) -> pd.Series:
    """Label runs within each key group (rows sorted by date) whose consecutive dates are at
    most ``window`` days apart: a new run starts at a bigger gap or a new key."""
    gap = rows.groupby(keys, sort=False)["day"].diff()
    starts = gap.isna() | (gap > window)
    return starts.cumsum()
