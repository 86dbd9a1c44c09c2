"""The demo's data window: the dates every seeder and the rules' planted examples fall in.

Kept apart from ``core.demo`` (which writes rows) so that ``finance.rules.examples`` can place
its examples without importing any model (the layer contract in pyproject.toml).
"""

from __future__ import annotations

import datetime as dt


def data_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """1 January of ``today``'s year to the last day of the previous month; in January, to
    yesterday (on 1 January, that day alone)."""
    start = dt.date(today.year, 1, 1)
    if today.month > 1:
        return start, today.replace(day=1) - dt.timedelta(days=1)
    return start, max(start, today - dt.timedelta(days=1))


def window_day(start: dt.date, end: dt.date, month: int, day: int) -> dt.date:
    """The day of the window ``start``..``end`` at the same fraction of it as ``month``/``day``
    is of a year: planted examples keep their order and spacing whatever the window's length."""
    nominal = dt.date(2025, month, day)  # any year without 29 February
    fraction = (nominal - dt.date(2025, 1, 1)).days / 364
    return start + dt.timedelta(days=round(fraction * (end - start).days))
