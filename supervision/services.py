"""Writes of the supervision module: plans, sessions, sign-off, amendments, action items.

Callers (views, API, commands) have already checked that the user may act on the record
(``for_user``); these functions hold the business rules and keep the guardian object
permissions of each session in step with who led and who attended it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.confidential import sensitive_read_record, sensitive_reads_record
from core.models import Agency, SensitiveRead
from core.permissions import grant_object_perm, revoke_object_perm
from staff.models import LEVEL_RANK, EmploymentSpell, Qualification, StaffMember
from supervision.models import (
    ActionItem,
    SessionAmendment,
    SessionAttendance,
    SupervisionPlan,
    SupervisionSession,
)

#: Fields of a session that a supervisor edits before it is locked, or amends afterwards.
SESSION_FIELDS = (
    "date",
    "start_time",
    "duration_minutes",
    "modality",
    "format",
    "focus_areas",
    "cases_discussed",
    "case_refs",
    "notes",
)
SUPERVISOR_ACTIONS = ("view", "change", "read_notes")
ATTENDEE_ACTIONS = ("view", "read_notes")


@dataclass(frozen=True)
class Attendee:
    """A supervisee listed on a session and whether they were present."""

    staff: StaffMember
    present: bool = True


def _as_attendees(attendees: Iterable) -> list[Attendee]:
    out = []
    for item in attendees:
        out.append(item if isinstance(item, Attendee) else Attendee(staff=item))
    return out


def employed_on(staff_ids: Iterable[int], day: dt.date) -> set[int]:
    """The ids among ``staff_ids`` with an employment spell covering ``day``."""
    return set(
        EmploymentSpell.objects.filter(staff_id__in=list(staff_ids), hire_date__lte=day)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=day))
        .values_list("staff_id", flat=True)
    )


def _validate_people(
    *, agency: Agency, supervisor: StaffMember, attendees: list[Attendee], day: dt.date | None
) -> None:
    errors: dict[str, list[str]] = {}
    if supervisor.agency_id != agency.pk:
        errors.setdefault("supervisor", []).append(_("The supervisor must work for this agency."))
    if not attendees:
        errors.setdefault("attendees", []).append(_("List at least one supervisee."))
    elif not any(a.present for a in attendees):
        errors.setdefault("attendees", []).append(_("At least one supervisee must have been present."))
    ids = [a.staff.pk for a in attendees]
    if len(ids) != len(set(ids)):
        errors.setdefault("attendees", []).append(_("A supervisee is listed twice."))
    if supervisor.pk in ids:
        errors.setdefault("attendees", []).append(_("A supervisor cannot supervise themselves."))
    foreign = [a.staff.name for a in attendees if a.staff.agency_id != agency.pk]
    if foreign:
        errors.setdefault("attendees", []).append(
            _("Not staff of this agency: %(names)s.") % {"names": ", ".join(foreign)}
        )
    if day is not None and not foreign and ids:
        active = employed_on([*ids, supervisor.pk], day)
        inactive = [a.staff.name for a in attendees if a.staff.pk not in active]
        if inactive:
            errors.setdefault("attendees", []).append(
                _("Not employed on %(date)s: %(names)s.")
                % {"date": day.isoformat(), "names": ", ".join(inactive)}
            )
        if supervisor.pk not in active and supervisor.agency_id == agency.pk:
            errors.setdefault("supervisor", []).append(
                _("The supervisor was not employed on %(date)s.") % {"date": day.isoformat()}
            )
    if errors:
        raise ValidationError(errors)


def _validate_not_future(day: dt.date | None, today: dt.date | None) -> None:
    today = today or timezone.localdate()
    if day is not None and day > today:
        raise ValidationError({"date": [_("A session cannot be logged before it has happened.")]})


def _highest_rank(staff_ids: Iterable[int], day: dt.date) -> dict[int, int]:
    ranks: dict[int, int] = {}
    for staff_id, level in Qualification.objects.filter(
        staff_id__in=list(staff_ids), issued__lte=day
    ).values_list("staff_id", "level"):
        ranks[staff_id] = max(ranks.get(staff_id, 0), LEVEL_RANK.get(level, 0))
    return ranks


def session_warnings(*, session: SupervisionSession, attendees: list[Attendee]) -> list[str]:
    """Things to draw the supervisor's attention to without refusing the session.

    - the supervisor's certificate level (on the session date) is below a supervisee's;
    - another session led by the same supervisor overlaps this one in time.
    """
    warnings: list[str] = []
    ranks = _highest_rank([session.supervisor_id, *(a.staff.pk for a in attendees)], session.date)
    own = ranks.get(session.supervisor_id, 0)
    senior = [a.staff.name for a in attendees if ranks.get(a.staff.pk, 0) > own]
    if senior:
        warnings.append(
            _("The supervisor's certificate level is below that of %(names)s.") % {"names": ", ".join(senior)}
        )
    start = dt.datetime.combine(session.date, session.start_time)
    end = start + dt.timedelta(minutes=session.duration_minutes)
    others = SupervisionSession.objects.filter(
        supervisor_id=session.supervisor_id,
        date__gte=session.date - dt.timedelta(days=1),
        date__lte=session.date,
    ).exclude(pk=session.pk)
    for other in others.only("date", "start_time", "duration_minutes"):
        o_start = dt.datetime.combine(other.date, other.start_time)
        o_end = o_start + dt.timedelta(minutes=other.duration_minutes)
        if o_start < end and start < o_end:
            warnings.append(
                _("Overlaps another session of this supervisor (%(date)s %(time)s).")
                % {"date": other.date.isoformat(), "time": other.start_time.strftime("%H:%M")}
            )
    return warnings


def _sync_permissions(session: SupervisionSession, *, previous: Iterable = ()) -> None:
    """Grant the guardian object permissions of the people on the session; revoke removed ones."""
    supervisor_user = session.supervisor.user
    if supervisor_user is not None:
        grant_object_perm(supervisor_user, session, *SUPERVISOR_ACTIONS)
    current = set()
    for attendance in session.attendances.select_related("staff__user"):
        user = attendance.staff.user
        if user is None or user == supervisor_user:
            continue
        if attendance.present:
            grant_object_perm(user, session, *ATTENDEE_ACTIONS)
            current.add(user.pk)
    for user in previous:
        if user.pk not in current and user != supervisor_user:
            revoke_object_perm(user, session, *ATTENDEE_ACTIONS)


@transaction.atomic
def session_create(
    *,
    agency: Agency,
    user,
    supervisor: StaffMember,
    date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    attendees: Iterable,
    modality: str = "individual",
    format: str = "in_person",
    focus_areas: list[str] | None = None,
    cases_discussed: int = 0,
    case_refs: list[str] | None = None,
    notes: str = "",
    action_items: Iterable[dict] = (),
    today: dt.date | None = None,
) -> SupervisionSession:
    """Log a session, its attendance and action items, and grant who may read it.

    Refuses: future dates, durations outside 10 minutes–8 hours, self-supervision, attendees
    who are not staff of the agency employed on the date. Warnings (``session.warnings``):
    lower certificate level than a supervisee, overlap with another session.
    """
    people = _as_attendees(attendees)
    session = SupervisionSession(
        agency=agency,
        supervisor=supervisor,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        modality=modality,
        format=format,
        focus_areas=list(focus_areas or []),
        cases_discussed=cases_discussed,
        case_refs=list(case_refs or []),
        notes=notes,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    errors: dict = {}
    for check in (
        lambda: session.full_clean(),
        lambda: _validate_not_future(date, today),
        lambda: _validate_people(agency=agency, supervisor=supervisor, attendees=people, day=date),
    ):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    session.save()
    for attendee in people:
        SessionAttendance.objects.create(
            agency=agency, session=session, staff=attendee.staff, present=attendee.present
        )
    for item in action_items:
        action_item_create(session=session, **item)
    _sync_permissions(session)
    session.warnings = session_warnings(session=session, attendees=[a for a in people if a.present])
    return session


def _check_unlocked(session: SupervisionSession) -> None:
    if session.is_locked:
        raise ValidationError(
            _(
                "Every supervisee has acknowledged this session, so it is locked: record an amendment with a reason."
            )
        )


@transaction.atomic
def session_update(
    *,
    session: SupervisionSession,
    user,
    attendees: Iterable | None = None,
    today: dt.date | None = None,
    **fields,
) -> SupervisionSession:
    """Edit a session that is not yet locked. Any change clears earlier acknowledgements,
    since a supervisee acknowledges what the record says."""
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    _check_unlocked(session)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    changed = False
    for name, value in fields.items():
        if getattr(session, name) != value:
            setattr(session, name, value)
            changed = True
    people = _as_attendees(attendees) if attendees is not None else None
    errors: dict = {}
    for check in (
        lambda: session.full_clean(),
        lambda: _validate_not_future(session.date, today),
        lambda: _validate_people(
            agency=session.agency,
            supervisor=session.supervisor,
            attendees=people
            if people is not None
            else [Attendee(a.staff, a.present) for a in session.attendances.select_related("staff")],
            day=session.date,
        ),
    ):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    session.save()
    if people is not None:
        previous_users = [
            a.staff.user for a in session.attendances.select_related("staff__user") if a.staff.user
        ]
        existing = {a.staff_id: a for a in session.attendances.all()}
        wanted = {a.staff.pk: a for a in people}
        for staff_id, attendance in existing.items():
            if staff_id not in wanted:
                attendance.delete()
                changed = True
        for staff_id, attendee in wanted.items():
            attendance = existing.get(staff_id)
            if attendance is None:
                SessionAttendance.objects.create(
                    agency=session.agency, session=session, staff=attendee.staff, present=attendee.present
                )
                changed = True
            elif attendance.present != attendee.present:
                attendance.present = attendee.present
                attendance.acknowledged_at = None
                attendance.save()
                changed = True
        _sync_permissions(session, previous=previous_users)
    if changed:
        for attendance in session.attendances.filter(acknowledged_at__isnull=False):
            attendance.acknowledged_at = None
            attendance.save(update_fields=["acknowledged_at"])
    present = [Attendee(a.staff, True) for a in session.attendances.select_related("staff") if a.present]
    session.warnings = session_warnings(session=session, attendees=present)
    return session


@transaction.atomic
def session_acknowledge(*, session: SupervisionSession, user) -> SupervisionSession:
    """The logged-in supervisee confirms the session record; the last one locks it."""
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    attendance = session.attendances.filter(staff__user=user, present=True).first()
    if attendance is None:
        raise ValidationError(_("Only a supervisee who was present can acknowledge this session."))
    if attendance.acknowledged_at is None:
        attendance.acknowledged_at = timezone.now()
        attendance.save(update_fields=["acknowledged_at"])
    pending = session.attendances.filter(present=True, acknowledged_at__isnull=True).exists()
    if not pending and session.locked_at is None:
        session.locked_at = timezone.now()
        session.save(update_fields=["locked_at"])
    return session


def _jsonable(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


@transaction.atomic
def session_amend(*, session: SupervisionSession, user, reason: str, **changes) -> SessionAmendment:
    """Correct a locked session: the original values are kept in the amendment with the reason."""
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_locked:
        raise ValidationError(_("This session is not locked yet: edit it directly."))
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"not amendable: {', '.join(sorted(unknown))}")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the amendment.")]})
    before, after = {}, {}
    for name, value in changes.items():
        old = getattr(session, name)
        if old != value:
            before[name] = _jsonable(old)
            after[name] = _jsonable(value)
            setattr(session, name, value)
    if not after:
        raise ValidationError(_("The amendment changes nothing."))
    session.full_clean()
    _validate_not_future(session.date, None)
    session.save()
    amendment = SessionAmendment(
        agency=session.agency,
        session=session,
        reason=reason.strip(),
        before=before,
        after=after,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    amendment.full_clean()
    amendment.save()
    return amendment


def session_notes_read(*, session: SupervisionSession, user, channel: str) -> SensitiveRead:
    """Record that ``user`` read the confidential notes of ``session`` (page, form, api, report)."""
    return sensitive_read_record(obj=session, user=user, channel=channel)


def action_items_read(*, items, user, channel: str) -> None:
    """Record that ``user`` read the text of ``items`` (action items are confidential: each
    is a step agreed in a session's notes), one row each, in one statement; none for no items."""
    if items:
        sensitive_reads_record(objs=items, user=user, channel=channel)


def action_item_owners(session: SupervisionSession):
    """Who may own an action item of ``session``: its supervisor and the supervisees who were
    present, the people who may read it (an item is as confidential as the notes)."""
    present = session.attendances.filter(present=True).values("staff_id")
    return StaffMember.objects.filter(agency_id=session.agency_id).filter(
        Q(pk=session.supervisor_id) | Q(pk__in=present)
    )


def _check_owner(session: SupervisionSession, owner: StaffMember | None) -> None:
    if owner is None:
        return
    if owner.agency_id != session.agency_id:
        raise ValidationError({"owner": [_("The owner must work for this agency.")]})
    if not action_item_owners(session).filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": [
                    _(
                        "%(name)s was not present at this session and may not read it: the owner of "
                        "an action item is the supervisor or a supervisee who was present."
                    )
                    % {"name": owner.name}
                ]
            }
        )


