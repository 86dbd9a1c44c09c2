"""What the delivery rules share: the activities frame, the context, findings and the registry.

A delivery rule is a pure function ``(activities, policy, context) -> list[ActivityFinding]``,
like the finance rules (finance/rules/base.py), and never touches the database: the scan loads
a contract's activities and the staff, assignment and training records once and hands every
rule the same frames, so a rule can be tested with DataFrames built by hand.

Dates are ``datetime64[ns]``; ``day`` is the same date as a day number, for window arithmetic.
Training hours are held in integer tenths of an hour (records have at most one decimal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from core.timestamps import as_timestamps
from finance.rules.base import Finding, day_number, iso

#: Columns of a contract's activities frame (one row per service activity).
ACTIVITY_COLUMNS = (
    "id",
    "activity_no",
    "date",
    "staff_id",
    "target",  # target code
    "measure",  # the target's measure
    "duration_minutes",
    "case_code",  # "" when none
    "participants",
)

EPOCH = np.datetime64("1970-01-01", "D")


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


def _to_datetime(series: pd.Series) -> pd.Series:
    # Dates, SQLite's ISO text or timestamps; a year beyond pandas' is held at its edge.
    return as_timestamps(series)


def prepare_activities(frame: pd.DataFrame, *, typed: bool = False) -> pd.DataFrame:
    """Give a raw activities frame its types and the ``day`` column, in (date, id) order.

    ``typed``: the caller's frame (``delivery.flags.activities_frame``) already has every column
    with its type, in (date, id) order; it gains ``day`` without a copy or a sort.
    """
    if typed and not frame.empty:
        frame["day"] = (frame["date"].values.astype("datetime64[D]") - EPOCH).astype("int64")
        return frame
    frame = _empty(ACTIVITY_COLUMNS) if frame.empty else frame.copy()
    for column in ACTIVITY_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["date"] = _to_datetime(frame["date"])
    for column in ("id", "staff_id", "duration_minutes", "participants"):
        frame[column] = frame[column].fillna(0).astype("int64")
    for column in ("activity_no", "target", "measure", "case_code"):
        frame[column] = frame[column].fillna("").astype(object)
    frame["day"] = (frame["date"].values.astype("datetime64[D]") - EPOCH).astype("int64")
    return frame.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = as_timestamps(frame[column])
    return frame


@dataclass
class DeliveryContext:
    """What the delivery rules read besides the contract's own activities.

    ``spells``: staff_id, hire_date, exit_date (NaT = still employed). ``assignments``: this
    contract's staff_id, start, end. ``training``: approved training per staff and day: staff_id,
    date, tenths (hours × 10). ``day_minutes``: minutes of activity per staff and day in all
    the agency's contracts: staff_id, date, minutes (None: this contract's own activities).
    ``staff``: staff_id, staff_no, name (for messages).
    """

    contract: str
    start: dt.date
    end: dt.date
    spells: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "hire_date", "exit_date"]))
    assignments: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "start", "end"]))
    training: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "date", "tenths"]))
    day_minutes: pd.DataFrame | None = None
    staff: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "staff_no", "name"]))

    def __post_init__(self) -> None:
        self.spells = _dates(self.spells, "hire_date", "exit_date")
        self.assignments = _dates(self.assignments, "start", "end")
        self.training = _dates(self.training, "date")
        if self.day_minutes is not None:
            self.day_minutes = _dates(self.day_minutes, "date")
        self._names = {
            int(row.staff_id): (str(row.staff_no), str(row.name))
            for row in self.staff.itertuples(index=False)
        }

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_day(self) -> int:
        return day_number(self.start)

    @property
    def end_day(self) -> int:
        return day_number(self.end)

    def staff_name(self, staff_id: int) -> str:
        number, name = self._names.get(int(staff_id), ("", ""))
        return f"{name} ({number})" if name else f"#{staff_id}"


@dataclass
class ActivityFinding(Finding):
    """A ``Finding`` about service activities: their ids and numbers, and the target when one."""

    activity_ids: tuple[int, ...] = ()
    activity_nos: tuple[str, ...] = ()
    target: str | None = None


DeliveryRuleFunc = Callable[[pd.DataFrame, dict, DeliveryContext], list[ActivityFinding]]


@dataclass(frozen=True)
class DeliveryRule:
    """A registered delivery rule: what the flag machinery reads of a rule (code, severity,
    what it is about, title and description shown in the interface) and its function."""

    code: str
    severity: str
    about: str
    title: Any
    description: Any
    func: DeliveryRuleFunc

    def __call__(self, frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
        return self.func(frame, policy, context)


REGISTRY: dict[str, DeliveryRule] = {}


def delivery_rule(code: str, *, severity: str, about: str, title, description):
    """Register ``func`` as the delivery rule ``code`` (docs/rules.md, "Delivery rules")."""

    def decorator(func: DeliveryRuleFunc) -> DeliveryRuleFunc:
        REGISTRY[code] = DeliveryRule(
            code=code, severity=severity, about=about, title=title, description=description, func=func
        )
        return func

    return decorator


def activity_findings(
    rows: pd.DataFrame,
    code: str,
    context: DeliveryContext,
    message: str,
    params: Callable[[Any], dict],
    evidence: Callable[[Any], dict],
) -> list[ActivityFinding]:
    """One finding per row of ``rows`` (a filtered activities frame), about that activity."""
    return [
        ActivityFinding(
            rule=code,
            subject=f"act:{row.id}",
            message=message,
            params={
                "activity": row.activity_no,
                "date": iso(row.date),
                "staff": context.staff_name(row.staff_id),
                **params(row),
            },
            evidence={"date": iso(row.date), "staff_id": int(row.staff_id), **evidence(row)},
            activity_ids=(int(row.id),),
            activity_nos=(str(row.activity_no),),
            target=str(row.target) or None,
        )
        for row in rows.itertuples(index=False)
    ]


def covered(activities: pd.DataFrame, spans: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """For each activity, True when one of its staff member's ``spans`` covers its date.

    ``spans`` has staff_id, ``start`` and ``end`` columns (end NaT = open); both ends count.
    Worked on day numbers by position: one merge of the activities with their people's spans,
    no set of ids.
    """
    if activities.empty:
        return np.zeros(0, dtype=bool)
    if spans.empty:
        return np.zeros(len(activities), dtype=bool)
    left = pd.DataFrame(
        {
            "at": np.arange(len(activities)),
            "staff_id": activities["staff_id"].to_numpy(dtype="int64"),
            "day": activities["day"].to_numpy(),
        }
    )
    first = spans[start].to_numpy(dtype="datetime64[D]")
    last = spans[end].to_numpy(dtype="datetime64[D]")
    right = pd.DataFrame(
        {
            "staff_id": spans["staff_id"].to_numpy(dtype="int64"),
            "first": (first - EPOCH).astype("int64"),
            # An open end (NaT) covers every later day.
            "last": np.where(np.isnat(last), np.iinfo("int64").max, (last - EPOCH).astype("int64")),
        }
    )
    pairs = left.merge(right[~np.isnat(first)], on="staff_id", how="inner")
    inside = (pairs["first"].to_numpy() <= pairs["day"].to_numpy()) & (
        pairs["last"].to_numpy() >= pairs["day"].to_numpy()
    )
    ok = np.zeros(len(activities), dtype=bool)
    ok[pairs["at"].to_numpy()[inside]] = True
    return ok


def decimal(value) -> Decimal:
    return Decimal(str(value))
