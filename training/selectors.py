"""Every read of the training module: lists scoped by role, compliance views, summaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Q, QuerySet, Sum

from core.models import agency_of
from core.roles import Role, user_roles
from staff.models import EmploymentSpell, StaffMember, supervisee_ids
from staff.selectors import member_of as member_of  # training's pages find the person here
from training.compliance import ComplianceRow, compliance_rows
from training.models import (
    RecordStatus,
    TrainingCategory,
    TrainingEvent,
    TrainingPolicy,
    TrainingRecord,
)


def events_for(user) -> QuerySet[TrainingEvent]:
    """Events the user may see, with the number of people credited."""
    return (
        TrainingEvent.objects.for_user(user, "view")
        .annotate(attendee_count=Count("attendance"))
        .order_by("-start_date", "title", "pk")
    )


def event_attendance(event: TrainingEvent, user) -> QuerySet[TrainingRecord]:
    """Attendance at ``event`` that the user may see."""
    return (
        TrainingRecord.objects.for_user(user, "view")
        .filter(event=event)
        .select_related("staff")
        .order_by("staff__staff_no")
    )


def records_for(user) -> QuerySet[TrainingRecord]:
    """Training records the user may see (director all, supervisor supervisees and own, staff own)."""
    return TrainingRecord.objects.for_user(user, "view").select_related("staff", "event", "reviewed_by")


def pending_for_approval(user) -> QuerySet[TrainingRecord]:
    """Pending submissions the user may approve (never their own)."""
    return (
        TrainingRecord.objects.for_user(user, "change")
        .filter(status=RecordStatus.PENDING)
        .exclude(staff__user=user)
        .select_related("staff", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def visible_staff_ids(user) -> list[int] | None:
    """Whose compliance the user may see: None = everyone (director); else a list of ids."""
    roles = user_roles(user)
    if Role.DIRECTOR in roles:
        return None
    ids: set[int] = set()
    own = member_of(user)
    if own is not None and roles & {Role.STAFF, Role.SUPERVISOR}:
        ids.add(own.pk)
    if Role.SUPERVISOR in roles:
        ids.update(StaffMember.objects.filter(pk__in=supervisee_ids(user)).values_list("pk", flat=True))
    return sorted(ids)


def compliance_for_user(user, as_of: dt.date, order: str = "urgency") -> list[ComplianceRow]:
    """Compliance rows of the people the user may see, as of ``as_of``."""
    agency = agency_of(user)
    if agency is None:
        return []
    ids = visible_staff_ids(user)
    if ids is not None and not ids:
        return []
    return compliance_rows(agency, as_of, staff_ids=ids, order=order)


def cycle_records(staff: StaffMember, row: ComplianceRow) -> QuerySet[TrainingRecord]:
    """The approved, eligible records that make up ``row.earned_hours``, oldest first."""
    return (
        TrainingRecord.objects.filter(
            agency_id=staff.agency_id,
            staff=staff,
            status=RecordStatus.APPROVED,
            ce_eligible=True,
            date__gte=row.cycle_start,
            date__lte=row.cycle_end,
        )
        .select_related("event")
        .order_by("date", "title")
    )


def annual_minimum(agency) -> Decimal | None:
    policy = TrainingPolicy.objects.filter(agency=agency).first()
    return policy.annual_minimum_hours if policy else None


def annual_progress(agency, year: int, staff_ids: list[int] | None = None) -> list[dict]:
    """Approved hours in ``year`` of everyone employed at some point of it, against the
    agency's annual minimum (empty list when the agency sets none)."""
    minimum = annual_minimum(agency)
    if minimum is None:
        return []
    return annual_progress_of(agency, year, minimum, annual_staff(agency, year, staff_ids))


def annual_staff(agency, year: int, staff_ids: list[int] | None = None) -> QuerySet[StaffMember]:
    """Everyone employed at some point of ``year`` (of ``staff_ids``), by staff number."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    employed = EmploymentSpell.objects.filter(agency=agency, hire_date__lte=end).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=start)
    )
    staff = StaffMember.objects.filter(agency=agency, pk__in=employed.values("staff_id"))
    if staff_ids is not None:
        staff = staff.filter(pk__in=staff_ids)
    return staff.order_by("staff_no")


def annual_progress_of(agency, year: int, minimum: Decimal, staff) -> list[dict]:
    """``annual_progress`` of the people ``staff`` (a queryset or a page of it): hours are summed
    for those people only."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    members = list(staff)
    hours = dict(
        TrainingRecord.objects.filter(
            agency=agency,
            status=RecordStatus.APPROVED,
            date__gte=start,
            date__lte=end,
            staff_id__in=[m.pk for m in members],
        )
        .values("staff_id")
        .annotate(total=Sum("hours"))
        .values_list("staff_id", "total")
    )
    rows = []
    for member in members:
        earned = hours.get(member.pk) or Decimal("0")
        rows.append(
            {
                "staff": member,
                "earned": earned,
                "required": minimum,
                "shortfall": max(Decimal("0"), minimum - earned),
                "met": earned >= minimum,
            }
        )
    return rows


def training_summary(agency, year: int) -> dict:
    """Approved hours in ``year`` by category, by person and by month (Decimal hours)."""
    rows = list(
        TrainingRecord.objects.filter(
            agency=agency, status=RecordStatus.APPROVED, date__year=year
        ).values_list("staff__staff_no", "staff__name", "category", "date", "hours", "ce_eligible")
    )
    frame = pd.DataFrame(rows, columns=["staff_no", "name", "category", "date", "hours", "ce_eligible"])
    # Hours stay Decimal (object column); sums of Decimals are exact.
    labels = dict(TrainingCategory.choices)
    by_category = []
    by_person = []
    by_month = [{"month": f"{year}-{m:02d}", "hours": Decimal("0"), "records": 0} for m in range(1, 13)]
    if not frame.empty:
        for category, group in frame.groupby("category", sort=True):
            by_category.append(
                {
                    "category": category,
                    "label": str(labels.get(category, category)),
                    "hours": sum(group["hours"], Decimal("0")),
                    "records": len(group),
                }
            )
        by_category.sort(key=lambda r: (-r["hours"], r["category"]))
        for (staff_no, name), group in frame.groupby(["staff_no", "name"], sort=True):
            by_person.append(
                {
                    "staff_no": staff_no,
                    "name": name,
                    "hours": sum(group["hours"], Decimal("0")),
                    "ce_hours": sum(group.loc[group["ce_eligible"], "hours"], Decimal("0")),
                    "records": len(group),
                }
            )
        months = frame["date"].map(lambda d: d.month)
        for month, group in frame.groupby(months):
            by_month[int(month) - 1]["hours"] = sum(group["hours"], Decimal("0"))
            by_month[int(month) - 1]["records"] = len(group)
    total = sum((r["hours"] for r in by_category), Decimal("0"))
    return {
        "year": year,
        "by_category": by_category,
        "by_person": by_person,
        "by_month": by_month,
        "total_hours": total,
        "records": len(frame),
    }
