"""The large demo data set (overview/demo.py ``seed_large``, each app's ``demo.seed_large``) at a
tiny scale: exact counts and every rule kept."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum

from core.demo import DemoContext
from core.models import Agency
from delivery.models import ServiceActivity
from finance.demo import large_contract_sizes
from finance.models import Expenditure, StaffAssignment
from overview import demo
from training.models import TrainingEvent, TrainingRecord

TODAY = dt.date(2025, 6, 30)
WINDOW_END = dt.date(2025, 5, 31)
SCALE = 0.005  # 25 staff, 1,000 training records, 500 sessions, 5,000 ledger rows


@pytest.fixture
def large(db):
    ctx = DemoContext(
        agency=None, outsider_agency=None, users={}, size="large", today=TODAY, log=lambda m: None
    )
    counts = demo.seed_large(ctx, scale=SCALE, password="demo-pass-2025")
    return Agency.objects.get(slug=demo.LARGE_SLUG), counts


def test_planned_counts_scale_the_full_size_with_a_floor_of_twenty_staff():
    assert demo.planned_counts(1.0) == {
        "staff": 5_000,
        "training_records": 200_000,
        "sessions": 100_000,
        "contracts": 20,
        "expenditures": 1_000_000,
    }
    assert demo.planned_counts(0.001)["staff"] == 20
    assert demo.planned_counts(0.001)["expenditures"] == 1_000


def test_contract_sizes_add_up_and_the_latest_contract_is_the_largest():
    sizes = large_contract_sizes(1_000_000, 20)
    assert sum(sizes) == 1_000_000
    assert sizes[-1] == 150_000
    assert max(sizes[:-1]) == 44_737


def test_the_large_agency_has_exactly_the_planned_number_of_records(large):
    from finance.models import Contract, Expenditure
    from staff.models import StaffMember
    from supervision.models import SupervisionSession
    from training.models import TrainingRecord

    agency, counts = large
    assert counts == {
        "staff": 25,
        "training_records": 1_000,
        "sessions": 500,
        "contracts": 20,
        "expenditures": 5_000,
    }
    assert StaffMember.objects.filter(agency=agency).count() == 25
    assert TrainingRecord.objects.filter(agency=agency).count() == 1_000
    assert SupervisionSession.objects.filter(agency=agency).count() == 500
    assert Contract.objects.filter(agency=agency).count() == 20
    assert Expenditure.objects.filter(agency=agency).count() == 5_000
    latest = Contract.objects.filter(agency=agency).order_by("-start", "-code").first()
    assert latest.expenditures.count() == 750


def _check_no_person_has_overlapping_spells_and_certificate_numbers_are_unique(large):
    from staff.models import EmploymentSpell, Qualification

    agency, _counts = large
    spells = list(EmploymentSpell.objects.filter(agency=agency).order_by("staff_id", "hire_date"))
    for before, after in itertools.pairwise(spells):
        if before.staff_id == after.staff_id:
            assert before.exit_date is not None and before.exit_date < after.hire_date
    assert all(s.exit_date is None or (s.exit_date >= s.hire_date and s.exit_reason) for s in spells)
    certs = Qualification.objects.filter(agency=agency)
    assert certs.count() == certs.values("cert_no").distinct().count() > 0


def _check_training_records_are_unique_per_person_date_and_title_and_within_event_hours(large):
    from training.models import TrainingRecord

    agency, _counts = large
    records = TrainingRecord.objects.filter(agency=agency).exclude(status="rejected")
    duplicates = records.values("staff", "date", "title").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    attended = TrainingRecord.objects.filter(agency=agency, event__isnull=False).select_related("event")
    assert attended.exists()
    assert all(r.hours <= r.event.hours and r.date == r.event.end_date for r in attended)
    assert (
        not TrainingRecord.objects.filter(agency=agency).filter(Q(hours__lte=0) | Q(hours__gt=200)).exists()
    )


def _check_every_attendee_is_under_a_plan_with_the_session_supervisor_on_the_day(large):
    from supervision.models import SessionAttendance, SupervisionPlan

    agency, _counts = large
    plans: dict[tuple[int, int], list] = {}
    for plan in SupervisionPlan.objects.filter(agency=agency):
        plans.setdefault((plan.supervisor_id, plan.supervisee_id), []).append(plan)
        assert plan.supervisor_id != plan.supervisee_id
    rows = SessionAttendance.objects.filter(agency=agency).select_related("session")
    for row in rows:
        session = row.session
        covering = [
            p
            for p in plans.get((session.supervisor_id, row.staff_id), [])
            if p.start <= session.date and (p.end is None or p.end >= session.date)
        ]
        assert covering, (session.pk, row.staff_id)
        assert 10 <= session.duration_minutes <= 480
        assert session.date <= TODAY
        assert row.acknowledged_at is None or row.present


def _check_no_budget_line_or_contract_is_overspent_and_vouchers_are_unique(large):
    from finance.models import BudgetLine, Contract, Expenditure

    agency, _counts = large
    for line in BudgetLine.objects.filter(agency=agency).annotate(
        spent=Sum("expenditures__amount", filter=Q(expenditures__status="posted"))
    ):
        assert (line.spent or Decimal(0)) <= line.approved_amount
    for contract in Contract.objects.filter(agency=agency):
        lines = contract.budget_lines.aggregate(total=Sum("amount"))["total"]
        assert lines == contract.total
        rows = contract.expenditures.all()
        assert rows.filter(Q(date__lt=contract.start) | Q(date__gt=contract.end)).count() == 0
        # Nothing is dated after the demo's data window (the end of last month, TODAY - its day).
        assert not rows.filter(Q(date__gt=WINDOW_END) | Q(posted_on__gt=WINDOW_END)).exists()
        assert rows.values("voucher_no").distinct().count() == rows.count()
    assert not Expenditure.objects.filter(agency=agency, amount=0).exists()
    # The last ten years up to this one; only this year's contracts are live.
    contracts = Contract.objects.filter(agency=agency)
    assert sorted({c.start.year for c in contracts}) == list(range(TODAY.year - 9, TODAY.year + 1))
    assert {c.start.year for c in contracts.filter(status="active")} == {TODAY.year}
    from delivery.models import ServiceActivity

    assert ServiceActivity.objects.filter(agency=agency).exists()
    assert not ServiceActivity.objects.filter(agency=agency, date__gt=WINDOW_END).exists()


def _check_the_provincial_logins_see_their_own_part_of_the_data(large):
    from django.contrib.auth import get_user_model

    from finance.models import Contract
    from supervision.models import SupervisionSession
    from training.models import TrainingRecord

    del large  # the users are enough here
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="prov_")}
    assert sorted(users) == ["prov_auditor", "prov_director", "prov_finance", "prov_staff", "prov_supervisor"]
    assert users["prov_director"].check_password("demo-pass-2025")
    staff_user, supervisor = users["prov_staff"], users["prov_supervisor"]
    own = SupervisionSession.objects.for_user(staff_user, "view")
    assert own.exists()
    assert not own.exclude(attendances__staff__user=staff_user).exists()
    led = SupervisionSession.objects.for_user(supervisor, "view")
    assert led.count() == SupervisionSession.objects.filter(supervisor__user=supervisor).count() > 0
    assert led.filter(attendances__staff__user=staff_user).exists()
    assert TrainingRecord.objects.for_user(staff_user, "view").count() == (
        TrainingRecord.objects.filter(staff__user=staff_user).count()
    )
    assert Contract.objects.for_user(users["prov_auditor"], "view").count() == 1
    assert Contract.objects.for_user(users["prov_director"], "view").count() == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_every_table_the_large_set_writes_has_statistics_for_the_planner(large):
    """A table never analysed is planned as if empty (autovacuum may be off or late): the
    training events and the service records once were, and a supervisor's events took 1.9 s."""
    tables = [
        model._meta.db_table
        for model in (TrainingEvent, TrainingRecord, ServiceActivity, StaffAssignment, Expenditure)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [tables])
        reltuples = dict(cursor.fetchall())
    assert set(reltuples) == set(tables)
    assert all(reltuples[table] > 0 for table in tables), reltuples