def action_item_create(
    *,
    session: SupervisionSession,
    text: str,
    owner: StaffMember | None = None,
    due_date: dt.date | None = None,
) -> ActionItem:
    """Add an action item to a session (allowed after locking: follow-up is not the record)."""
    _check_owner(session, owner)
    item = ActionItem(agency_id=session.agency_id, session=session, text=text, owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    return item


def action_item_set_done(*, item: ActionItem, done: bool) -> ActionItem:
    """Mark an action item done (or open again)."""
    item.done = done
    item.done_at = timezone.now() if done else None
    item.full_clean()
    item.save(update_fields=["done", "done_at"])
    return item


_UNSET: Any = object()


@transaction.atomic
def action_item_update(
    *,
    item: ActionItem,
    text: str = _UNSET,
    owner: StaffMember | None = _UNSET,
    due_date: dt.date | None = _UNSET,
    done: bool = _UNSET,
) -> ActionItem:
    """Change an action item's text, owner or due date, and mark it done or open (what is given)."""
    if owner is not _UNSET:
        _check_owner(item.session, owner)
    for name, value in (("text", text), ("owner", owner), ("due_date", due_date)):
        if value is not _UNSET:
            setattr(item, name, value)
    if done is not _UNSET and done != item.done:
        item.done = done
        item.done_at = timezone.now() if done else None
    item.full_clean()
    item.save()
    return item


def plan_create(
    *,
    agency: Agency,
    supervisee: StaffMember,
    supervisor: StaffMember,
    start: dt.date,
    end: dt.date | None = None,
    required_minutes: int = 120,
    required_individual_minutes: int = 60,
) -> SupervisionPlan:
    """Set who supervises a supervisee, and how much per month, from ``start``."""
    if supervisee.agency_id != agency.pk or supervisor.agency_id != agency.pk:
        raise ValidationError(_("Supervisor and supervisee must work for this agency."))
    plan = SupervisionPlan(
        agency=agency,
        supervisee=supervisee,
        supervisor=supervisor,
        start=start,
        end=end,
        required_minutes=required_minutes,
        required_individual_minutes=required_individual_minutes,
    )
    plan.full_clean()
    plan.save()
    return plan


def plan_update(*, plan: SupervisionPlan, **fields) -> SupervisionPlan:
    """Change a plan's supervisor, requirement or dates."""
    allowed = {"supervisee", "supervisor", "start", "end", "required_minutes", "required_individual_minutes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.supervisee.agency_id != plan.agency_id or plan.supervisor.agency_id != plan.agency_id:
        raise ValidationError(_("Supervisor and supervisee must work for this agency."))
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_end(*, plan: SupervisionPlan, end: dt.date) -> SupervisionPlan:
    """End a plan on ``end`` (its last day): the months it covered keep their requirement.

    A plan is never deleted: past compliance figures are computed from it, so a supervision
    arrangement that stops is ended, and a new plan starts after it when it changes.
    """
    plan = SupervisionPlan.objects.select_for_update().get(pk=plan.pk)
    plan.end = end
    plan.full_clean()
    plan.save()
    return plan


def session_permissions_resync_for_staff(*, staff: StaffMember) -> int:
    """Re-grant session permissions after a login is linked to (or unlinked from) ``staff``.

    Permissions are per user, so sessions logged before the link would otherwise stay hidden
    from the person who attended or led them. Returns the number of sessions re-synced.
    """
    sessions = (
        SupervisionSession.objects.filter(agency_id=staff.agency_id)
        .filter(Q(supervisor=staff) | Q(attendances__staff=staff))
        .distinct()
    )
    count = 0
    for session in sessions.select_related("supervisor__user"):
        _sync_permissions(session)
        count += 1
    return count
