"""Reads: target progress (docs/metrics.md "Contract targets"), activity lists, the workload view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.models import agency_of
from core.roles import Role, user_roles
from delivery.models import FlagActivity, Measure, ServiceActivity, Target

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
BEHIND_SHARE = Decimal("0.8")


#: The per-target activity totals every progress figure is computed from.
_TOTALS = {
    "count": Count("id"),
    "cases": Count("case_code", distinct=True, filter=~Q(case_code="")),
    "participants": Sum("participants"),
    "minutes": Sum("duration_minutes"),
}


def _q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TargetProgress:
    """One target's progress as of a date: every figure exactly as docs/metrics.md defines it."""

    target: Target
    as_of: dt.date
    achieved: Decimal | int
    expected_by_now: Decimal
    pct_achieved: Decimal
    projected_at_end: Decimal | None
    status: str  # met, on_track, behind

    @property
    def code(self) -> str:
        return self.target.code

    @property
    def pct_display(self) -> int:
        """The share achieved as a whole percentage for progress bars (capped at 100)."""
        return min(100, int(self.pct_achieved * 100))

    def as_json(self) -> dict:
        """The ``targets`` report row of docs/commands.md, numbers as JSON numbers."""

        def number(value):
            if value is None:
                return None
            return int(value) if isinstance(value, int) else float(value)

        return {
            "code": self.target.code,
            "name": self.target.name,
            "measure": self.target.measure,
            "quantity": self.target.quantity,
            "achieved": number(self.achieved),
            "expected_by_now": number(self.expected_by_now),
            "pct_achieved": number(self.pct_achieved),
            "projected_at_end": number(self.projected_at_end),
            "status": self.status,
        }


def default_as_of(contract, today: dt.date | None = None) -> dt.date:
    """Today, or the contract end if earlier (docs/commands.md ``report targets``)."""
    today = today or timezone.localdate()
    return min(today, contract.end)


def progress(*, target: Target, totals: dict, as_of: dt.date, period: int, elapsed: int) -> TargetProgress:
    """A target's figures from its activity totals (count, cases, participants, minutes)."""
    measure = target.measure
    if measure == Measure.ACTIVITIES:
        achieved: Decimal | int = int(totals.get("count") or 0)
    elif measure == Measure.CASES:
        achieved = int(totals.get("cases") or 0)
    elif measure == Measure.PARTICIPANTS:
        achieved = int(totals.get("participants") or 0)
    else:
        achieved = _q(Decimal(int(totals.get("minutes") or 0)) / 60, TWO)
    quantity = Decimal(target.quantity)
    achieved_dec = Decimal(achieved)
    expected = _q(quantity * elapsed / period, TWO) if elapsed > 0 else Decimal("0.00")
    pct = _q(achieved_dec / quantity, FOUR)
    projected = _q(achieved_dec * period / elapsed, TWO) if elapsed > 0 else None
    if achieved_dec >= quantity:
        status = "met"
    elif achieved_dec < BEHIND_SHARE * expected:
        status = "behind"
    else:
        status = "on_track"
    return TargetProgress(target, as_of, achieved, expected, pct, projected, status)


def contract_progress(
    contract,
    *,
    as_of: dt.date | None = None,
    excluded_activity_ids: Iterable[int] | None = None,
    targets: Iterable[Target] | None = None,
) -> list[TargetProgress]:
    """Every target of ``contract`` with its progress as of ``as_of`` (at most the contract end).

    Counts the activities of each target dated from the contract start to ``as_of``, leaving
    out ``excluded_activity_ids``: by default the activities of confirmed delivery flags
    (docs/metrics.md), a subquery of the same one query.
    """
    as_of, period, elapsed = _window(contract, as_of)
    qs = ServiceActivity.objects.filter(contract=contract, date__gte=contract.start, date__lte=as_of)
    if excluded_activity_ids is None:
        qs = qs.exclude(pk__in=confirmed_flag_activity_ids(contract))
    else:
        excluded = list(excluded_activity_ids)
        if excluded:
            qs = qs.exclude(pk__in=excluded)
    rows = qs.values("target_id").annotate(**_TOTALS)
    totals = {row["target_id"]: row for row in rows}
    targets = list(targets) if targets is not None else list(contract.targets.all())
    return [
        progress(target=t, totals=totals.get(t.pk, {}), as_of=as_of, period=period, elapsed=elapsed)
        for t in targets
    ]


