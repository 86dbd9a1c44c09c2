"""Stored dates as pandas timestamps, whatever year a record holds.

pandas keeps dates as nanoseconds, from 1677 to 2262. A date outside (an exit typed as 3025, a
hire as 1025, kept from before the importers refused such years, or entered through the admin)
made ``pd.to_datetime`` raise, and with it the agency's whole flag scan or compliance grid.
Here such a date is held at the edge of that calendar: it stays "long ago" or "far ahead" for
every comparison a rule or a grid makes, and nothing else moves.

``as_timestamps`` takes dates, ISO ``YYYY-MM-DD`` text (SQLite's), None/NaT, or values already
in nanoseconds (returned as they are: the common case costs nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The first and last day kept, a year inside what a nanosecond timestamp can hold.
FIRST_DAY = np.datetime64("1678-01-01", "D")
LAST_DAY = np.datetime64("2261-12-31", "D")


def clipped_days(days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` values as ``datetime64[ns]``, those beyond the calendar at its edge."""
    days = days.copy()
    present = ~np.isnat(days)
    days[present] = np.clip(days[present], FIRST_DAY, LAST_DAY)
    return days.astype("datetime64[ns]")


def as_timestamps(values):
    """``values`` (a Series, or any sequence) as a ``datetime64[ns]`` Series (a Series keeps its index)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.astype("datetime64[ns]")
    items = [
        None if value is None or value is pd.NaT or value != value else value for value in series.tolist()
    ]
    try:
        days = np.array(items, dtype="datetime64[D]")
    except ValueError:  # text with a time of day, say: pandas reads it (then in range or not)
        return pd.to_datetime(series)
    return pd.Series(clipped_days(days), index=series.index)
