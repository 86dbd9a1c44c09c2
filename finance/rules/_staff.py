"""Helpers of the personnel rules: named salaries, periods that cover a date, staff labels."""

from __future__ import annotations

import pandas as pd

from finance.rules.base import RuleContext


def named_personnel(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["category"] == "personnel") & frame["staff_id"].notna()]


def covered(
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


def staff_labels(context: RuleContext) -> dict[int, tuple[str, str]]:
    staff = context.staff
    return {
        int(s): (str(n), str(name))
        for s, n, name in zip(staff["staff_id"], staff["staff_no"], staff["name"], strict=True)
    }
