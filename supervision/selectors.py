"""Reads of the supervision module: session lists, the supervisor's overview, compliance.

Monthly compliance follows docs/metrics.md and is computed with pandas over whole
columns (no per-row Python loops), so a year for 500 supervisees takes one pass.

How a month is counted for a supervisee (docs/metrics.md, read literally):

- the month is not counted when it lies wholly before the plan's start or wholly after its
  end. A month in which the plan starts (or ends) part-way, e.g. a plan starting on 15 March,
  is therefore *counted*, with the plan's full monthly requirement, and every session the
  supervisee attended in that month counts, including those before the 15th: March is not
  "before the plan starts";
- the month is not counted unless the supervisee was employed on every day of it, by one
  spell or by back-to-back spells (``staff.selectors.employed_periods``: hired on or before the
  1st, no exit date or an exit on or after the last day). So a supervisee who leaves or joins
  mid-month has no row for that month, and one whose contract is renewed the next day has;
- when two plans of one supervisee cover the same month (a change of supervisor), the plan
  that started last gives the requirement and the supervisor's name;
- months that have not started yet (after ``today``) are left out: nothing can be received
  in them yet;
- received minutes are the sum of the durations of the sessions in the month at which the
  supervisee was marked present, a group session counting its full duration for each
  attendee; individual minutes count only sessions of modality ``individual``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Role, user_roles
from core.timestamps import as_timestamps
from staff.models import EmploymentSpell, StaffMember, supervisee_ids
from staff.selectors import employed_periods
from staff.selectors import member_of as member_of  # supervision's pages find the person here
from supervision.models import (
    ActionItem,
    Modality,
    SessionAmendment,
    SessionAttendance,
    SupervisionPlan,
    SupervisionSession,
)

COMPLIANCE_COLUMNS = [
    "staff_no",
    "name",
    "supervisor",
    "month",
    "required_minutes",
    "received_minutes",
    "required_individual_minutes",
    "individual_minutes",
    "status",
]


def compliance_scope(user) -> QuerySet | None:
    """Whose supervision compliance ``user`` may report on: everyone (None) for the operator at
    the command line (no user) and for directors, otherwise their own supervisees."""
    if user is None or Role.DIRECTOR in user_roles(user):
        return None
    return supervisee_ids(user)


def sessions_for(user) -> QuerySet[SupervisionSession]:
    """Sessions ``user`` may see, with supervisor and attendees loaded (no N+1).

    No aggregate over the attendances here: a ``COUNT`` grouped by session makes the database
    join and group every session of the agency before it can keep a page of them. The page's
    counts come from the attendances already loaded (``attendance_counts``)."""
    return (
        SupervisionSession.objects.for_user(user, "view")
        .select_related("supervisor")
        .prefetch_related(
            Prefetch("attendances", queryset=SessionAttendance.objects.select_related("staff", "staff__user"))
        )
    )


def attendance_counts(sessions) -> None:
    """Set ``attendee_count`` (present) and ``pending_count`` (present, not yet acknowledged)
    on each of ``sessions`` from its prefetched attendances: no query."""
    for session in sessions:
        present = [a for a in session.attendances.all() if a.present]
        session.attendee_count = len(present)
        session.pending_count = sum(1 for a in present if a.acknowledged_at is None)


def can_read_notes(user, session: SupervisionSession) -> bool:
    """Directors of the session's agency, its supervisor and its present attendees."""
    from core.models import agency_of
    from core.roles import Role, has_role

    agency = agency_of(user)
    if agency is None or agency.pk != session.agency_id:
        return False
    if has_role(user, Role.DIRECTOR):
        return user.has_perm("supervision.read_notes_supervisionsession")
    return user.has_perm("supervision.read_notes_supervisionsession", session)


def can_change(user, session: SupervisionSession) -> bool:
    return SupervisionSession.objects.for_user(user, "change").filter(pk=session.pk).exists()


def action_items_for(user) -> QuerySet[ActionItem]:
    return ActionItem.objects.for_user(user, "view").select_related("session", "owner")


def amendments_of(session: SupervisionSession) -> QuerySet[SessionAmendment]:
    return session.amendments.select_related("created_by")