def test_the_large_set_is_created_once(large):
    ctx = DemoContext(agency=None, outsider_agency=None, users={}, today=TODAY, log=lambda m: None)
    with pytest.raises(ValueError, match="already exists"):
        demo.seed_large(ctx, scale=SCALE)


def test_the_generated_records_keep_every_rule_and_the_logins_see_their_part(large):
    # One seeded agency for all the checks: seeding is the slow part.
    _check_no_person_has_overlapping_spells_and_certificate_numbers_are_unique(large)
    _check_training_records_are_unique_per_person_date_and_title_and_within_event_hours(large)
    _check_every_attendee_is_under_a_plan_with_the_session_supervisor_on_the_day(large)
    _check_no_budget_line_or_contract_is_overspent_and_vouchers_are_unique(large)
    _check_the_provincial_logins_see_their_own_part_of_the_data(large)


def test_seed_demo_large_seeds_the_small_demo_then_the_provincial_agency_once(db, monkeypatch, settings):
    from django.contrib.auth import get_user_model

    from staff.models import StaffMember

    settings.DEBUG = True
    tiny = {"staff": 20, "training_records": 200, "sessions": 100, "contracts": 20, "expenditures": 1000}
    monkeypatch.setattr(demo, "FULL_SIZE", tiny)
    result = demo.seed(size="large", password="demo-pass-2025", log=lambda m: None)
    assert {"director", "prov_director", "prov_staff"} <= set(result["users"])
    assert StaffMember.objects.filter(agency__slug=demo.DEMO_SLUG).count() == 25  # the small demo
    assert StaffMember.objects.filter(agency__slug=demo.LARGE_SLUG).count() == 20

    again = demo.seed(size="large", password="another-pass-2025", log=lambda m: None)
    assert again["created"] is False
    assert StaffMember.objects.filter(agency__slug=demo.LARGE_SLUG).count() == 20
    assert get_user_model().objects.get(username="prov_finance").check_password("another-pass-2025")
