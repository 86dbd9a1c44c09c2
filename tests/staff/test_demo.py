"""seed_demo's staff: realistic people, the demo logins linked, the outsider agency staffed."""

from __future__ import annotations

import pytest

from core.demo import DemoContext
from core.services import agency_create, member_create
from staff import demo
from staff.models import EmploymentSpell, Qualification, StaffMember

pytestmark = pytest.mark.django_db


def test_demo_staff_cover_every_case_the_director_should_see():
    agency = agency_create(name="信丰", slug="xf")
    outsider_agency = agency_create(name="安远", slug="ay")
    users = {
        name: member_create(agency=agency, username=name, password=None, roles=[role])
        for name, role in [("director", "director"), ("supervisor", "supervisor"), ("staff", "staff")]
    }
    users["outsider"] = member_create(
        agency=outsider_agency, username="outsider", password=None, roles=["director"]
    )
    ctx = DemoContext(agency=agency, outsider_agency=outsider_agency, users=users, log=lambda msg: None)
    demo.seed(ctx)

    assert StaffMember.objects.filter(agency=agency).count() == 25
    assert StaffMember.objects.filter(agency=outsider_agency).count() == 5
    assert ctx.shared["supervisor_member"].user == users["supervisor"]
    assert ctx.shared["staff_member"].user == users["staff"]
    spells = EmploymentSpell.objects.filter(agency=agency)
    assert spells.filter(employment_type="intern").exists()
    assert spells.filter(staff__staff_no="S003").count() == 2  # the re-hire
    assert len(set(spells.exclude(exit_reason="").values_list("exit_reason", flat=True))) >= 3
    levels = set(Qualification.objects.filter(agency=agency).values_list("level", flat=True))
    assert {"assistant_social_worker", "social_worker", "senior_social_worker"} <= levels
    today = ctx.today
    quals = Qualification.objects.filter(agency=agency)
    assert quals.filter(registration_expires__lt=today).exists()
    assert quals.filter(
        registration_expires__gte=today, registration_expires__lte=today.replace(year=today.year + 1)
    ).exists()
