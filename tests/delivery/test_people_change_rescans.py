"""A change of people data the delivery rules read scans the contracts it may change, at once.

Approved training hours per day (training app) and employment spells (staff app) are published
when they change (``core.people_changes``): a record approved, an approved record imported,
credited on a sign-in sheet or re-dated with its event, a spell given another exit date. The
contracts with an activity of the person (on that day, for training) are scanned once the change
commits, once per contract however many rows; a pending submission or a rejection queues
nothing; another agency's contracts never.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin

from core.models import Job
from finance.flags.services import flags_scan_contract
from finance.models import Contract, Flag
from staff.services import spell_update
from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.factories import UserFactory
from tests.finance.factories import ContractFactory
from tests.training.factories import TrainingEventFactory, TrainingRecordFactory
from training.importing import training_import
from training.models import RecordStatus, TrainingEvent, TrainingRecord
from training.services import attendance_record, event_update, record_approve, record_reject, record_submit

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = dt.date(2025, 3, 10), dt.date(2025, 3, 11)


def scans() -> list[tuple[str, str]]:
    codes = dict(Contract.objects.values_list("pk", "code"))
    return [
        (codes[job.params["contract"]], job.status)
        for job in Job.objects.filter(kind="finance.flags_scan").order_by("pk")
    ]


def flags(rule: str) -> list[tuple]:
    """Every flag of ``rule``: (pk, contract code, active, its activity numbers)."""
    return [
        (flag.pk, flag.contract.code, flag.active, sorted(flag.activity_links.values_list("activity__activity_no", flat=True)))
        for flag in Flag.objects.filter(rule=rule).select_related("contract").order_by("pk")
    ]  # fmt: skip


def visit(contract: Contract, member, day: dt.date, number: str) -> None:
    ActivityFactory(
        target=contract.targets.get(), staff=member, date=day, duration_minutes=60,
        case_code=f"XF-{number}", activity_no=number,
    )  # fmt: skip


@pytest.fixture
def services(
    agency, staff_member, other_staff_member, outsider_agency, outsider_member
) -> dict[str, Contract]:
    """D1: 李社工 (S200) visits on Monday and Tuesday 10-11 March 2025; D2: 王社工 (S300) on
    Monday; the other agency's X: its own S200 on Monday. Scanned: no flag."""
    contracts = {}
    for code, agency_of in (("D1", agency), ("D2", agency), ("X", outsider_agency)):
        contracts[code] = ContractFactory(agency=agency_of, code=code)
        TargetFactory(contract=contracts[code], code="HV")
    visit(contracts["D1"], staff_member, MONDAY, "D1-MON")
    visit(contracts["D1"], staff_member, TUESDAY, "D1-TUE")
    visit(contracts["D2"], other_staff_member, MONDAY, "D2-MON")
    visit(contracts["X"], outsider_member, MONDAY, "X-MON")
    for contract in contracts.values():
        flags_scan_contract(contract=contract)
    assert list(Flag.objects.values_list("rule", "contract__code")) == []
    return contracts


def test_approving_a_full_day_of_training_on_an_activity_day_raises_the_finding_at_once(
    services, staff_member, staff_user, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = record_submit(
            staff=staff_member, user=staff_user, date=MONDAY, title="督导培训", hours=Decimal("6")
        )
        other = record_submit(
            staff=staff_member, user=staff_user, date=TUESDAY, title="伦理", hours=Decimal("8")
        )
        record_reject(record=other, user=supervisor, note="无培训证明")
    assert scans() == []  # pending, then rejected: no approved hours changed

    with django_capture_on_commit_callbacks(execute=True):
        record_approve(record=record, user=supervisor)
    assert scans() == [("D1", "succeeded")]
    ((pk, *_),) = flags("ACTIVITY_DURING_TRAINING")
    assert flags("ACTIVITY_DURING_TRAINING") == [(pk, "D1", True, ["D1-MON"])]


def test_a_training_import_queues_one_scan_per_contract_with_activities_on_those_days(
    agency, services, director, django_capture_on_commit_callbacks
):
    text = (
        "staff_no,date,title,hours,provider,ce_eligible\n"
        "S200,2025-03-10,儿童保护实务,6,省社协,yes\n"
        "S200,2025-03-11,儿童保护实务(二),7,省社协,yes\n"
        "S300,2025-03-10,伦理培训,3.5,,\n"
        "S200,2025-03-20,个案管理,6,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = training_import(agency=agency, data=text.encode(), filename="training.csv", user=director)
    assert result.ok, result.error_lines()
    # Four rows: D1 (two days of 李社工's) and D2 (王社工's half day: scanned, no finding), once each.
    assert sorted(scans()) == [("D1", "succeeded"), ("D2", "succeeded")]
    assert sorted(flag[1:] for flag in flags("ACTIVITY_DURING_TRAINING")) == [
        ("D1", True, ["D1-MON"]),
        ("D1", True, ["D1-TUE"]),
    ]


def test_an_events_attendance_moved_onto_an_activity_day_raises_the_finding(
    agency, services, staff_member, director, django_capture_on_commit_callbacks
):
    event = TrainingEventFactory(
        agency=agency, start_date=dt.date(2025, 3, 20), end_date=dt.date(2025, 3, 20), hours=Decimal("6.0")
    )
    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(event=event, entries=[(staff_member, None)], user=director)
    assert scans() == []  # no activity on the 20th

    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, user=director, start_date=MONDAY, end_date=MONDAY)
    assert scans() == [("D1", "succeeded")]
    assert [flag[1:] for flag in flags("ACTIVITY_DURING_TRAINING")] == [("D1", True, ["D1-MON"])]
    # The scan is recorded as the director's, who moved the event.
    assert list(Job.objects.values_list("created_by__username", flat=True)) == [director.username]

    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, user=director, notes="签到表已归档")
    assert len(scans()) == 1


