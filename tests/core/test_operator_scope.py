"""TenantQuerySet.for_user: ``user=None`` is the operator at the command line acting for one agency."""

import pytest

from staff.models import StaffMember

pytestmark = pytest.mark.django_db


def test_the_operator_sees_every_row_of_the_agency_named_and_nothing_of_another(
    agency, supervisor_member, staff_member, other_staff_member, outsider_member
):
    assert set(StaffMember.objects.for_user(None, agency=agency)) == {
        supervisor_member,
        staff_member,
        other_staff_member,
    }
    assert set(StaffMember.objects.for_user(None, agency=outsider_member.agency)) == {outsider_member}


def test_without_an_agency_the_operator_sees_nothing(staff_member):
    assert list(StaffMember.objects.for_user(None)) == []


def test_a_user_keeps_their_role_rules_and_never_reads_another_agency_through_the_argument(
    agency, staff_user, staff_member, other_staff_member, outsider_member
):
    assert list(StaffMember.objects.for_user(staff_user, agency=agency)) == [staff_member]
    assert list(StaffMember.objects.for_user(staff_user)) == [staff_member]
    assert list(StaffMember.objects.for_user(staff_user, agency=outsider_member.agency)) == []
