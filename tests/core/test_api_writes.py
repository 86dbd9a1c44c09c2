"""Every API write names its service; records history relies on are ended or kept, never deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from core.api.viewsets import TenantModelViewSet
from staff.models import EmploymentSpell, StaffMember
from supervision.models import ActionItem, SupervisionPlan
from tests.factories import QualificationFactory, StaffMemberFactory
from tests.training.factories import TrainingEventFactory, TrainingRecordFactory
from training.models import RecordStatus, TrainingEvent, TrainingRecord

PERSONAS = ("director", "finance", "supervisor", "staff", "auditor", "outsider")


# --- the base viewset -------------------------------------------------------------------------


def test_a_viewset_that_writes_without_naming_its_service_is_refused_when_defined():
    with pytest.raises(ImproperlyConfigured, match="set destroy_service"):

        class Sneaky(TenantModelViewSet):
            def perform_destroy(self, instance):
                instance.delete()

    with pytest.raises(ImproperlyConfigured, match="set create_service"):

        class Creating(TenantModelViewSet):
            def create(self, request, *args, **kwargs):
                return None


def test_only_named_writes_are_routed():
    def plan_create(**kwargs):
        return kwargs

    class Writes(TenantModelViewSet):
        create_service = plan_create

    assert hasattr(Writes, "create") and not hasattr(Writes, "update") and not hasattr(Writes, "destroy")
    # The service is kept as a plain function, not bound to the viewset.
    assert Writes().create_service(a=1) == {"a": 1}


def test_a_delete_without_a_service_answers_405_in_the_error_shape_with_a_translated_reason(
    director, staff_member, login_api
):
    plan = SupervisionPlan.objects.get(supervisee=staff_member)
    client = login_api(director)
    response = client.delete(f"/api/v1/supervision-plans/{plan.pk}/")
    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "status": 405,
            "code": "method_not_allowed",
            "message": "Supervision plans are ended, not deleted: past months' compliance is counted "
            "from them. POST the last day to the plan's end/ action instead.",
        }
    }
    assert "DELETE" not in response["Allow"]
    with translation.override("en"):  # the request activates Chinese; leave English behind
        chinese = client.delete(f"/api/v1/supervision-plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        assert chinese.json()["error"]["message"] == translation.gettext(
            "Supervision plans are ended, not deleted: past months' compliance is counted "
            "from them. POST the last day to the plan's end/ action instead."
        )
    assert chinese.json()["error"]["message"] != response.json()["error"]["message"]
    assert SupervisionPlan.objects.filter(pk=plan.pk).exists()


# --- supervision plans are ended --------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_only_a_director_ends_a_supervision_plan(persona, status, personas, staff_member, login_api):
    plan = SupervisionPlan.objects.get(supervisee=staff_member)
    response = login_api(personas[persona]).post(
        f"/api/v1/supervision-plans/{plan.pk}/end/", {"end": "2025-06-30"}, format="json"
    )
    assert response.status_code == status
    plan.refresh_from_db()
    assert plan.end == (dt.date(2025, 6, 30) if status == 200 else None)
    if status == 200:
        assert response.json()["end"] == "2025-06-30"


def test_a_plan_cannot_end_before_it_starts(director, staff_member, login_api):
    plan = SupervisionPlan.objects.get(supervisee=staff_member)
    response = login_api(director).post(
        f"/api/v1/supervision-plans/{plan.pk}/end/", {"end": "2020-01-31"}, format="json"
    )
    assert response.status_code == 400
    assert "The plan cannot end before it starts." in response.json()["error"]["message"]
    plan.refresh_from_db()
    assert plan.end is None


# --- staff ------------------------------------------------------------------------------------


def test_a_staff_member_with_an_employment_spell_cannot_be_deleted(director, staff_member, login_api):
    response = login_api(director).delete(f"/api/v1/staff/{staff_member.pk}/")
    assert response.status_code == 400
    # One spell and one supervision plan refer to the person.
    assert response.json()["error"]["fields"]["non_field_errors"] == [
        "李社工 cannot be deleted: 2 records (employment history, certificates, training, "
        "supervision or finance) refer to this person. Record an exit date instead."
    ]
    assert StaffMember.objects.filter(pk=staff_member.pk).exists()


def test_a_person_with_only_a_certificate_cannot_be_deleted(director, agency, login_api):
    member = StaffMemberFactory(agency=agency, staff_no="S901", name="赵新")
    QualificationFactory(staff=member)
    response = login_api(director).delete(f"/api/v1/staff/{member.pk}/")
    assert response.status_code == 400
    assert StaffMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("record", ["training", "supervision plan", "contract assignment"])
def test_a_person_with_a_record_of_any_app_cannot_be_deleted(
    record, director, agency, supervisor_member, login_api
):
    from tests.factories import SupervisionPlanFactory
    from tests.finance.factories import AssignmentFactory, ContractFactory

    member = StaffMemberFactory(agency=agency, staff_no="S903", name="孙社工")
    if record == "training":
        TrainingRecordFactory(staff=member)
    elif record == "supervision plan":
        SupervisionPlanFactory(supervisee=member, supervisor=supervisor_member)
    else:
        contract = ContractFactory(agency=agency)
        AssignmentFactory(contract=contract, staff=member, start=contract.start, end=contract.end)
    response = login_api(director).delete(f"/api/v1/staff/{member.pk}/")
    assert response.status_code == 400
    assert "孙社工 cannot be deleted: 1 records" in response.json()["error"]["message"]
    assert StaffMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 204),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 404),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_a_person_entered_in_error_with_no_records_is_deleted_by_the_director_only(
    persona, status, personas, agency, login_api
):
    member = StaffMemberFactory(agency=agency, staff_no="S902", name="误录")
    response = login_api(personas[persona]).delete(f"/api/v1/staff/{member.pk}/")
    assert response.status_code == status
    assert StaffMember.objects.filter(pk=member.pk).exists() == (status != 204)


@pytest.mark.parametrize("prefix", ["spells", "qualifications"])
def test_spells_and_certificates_are_never_deleted_through_the_api(prefix, director, staff_member, login_api):
    QualificationFactory(staff=staff_member)
    model = EmploymentSpell if prefix == "spells" else staff_member.qualifications.model
    obj = model.objects.filter(staff=staff_member).first()
    response = login_api(director).delete(f"/api/v1/{prefix}/{obj.pk}/")
    assert response.status_code == 405
    assert "never deleted" in response.json()["error"]["message"]
    assert model.objects.filter(pk=obj.pk).exists()


# --- training ---------------------------------------------------------------------------------


def test_a_training_event_with_attendance_cannot_be_deleted(director, agency, staff_member, login_api):
    event = TrainingEventFactory(agency=agency, title="儿童保护实务", hours=Decimal("6.0"))
    TrainingRecordFactory(staff=staff_member, event=event, date=event.end_date, title=event.title)
    response = login_api(director).delete(f"/api/v1/training-events/{event.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == [
        "儿童保护实务 cannot be deleted: 1 attendance records credit its hours toward continuing education."
    ]
    assert TrainingEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 204),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_an_event_without_attendance_is_deleted_by_the_director_only(
    persona, status, personas, agency, login_api
):
    event = TrainingEventFactory(agency=agency)
    response = login_api(personas[persona]).delete(f"/api/v1/training-events/{event.pk}/")
    # Supervisors and staff see only events someone they may see attended: none here.
    expected = 404 if persona in ("supervisor", "staff") else status
    assert response.status_code == expected
    assert TrainingEvent.objects.filter(pk=event.pk).exists() == (expected != 204)


def test_an_approved_training_record_cannot_be_deleted_but_a_pending_one_can(
    director, staff_member, login_api
):
    approved = TrainingRecordFactory(staff=staff_member, status=RecordStatus.APPROVED)
    pending = TrainingRecordFactory(staff=staff_member, status=RecordStatus.PENDING)
    client = login_api(director)
    refused = client.delete(f"/api/v1/training-records/{approved.pk}/")
    assert refused.status_code == 400
    assert "only a pending submission can be deleted" in refused.json()["error"]["message"]
    assert client.delete(f"/api/v1/training-records/{pending.pk}/").status_code == 204
    assert list(TrainingRecord.objects.values_list("pk", flat=True)) == [approved.pk]


def test_training_records_are_not_edited_through_the_api(director, staff_member, login_api):
    record = TrainingRecordFactory(staff=staff_member)
    response = login_api(director).patch(
        f"/api/v1/training-records/{record.pk}/", {"hours": "99.0"}, format="json"
    )
    assert response.status_code == 405
    assert "approved or rejected" in response.json()["error"]["message"]
    record.refresh_from_db()
    assert record.hours == Decimal("10.0")


# --- supervision action items -----------------------------------------------------------------


@pytest.fixture
def action_item(supervisor_member, staff_member):
    from supervision import services

    session = services.session_create(
        agency=supervisor_member.agency,
        user=supervisor_member.user,
        supervisor=supervisor_member,
        attendees=[services.Attendee(staff_member, True)],
        date=dt.date(2025, 3, 5),
        start_time=dt.time(9, 0),
        duration_minutes=60,
        modality="individual",
        format="in_person",
        notes="",
    )
    return services.action_item_create(session=session, text="回访 XF-01", owner=staff_member)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 403),
        ("finance", 403),
        ("supervisor", 200),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_the_sessions_supervisor_changes_an_action_item_through_the_service(
    persona, status, personas, action_item, login_api
):
    response = login_api(personas[persona]).patch(
        f"/api/v1/supervision-action-items/{action_item.pk}/",
        {"text": "回访 XF-01 并记录", "done": True},
        format="json",
    )
    assert response.status_code == status
    action_item.refresh_from_db()
    if status == 200:
        assert (action_item.text, action_item.done) == ("回访 XF-01 并记录", True)
        assert action_item.done_at is not None
    else:
        assert (action_item.text, action_item.done, action_item.done_at) == ("回访 XF-01", False, None)


def test_an_action_item_is_not_deleted_through_the_api(supervisor, action_item, login_api):
    response = login_api(supervisor).delete(f"/api/v1/supervision-action-items/{action_item.pk}/")
    assert response.status_code == 405
    assert "mark one done instead" in response.json()["error"]["message"]
    assert ActionItem.objects.filter(pk=action_item.pk).exists()


# --- admin ------------------------------------------------------------------------------------


def test_the_admin_offers_no_deletion_of_records_history_relies_on(
    client, django_user_model, staff_member, agency
):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-123456")
    client.force_login(superuser)
    plan = SupervisionPlan.objects.get(supervisee=staff_member)
    event = TrainingEventFactory(agency=agency)
    for url, model, pk in [
        (f"/admin/supervision/supervisionplan/{plan.pk}/delete/", SupervisionPlan, plan.pk),
        (f"/admin/staff/staffmember/{staff_member.pk}/delete/", StaffMember, staff_member.pk),
        (f"/admin/training/trainingevent/{event.pk}/delete/", TrainingEvent, event.pk),
    ]:
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=pk).exists()
    changelist = client.post(
        "/admin/supervision/supervisionplan/",
        {"action": "delete_selected", "_selected_action": [plan.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert SupervisionPlan.objects.filter(pk=plan.pk).exists()