def plans_for(user) -> QuerySet[SupervisionPlan]:
    return SupervisionPlan.objects.for_user(user, "view").select_related("supervisee", "supervisor")


def active_plans(*, supervisor: StaffMember, day: dt.date) -> QuerySet[SupervisionPlan]:
    return (
        SupervisionPlan.objects.filter(agency_id=supervisor.agency_id, supervisor=supervisor, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("supervisee")
        .order_by("supervisee__staff_no")
    )


def picker_staff(*, supervisor: StaffMember, day: dt.date, keep=()) -> QuerySet[StaffMember]:
    """The people a session's pickers offer: staff employed on ``day`` (leavers never), the
    supervisor's current supervisees first, then the others by staff number; ``keep`` (ids of
    people already on the record) stays offered so editing an old session loses nobody."""
    employed = EmploymentSpell.objects.filter(staff=OuterRef("pk"), hire_date__lte=day).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=day)
    )
    supervised = SupervisionPlan.objects.filter(
        supervisee=OuterRef("pk"), supervisor=supervisor, start__lte=day
    ).filter(Q(end__isnull=True) | Q(end__gte=day))
    return (
        StaffMember.objects.filter(agency_id=supervisor.agency_id)
        .exclude(pk=supervisor.pk)
        .filter(Q(Exists(employed)) | Q(pk__in=list(keep)))
        .annotate(is_supervisee=Exists(supervised))
        .order_by("-is_supervisee", "staff_no")
    )


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


@dataclass
class SuperviseeMonth:
    plan: SupervisionPlan
    received_minutes: int
    individual_minutes: int

    @property
    def status(self) -> str:
        met = (
            self.received_minutes >= self.plan.required_minutes
            and self.individual_minutes >= self.plan.required_individual_minutes
        )
        return "met" if met else "short"

    @property
    def percent(self) -> int:
        if not self.plan.required_minutes:
            return 100
        return min(100, round(self.received_minutes * 100 / self.plan.required_minutes))


def supervisor_overview(*, supervisor: StaffMember, today: dt.date | None = None) -> dict:
    """The supervisor's home panel: supervisees with this month's minutes so far, overdue
    action items and sessions still awaiting acknowledgement. Four queries whatever the size."""
    today = today or timezone.localdate()
    first, last = month_bounds(today)
    plans = list(active_plans(supervisor=supervisor, day=today))
    ids = [p.supervisee_id for p in plans]
    minutes = {
        row["staff_id"]: row
        for row in SessionAttendance.objects.filter(
            staff_id__in=ids, present=True, session__date__gte=first, session__date__lte=last
        )
        .values("staff_id")
        .annotate(
            received=Sum("session__duration_minutes"),
            individual=Sum("session__duration_minutes", filter=Q(session__modality=Modality.INDIVIDUAL)),
        )
    }
    rows = [
        SuperviseeMonth(
            plan=plan,
            received_minutes=(minutes.get(plan.supervisee_id) or {}).get("received") or 0,
            individual_minutes=(minutes.get(plan.supervisee_id) or {}).get("individual") or 0,
        )
        for plan in plans
    ]
    overdue = list(
        ActionItem.objects.filter(session__supervisor=supervisor, done=False, due_date__lt=today)
        .select_related("session", "owner")
        .order_by("due_date", "id")[:20]
    )
    awaiting = SupervisionSession.objects.filter(supervisor=supervisor, locked_at__isnull=True).count()
    return {"month": first, "rows": rows, "overdue": overdue, "awaiting": awaiting}


