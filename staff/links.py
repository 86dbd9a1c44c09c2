"""The staff app's part in inviting a person: link the new login to their roster entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Agency, agency_of
from staff.models import StaffMember
from staff.services import staff_member_update


def unlinked_staff_choices(agency: Agency) -> list[tuple[str, str]]:
    """Roster entries of ``agency`` that have no login yet, as (pk, "S001 name") choices."""
    rows = (
        StaffMember.objects.filter(agency=agency, user__isnull=True)
        .order_by("staff_no")
        .values_list("pk", "staff_no", "name")
    )
    return [(str(pk), f"{staff_no} {name}") for pk, staff_no, name in rows]


def link_staff_record(*, user: Any, value: str, by: Any = None) -> None:
    """Make ``value`` (a staff record of the user's agency without a login) the user's own record."""
    member = StaffMember.objects.filter(agency=agency_of(user), pk=value, user__isnull=True).first()
    if member is None:
        raise ValidationError(
            {"staff_record": _("Choose a staff record of your agency that has no login yet.")}
        )
    staff_member_update(member=member, by=by, user=user)
