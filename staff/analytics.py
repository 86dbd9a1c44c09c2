"""Workforce and retention analytics (docs/metrics.md), computed with pandas.

All spells of an agency are loaded once into a DataFrame whose dates are integer day
ordinals (``date.toordinal()``): comparisons are exact and vectorised, and an open spell's
exit is a sentinel far in the future. Every figure of a year is then a handful of boolean
masks, so the trend over all years of 5,000 staff costs milliseconds.

Choices where docs/metrics.md is silent, stated once here:

- ``exit_reasons`` lists only reasons with at least one exit, by count (descending), then in
  the order of the spec's reason list (``ExitReason``).
- the monthly headcount counts spells active on the last day of each month;
- the position of a spell is the spell's own position, else the person's current position.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from core.models import Agency
from core.reports.formatting import rate
from staff.models import (
    LEVEL_RANK,
    VOLUNTARY_EXIT_REASONS,
    EmploymentSpell,
    EmploymentType,
    ExitReason,
    Qualification,
)

#: Exit ordinal of a spell that has not ended (after any real date).
OPEN = dt.date(9999, 12, 31).toordinal()
NO_CERTIFICATE = OPEN + 1
COUNTED_TYPES = (EmploymentType.FULL_TIME, EmploymentType.PART_TIME, EmploymentType.CONTRACT)
_REASON_ORDER = {code: index for index, code in enumerate(ExitReason.values)}
_VOLUNTARY = sorted(str(code) for code in VOLUNTARY_EXIT_REASONS)
_DAYS_PER_YEAR = Decimal("365.25")

#: Each metric's definition, as shown beside it on the dashboard and in reports (docs/metrics.md).
DEFINITIONS: dict[str, Any] = {
    "headcount_start": _("Spells active on 1 January of the year."),
    "headcount_end": _("Spells active on 31 December of the year."),
    "average_headcount": _("(headcount at start + headcount at end) / 2."),
    "hires": _("Spells whose hire date is in the year."),
    "exits": _("Spells whose exit date is in the year."),
    "voluntary_exits": _(
        "Exits whose reason is salary, career, workload, relocation, study, family or other."
    ),
    "turnover_rate": _("Exits / average headcount."),
    "voluntary_turnover_rate": _("Voluntary exits / average headcount."),
    "first_year_retention": _(
        "Of the spells hired in the previous year, the share whose exit date is empty or at least "
        "365 days after the hire date."
    ),
    "median_tenure_years_of_leavers": _(
        "Median of (exit date − hire date) in days / 365.25 over the exits of the year, 2 places."
    ),
    "certified_ratio_end": _(
        "Of the spells active on 31 December, the share whose person holds a social-work "
        "certificate issued on or before that day."
    ),
    "exit_reasons": _("Number of exits in the year by reason."),
}
SCOPE_NOTE = _(
    "Counted over employment spells of type full time, part time or contract (interns excluded). "
    "A spell is active on a day when it was hired on or before that day and has no exit date or "
    "an exit date on or after it. Rates are fractions rounded to 4 places; empty where the "
    "denominator is 0."
)

METRIC_LABELS: dict[str, Any] = {
    "headcount_start": _("Headcount on 1 January"),
    "headcount_end": _("Headcount on 31 December"),
    "average_headcount": _("Average headcount"),
    "hires": _("Hires"),
    "exits": _("Exits"),
    "voluntary_exits": _("Voluntary exits"),
    "turnover_rate": _("Turnover rate"),
    "voluntary_turnover_rate": _("Voluntary turnover rate"),
    "first_year_retention": _("First-year retention"),
    "median_tenure_years_of_leavers": _("Median tenure of leavers (years)"),
    "certified_ratio_end": _("Certified ratio at year end"),
    "exit_reasons": _("Exit reasons"),
}
RATE_KEYS = ("turnover_rate", "voluntary_turnover_rate", "first_year_retention", "certified_ratio_end")


def spells_frame(agency: Agency, *, include_interns: bool = False) -> pd.DataFrame:
    """The agency's spells as a DataFrame of integer day ordinals (interns left out by default).

    Columns: ``staff_id``, ``hire``, ``exit`` (``OPEN`` while employed), ``reason``,
    ``employment_type``, ``position`` and ``certified`` (ordinal of the person's first
    national social-work certificate, ``NO_CERTIFICATE`` when none).
    """
    spells = EmploymentSpell.objects.filter(agency=agency)
    if not include_interns:
        spells = spells.filter(employment_type__in=COUNTED_TYPES)
    rows = list(
        spells.values_list(
            "staff_id",
            "hire_date",
            "exit_date",
            "exit_reason",
            "employment_type",
            "position",
            "staff__position",
        )
    )
    certified = dict(
        Qualification.objects.filter(agency=agency, level__in=list(LEVEL_RANK))
        .values("staff_id")
        .annotate(first=Min("issued"))
        .values_list("staff_id", "first")
    )
    return _frame(rows, certified)


def _frame(rows: list[tuple], certified: dict[int, dt.date]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(
            {
                "staff_id": pd.Series([], dtype="int64"),
                "hire": pd.Series([], dtype="int64"),
                "exit": pd.Series([], dtype="int64"),
                "reason": pd.Series([], dtype="object"),
                "employment_type": pd.Series([], dtype="object"),
                "position": pd.Series([], dtype="object"),
                "certified": pd.Series([], dtype="int64"),
            }
        )
    staff_ids, hires, exits, reasons, types, positions, staff_positions = zip(*rows, strict=True)
    cert_ordinals = {key: value.toordinal() for key, value in certified.items()}
    return pd.DataFrame(
        {
            "staff_id": np.fromiter(staff_ids, dtype="int64"),
            "hire": np.fromiter((d.toordinal() for d in hires), dtype="int64"),
            "exit": np.fromiter((d.toordinal() if d else OPEN for d in exits), dtype="int64"),
            "reason": list(reasons),
            "employment_type": list(types),
            "position": [
                own or fallback or "" for own, fallback in zip(positions, staff_positions, strict=True)
            ],
            "certified": np.fromiter(
                (cert_ordinals.get(i, NO_CERTIFICATE) for i in staff_ids), dtype="int64"
            ),
        }
    )


def _round_half_up(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _active(frame: pd.DataFrame, day: int) -> pd.Series:
    return (frame["hire"] <= day) & (frame["exit"] >= day)


@dataclass(frozen=True)
class _Spells:
    """A spells frame's columns as plain numpy arrays: a year's figures are a few dozen array
    operations, microseconds each, where the same operations on pandas Series cost a
    millisecond apiece (the trend and the breakdowns compute 20 years and groups a request)."""

    hire: np.ndarray
    exit: np.ndarray
    reason: np.ndarray
    voluntary: np.ndarray
    certified: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Spells:
        reason = frame["reason"].to_numpy(dtype=object)
        return cls(
            hire=frame["hire"].to_numpy(dtype="int64"),
            exit=frame["exit"].to_numpy(dtype="int64"),
            reason=reason,
            voluntary=np.fromiter((str(r) in _VOLUNTARY for r in reason), dtype=bool, count=len(reason)),
            certified=frame["certified"].to_numpy(dtype="int64"),
        )

    def where(self, mask: np.ndarray) -> _Spells:
        return _Spells(
            self.hire[mask], self.exit[mask], self.reason[mask], self.voluntary[mask], self.certified[mask]
        )


def metrics_for_year(frame: pd.DataFrame | _Spells, year: int) -> dict[str, Any]:
    """Every metric of docs/metrics.md for ``year`` over the spells in ``frame``, as the docs/commands.md JSON."""
    spells = frame if isinstance(frame, _Spells) else _Spells.of(frame)
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    hire, exit_ = spells.hire, spells.exit
    active_end = (hire <= last) & (exit_ >= last)
    headcount_start = int(np.count_nonzero((hire <= first) & (exit_ >= first)))
    headcount_end = int(np.count_nonzero(active_end))
    average = Decimal(headcount_start + headcount_end) / 2

    hired = (hire >= first) & (hire <= last)
    left = (exit_ >= first) & (exit_ <= last)
    exits = int(np.count_nonzero(left))
    voluntary = int(np.count_nonzero(left & spells.voluntary))

    prev_first, prev_last = dt.date(year - 1, 1, 1).toordinal(), dt.date(year - 1, 12, 31).toordinal()
    cohort = (hire >= prev_first) & (hire <= prev_last)
    stayed = cohort & ((exit_ == OPEN) | (exit_ - hire >= 365))

    median_tenure = None
    if exits:
        tenure_days = (exit_ - hire)[left]
        median_days = Decimal(int(np.median(tenure_days) * 2)) / 2  # a median of integers is n or n.5
        median_tenure = _round_half_up(median_days / _DAYS_PER_YEAR, 2)

    certified_end = int(np.count_nonzero(active_end & (spells.certified <= last)))

    counts = Counter(str(code) for code in spells.reason[left])
    reasons = sorted(
        ((code, count) for code, count in counts.items() if count),
        key=lambda item: (-item[1], _REASON_ORDER.get(item[0], len(_REASON_ORDER)), item[0]),
    )
    return {
        "year": year,
        "headcount_start": headcount_start,
        "headcount_end": headcount_end,
        "average_headcount": float(average),
        "hires": int(np.count_nonzero(hired)),
        "exits": exits,
        "voluntary_exits": voluntary,
        "turnover_rate": rate(exits, average),
        "voluntary_turnover_rate": rate(voluntary, average),
        "first_year_retention": rate(int(np.count_nonzero(stayed)), int(np.count_nonzero(cohort))),
        "median_tenure_years_of_leavers": median_tenure,
        "certified_ratio_end": rate(certified_end, headcount_end),
        "exit_reasons": dict(reasons),
    }


def retention_for_year(agency: Agency, year: int) -> dict[str, Any]:
    """The year's workforce metrics exactly as the ``report retention`` JSON of docs/commands.md."""
    return metrics_for_year(spells_frame(agency), year)


