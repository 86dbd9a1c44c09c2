"""The year's figures, the trend and the breakdowns of the retention page on a generated
workforce: each equals a plain reading of metrics.md, spell by spell, for every year and group."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from core.reports.formatting import rate
from staff.analytics import OPEN, _frame, breakdown, metrics_for_year, retention_trend
from staff.models import VOLUNTARY_EXIT_REASONS, ExitReason

REASONS = list(ExitReason.values)
ORDER = {code: i for i, code in enumerate(REASONS)}


def _spells(rng: random.Random, n: int):
    rows, certified = [], {}
    for staff_id in range(1, n + 1):
        hire = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 3300))
        exit_ = None
        if rng.random() < 0.45:
            exit_ = hire + dt.timedelta(days=rng.choice([0, 364, 365, 366, rng.randrange(1, 2500)]))
        reason = rng.choice(REASONS) if exit_ else ""
        rows.append(
            (
                staff_id,
                hire,
                exit_,
                reason,
                rng.choice(["full_time", "part_time", "contract"]),
                rng.choice(["一线社工", "督导", ""]),
                rng.choice(["项目主管", ""]),
            )
        )
        if rng.random() < 0.5:
            certified[staff_id] = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 4500))
    return rows, certified


def _reference(rows, certified, year: int) -> dict:
    """metrics.md read literally, one spell at a time."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def active(row, day):
        return row[1] <= day and (row[2] is None or row[2] >= day)

    start = sum(active(r, first) for r in rows)
    end = sum(active(r, last) for r in rows)
    average = Decimal(start + end) / 2
    leavers = [r for r in rows if r[2] is not None and first <= r[2] <= last]
    voluntary = sum(r[3] in VOLUNTARY_EXIT_REASONS for r in leavers)
    cohort = [r for r in rows if r[1].year == year - 1]
    stayed = sum(r[2] is None or (r[2] - r[1]).days >= 365 for r in cohort)
    median = None
    if leavers:
        days = Decimal(str(statistics.median([(r[2] - r[1]).days for r in leavers])))
        median = float((days / Decimal("365.25")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    certified_end = sum(active(r, last) and r[0] in certified and certified[r[0]] <= last for r in rows)
    counts = Counter(r[3] for r in leavers)
    return {
        "year": year,
        "headcount_start": start,
        "headcount_end": end,
        "average_headcount": float(average),
        "hires": sum(r[1].year == year for r in rows),
        "exits": len(leavers),
        "voluntary_exits": voluntary,
        "turnover_rate": rate(len(leavers), average),
        "voluntary_turnover_rate": rate(voluntary, average),
        "first_year_retention": rate(stayed, len(cohort)),
        "median_tenure_years_of_leavers": median,
        "certified_ratio_end": rate(certified_end, end),
        "exit_reasons": dict(sorted(counts.items(), key=lambda item: (-item[1], ORDER[item[0]]))),
    }


def test_every_year_and_group_has_metrics_md_s_figures():
    rows, certified = _spells(random.Random(7), 400)
    frame = _frame(rows, certified)
    assert int((frame["exit"] == OPEN).sum()) > 100
    trend = retention_trend(frame, today=dt.date(2025, 6, 1))
    assert trend[0]["year"] == 2016 and len(trend) >= 10
    for metrics in trend:
        assert metrics == _reference(rows, certified, metrics["year"])
        assert repr(metrics) == repr(metrics_for_year(frame, metrics["year"]))
    for year in (2018, 2021, 2024):
        for by, index in (("employment_type", 4), ("position", 5)):
            groups = breakdown(frame, year, by)
            assert len(groups) >= 2
            for group in groups:
                value = group.pop("group")
                subset = [r for r in rows if (r[index] or (r[6] if by == "position" else "")) == value]
                assert group == _reference(subset, certified, year), (by, value)
