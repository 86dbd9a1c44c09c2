from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import StaffMemberFactory
from tests.training.factories import TrainingEventFactory, TrainingRecordFactory
from training.models import RecordStatus


@pytest.fixture
def event(agency):
    return TrainingEventFactory(agency=agency, title="儿童保护实务", hours=Decimal("6.0"))


@pytest.fixture
def records(personas, supervisor_member, staff_member, other_staff_member, outsider_agency, event):
    """One pending record per person (supervisor, supervisee, other colleague, outsider)."""
    outsider_member = StaffMemberFactory(agency=outsider_agency, staff_no="S200")
    made = {}
    for key, member in [
        ("supervisor", supervisor_member),
        ("staff", staff_member),
        ("other", other_staff_member),
        ("outsider", outsider_member),
    ]:
        made[key] = TrainingRecordFactory(
            staff=member, date=dt.date(2025, 2, 1), title=f"外部课程 {key}", status=RecordStatus.PENDING
        )
    made["attended"] = TrainingRecordFactory(
        staff=staff_member, event=event, date=event.end_date, title=event.title, hours=Decimal("6.0")
    )
    return made