def _window(contract, as_of: dt.date | None) -> tuple[dt.date, int, int]:
    """The date progress is counted to (at most the contract end; by default ``default_as_of``),
    the contract's length in days, and the days of it elapsed by then."""
    as_of = min(as_of or default_as_of(contract), contract.end)
    return as_of, (contract.end - contract.start).days + 1, max(0, (as_of - contract.start).days + 1)


def targets_progress(targets: Iterable[Target]) -> dict[int, TargetProgress]:
    """``contract_progress`` of each of ``targets`` (as of its contract's ``default_as_of``, the
    confirmed delivery flags' activities left out), by target id, in one query however many
    contracts they belong to: a page of the targets API spans many contracts."""
    targets = list(targets)
    contracts = {target.contract_id: target.contract for target in targets}
    if not contracts:
        return {}
    windows = {pk: _window(contract, None) for pk, contract in contracts.items()}
    counted = Q()
    for pk, contract in contracts.items():
        counted |= Q(contract_id=pk, date__gte=contract.start, date__lte=windows[pk][0])
    confirmed = FlagActivity.objects.filter(
        flag__status="confirmed", activity__contract_id__in=list(contracts)
    ).values("activity_id")
    rows = (
        ServiceActivity.objects.filter(counted, target_id__in=[target.pk for target in targets])
        .exclude(pk__in=confirmed)
        .order_by()
        .values("target_id")
        .annotate(**_TOTALS)
    )
    totals = {row["target_id"]: row for row in rows}
    result = {}
    for target in targets:
        as_of, period, elapsed = windows[target.contract_id]
        result[target.pk] = progress(
            target=target, totals=totals.get(target.pk, {}), as_of=as_of, period=period, elapsed=elapsed
        )
    return result


def confirmed_flag_activity_ids(contract):
    """Ids of the contract's activities behind confirmed delivery flags (a subquery)."""
    return FlagActivity.objects.filter(flag__status="confirmed", activity__contract=contract).values(
        "activity_id"
    )


def contract_for_targets(user, pk):
    """The contract whose targets ``user`` may read (None when they may not, or it is not theirs).

    Everyone holding the target permission reads targets of every contract of the agency,
    except auditors: only the contracts granted to them.
    """
    from finance.models import Contract

    if not user.has_perm("delivery.view_target"):
        return None
    roles = user_roles(user)
    if roles & {Role.DIRECTOR, Role.FINANCE, Role.SUPERVISOR, Role.STAFF}:
        qs = Contract.objects.for_agency(agency_of(user))
    else:
        qs = Contract.objects.for_user(user, "view")
    return qs.select_related("funder").filter(pk=pk).first()


def activities_for(user):
    """The service records ``user`` may read, with what list pages show, newest first."""
    return ServiceActivity.objects.for_user(user, "view").select_related("staff", "target", "contract")


def activity_filter_choices(user) -> dict[str, models.QuerySet]:
    """The staff members, contracts and targets the records list offers ``user`` to filter by.

    Only the user's agency's, through ``for_user``; the staff are those whose records the user
    reads (``ServiceActivity.restrict_queryset``): everyone for directors and finance officers,
    a supervisor's supervisees and themself, a worker themself.
    """
    from finance.models import Contract
    from staff.models import StaffMember, supervisee_ids

    roles = user_roles(user)
    staff = StaffMember.objects.for_agency(agency_of(user))
    if not roles & {Role.DIRECTOR, Role.FINANCE}:
        own = Q(user=user)
        staff = staff.filter(own | Q(pk__in=supervisee_ids(user)) if Role.SUPERVISOR in roles else own)
    # As on the targets page (contract_for_targets): whoever reads the targets reads which
    # contract each is of, though supervisors and workers may not open the contract itself.
    if roles & {Role.DIRECTOR, Role.FINANCE, Role.SUPERVISOR, Role.STAFF}:
        contracts = Contract.objects.for_agency(agency_of(user))
    else:
        contracts = Contract.objects.for_user(user, "view")
    return {
        "staff": staff.order_by("staff_no"),
        "contracts": contracts.order_by("-start", "code"),
        "targets": Target.objects.for_user(user, "view")
        .select_related("contract")
        .order_by("-contract__start", "contract__code", "position", "code"),
    }


def targets_for_logging(user):
    """Targets a worker can log under: those of the agency's active contracts."""
    return (
        Target.objects.for_user(user, "view")
        .filter(contract__status="active")
        .select_related("contract")
        .order_by("-contract__end", "contract__code", "position", "code")
    )


