"""Reads of the staff app: the roster as a user may see it, and the qualification picture.

Retention analytics live in ``staff.analytics`` (pandas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from core.models import Agency
from core.roles import Role, user_roles
from staff.models import (
    EXPIRY_WARNING_DAYS,
    LEVEL_RANK,
    EmploymentSpell,
    Qualification,
    QualificationLevel,
    StaffMember,
    supervisee_ids,
)
from staff.models import member_of as member_of  # the one user → staff member lookup, for every app


def staff_for(user, action: str = "view") -> QuerySet[StaffMember]:
    """The roster rows ``user`` may see, with the latest spell's dates annotated."""
    return StaffMember.objects.for_user(user, action).select_related("user").with_roster_dates()


def spells_for(user, action: str = "view") -> QuerySet[EmploymentSpell]:
    return EmploymentSpell.objects.for_user(user, action).select_related("staff")


def qualifications_for(user, action: str = "view") -> QuerySet[Qualification]:
    return Qualification.objects.for_user(user, action).select_related("staff", "verified_by")


def personal_scope(user) -> QuerySet[StaffMember]:
    """People whose employment history and qualifications ``user`` may read (even with none yet).

    The same rule as ``EmploymentSpell.restrict_queryset``: directors everyone, supervisors
    their supervisees and themselves, staff themselves, everyone else nobody.
    """
    qs = StaffMember.objects.for_user(user, "view")
    if not user.has_perm("staff.view_employmentspell"):
        return qs.none()
    roles = user_roles(user)
    if Role.DIRECTOR in roles:
        return qs
    if not roles & {Role.SUPERVISOR, Role.STAFF}:
        return qs.none()
    allowed = Q(user=user)
    if Role.SUPERVISOR in roles:
        allowed |= Q(pk__in=supervisee_ids(user))
    return qs.filter(allowed)


def profile_records(user, member: StaffMember) -> dict[str, Any]:
    """Spells and qualifications of ``member`` that ``user`` may see (None: not allowed at all)."""
    spells = qualifications = None
    if user.has_perm("staff.view_employmentspell"):
        spells = list(
            EmploymentSpell.objects.for_user(user, "view").filter(staff=member).order_by("-hire_date")
        )
    if user.has_perm("staff.view_qualification"):
        qualifications = list(
            Qualification.objects.for_user(user, "view")
            .filter(staff=member)
            .select_related("verified_by")
            .order_by("-issued")
        )
    allowed = personal_scope(user).filter(pk=member.pk).exists()
    return {
        "spells": spells if allowed else None,
        "qualifications": qualifications if allowed else None,
    }


def staff_with_records(qs: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Prefetch spells and qualifications (for exports and the API detail)."""
    return qs.prefetch_related(
        Prefetch("spells", queryset=EmploymentSpell.objects.order_by("hire_date")),
        Prefetch("qualifications", queryset=Qualification.objects.order_by("-issued")),
    )


def active_on(qs: QuerySet[StaffMember], day: dt.date) -> QuerySet[StaffMember]:
    """People with a spell active on ``day``."""
    active = EmploymentSpell.objects.filter(staff=OuterRef("pk"), hire_date__lte=day).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=day)
    )
    return qs.filter(Exists(active))


def employed_periods(
    spells: Iterable[tuple[int, dt.date, dt.date | None]],
) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Each person's ``(staff_id, hire_date, exit_date)`` spells joined into the periods they
    were employed without a day's break: a spell that starts the day after another ends (a
    contract renewed, a change of employment type) continues it. ``None`` is an open end.

    A month (or any span) was worked whole when one period covers it, although no single
    spell may."""
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for staff_id, hire, leave in sorted(spells, key=lambda spell: (spell[0], spell[1])):
        joined = periods.setdefault(staff_id, [])
        if joined:
            start, end = joined[-1]
            if end is None or hire <= end + dt.timedelta(days=1):
                joined[-1] = (start, None if end is None or leave is None else max(end, leave))
                continue
        joined.append((hire, leave))
    return periods


def qualification_summary(
    agency: Agency, as_of: dt.date, qualifications: QuerySet[Qualification] | None = None
) -> dict[str, Any]:
    """Certificate holders by level, registrations expiring within 90 days, and expired ones.

    Counted over people employed on ``as_of`` (any employment type) and certificates issued
    on or before it. A person is counted once, at their highest level; ``other`` counts
    people holding only other qualifications. ``qualifications`` narrows the rows (a
    supervisor's view); by default every certificate of the agency.
    """
    qs = qualifications if qualifications is not None else Qualification.objects.filter(agency=agency)
    employed = active_on(StaffMember.objects.filter(agency=agency), as_of).values("pk")
    rows = list(
        qs.filter(agency=agency, staff_id__in=employed, issued__lte=as_of)
        .select_related("staff")
        .order_by("registration_expires", "staff__staff_no", "cert_no")
    )
    best: dict[int, str] = {}
    for q in rows:
        current = best.get(q.staff_id)
        if current is None or LEVEL_RANK.get(q.level, 0) > LEVEL_RANK.get(current, 0):
            best[q.staff_id] = q.level
    holders = {level: 0 for level in QualificationLevel.values}
    for level in best.values():
        holders[level] += 1

    def entry(q: Qualification) -> dict[str, Any]:
        return {
            "staff_no": q.staff.staff_no,
            "name": q.staff.name,
            "level": q.level,
            "cert_no": q.cert_no,
            "issued": q.issued.isoformat(),
            "registration_expires": q.registration_expires.isoformat(),
            "days_left": (q.registration_expires - as_of).days,
        }

    horizon = as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    dated = [q for q in rows if q.registration_expires is not None]
    return {
        "as_of": as_of.isoformat(),
        "holders_by_level": holders,
        "holders": sum(1 for level in best.values() if level in LEVEL_RANK),
        "expiring_within_90_days": [entry(q) for q in dated if as_of <= q.registration_expires <= horizon],
        "expired": [entry(q) for q in dated if q.registration_expires < as_of],
    }