def years_span(frame: pd.DataFrame, today: dt.date | None = None) -> list[int]:
    """Every calendar year from the first hire to this year (or the last recorded date)."""
    if frame.empty:
        return []
    today = today or dt.date.today()
    first = dt.date.fromordinal(int(frame["hire"].min())).year
    closed = frame.loc[frame["exit"] != OPEN, "exit"]
    last_dates = [int(frame["hire"].max())] + ([int(closed.max())] if not closed.empty else [])
    last = max(today.year, *(dt.date.fromordinal(d).year for d in last_dates))
    return list(range(first, last + 1))


def retention_trend(frame: pd.DataFrame, today: dt.date | None = None) -> list[dict[str, Any]]:
    """``metrics_for_year`` for every year in ``years_span``, oldest first."""
    spells = _Spells.of(frame)
    return [metrics_for_year(spells, year) for year in years_span(frame, today)]


def breakdown(frame: pd.DataFrame, year: int, by: str) -> list[dict[str, Any]]:
    """The year's metrics per value of ``by`` (``position`` or ``employment_type``).

    Groups with no spell active during the year, hired or leaving in it are left out.
    """
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    touched = frame[(frame["hire"] <= last) & (frame["exit"] >= first)]
    spells = _Spells.of(frame)
    groups = frame[by].to_numpy(dtype=object)
    rows = []
    for value in sorted(touched[by].unique(), key=str):
        metrics = metrics_for_year(spells.where(groups == value), year)
        rows.append({"group": value, **metrics})
    return rows


def monthly_headcount(frame: pd.DataFrame, year: int) -> list[dict[str, Any]]:
    """Spells active on the last day of each month of ``year``."""
    series = []
    for month in range(1, 13):
        next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
        day = next_first - dt.timedelta(days=1)
        series.append(
            {"month": f"{year}-{month:02d}", "headcount": int(_active(frame, day.toordinal()).sum())}
        )
    return series


def retention_dashboard(agency: Agency, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the retention page and the workforce report show, from one load of the spells."""
    frame = spells_frame(agency)
    return {
        "metrics": metrics_for_year(frame, year),
        "trend": retention_trend(frame, today),
        "by_position": breakdown(frame, year, "position"),
        "by_employment_type": breakdown(frame, year, "employment_type"),
        "monthly": monthly_headcount(frame, year),
    }
