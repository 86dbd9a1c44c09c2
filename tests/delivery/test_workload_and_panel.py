"""The workload view per person and month, and the director's panel of targets behind pace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

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
    today = timezone.localdate()
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


def _workload(client, query=""):
    return client.get(reverse("delivery-workload") + query)


def test_the_workload_page_shows_one_month_of_a_year_when_asked(march, director, login_client):
    page = _workload(login_client(director), "?year=2025&month=3")
    assert [(r.month, r.staff_no, r.minutes) for r in page.context["rows"]] == [
        ("2025-03", "S200", 150),
        ("2025-03", "S300", 45),
    ]
    assert page.context["total"] == 2
    assert "Workload in 2025-03" in page.content.decode()


def test_a_year_without_a_month_is_the_whole_year(march, director, login_client):
    page = _workload(login_client(director), "?year=2025")
    assert [(r.month, r.staff_no) for r in page.context["rows"]] == [
        ("2025-03", "S200"),
        ("2025-03", "S300"),
        ("2025-04", "S200"),
    ]
    assert "Workload in 2025</h1>" in page.content.decode()


def test_a_first_visit_shows_this_years_running_month(director, staff_member, targets, login_client):
    today = timezone.localdate()
    ActivityFactory(target=targets["HV"], staff=staff_member, date=today.replace(day=1), duration_minutes=40)
    page = _workload(login_client(director))
    assert (page.context["year"], page.context["month"]) == (today.year, today.month)
    assert [(r.month, r.minutes) for r in page.context["rows"]] == [(f"{today:%Y-%m}", 40)]


def test_the_workload_page_sorts_by_minutes_or_by_least_supervision(march, director, login_client):
    client = login_client(director)
    by_minutes = _workload(client, "?year=2025&month=3&sort=minutes").context["rows"]
    assert [r.staff_no for r in by_minutes] == ["S200", "S300"]
    least_supervised = _workload(client, "?year=2025&month=3&sort=supervision").context["rows"]
    assert [(r.staff_no, r.supervision_minutes) for r in least_supervised] == [("S300", 0), ("S200", 90)]


def test_the_workload_page_draws_a_hundred_rows_a_page(agency, director, targets, login_client):
    from tests.factories import StaffMemberFactory

    for i in range(101):
        worker = StaffMemberFactory(agency=agency, staff_no=f"W{i:03d}")
        ActivityFactory(target=targets["HV"], staff=worker, date=dt.date(2025, 5, 6), duration_minutes=30)
    client = login_client(director)
    first = _workload(client, "?year=2025&month=5")
    assert (len(first.context["rows"]), first.context["total"]) == (100, 101)
    html = first.content.decode()
    assert "101 rows (a person in a month)." in html
    assert 'href="?year=2025&amp;month=5&amp;page=2"' in html
    second = _workload(client, "?year=2025&month=5&page=2")
    assert [r.staff_no for r in second.context["rows"]] == ["W100"]


@pytest.mark.parametrize(
    "query", ["?year=99999", "?year=abc", "?year=2025&month=13", "?year=2025&sort=salary"]
)
def test_a_bad_workload_choice_is_told_and_this_month_shown(march, director, login_client, query):
    page = _workload(login_client(director), query)
    assert page.status_code == 200
    today = timezone.localdate()
    assert (page.context["year"], page.context["month"]) == (today.year, today.month)
    html = page.content.decode()
    assert '<p class="error" role="alert">' in html and "Showing this month instead." in html


def test_a_first_visit_early_in_a_month_with_nothing_yet_shows_the_month_before(
    director, staff_member, targets, login_client
):
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    ActivityFactory(target=targets["HV"], staff=staff_member, date=last, duration_minutes=25)
    page = _workload(login_client(director))
    assert (page.context["year"], page.context["month"]) == (last.year, last.month)
    assert [(r.month, r.minutes) for r in page.context["rows"]] == [(f"{last:%Y-%m}", 25)]


def test_a_month_asked_for_with_nothing_in_it_says_so(march, director, login_client):
    page = _workload(login_client(director), "?year=2025&month=7")
    assert page.context["rows"] == []
    assert "Nothing recorded in this month." in page.content.decode()
