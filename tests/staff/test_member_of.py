"""One lookup from a login to its staff record, and one visible-supervisee rule (from supervision)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from staff.models import StaffMember, member_of, own_and_supervisee_ids, supervisee_ids
from supervision import selectors as supervision_selectors
from training.models import TrainingEvent, TrainingRecord

pytestmark = pytest.mark.django_db


def test_a_login_finds_its_own_staff_record_once_per_request(
    staff_user, staff_member, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert member_of(staff_user) == staff_member
        assert member_of(staff_user) == staff_member


def test_logins_without_a_staff_record_and_anonymous_visitors_have_none(director, finance):
    assert member_of(director) is None
    assert member_of(AnonymousUser()) is None
    assert member_of(None) is None


def test_a_staff_record_of_another_agency_is_not_the_logins(staff_user, staff_member, outsider_agency):
    StaffMember.objects.filter(pk=staff_member.pk).update(agency=outsider_agency)
    assert member_of(staff_user) is None


def test_a_supervisor_sees_the_supervisees_of_their_plans_by_the_rule_supervision_registered(
    supervisor, supervisor_member, staff_member, other_staff_member, staff_user
):
    assert set(StaffMember.objects.filter(pk__in=supervisee_ids(supervisor))) == {staff_member}
    assert list(StaffMember.objects.filter(pk__in=supervisee_ids(staff_user))) == []


def test_own_and_supervisee_ids_are_the_login_s_record_and_for_a_supervisor_the_supervisees_in_one_union(
    supervisor, supervisor_member, staff_member, other_staff_member, staff_user, director
):
    def ids(user, supervisees):
        return set(StaffMember.objects.filter(pk__in=own_and_supervisee_ids(user, supervisees=supervisees)))

    assert ids(supervisor, True) == {supervisor_member, staff_member}
    assert ids(supervisor, False) == {supervisor_member}
    assert ids(staff_user, True) == ids(staff_user, False) == {staff_member}
    assert ids(director, True) == set()  # no staff record, no plans
    # One UNION looked up by staff, not an OR across a join that reads every row.
    for model in (TrainingRecord, TrainingEvent):
        sql = str(model.objects.for_user(supervisor, "view").query)
        assert " UNION " in sql and " OR " not in sql, sql


def test_compliance_reports_cover_everyone_for_the_operator_and_directors_and_own_supervisees_otherwise(
    director, supervisor, staff_member, other_staff_member
):
    assert supervision_selectors.compliance_scope(None) is None
    assert supervision_selectors.compliance_scope(director) is None
    scope = supervision_selectors.compliance_scope(supervisor)
    assert list(StaffMember.objects.filter(pk__in=scope)) == [staff_member]
