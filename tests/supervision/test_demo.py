"""The supervision demo seeder: plans, sessions in both agencies, and its fallbacks."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from core.demo import DemoContext
from supervision import demo
from supervision.models import ActionItem, SupervisionPlan, SupervisionSession
from supervision.selectors import compliance_rows
from tests.factories import SpellFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_the_demo_supervisor_supervises_the_demo_staff_and_sessions_exist_in_both_agencies(
    agency, outsider_agency, supervisor_member, staff_member, other_staff_member, outsider_member
):
    SupervisionPlan.objects.all().delete()
    colleague = StaffMemberFactory(agency=outsider_agency, staff_no="S201", name="Outsider Colleague")
    SpellFactory(staff=colleague, hire_date=dt.date(2020, 1, 1))
    ctx = DemoContext(
        agency=agency,
        outsider_agency=outsider_agency,
        users={},
        today=dt.date(2026, 11, 28),
        rng=random.Random(1),
        log=lambda msg: None,
        shared={"supervisor_member": supervisor_member, "staff_member": staff_member},
    )
    demo.seed(ctx)
    assert SupervisionPlan.objects.filter(supervisor=supervisor_member, supervisee=staff_member).exists()
    assert SupervisionSession.objects.filter(agency=agency).count() > 20
    assert SupervisionSession.objects.filter(agency=outsider_agency).count() > 0
    assert SupervisionSession.objects.filter(agency=agency, locked_at__isnull=True).exists()
    statuses = {r["status"] for r in compliance_rows(agency=agency, year=2025, today=ctx.today)}
    assert statuses == {"met", "short"}
    assert ActionItem.objects.filter(agency=agency).exists()


def test_the_demo_seeder_falls_back_to_agency_staff_without_shared_records(
    agency, outsider_agency, supervisor_member, other_staff_member
):
    ctx = DemoContext(
        agency=agency,
        outsider_agency=outsider_agency,
        users={},
        today=dt.date(2026, 11, 28),
        log=lambda m: None,
    )
    demo.seed(ctx)
    assert SupervisionSession.objects.filter(agency=agency, supervisor=supervisor_member).exists()
