"""Continuing-education compliance (docs/metrics.md), computed for a whole agency at once.

Three queries, whatever the number of people: the requirements, the certified people (their
highest national-level certificate), and the approved eligible training records. The cycle
arithmetic and the sums are vectorised with numpy/pandas.

The cycle, as of a date D, for a person whose highest certificate is at a level needing
``hours`` per ``N``-year cycle:

- registration end known (``registration_expires`` = E): the cycle is (E − N years, E],
  reported by its first and last days, both inside it: ``cycle_start`` = E − N years + 1 day
  and ``cycle_end`` = E. A registration expiring on 2027-06-19 has the cycle
  2024-06-20 … 2027-06-19.
- registration end unknown, certificate issued on I: the cycle is the N years starting on
  I + k·N years, for the k ≥ 0 that makes [I + k·N years, I + (k+1)·N years) contain D:
  ``cycle_start`` = I + k·N years and ``cycle_end`` = I + (k+1)·N years − 1 day. So a
  certificate issued on 2021-06-01, as of 2025-03-01, is in the cycle 2024-06-01 … 2027-05-31.

Adding years to 29 February gives 28 February in a common year. Only people holding a
national-level certificate issued on or before D, and employed on D, are listed.

``earned`` sums approved, continuing-education-eligible records dated in the cycle, exactly as
docs/metrics.md says (a record dated after D but inside the cycle counts). Hours are carried as
integer tenths of an hour inside the computation (they have one decimal place), and turned
back into ``Decimal`` for output: never floats in the results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, TextField
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

from staff.models import LEVEL_RANK, EmploymentSpell, Qualification
from training.models import (
    DEFAULT_CYCLE_YEARS,
    DEFAULT_REQUIREMENTS,
    NATIONAL_LEVELS,
    CERequirement,
    RecordStatus,
    TrainingRecord,
)

#: A shortfall with the cycle ending within this many days after D is "at risk".
AT_RISK_DAYS = 180

COMPLIANT = "compliant"
OVERDUE = "overdue"
AT_RISK = "at_risk"
ON_TRACK = "on_track"
STATUS_LABELS = {
    COMPLIANT: _("Compliant"),
    OVERDUE: _("Overdue"),
    AT_RISK: _("At risk"),
    ON_TRACK: _("On track"),
}
#: Order in which the dashboard lists people: the most urgent first.
STATUS_ORDER = {OVERDUE: 0, AT_RISK: 1, ON_TRACK: 2, COMPLIANT: 3}


@dataclass(frozen=True)
class Requirement:
    level: str
    hours: Decimal
    cycle_years: int

    @property
    def level_label(self) -> str:
        """The level as a person reads it (助理社会工作师…), never its code."""
        from staff.models import QualificationLevel

        return str(QualificationLevel(self.level).label)


@dataclass(frozen=True)
class ComplianceRow:
    """One certified person's continuing-education position as of a date."""

    staff_id: int
    staff_no: str
    name: str
    level: str
    cert_no: str
    registration_expires: dt.date | None
    cycle_start: dt.date
    cycle_end: dt.date
    required_hours: Decimal
    earned_hours: Decimal
    shortfall_hours: Decimal
    status: str
    days_to_cycle_end: int

    @property
    def level_label(self) -> str:
        from staff.models import QualificationLevel

        return str(QualificationLevel(self.level).label)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def progress_pct(self) -> int:
        if not self.required_hours:
            return 100
        return min(100, int(self.earned_hours * 100 / self.required_hours))


def requirements_for(agency) -> dict[str, Requirement]:
    """The agency's requirement per national level: its own rows over the national defaults."""
    result = {
        level.value: Requirement(level.value, DEFAULT_REQUIREMENTS[level], DEFAULT_CYCLE_YEARS)
        for level in NATIONAL_LEVELS
    }
    for row in CERequirement.objects.filter(agency=agency):
        result[row.level] = Requirement(row.level, row.hours_per_cycle, row.cycle_years)
    return result


# --- date arithmetic on numpy arrays of datetime64[D] ---------------------------------------


