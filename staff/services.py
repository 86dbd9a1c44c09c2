"""Writes of the staff app: people, employment spells and qualifications.

Every function validates with ``full_clean()`` (the model and its constraints are the single
source of the rules) and writes inside a transaction; django-simple-history records who
changed what (the request's user, or ``by`` when given).

A write that changes what the flag rules read of people (a staff number or name, a spell's
hire or exit date, a spell added or removed) is published (``core.people_changes``): the apps
above staff scan again the contracts whose findings it may change. Read from the database before
the write, whatever the caller's instance holds (a model form has already changed it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Agency
from core.people_changes import people_changed_publish, people_changes_collected
from staff.models import EmploymentSpell, Qualification, StaffMember

STAFF_FIELDS = (
    "staff_no",
    "name",
    "phone",
    "email",
    "position",
    "employment_type",
    "education",
    "sw_degree",
    "user",
)
SPELL_FIELDS = ("hire_date", "exit_date", "exit_reason", "exit_notes", "position", "employment_type")
QUALIFICATION_FIELDS = ("level", "kind", "cert_no", "issued", "registration_expires", "scan")


def _assign(obj: Any, allowed: tuple[str, ...], fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)


def _save(obj: Any, by: Any = None) -> None:
    if by is not None:
        obj._history_user = by
    obj.full_clean()
    obj.save()


@transaction.atomic
def staff_member_create(
    *, agency: Agency, by: Any = None, hire_date: dt.date | None = None, **fields: Any
) -> StaffMember:
    """Add a person to the agency's roster; with ``hire_date``, also their first employment spell
    (of the person's position and employment type), in the same transaction."""
    with people_changes_collected():
        member = StaffMember(agency=agency)
        _assign(member, STAFF_FIELDS, fields)
        _save(member, by)
        people_changed_publish(agency=agency, names=[member.name], by=by)
        if hire_date is not None:
            spell_create(staff=member, by=by, hire_date=hire_date)
    return member


@transaction.atomic
def staff_member_update(*, member: StaffMember, by: Any = None, **fields: Any) -> StaffMember:
    """Change a person's roster fields (staff number, name, contact, position...)."""
    before = StaffMember.objects.filter(pk=member.pk).values_list("staff_no", "name").first()
    _assign(member, STAFF_FIELDS, fields)
    _save(member, by)
    if before != (member.staff_no, member.name):
        people_changed_publish(
            agency=member.agency_id,
            identity=[member.pk],
            names=[before[1] if before else "", member.name],
            by=by,
        )
    return member


@transaction.atomic
def spell_create(*, staff: StaffMember, by: Any = None, **fields: Any) -> EmploymentSpell:
    """Record a period of employment (a hire, or a re-hire after leaving)."""
    spell = EmploymentSpell(
        agency_id=staff.agency_id,
        staff=staff,
        position=fields.pop("position", "") or staff.position,
        employment_type=fields.pop("employment_type", None) or staff.employment_type,
    )
    _assign(spell, SPELL_FIELDS, fields)
    _save(spell, by)
    people_changed_publish(agency=spell.agency_id, employment=[spell.staff_id], by=by)
    return spell


@transaction.atomic
def spell_update(*, spell: EmploymentSpell, by: Any = None, **fields: Any) -> EmploymentSpell:
    """Change a spell, e.g. record the exit with its reason and exit-interview notes."""
    before = EmploymentSpell.objects.filter(pk=spell.pk).values_list("hire_date", "exit_date").first()
    _assign(spell, SPELL_FIELDS, fields)
    _save(spell, by)
    if before != (spell.hire_date, spell.exit_date):
        people_changed_publish(agency=spell.agency_id, employment=[spell.staff_id], by=by)
    return spell


@transaction.atomic
def qualification_create(*, staff: StaffMember, by: Any = None, **fields: Any) -> Qualification:
    """Record a certificate a person holds; it starts unverified."""
    qualification = Qualification(agency_id=staff.agency_id, staff=staff)
    _assign(qualification, QUALIFICATION_FIELDS, fields)
    _save(qualification, by)
    return qualification


@transaction.atomic
def qualification_update(*, qualification: Qualification, by: Any = None, **fields: Any) -> Qualification:
    """Change a certificate; changing its number, level or dates clears the verification."""
    before = (
        qualification.level,
        qualification.cert_no,
        qualification.issued,
        qualification.registration_expires,
    )
    _assign(qualification, QUALIFICATION_FIELDS, fields)
    after = (
        qualification.level,
        qualification.cert_no,
        qualification.issued,
        qualification.registration_expires,
    )
    if before != after:
        qualification.verified_by = None
        qualification.verified_at = None
    _save(qualification, by)
    return qualification


@transaction.atomic
def qualification_verify(*, qualification: Qualification, by: Any) -> Qualification:
    """Record that ``by`` checked the certificate against the original (who and when)."""
    qualification.verified_by = by
    qualification.verified_at = timezone.now()
    _save(qualification, by)
    return qualification


def people_basis(*, staff_ids) -> dict[int, tuple]:
    """What the flag rules read of these people, as stored: id → (staff number, name, the
    (hire, exit) dates of their spells, in order). Two queries."""
    spells: dict[int, list] = {pk: [] for pk in staff_ids}
    for staff_id, hire, exit_date in (
        EmploymentSpell.objects.filter(staff_id__in=list(spells))
        .order_by("staff_id", "hire_date")
        .values_list("staff_id", "hire_date", "exit_date")
    ):
        spells[staff_id].append((hire, exit_date))
    return {
        pk: (staff_no, name, tuple(spells[pk]))
        for pk, staff_no, name in StaffMember.objects.filter(pk__in=list(spells)).values_list(
            "pk", "staff_no", "name"
        )
    }


def people_publish_change(
    *, agency, before: dict[int, tuple], after: dict[int, tuple], by: Any = None
) -> None:
    """Publish what changed between two ``people_basis`` of the same people (a write past the
    services: the admin), made by ``by``."""
    identity, names, employment = set(), set(), set()
    for pk in set(before) | set(after):
        old, new = before.get(pk), after.get(pk)
        if old == new:
            continue
        if old is None or new is None or old[:2] != new[:2]:
            names.update(value[1] for value in (old, new) if value is not None)
            if old is not None and new is not None:
                identity.add(pk)
        if old is not None and new is not None and old[2] != new[2]:
            employment.add(pk)
    people_changed_publish(agency=agency, identity=identity, names=names, employment=employment, by=by)


def staff_member_records(member: StaffMember) -> int:
    """How many records of any app refer to ``member`` (spells, certificates, training, sessions...).

    Read from the model relations rather than a list of apps, so staff knows no app above it.
    """
    count = 0
    for relation in member._meta.related_objects:
        if relation.one_to_one:
            count += relation.related_model._default_manager.filter(**{relation.field.name: member}).count()
        elif relation.one_to_many or relation.many_to_many:
            count += getattr(member, relation.get_accessor_name()).count()
    return count


@transaction.atomic
def staff_member_delete(*, member: StaffMember, by: Any = None) -> None:
    """Remove a person entered in error, before anything was recorded about them.

    A person with an employment spell, a certificate or any record of training, supervision
    or finance is part of the agency's history (retention, compliance, contracts): they are
    never deleted; their exit is recorded instead.
    """
    records = staff_member_records(member)
    if records:
        raise ValidationError(
            _(
                "%(name)s cannot be deleted: %(count)s records (employment history, certificates, "
                "training, supervision or finance) refer to this person. Record an exit date instead."
            )
            % {"name": member.name, "count": records}
        )
    if by is not None:
        member._history_user = by
    # Nothing refers to the person; their name may still be a payee's (PAYEE_IS_STAFF).
    people_changed_publish(agency=member.agency_id, names=[member.name], by=by)
    member.delete()