def test_ending_employment_before_an_activity_flags_it_at_once_and_restoring_resolves_the_same_flag(
    services, staff_member, director, django_capture_on_commit_callbacks
):
    spell = staff_member.spells.get()
    with django_capture_on_commit_callbacks(execute=True):
        spell_update(spell=spell, by=director, exit_date=MONDAY, exit_reason="career")
    assert scans() == [("D1", "succeeded")]
    ((pk, *_),) = flags("ACTIVITY_STAFF_NOT_EMPLOYED")
    assert flags("ACTIVITY_STAFF_NOT_EMPLOYED") == [(pk, "D1", True, ["D1-TUE"])]

    with django_capture_on_commit_callbacks(execute=True):
        spell_update(spell=spell, by=director, exit_date=None, exit_reason="")
    assert scans() == [("D1", "succeeded")] * 2
    assert flags("ACTIVITY_STAFF_NOT_EMPLOYED") == [(pk, "D1", False, ["D1-TUE"])]


def test_a_record_approved_in_the_admin_raises_the_finding_and_a_new_note_queues_nothing(
    services, staff_member, rf, django_capture_on_commit_callbacks
):
    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    record = TrainingRecordFactory(
        staff=staff_member, date=TUESDAY, hours=Decimal("6"), status=RecordStatus.PENDING
    )
    record.status = RecordStatus.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[TrainingRecord].save_model(request, record, form=None, change=True)
    assert scans() == [("D1", "succeeded")]
    assert [flag[1:] for flag in flags("ACTIVITY_DURING_TRAINING")] == [("D1", True, ["D1-TUE"])]

    record.review_note = "补录"
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[TrainingRecord].save_model(request, record, form=None, change=True)
    assert len(scans()) == 1


def test_an_event_redated_in_the_admin_moves_its_attendance_and_raises_the_finding(
    agency, services, staff_member, director, rf, django_capture_on_commit_callbacks
):
    """The admin saves a changed event through the service, as the event page does: the
    attendance records take its last day, and the contract with an activity that day is scanned
    at once, as the admin user's scan."""
    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    event = TrainingEventFactory(agency=agency, start_date=dt.date(2025, 3, 20), hours=Decimal("6.0"))
    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(event=event, entries=[(staff_member, None)], user=director)
    event.start_date = event.end_date = TUESDAY
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[TrainingEvent].save_model(request, event, form=None, change=True)
    assert list(event.attendance.values_list("date", flat=True)) == [TUESDAY]
    assert scans() == [("D1", "succeeded")]
    assert [flag[1:] for flag in flags("ACTIVITY_DURING_TRAINING")] == [("D1", True, ["D1-TUE"])]
    assert list(Job.objects.values_list("created_by__username", flat=True)) == ["sam"]
    assert event.history.latest().history_user.username == "sam"


def test_the_admins_event_form_refuses_hours_below_what_attendance_was_credited(
    agency, staff_member, director, rf
):
    from django.forms import model_to_dict

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    event = TrainingEventFactory(agency=agency, hours=Decimal("6.0"))
    attendance_record(event=event, entries=[(staff_member, None)], user=director)
    model_admin = admin.site._registry[TrainingEvent]
    form_class = model_admin.get_form(request, event)
    data = {key: value for key, value in model_to_dict(event).items() if value is not None}
    form = form_class(data={**data, "hours": "4.0"}, instance=event)
    assert not form.is_valid()
    assert form.errors["hours"] == ["Some attendance is credited with more hours than this; lower it first."]
    assert TrainingEvent.objects.get(pk=event.pk).hours == Decimal("6.0")
    form = form_class(data={**data, "hours": "6.0", "notes": "签到表已归档"}, instance=event)
    assert form.is_valid(), form.errors
