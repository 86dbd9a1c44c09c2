"""The workload view per person and month, and the director's panel of targets behind pace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from delivery.selectors import workload, workload_staff
from supervision.models import SessionAttendance, SupervisionSession
from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.finance.factories import ContractFactory
from tests.training.factories import TrainingRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(targets, staff_member, other_staff_member, supervisor_member):
    for day, minutes in ((dt.date(2025, 3, 3), 60), (dt.date(2025, 3, 4), 90), (dt.date(2025, 4, 1), 30)):
        ActivityFactory(target=targets["HV"], staff=staff_member, date=day, duration_minutes=minutes)
    ActivityFactory(
        target=targets["HV"], staff=other_staff_member, date=dt.date(2025, 3, 3), duration_minutes=45
    )
    session = SupervisionSession.objects.create(
        agency=staff_member.agency, supervisor=supervisor_member, date=dt.date(2025, 3, 12),
        start_time=dt.time(9, 0), duration_minutes=90, modality="individual", format="in_person",
    )  # fmt: skip
    SessionAttendance.objects.create(agency=staff_member.agency, session=session, staff=staff_member)
    TrainingRecordFactory(staff=staff_member, date=dt.date(2025, 3, 20), hours=Decimal("6.5"))
    TrainingRecordFactory(
        staff=staff_member, date=dt.date(2025, 3, 21), hours=Decimal("2.0"), status="pending"
    )


def test_workload_counts_activities_minutes_supervision_and_training_per_month(march, director, staff_member):
    rows = {(r.staff_no, r.month): r for r in workload(workload_staff(director), year=2025)}
    march_row = rows[("S200", "2025-03")]
    assert (march_row.activities, march_row.minutes, march_row.supervision_minutes) == (2, 150, 90)
    assert march_row.training_hours == Decimal("6.5")
    assert (rows[("S200", "2025-04")].activities, rows[("S200", "2025-04")].minutes) == (1, 30)
    assert rows[("S300", "2025-03")].minutes == 45


def test_a_supervisor_sees_the_workload_of_their_own_supervisees_only(march, login_client, supervisor):
    page = login_client(supervisor).get(reverse("delivery-workload") + "?year=2025")
    assert page.status_code == 200
    assert {r.staff_no for r in page.context["rows"]} == {"S200"}


@pytest.mark.parametrize("persona", ["finance", "staff", "auditor"])
def test_the_workload_view_is_for_directors_and_supervisors_only(march, personas, login_client, persona):
    assert login_client(personas[persona]).get(reverse("delivery-workload")).status_code == 404


def test_the_outsider_director_sees_none_of_the_agencys_workload(march, login_client, outsider):
    page = login_client(outsider).get(reverse("delivery-workload") + "?year=2025")
    assert page.context["rows"] == []


def test_the_directors_panel_lists_running_targets_behind_pace(agency, login_client, director, staff_member):
    today = dt.date.today()
    contract = ContractFactory(
        agency=agency, code="NOW", start=today - dt.timedelta(days=100), end=today + dt.timedelta(days=265)
    )
    behind = TargetFactory(contract=contract, code="HV", name="入户探访", quantity=365)
    TargetFactory(contract=contract, code="OK", name="宣传活动", quantity=1)
    ActivityFactory(target=contract.targets.get(code="OK"), staff=staff_member, date=today)
    ActivityFactory(target=behind, staff=staff_member, date=today)
    page = login_client(director).get(reverse("home"))
    text = page.content.decode()
    assert "入户探访" in text
    assert "宣传活动" not in text