def supervisor_loads(*, agency, today: dt.date | None = None) -> list[dict]:
    """Per supervisor: supervisees under a plan in force today, the monthly minutes their
    plans require, and the hours they led per month on average over the last 12 months."""
    today = today or timezone.localdate()
    plans = (
        SupervisionPlan.objects.filter(agency=agency, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values("supervisor_id", "supervisor__name", "supervisor__staff_no")
        .annotate(supervisees=Count("supervisee", distinct=True), required=Sum("required_minutes"))
    )
    since = today - dt.timedelta(days=365)
    led = dict(
        SupervisionSession.objects.filter(agency=agency, date__gt=since, date__lte=today)
        .values("supervisor_id")
        .annotate(total=Sum("duration_minutes"))
        .values_list("supervisor_id", "total")
    )
    out = []
    for row in plans.order_by("supervisor__staff_no"):
        out.append(
            {
                "supervisor_id": row["supervisor_id"],
                "name": row["supervisor__name"],
                "staff_no": row["supervisor__staff_no"],
                "supervisees": row["supervisees"],
                "required_hours_per_month": round((row["required"] or 0) / 60, 1),
                "led_hours_per_month": round((led.get(row["supervisor_id"]) or 0) / 60 / 12, 1),
            }
        )
    return out


#: Years the compliance frame can hold: pandas timestamps end in April 2262.
COMPLIANCE_YEARS = (1900, 2261)


def compliance_year_error(year: int) -> str | None:
    """The message for a year outside ``COMPLIANCE_YEARS``, or None when it is inside."""
    low, high = COMPLIANCE_YEARS
    if low <= year <= high:
        return None
    return _("Enter a year from %(low)s to %(high)s.") % {"low": low, "high": high}


def _compliance_grid(*, agency, year: int, supervisee_ids, today: dt.date) -> tuple[pd.DataFrame, list[int]]:
    """The counted (supervisee, month) pairs of ``year`` with the plan in force (the one started
    last) and a whole month's spell, before any minutes: one row per pair, the plan's columns,
    ``staff_id``, ``month_start`` and ``month_end``. Also the supervisees under a plan in force
    in a counted month, whose sessions the minutes are read for. Two queries (plans, spells)."""
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    plans_qs = SupervisionPlan.objects.filter(agency=agency, start__lte=year_end).filter(
        Q(end__isnull=True) | Q(end__gte=year_start)
    )
    if supervisee_ids is not None:
        plans_qs = plans_qs.filter(supervisee_id__in=supervisee_ids)
    plans = pd.DataFrame.from_records(
        plans_qs.values(
            "id",
            "supervisee_id",
            "supervisee__staff_no",
            "supervisee__name",
            "supervisor__name",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        ),
        columns=[
            "id",
            "supervisee_id",
            "supervisee__staff_no",
            "supervisee__name",
            "supervisor__name",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        ],
    )
    empty = pd.DataFrame(columns=[*plans.columns, "month_start", "month_end", "staff_id"])
    if plans.empty:
        return empty, []
    months = pd.DataFrame({"month_start": pd.date_range(year_start, periods=12, freq="MS")})
    months["month_end"] = months["month_start"] + pd.offsets.MonthEnd(0)
    months = months[months["month_start"] <= pd.Timestamp(today)]
    if months.empty:
        return empty, []
    plans["start"] = as_timestamps(plans["start"])
    plans["end"] = as_timestamps(plans["end"])
    grid = plans.merge(months, how="cross")
    in_force = (grid["start"] <= grid["month_end"]) & (
        grid["end"].isna() | (grid["end"] >= grid["month_start"])
    )
    grid = grid[in_force].sort_values(["supervisee_id", "month_start", "start", "id"])
    grid = grid.drop_duplicates(["supervisee_id", "month_start"], keep="last")
    if grid.empty:
        return empty, []

    ids = grid["supervisee_id"].unique().tolist()
    # A month is counted when the person worked all of it, perhaps across back-to-back spells.
    periods = employed_periods(
        EmploymentSpell.objects.filter(staff_id__in=ids, hire_date__lte=year_end)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=year_start))
        .order_by()  # no join to the staff for their default order: the periods are sorted
        .values_list("staff_id", "hire_date", "exit_date")
    )
    spells = pd.DataFrame.from_records(
        [(staff_id, hire, leave) for staff_id, joined in periods.items() for hire, leave in joined],
        columns=["staff_id", "hire_date", "exit_date"],
    )
    spells["staff_id"] = spells["staff_id"].astype("int64")
    spells["hire_date"] = as_timestamps(spells["hire_date"])
    spells["exit_date"] = as_timestamps(spells["exit_date"])
    covered = spells.merge(months, how="cross")
    whole = (covered["hire_date"] <= covered["month_start"]) & (
        covered["exit_date"].isna() | (covered["exit_date"] >= covered["month_end"])
    )
    covered = covered.loc[whole, ["staff_id", "month_start"]].drop_duplicates()
    grid["supervisee_id"] = grid["supervisee_id"].astype("int64")
    grid = grid.merge(covered, left_on=["supervisee_id", "month_start"], right_on=["staff_id", "month_start"])
    return grid, ids