def behind_targets(user, *, today: dt.date | None = None) -> list[TargetProgress]:
    """Targets of running contracts that are behind pace, for the director's home panel.

    Two queries whatever the number of contracts: the targets with their contracts, then the
    activity totals of all of them grouped by target (confirmed flags' activities left out).
    """
    today = today or timezone.localdate()
    targets = list(
        Target.objects.filter(
            agency=agency_of(user), contract__start__lte=today, contract__end__gte=today
        ).select_related("contract")
    )
    if not targets:
        return []
    confirmed = FlagActivity.objects.filter(
        flag__status="confirmed", activity__target_id__in=[t.pk for t in targets]
    ).values("activity_id")
    rows = (
        ServiceActivity.objects.filter(target_id__in=[t.pk for t in targets], date__lte=today)
        .filter(date__gte=models.F("contract__start"))
        .exclude(pk__in=confirmed)
        .values("target_id")
        .annotate(**_TOTALS)
    )
    totals = {row["target_id"]: row for row in rows}
    behind = []
    for target in targets:
        contract = target.contract
        period = (contract.end - contract.start).days + 1
        elapsed = (today - contract.start).days + 1
        result = progress(
            target=target, totals=totals.get(target.pk, {}), as_of=today, period=period, elapsed=elapsed
        )
        if result.status == "behind":
            behind.append(result)
    return behind


# --- workload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkloadRow:
    staff_id: int
    staff_no: str
    name: str
    month: str
    activities: int
    minutes: int
    supervision_minutes: int
    training_hours: Decimal

    @property
    def hours(self) -> Decimal:
        return _q(Decimal(self.minutes) / 60, Decimal("0.1"))


def workload_staff(user):
    """Staff whose workload ``user`` may see: directors everyone, supervisors their supervisees."""
    from staff.models import StaffMember, supervisee_ids

    roles = user_roles(user)
    agency = agency_of(user)
    if Role.DIRECTOR in roles:
        return StaffMember.objects.for_agency(agency)
    if Role.SUPERVISOR in roles:
        return StaffMember.objects.for_agency(agency).filter(pk__in=supervisee_ids(user))
    return StaffMember.objects.none()


def workload(staff_qs, *, year: int, month: int | None = None) -> list[WorkloadRow]:
    """Per person and month: activities and minutes delivered, supervision received, training hours.

    Supervision received counts every session the person attended (a group session its full
    length); training hours are approved records. Three grouped queries, whatever the staff.
    """
    from supervision.models import SessionAttendance
    from training.models import RecordStatus, TrainingRecord

    start = dt.date(year, month or 1, 1)
    end = dt.date(year + (month == 12 if month else 1), (month % 12 + 1) if month else 1, 1)
    staff = {s.pk: s for s in staff_qs.only("pk", "staff_no", "name")}
    ids = list(staff)
    cells: dict[tuple[int, str], dict] = {}

    def cell(staff_id, month_start) -> dict:
        key = (staff_id, f"{month_start:%Y-%m}")
        return cells.setdefault(
            key, {"activities": 0, "minutes": 0, "supervision": 0, "training": Decimal("0")}
        )

    for row in (
        ServiceActivity.objects.filter(staff_id__in=ids, date__gte=start, date__lt=end)
        .annotate(m=TruncMonth("date"))
        .values("staff_id", "m")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
    ):
        c = cell(row["staff_id"], row["m"])
        c["activities"], c["minutes"] = row["n"], row["minutes"] or 0
    for row in (
        SessionAttendance.objects.filter(
            staff_id__in=ids, present=True, session__date__gte=start, session__date__lt=end
        )
        .annotate(m=TruncMonth("session__date"))
        .values("staff_id", "m")
        .annotate(minutes=Sum("session__duration_minutes"))
    ):
        cell(row["staff_id"], row["m"])["supervision"] = row["minutes"] or 0
    for row in (
        TrainingRecord.objects.filter(
            staff_id__in=ids, status=RecordStatus.APPROVED, date__gte=start, date__lt=end
        )
        .annotate(m=TruncMonth("date"))
        .values("staff_id", "m")
        .annotate(hours=Sum("hours"))
    ):
        cell(row["staff_id"], row["m"])["training"] = row["hours"] or Decimal("0")
    rows = [
        WorkloadRow(
            staff_id=sid,
            staff_no=staff[sid].staff_no,
            name=staff[sid].name,
            month=month_key,
            activities=c["activities"],
            minutes=c["minutes"],
            supervision_minutes=c["supervision"],
            training_hours=Decimal(c["training"]),
        )
        for (sid, month_key), c in cells.items()
    ]
    return sorted(rows, key=lambda r: (r.month, r.staff_no))