def _split(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def add_years(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``days`` plus ``years`` calendar years, element-wise; 29 February → 28 February if needed."""
    year, month, day = _split(days)
    new_year = year + years
    leap = (new_year % 4 == 0) & ((new_year % 100 != 0) | (new_year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    first = ((new_year - 1970) * 12 + (month - 1)).astype("datetime64[M]").astype("datetime64[D]")
    return first + (day - 1).astype("timedelta64[D]")


def cycle_bounds(
    issued: np.ndarray, expires: np.ndarray, cycle_years: np.ndarray, as_of: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """(cycle_start, cycle_end) per person, both days inside the cycle; see the module docstring.

    ``expires`` holds ``NaT`` where the registration end is unknown.
    """
    d = np.datetime64(as_of, "D")
    known = ~np.isnat(expires)
    # Rolled-forward cycles: full months from issue to D decide k, then one correction step
    # for the 29-February clamp.
    iy, im, iday = _split(issued)
    dy, dm, dd = _split(np.array([d]))
    months = (dy - iy) * 12 + (dm - im) - (dd < iday)
    k = np.maximum(months, 0) // (12 * cycle_years)
    nxt = add_years(issued, (k + 1) * cycle_years)
    k = np.where(nxt <= d, k + 1, k)
    rolled_start = add_years(issued, k * cycle_years)
    rolled_next = add_years(issued, (k + 1) * cycle_years)
    one = np.timedelta64(1, "D")
    safe_expires = np.where(known, expires, d)
    start = np.where(known, add_years(safe_expires, -cycle_years) + one, rolled_start)
    end = np.where(known, safe_expires, rolled_next - one)
    return start, end


# --- the engine ------------------------------------------------------------------------------


def certified_people(agency, as_of: dt.date, staff_ids=None) -> pd.DataFrame:
    """Each person's highest national-level certificate issued on or before ``as_of``, for the
    people employed on ``as_of`` (docs/metrics.md: people not employed on D are not listed, so
    neither leavers nor records with no employment spell at all).

    Ties between certificates of the same level go to the most recently issued one.
    """
    employed = EmploymentSpell.objects.filter(staff_id=OuterRef("staff_id"), hire_date__lte=as_of).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=as_of)
    )
    qs = Qualification.objects.filter(
        agency=agency, level__in=list(NATIONAL_LEVELS), issued__lte=as_of
    ).filter(Exists(employed))
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=staff_ids)
    rows = list(
        qs.values_list(
            "staff_id", "staff__staff_no", "staff__name", "level", "cert_no", "issued", "registration_expires"
        )
    )
    columns = ["staff_id", "staff_no", "name", "level", "cert_no", "issued", "expires"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    frame["rank"] = frame["level"].map({str(k): v for k, v in LEVEL_RANK.items()})
    frame = frame.sort_values(["staff_id", "rank", "issued"], ascending=[True, False, False])
    return frame.drop_duplicates("staff_id").reset_index(drop=True)


def _record_arrays(agency, start_min, end_max, staff_ids=None):
    """(staff ids, dates, integer tenths of hours) of the approved eligible records in range.

    Read through the cursor without Django's per-row converters: the database already
    rounds hours to integer tenths and writes dates as ISO text, which goes straight into
    a datetime64 array. This is the part that scales with the record count.
    """
    qs = TrainingRecord.objects.filter(
        agency=agency,
        status=RecordStatus.APPROVED,
        ce_eligible=True,
        date__gte=start_min,
        date__lte=end_max,
    )
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=staff_ids)
    qs = qs.annotate(
        day=Cast("date", TextField()), tenths=Cast(Round(F("hours") * 10), IntegerField())
    ).values_list("staff_id", "day", "tenths")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        empty = np.array([], dtype=np.int64)
        return empty, np.array([], dtype="datetime64[D]"), empty
    staff, dates, tenths = zip(*rows, strict=True)
    return (
        np.asarray(staff, dtype=np.int64),
        np.asarray(dates, dtype="datetime64[D]"),
        np.asarray(tenths, dtype=np.int64),
    )


def _tenths_to_decimal(value: int) -> Decimal:
    return Decimal(int(value)).scaleb(-1).quantize(Decimal("0.1"))


def compliance_frame(agency, as_of: dt.date, staff_ids=None) -> pd.DataFrame:
    """One row per certified person as of ``as_of``: cycle, required, earned, shortfall, status.

    Hour columns ``required_tenths``/``earned_tenths``/``shortfall_tenths`` are integer tenths.
    ``staff_ids`` limits the computation (a person's own page, a supervisor's supervisees).
    """
    requirements = requirements_for(agency)
    people = certified_people(agency, as_of, staff_ids)
    if people.empty:
        return people.assign(
            cycle_start=[], cycle_end=[], required_tenths=[], earned_tenths=[], shortfall_tenths=[], status=[]
        )
    years = (
        people["level"].map({lvl: req.cycle_years for lvl, req in requirements.items()}).to_numpy(np.int64)
    )
    required = (
        people["level"]
        .map({lvl: int(req.hours.scaleb(1)) for lvl, req in requirements.items()})
        .to_numpy(np.int64)
    )
    issued = people["issued"].to_numpy(dtype="datetime64[D]")
    expires = np.array(
        [
            np.datetime64(value, "D") if value is not None and not pd.isna(value) else np.datetime64("NaT")
            for value in people["expires"]
        ],
        dtype="datetime64[D]",
    )
    start, end = cycle_bounds(issued, expires, years, as_of)

    rec_staff, rec_dates, rec_tenths = _record_arrays(agency, start.min().item(), end.max().item(), staff_ids)
    index = pd.Index(people["staff_id"].to_numpy(np.int64))
    position = index.get_indexer(rec_staff)
    found = position >= 0
    pos = position[found]
    inside = (rec_dates[found] >= start[pos]) & (rec_dates[found] <= end[pos])
    earned = np.bincount(pos[inside], weights=rec_tenths[found][inside], minlength=len(people))
    earned = np.rint(earned).astype(np.int64)

    shortfall = np.maximum(required - earned, 0)
    d = np.datetime64(as_of, "D")
    days_left = (end - d).astype(np.int64)
    status = np.select(
        [earned >= required, (end < d) & (shortfall > 0), (shortfall > 0) & (days_left <= AT_RISK_DAYS)],
        [COMPLIANT, OVERDUE, AT_RISK],
        default=ON_TRACK,
    )
    return people.assign(
        cycle_start=start,
        cycle_end=end,
        required_tenths=required,
        earned_tenths=earned,
        shortfall_tenths=shortfall,
        status=status,
        days_to_cycle_end=days_left,
    )


def certified_staff(agency, as_of: dt.date, staff_ids=None):
    """The people ``compliance_frame`` lists, as a ``StaffMember`` queryset ordered by staff
    number: the selection in the database, so a page of it can be read before any hours are
    summed (``compliance_rows(..., staff_ids=<the page's ids>)`` then computes that page only;
    each person's figures depend on nobody else's)."""
    from staff.models import StaffMember

    employed = EmploymentSpell.objects.filter(staff_id=OuterRef("pk"), hire_date__lte=as_of).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=as_of)
    )
    certified = Qualification.objects.filter(
        staff_id=OuterRef("pk"), agency=agency, level__in=list(NATIONAL_LEVELS), issued__lte=as_of
    )
    qs = StaffMember.objects.filter(agency=agency).filter(Exists(certified), Exists(employed))
    if staff_ids is not None:
        qs = qs.filter(pk__in=staff_ids)
    return qs.order_by("staff_no")


def ordered_frame(agency, as_of: dt.date, staff_ids=None, order: str = "staff_no") -> pd.DataFrame:
    """``compliance_frame`` by staff number or (``order="urgency"``) most urgent first
    (overdue, at risk, on track, compliant; then the largest shortfall)."""
    frame = compliance_frame(agency, as_of, staff_ids)
    if frame.empty:
        return frame
    if order == "urgency":
        return frame.assign(_order=frame["status"].map(STATUS_ORDER)).sort_values(
            ["_order", "shortfall_tenths", "staff_no"], ascending=[True, False, True]
        )
    return frame.sort_values("staff_no")


def compliance_rows(agency, as_of: dt.date, staff_ids=None, order: str = "staff_no") -> list[ComplianceRow]:
    """``compliance_frame`` as ``ComplianceRow``s, by staff number or (``order="urgency"``)
    most urgent first (overdue, at risk, on track, compliant; then the largest shortfall)."""
    return frame_rows(ordered_frame(agency, as_of, staff_ids, order))


def frame_rows(frame: pd.DataFrame) -> list[ComplianceRow]:
    """The rows of a (sorted, possibly sliced) ``compliance_frame``, in its order."""
    if frame.empty:
        return []
    rows = []
    for rec in frame.itertuples(index=False):
        expires = rec.expires if rec.expires is not None and not pd.isna(rec.expires) else None
        rows.append(
            ComplianceRow(
                staff_id=int(rec.staff_id),
                staff_no=rec.staff_no,
                name=rec.name,
                level=rec.level,
                cert_no=rec.cert_no,
                registration_expires=expires,
                cycle_start=pd.Timestamp(rec.cycle_start).date(),
                cycle_end=pd.Timestamp(rec.cycle_end).date(),
                required_hours=_tenths_to_decimal(rec.required_tenths),
                earned_hours=_tenths_to_decimal(rec.earned_tenths),
                shortfall_hours=_tenths_to_decimal(rec.shortfall_tenths),
                status=str(rec.status),
                days_to_cycle_end=int(rec.days_to_cycle_end),
            )
        )
    return rows


def compliance_for_person(agency, staff_id: int, as_of: dt.date) -> ComplianceRow | None:
    """The same computation for one person (None when not certified as of ``as_of``)."""
    rows = compliance_rows(agency, as_of, staff_ids=[staff_id])
    return rows[0] if rows else None


def status_counts(rows) -> dict[str, int]:
    """People per status, of a list of ``ComplianceRow``s or of a ``compliance_frame``."""
    counts = {status: 0 for status in STATUS_ORDER}
    if isinstance(rows, pd.DataFrame):
        for status, n in rows["status"].value_counts().items() if not rows.empty else []:
            counts[str(status)] += int(n)
        return counts
    for row in rows:
        counts[row.status] += 1
    return counts
