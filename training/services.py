"""Every write of the training module: events, attendance, submissions, approvals, requirements.

A write that changes someone's approved training hours on a day (a record approved, an approved
record created, re-dated or given other hours) is published (``core.people_changes``): a delivery
rule reads them (ACTIVITY_DURING_TRAINING), and the contracts with activities of that person on
that day are scanned again. A pending submission, a rejection or a pending record deleted
changes no approved hours and publishes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.people_changes import people_changed_publish
from core.roles import Role, user_roles
from staff.models import StaffMember
from training.models import (
    DEFAULT_CYCLE_YEARS,
    DEFAULT_REQUIREMENTS,
    NATIONAL_LEVELS,
    CERequirement,
    RecordSource,
    RecordStatus,
    TrainingEvent,
    TrainingPolicy,
    TrainingRecord,
)

EVENT_FIELDS = (
    "title",
    "provider",
    "delivery",
    "category",
    "start_date",
    "end_date",
    "hours",
    "ce_eligible",
    "location",
    "online",
    "notes",
)


@transaction.atomic
def event_create(*, agency, user=None, **fields) -> TrainingEvent:
    """Create a training event (director)."""
    event = TrainingEvent(
        agency=agency, created_by=user, **{k: v for k, v in fields.items() if k in EVENT_FIELDS}
    )
    event.full_clean()
    event.save()
    return event


def event_check(event: TrainingEvent) -> None:
    """Refuse values of a stored event its attendance cannot take (``ValidationError`` by field):
    hours below what someone was credited, or a title and last day a person already holds."""
    if event.pk and event.attendance.filter(hours__gt=event.hours).exists():
        raise ValidationError(
            {"hours": _("Some attendance is credited with more hours than this; lower it first.")}
        )
    if event.pk:
        # Attendance records take the event's title and last day; one person cannot hold two
        # records of the same day and title (docs/formats.md), so refuse before the database does.
        clash = (
            TrainingRecord.objects.filter(
                agency_id=event.agency_id,
                staff_id__in=event.attendance.values("staff_id"),
                date=event.end_date,
                title=event.title,
            )
            .exclude(event=event)
            .exclude(status=RecordStatus.REJECTED)
            .select_related("staff")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "title": _(
                        "%(name)s already has a training record titled %(title)s on %(date)s; "
                        "choose another title or last day."
                    )
                    % {"name": clash.staff.name, "title": event.title, "date": event.end_date.isoformat()}
                }
            )


@transaction.atomic
def event_update(*, event: TrainingEvent, user=None, **fields) -> TrainingEvent:
    """Change an event; attendance already credited above new hours is refused. Its attendance
    records take its title, last day, provider and kind, and a day whose approved hours moved
    is published (``core.people_changes``)."""
    for name, value in fields.items():
        if name in EVENT_FIELDS:
            setattr(event, name, value)
    event.full_clean()
    event_check(event)
    before = (
        set(event.attendance.filter(status=RecordStatus.APPROVED).values_list("staff_id", "date"))
        if event.pk
        else set()
    )
    event.save()
    event.attendance.update(
        title=event.title,
        date=event.end_date,
        provider=event.provider,
        ce_eligible=event.ce_eligible,
        category=event.category,
    )
    after = {(staff_id, event.end_date) for staff_id, _day in before}
    if after != before:
        people_changed_publish(agency=event.agency_id, training=before | after, by=user)
    return event


@transaction.atomic
def attendance_record(
    *, event: TrainingEvent, entries: Iterable[tuple[StaffMember, Decimal | None]], user=None
) -> list[TrainingRecord]:
    """Credit attendance at ``event`` for many people at once (the sign-in sheet).

    ``hours`` None means the event's hours. People already recorded for the event have their
    hours updated; new attendance is approved at once (the director vouches for the sheet).
    """
    existing = {record.staff_id: record for record in event.attendance.select_related("event")}
    new: list[TrainingRecord] = []
    changed: list[TrainingRecord] = []
    errors: list[str] = []
    for staff, hours in entries:
        hours = event.hours if hours in (None, "") else Decimal(hours)
        if staff.agency_id != event.agency_id:
            raise ValidationError(_("Unknown staff member."))
        record = existing.get(staff.pk)
        if record is None:
            record = TrainingRecord(
                agency_id=event.agency_id,
                staff=staff,
                event=event,
                date=event.end_date,
                title=event.title,
                provider=event.provider,
                category=event.category,
                hours=hours,
                ce_eligible=event.ce_eligible,
                source=RecordSource.ATTENDANCE,
                status=RecordStatus.APPROVED,
                submitted_by=user,
                reviewed_by=user,
                reviewed_at=timezone.now(),
            )
            bucket = new
        else:
            if record.hours == hours:
                continue
            record.hours = hours
            bucket = changed
        try:
            record.full_clean(validate_constraints=False)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.extend(f"{staff.name}: {m}" for m in messages)
            continue
        bucket.append(record)
    if errors:
        raise ValidationError(errors)
    _check_day_title_unique(new)
    created = bulk_create_with_history(new, TrainingRecord, default_user=user)
    for record in changed:
        record.save(update_fields=["hours"])
    people_changed_publish(
        agency=event.agency_id,
        training=[(r.staff_id, r.date) for r in (*created, *changed) if r.status == RecordStatus.APPROVED],
        by=user,
    )
    return created + changed


def _check_day_title_unique(records: list[TrainingRecord]) -> None:
    if not records:
        return
    first = records[0]
    clash = (
        TrainingRecord.objects.filter(
            agency_id=first.agency_id,
            staff_id__in=[r.staff_id for r in records],
            date=first.date,
            title=first.title,
        )
        .exclude(status=RecordStatus.REJECTED)
        .select_related("staff")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(name)s already has a training record titled %(title)s on %(date)s.")
            % {"name": clash.staff.name, "title": clash.title, "date": clash.date.isoformat()}
        )


@transaction.atomic
def record_submit(
    *,
    staff: StaffMember,
    user,
    date: dt.date,
    title: str,
    hours: Decimal,
    provider: str = "",
    category: str = "other",
    ce_eligible: bool = True,
    evidence=None,
) -> TrainingRecord:
    """A staff member submits external training for approval (status pending).

    A director entering a record for someone else creates it approved.
    """
    roles = user_roles(user)
    own = staff.user_id == user.pk
    if not own and Role.DIRECTOR not in roles:
        raise PermissionDenied(_("You can only submit your own training."))
    direct = Role.DIRECTOR in roles and not own
    record = TrainingRecord(
        agency_id=staff.agency_id,
        staff=staff,
        date=date,
        title=title,
        hours=hours,
        provider=provider,
        category=category,
        ce_eligible=ce_eligible,
        source=RecordSource.ENTRY if direct else RecordSource.SUBMISSION,
        status=RecordStatus.APPROVED if direct else RecordStatus.PENDING,
        submitted_by=user,
        reviewed_by=user if direct else None,
        reviewed_at=timezone.now() if direct else None,
    )
    if evidence:
        record.evidence = evidence
    record.full_clean()
    record.save()
    if record.status == RecordStatus.APPROVED:
        people_changed_publish(agency=record.agency_id, training=[(record.staff_id, record.date)], by=user)
    return record


def _check_reviewer(record: TrainingRecord, user) -> None:
    if record.status != RecordStatus.PENDING:
        raise ValidationError(_("This record has already been reviewed."))
    if record.staff.user_id == user.pk:
        raise PermissionDenied(_("You cannot approve your own training."))
    if not TrainingRecord.objects.for_user(user, "change").filter(pk=record.pk).exists():
        raise PermissionDenied(_("You cannot review this record."))


def record_approved_hours(pk) -> tuple | None:
    """(staff id, day, hours) of a stored record when approved, else None: what a delivery rule
    reads of it (``record_publish_change``)."""
    return (
        TrainingRecord.objects.filter(pk=pk, status=RecordStatus.APPROVED)
        .values_list("staff_id", "date", "hours")
        .first()
        if pk
        else None
    )


def record_publish_change(*, agency, before: tuple | None, after: tuple | None, by=None) -> None:
    """Publish the days of a record whose approved hours changed (a write past the services:
    the admin, by ``by``), given ``record_approved_hours`` before and after."""
    if before != after:
        people_changed_publish(
            agency=agency, training=[value[:2] for value in (before, after) if value], by=by
        )


@transaction.atomic
def record_approve(*, record: TrainingRecord, user, note: str = "") -> TrainingRecord:
    """A supervisor (for their supervisees) or the director approves a pending record."""
    _check_reviewer(record, user)
    record.status = RecordStatus.APPROVED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.review_note = note
    record.full_clean()
    record.save()
    people_changed_publish(agency=record.agency_id, training=[(record.staff_id, record.date)], by=user)
    return record


@transaction.atomic
def record_reject(*, record: TrainingRecord, user, note: str) -> TrainingRecord:
    """Reject a pending record; the reason is required and shown to the staff member."""
    _check_reviewer(record, user)
    if not note.strip():
        raise ValidationError({"review_note": _("Say why the record is rejected.")})
    record.status = RecordStatus.REJECTED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.review_note = note
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_delete(*, record: TrainingRecord) -> None:
    """Discard a submission still waiting for review (a director's correction).

    An approved record counts toward continuing-education hours, and a rejected one is the
    review the person was told about: both are the person's training history and stay.
    """
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.PENDING:
        raise ValidationError(
            _(
                "This training record is %(status)s and is part of the person's training history "
                "(compliance counts its hours); only a pending submission can be deleted."
            )
            % {"status": record.get_status_display()}
        )
    record.delete()


@transaction.atomic
def event_delete(*, event: TrainingEvent) -> None:
    """Remove an event entered in error, before anyone's attendance was recorded.

    Attendance credits hours toward continuing education, so an event with attendance is
    kept: deleting it would rewrite past compliance.
    """
    attended = event.attendance.count()
    if attended:
        raise ValidationError(
            _(
                "%(title)s cannot be deleted: %(count)s attendance records credit its hours toward "
                "continuing education."
            )
            % {"title": event.title, "count": attended}
        )
    event.delete()


@transaction.atomic
def requirement_defaults_ensure(*, agency) -> list[CERequirement]:
    """Create the national default requirement rows the agency does not have yet."""
    have = set(CERequirement.objects.filter(agency=agency).values_list("level", flat=True))
    for level in NATIONAL_LEVELS:
        if level.value not in have:
            row = CERequirement(
                agency=agency,
                level=level.value,
                hours_per_cycle=DEFAULT_REQUIREMENTS[level],
                cycle_years=DEFAULT_CYCLE_YEARS,
            )
            row.full_clean()
            row.save()
    return list(CERequirement.objects.filter(agency=agency))


@transaction.atomic
def requirement_set(*, agency, level: str, hours_per_cycle: Decimal, cycle_years: int) -> CERequirement:
    """Set one level's hours per cycle and cycle length."""
    row = CERequirement.objects.filter(agency=agency, level=level).first() or CERequirement(
        agency=agency, level=level
    )
    row.hours_per_cycle = hours_per_cycle
    row.cycle_years = cycle_years
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def policy_set(*, agency, annual_minimum_hours: Decimal | None) -> TrainingPolicy:
    """Set (or clear, with None) the agency's annual minimum of training hours."""
    policy = TrainingPolicy.objects.filter(agency=agency).first() or TrainingPolicy(agency=agency)
    policy.annual_minimum_hours = annual_minimum_hours
    policy.full_clean()
    policy.save()
    return policy