def _with_status(grid: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """``grid`` with the minutes of ``received`` (``staff_id``, ``month_start``, ``minutes``,
    ``individual``; a missing month has none) and each month's ``status``, met or short."""
    grid = grid.merge(received, on=["staff_id", "month_start"], how="left")
    grid["received_minutes"] = grid["minutes"].fillna(0).astype(int)
    grid["individual_minutes"] = grid["individual"].fillna(0).astype(int)
    met = (grid["received_minutes"] >= grid["required_minutes"]) & (
        grid["individual_minutes"] >= grid["required_individual_minutes"]
    )
    grid["status"] = met.map({True: "met", False: "short"})
    return grid


def compliance_frame(*, agency, year: int, supervisee_ids=None, today: dt.date | None = None) -> pd.DataFrame:
    """One row per counted (supervisee, month) of ``year``; see the module docstring.

    ``supervisee_ids`` (an iterable or a queryset of ids) limits the supervisees; None means
    all of the agency. Columns: ``staff_id`` and ``COMPLIANCE_COLUMNS``; minutes are ints.
    """
    today = today or timezone.localdate()
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    grid, ids = _compliance_grid(agency=agency, year=year, supervisee_ids=supervisee_ids, today=today)
    if not ids:
        return pd.DataFrame(columns=["staff_id", *COMPLIANCE_COLUMNS])

    sessions = pd.DataFrame.from_records(
        SessionAttendance.objects.filter(
            staff_id__in=ids, present=True, session__date__gte=year_start, session__date__lte=year_end
        )
        .order_by()  # the sums need no order: no sort, no join to the staff
        .values_list("staff_id", "session__date", "session__duration_minutes", "session__modality"),
        columns=["staff_id", "date", "minutes", "modality"],
    )
    sessions = sessions.astype({"staff_id": "int64", "minutes": "int64"})
    sessions["month_start"] = pd.to_datetime(sessions["date"]).dt.to_period("M").dt.to_timestamp()
    sessions["individual"] = sessions["minutes"].where(sessions["modality"] == Modality.INDIVIDUAL, 0)
    received = sessions.groupby(["staff_id", "month_start"], as_index=False)[["minutes", "individual"]].sum()
    grid = _with_status(grid, received)
    grid["month"] = grid["month_start"].dt.strftime("%Y-%m")
    out = grid.rename(
        columns={
            "supervisee__staff_no": "staff_no",
            "supervisee__name": "name",
            "supervisor__name": "supervisor",
        }
    )
    out = out.sort_values(["staff_no", "month"])[["staff_id", *COMPLIANCE_COLUMNS]].reset_index(drop=True)
    for column in (
        "required_minutes",
        "received_minutes",
        "required_individual_minutes",
        "individual_minutes",
    ):
        out[column] = out[column].astype(int)
    return out


def _compliance_window(year: int, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of ``year`` whose months can be counted as of ``today`` (months that have
    started), or None when none has."""
    year_start = dt.date(year, 1, 1)
    if today < year_start:
        return None
    return year_start, min(dt.date(year, 12, 31), month_bounds(today)[1])


def _compliance_plans(*, agency, year: int, supervisee_ids=None, today: dt.date) -> QuerySet[SupervisionPlan]:
    window = _compliance_window(year, today)
    if window is None:
        return SupervisionPlan.objects.none()
    low, high = window
    plans = SupervisionPlan.objects.filter(agency=agency, start__lte=high).filter(
        Q(end__isnull=True) | Q(end__gte=low)
    )
    if supervisee_ids is not None:
        plans = plans.filter(supervisee_id__in=supervisee_ids)
    return plans


def compliance_supervisees(
    *, agency, year: int, supervisee_ids=None, today: dt.date | None = None, supervisor: str = ""
) -> QuerySet[StaffMember]:
    """The people the compliance page lists, by staff number: those under a plan (of the
    supervisor named ``supervisor``, when given) in force in a month of ``year`` that has
    started and employed during the year. A superset of the supervisees of
    ``compliance_rows`` (a month also needs a whole month's spell and the plan to be the one in
    force), so a page computes the months of its own people only and drops those with none."""
    today = today or timezone.localdate()
    window = _compliance_window(year, today)
    if window is None:
        return StaffMember.objects.none()
    plans = _compliance_plans(agency=agency, year=year, supervisee_ids=supervisee_ids, today=today)
    if supervisor:
        plans = plans.filter(supervisor__name=supervisor)
    employed = EmploymentSpell.objects.filter(staff=OuterRef("pk"), hire_date__lte=window[1]).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=window[0])
    )
    return (
        StaffMember.objects.filter(agency=agency)
        .filter(Exists(plans.filter(supervisee=OuterRef("pk"))), Exists(employed))
        .order_by("staff_no", "id")
    )


@dataclass(frozen=True)
class ComplianceTotals:
    """The whole (filtered) compliance page's figures, over every page: the supervisees listed
    and their supervisee-months by ``PAGE_STATES`` state."""

    supervisees: int = 0
    met: int = 0
    short: int = 0
    in_progress: int = 0


def _compliance_kept(
    *, agency, year: int, supervisee_ids, today: dt.date, supervisor: str, state: str
) -> pd.DataFrame:
    """The supervisee-months ``compliance_page_rows`` keeps for ``supervisor`` and ``state``
    over all of ``supervisee_ids`` (of the supervisor's people only when one is named), with
    ``supervisee_id`` and ``state``, by the rules of ``compliance_frame``: the plans and spells
    as there, and the minutes as one aggregate in the database, a row per supervisee-month (not
    per session). Three queries, whatever the agency's size."""
    candidates = supervisee_ids
    if supervisor:
        candidates = (
            _compliance_plans(agency=agency, year=year, supervisee_ids=supervisee_ids, today=today)
            .filter(supervisor__name=supervisor)
            .values("supervisee_id")
        )
    grid, ids = _compliance_grid(agency=agency, year=year, supervisee_ids=candidates, today=today)
    if grid.empty:
        return pd.DataFrame(columns=["supervisee_id", "state"])
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    received = pd.DataFrame.from_records(
        SessionAttendance.objects.filter(
            staff_id__in=ids, present=True, session__date__gte=year_start, session__date__lte=year_end
        )
        .order_by()  # grouped by supervisee and month only: no default order in the GROUP BY
        .annotate(month=ExtractMonth("session__date"))
        .values("staff_id", "month")
        .annotate(
            minutes=Sum("session__duration_minutes"),
            individual=Sum("session__duration_minutes", filter=Q(session__modality=Modality.INDIVIDUAL)),
        )
        .values_list("staff_id", "month", "minutes", "individual"),
        columns=["staff_id", "month", "minutes", "individual"],
    )
    received["staff_id"] = received["staff_id"].astype("int64")
    firsts = pd.date_range(year_start, periods=12, freq="MS")
    received["month_start"] = firsts[received["month"].astype("int64").to_numpy() - 1]
    received["minutes"] = received["minutes"].astype("float64")
    received["individual"] = received["individual"].astype("float64")
    grid = _with_status(grid, received[["staff_id", "month_start", "minutes", "individual"]])
    in_progress = (grid["month_start"] == pd.Timestamp(today.year, today.month, 1)) & (
        grid["status"] == "short"
    )
    grid["state"] = grid["status"].where(~in_progress, "in_progress")
    keep = pd.Series(True, index=grid.index)
    if supervisor:
        keep &= grid["supervisor__name"] == supervisor
    if state:
        keep &= grid["state"] == state
    return grid.loc[keep, ["supervisee_id", "state"]]


def _totals(kept: pd.DataFrame) -> ComplianceTotals:
    by_state = kept["state"].value_counts()
    return ComplianceTotals(
        supervisees=int(kept["supervisee_id"].nunique()),
        **{state: int(by_state.get(state, 0)) for state in PAGE_STATES},
    )


def compliance_matches(
    *,
    agency,
    year: int,
    supervisee_ids=None,
    today: dt.date | None = None,
    supervisor: str = "",
    state: str = "",
) -> tuple[QuerySet[StaffMember], ComplianceTotals]:
    """The people of the filtered compliance page, by staff number, and the page's totals over
    all its pages, from one pass (three queries, whatever the agency's size).

    The people are exactly those with at least one month that ``compliance_page_rows`` keeps
    for ``supervisor`` and ``state`` (a month of that supervisor's plan, in that
    ``PAGE_STATES`` state; either left out means any), so that every page is one of matching
    people and no page is short of them. The totals are those kept months counted by state and
    their people counted: what summing ``compliance_page_rows`` over every page gives. Decided
    before paging, for all of ``supervisee_ids``; the page then computes its own people's
    figures with ``compliance_rows``."""
    today = today or timezone.localdate()
    kept = _compliance_kept(
        agency=agency,
        year=year,
        supervisee_ids=supervisee_ids,
        today=today,
        supervisor=supervisor,
        state=state,
    )
    if kept.empty:
        return StaffMember.objects.none(), ComplianceTotals()
    matching = kept["supervisee_id"].unique().tolist()
    people = StaffMember.objects.filter(agency=agency, pk__in=matching).order_by("staff_no", "id")
    return people, _totals(kept)


def compliance_totals(
    *, agency, year: int, supervisee_ids=None, today: dt.date | None = None
) -> ComplianceTotals:
    """The unfiltered compliance page's totals over all its pages (the supervisees with a month
    to count and their months by state), three queries whatever the agency's size; see
    ``compliance_matches``."""
    today = today or timezone.localdate()
    kept = _compliance_kept(
        agency=agency, year=year, supervisee_ids=supervisee_ids, today=today, supervisor="", state=""
    )
    return _totals(kept) if not kept.empty else ComplianceTotals()


def compliance_supervisors(
    *, agency, year: int, supervisee_ids=None, today: dt.date | None = None
) -> list[str]:
    """The names the compliance page's supervisor filter offers: supervisors of the plans in
    force in a month of ``year`` that has started (one query over plans, not sessions)."""
    today = today or timezone.localdate()
    plans = _compliance_plans(agency=agency, year=year, supervisee_ids=supervisee_ids, today=today)
    return sorted(set(plans.order_by().values_list("supervisor__name", flat=True).distinct()))


def compliance_rows(*, agency, year: int, supervisee_ids=None, today: dt.date | None = None) -> list[dict]:
    """The rows of the ``supervision-compliance`` report, as plain Python values."""
    frame = compliance_frame(agency=agency, year=year, supervisee_ids=supervisee_ids, today=today)
    return [
        {
            "staff_no": row.staff_no,
            "name": row.name,
            "supervisor": row.supervisor,
            "month": row.month,
            "required_minutes": int(row.required_minutes),
            "received_minutes": int(row.received_minutes),
            "required_individual_minutes": int(row.required_individual_minutes),
            "individual_minutes": int(row.individual_minutes),
            "status": row.status,
        }
        for row in frame.itertuples(index=False)
    ]


#: What a person sees for a supervisee-month: the report's ``met``/``short``, except that the
#: current month, not yet over, is ``in_progress`` while it is still short.
PAGE_STATES = ("met", "short", "in_progress")


def compliance_page_rows(
    rows: list[dict], *, today: dt.date, supervisor: str = "", state: str = ""
) -> list[dict]:
    """The compliance page's rows: each with its ``state`` (``PAGE_STATES``), filtered by the
    supervisor's name and by state when given. The report's own ``status`` is left as it is.

    The one reading of the running month for people: the page, the report files and the annual
    report's coverage (which leaves in-progress months out) all take their states from here."""
    current = today.strftime("%Y-%m")
    out = []
    for row in rows:
        shown = dict(row)
        shown["state"] = (
            "in_progress" if row["month"] == current and row["status"] == "short" else row["status"]
        )
        if supervisor and shown["supervisor"] != supervisor:
            continue
        if state and shown["state"] != state:
            continue
        out.append(shown)
    return out


def compliance_by_supervisee(rows: list[dict]) -> list[dict]:
    """The page's rows grouped by supervisee (in the order given), for the phone layout."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(
            row["staff_no"],
            {"staff_no": row["staff_no"], "name": row["name"], "supervisor": row["supervisor"], "months": []},
        )
        group["months"].append(row)
    return list(groups.values())


def visible_supervisee_ids(user):
    """Supervisees whose compliance ``user`` may see: all for directors, own supervisees for
    supervisors, oneself for staff (through the plans they can see)."""
    return plans_for(user).values("supervisee_id")


def supervisee_log(*, staff: StaffMember, year: int | None = None) -> list[SupervisionSession]:
    """Sessions the supervisee was present at (newest first), with action items loaded."""
    qs = SupervisionSession.objects.filter(
        agency_id=staff.agency_id, attendances__staff=staff, attendances__present=True
    )
    if year:
        qs = qs.filter(date__year=year)
    return list(
        qs.select_related("supervisor")
        .prefetch_related(Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")))
        .order_by("date", "start_time")
        .distinct()
    )


def month_coverage(agency, months: list[dt.date], today: dt.date, *, shown: int = 5) -> dict[dt.date, dict]:
    """Per month (given by its first day): supervisees counted and how many met their plan.

    The rules of ``compliance_frame`` (docs/metrics.md), for a few months at
    once with three queries and no DataFrame, so the director's home page stays fast: plans in
    force during the month (the one started last wins), supervisees employed for the whole
    month (by one spell or back-to-back spells), minutes of sessions attended in the month; months after ``today`` are
    not counted. Agreement with ``compliance_frame`` is pinned in tests/overview/test_dashboards.py.
    """
    bounds = {first: month_bounds(first) for first in months if first <= today}
    result = {first: {"month": first, "counted": 0, "met": 0, "short_rows": []} for first in months}
    if not bounds:
        return result
    low = min(first for first, _ in bounds.values())
    high = max(last for _, last in bounds.values())
    plans = list(
        SupervisionPlan.objects.filter(agency=agency, start__lte=high)
        .filter(Q(end__isnull=True) | Q(end__gte=low))
        .values(
            "id",
            "supervisee_id",
            "supervisee__staff_no",
            "supervisee__name",
            "supervisor__name",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        )
        .order_by("supervisee_id", "start", "id")
    )
    ids = {plan["supervisee_id"] for plan in plans}
    # Worked a whole month: across back-to-back spells too (staff.selectors.employed_periods).
    spells = employed_periods(
        EmploymentSpell.objects.filter(staff_id__in=ids, hire_date__lte=high).values_list(
            "staff_id", "hire_date", "exit_date"
        )
    )
    minutes: dict[tuple[int, dt.date], list[int]] = {}
    for staff_id, date, duration, modality in SessionAttendance.objects.filter(
        staff_id__in=ids, present=True, session__date__gte=low, session__date__lte=high
    ).values_list("staff_id", "session__date", "session__duration_minutes", "session__modality"):
        got = minutes.setdefault((staff_id, date.replace(day=1)), [0, 0])
        got[0] += duration
        if modality == Modality.INDIVIDUAL:
            got[1] += duration
    for first, (_start, last) in bounds.items():
        in_force: dict[int, dict] = {}
        for plan in plans:  # ordered by start, id: the plan started last overwrites
            if plan["start"] <= last and (plan["end"] is None or plan["end"] >= first):
                in_force[plan["supervisee_id"]] = plan
        entry = result[first]
        for staff_id, plan in in_force.items():
            employed = any(
                hire <= first and (leave is None or leave >= last) for hire, leave in spells.get(staff_id, ())
            )
            if not employed:
                continue
            received, individual = minutes.get((staff_id, first), (0, 0))
            entry["counted"] += 1
            if received >= plan["required_minutes"] and individual >= plan["required_individual_minutes"]:
                entry["met"] += 1
            else:
                entry["short_rows"].append(
                    {
                        "name": plan["supervisee__name"],
                        "staff_no": plan["supervisee__staff_no"],
                        "supervisor": plan["supervisor__name"],
                        "received": received,
                        "required": plan["required_minutes"],
                    }
                )
    for entry in result.values():
        counted, met = entry["counted"], entry["met"]
        entry["short"] = counted - met
        entry["pct"] = round(met * 100 / counted) if counted else 0
        entry["rate"] = met / counted if counted else None
        entry["short_rows"] = sorted(entry["short_rows"], key=lambda r: (r["received"], r["staff_no"]))[
            :shown
        ]
    return result
