"""The training demo seeder runs on a full demo agency and on one with almost no staff."""

from __future__ import annotations

import datetime as dt
import random

from core.demo import DemoContext
from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory
from training import demo
from training.compliance import compliance_rows
from training.models import RecordStatus, TrainingEvent, TrainingRecord


def _ctx(agency, outsider_agency, users):
    return DemoContext(
        agency=agency,
        outsider_agency=outsider_agency,
        users=users,
        today=dt.date(2025, 9, 1),
        rng=random.Random(1),
        log=lambda msg: None,
    )


def test_seeding_an_agency_without_staff_only_creates_events(agency, outsider_agency, director, outsider):
    demo.seed(_ctx(agency, outsider_agency, {"director": director, "outsider": outsider}))
    assert TrainingEvent.objects.filter(agency=agency).count() >= 30
    assert TrainingRecord.objects.count() == 0


def test_seeding_gives_pending_submissions_and_every_status(personas, agency, outsider_agency, staff_member):
    for i in range(8):
        member = StaffMemberFactory(agency=agency, staff_no=f"D{i}")
        SpellFactory(staff=member, hire_date=dt.date(2020, 1, 1))
        expires = [None, dt.date(2026, 1, 15), dt.date(2027, 6, 30), dt.date(2025, 11, 30)][i % 4]
        QualificationFactory(staff=member, issued=dt.date(2019, 5, 1 + i), registration_expires=expires)
    outsider_worker = StaffMemberFactory(agency=outsider_agency, staff_no="O1")
    SpellFactory(staff=outsider_worker, hire_date=dt.date(2020, 1, 1))
    demo.seed(_ctx(agency, outsider_agency, personas))
    assert TrainingRecord.objects.filter(agency=agency, status=RecordStatus.PENDING).count() >= 3
    assert TrainingRecord.objects.filter(agency=outsider_agency).exists()
    statuses = {row.status for row in compliance_rows(agency, dt.date(2025, 9, 1))}
    assert statuses == {"compliant", "overdue", "at_risk", "on_track"}
