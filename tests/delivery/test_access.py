"""Who sees what (roles.md): every persona and the outsider against every delivery page and endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from delivery.models import ServiceActivity

pytestmark = pytest.mark.django_db

ALL = ("director", "finance", "supervisor", "staff", "auditor", "outsider")


@pytest.fixture
def world(personas, targets, visit, other_visit, granted, other_contract):
    """The staff persona's visit (supervised by the supervisor), a colleague's, a granted contract."""
    return {"contract": targets["HV"].contract, "other_contract": other_contract}


@pytest.mark.parametrize(
    ("persona", "granted_status", "other_status"),
    [
        ("director", 200, 200),
        ("finance", 200, 200),
        ("supervisor", 200, 200),
        ("staff", 200, 200),
        ("auditor", 200, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_reads_a_contracts_targets_and_progress(
    world, personas, login_client, persona, granted_status, other_status
):
    client = login_client(personas[persona])
    assert (
        client.get(reverse("delivery-contract-targets", args=[world["contract"].pk])).status_code
        == granted_status
    )
    assert (
        client.get(reverse("delivery-contract-targets", args=[world["other_contract"].pk])).status_code
        == other_status
    )


@pytest.mark.parametrize(("persona", "status"), [(p, 200 if p == "director" else 404) for p in ALL])
def test_only_a_director_edits_targets(world, personas, login_client, persona, status):
    target = world["contract"].targets.get(code="HV")
    url = reverse("delivery-target-update", args=[world["contract"].pk, target.pk])
    assert login_client(personas[persona]).get(url).status_code == status


@pytest.mark.parametrize(
    ("persona", "status", "seen"),
    [
        ("director", 200, {"HV-0001", "HV-0002"}),
        ("finance", 200, {"HV-0001", "HV-0002"}),
        ("supervisor", 200, {"HV-0001"}),
        ("staff", 200, {"HV-0001"}),
        ("auditor", 404, None),
        ("outsider", 200, set()),
    ],
)
def test_who_reads_service_records_on_the_page(world, personas, login_client, persona, status, seen):
    page = login_client(personas[persona]).get(reverse("delivery-activity-list"))
    assert page.status_code == status
    if seen is not None:
        assert {a.activity_no for a in page.context["page"].object_list} == seen


@pytest.mark.parametrize(
    ("persona", "status", "seen"),
    [
        ("director", 200, {"HV-0001", "HV-0002"}),
        ("finance", 200, {"HV-0001", "HV-0002"}),
        ("supervisor", 200, {"HV-0001"}),
        ("staff", 200, {"HV-0001"}),
        ("auditor", 403, None),
        ("outsider", 200, set()),
    ],
)
def test_who_lists_service_records_in_the_api(world, personas, login_api, persona, status, seen):
    response = login_api(personas[persona]).get("/api/v1/delivery/activities/")
    assert response.status_code == status
    if seen is not None:
        assert {row["activity_no"] for row in response.json()["results"]} == seen


@pytest.mark.parametrize(
    ("persona", "own", "colleague"),
    [
        ("director", 200, 200),
        ("finance", 200, 200),
        ("supervisor", 200, 404),
        ("staff", 200, 404),
        ("auditor", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_a_record_outside_someones_reach_answers_404(
    world, personas, login_api, visit, other_visit, persona, own, colleague
):
    client = login_api(personas[persona])
    assert client.get(f"/api/v1/delivery/activities/{visit.pk}/").status_code == own
    assert client.get(f"/api/v1/delivery/activities/{other_visit.pk}/").status_code == colleague


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 200),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_staff_correct_their_own_records_and_nobody_elses(world, personas, login_api, visit, persona, status):
    response = login_api(personas[persona]).patch(
        f"/api/v1/delivery/activities/{visit.pk}/", {"duration_minutes": 75}, format="json"
    )
    assert response.status_code == status
    expected = 75 if status == 200 else 90
    assert ServiceActivity.objects.get(pk=visit.pk).duration_minutes == expected


def test_a_supervisor_cannot_record_for_a_supervisee(world, login_api, supervisor, staff_member, targets):
    # The API records for the caller's own staff record only: the supervisor's, never the supervisee's.
    response = login_api(supervisor).post(
        "/api/v1/delivery/activities/",
        {"date": "2025-05-06", "target": targets["HV"].pk, "duration_minutes": 40},
        format="json",
    )
    assert response.status_code == 201
    assert ServiceActivity.objects.get(activity_no=response.json()["activity_no"]).staff.staff_no == "S100"


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("director", {"HV", "CS", "GP"}),
        ("finance", {"HV", "CS", "GP"}),
        ("supervisor", {"HV", "CS", "GP"}),
        ("staff", {"HV", "CS", "GP"}),
        ("auditor", {"HV", "CS", "GP"}),
        ("outsider", set()),
    ],
)
def test_who_reads_targets_with_progress_in_the_api(world, personas, login_api, persona, codes):
    response = login_api(personas[persona]).get("/api/v1/delivery/targets/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["code"] for row in rows} == codes
    for row in rows:
        assert set(row["progress"]) == {
            "achieved",
            "expected_by_now",
            "pct_achieved",
            "projected_at_end",
            "status",
        }


def test_an_auditor_sees_progress_but_never_case_codes_or_notes(world, login_client, login_api, auditor):
    page = login_client(auditor).get(reverse("delivery-contract-targets", args=[world["contract"].pk]))
    text = page.content.decode()
    assert "个案服务" in text
    assert "XF-C-001" not in text
    assert "入户了解孩子近况" not in text
    api = login_api(auditor).get("/api/v1/delivery/targets/").content.decode()
    assert "XF-C-001" not in api
    assert login_api(auditor).get("/api/v1/delivery/activities/").status_code == 403


def test_an_auditor_without_a_grant_sees_no_targets(personas, login_api, targets, auditor):
    assert login_api(auditor).get("/api/v1/delivery/targets/").json()["results"] == []


@pytest.mark.parametrize(
    ("persona", "status"), [(p, 200 if p in ("director", "outsider") else 404) for p in ALL]
)
def test_only_a_director_imports_activity_files_into_their_own_agencys_contracts(
    world, personas, login_client, persona, status
):
    page = login_client(personas[persona]).get(reverse("delivery-import"))
    assert page.status_code == status
    if status == 200:
        codes = {c.code for c in page.context["form"].fields["contract"].queryset}
        assert ("JX-XF-2025-01" in codes) == (persona == "director")


def test_the_outsider_cannot_import_into_another_agencys_contract(world, login_api, outsider):
    response = login_api(outsider).post(
        "/api/v1/delivery/imports/upload/", {"contract": "JX-XF-2025-01", "file": b""}, format="multipart"
    )
    assert response.status_code == 400
    assert ServiceActivity.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status", "names_staff"),
    [
        ("director", 200, True),
        ("finance", 404, None),
        ("supervisor", 200, False),
        ("staff", 200, False),
        ("auditor", 404, None),
        ("outsider", 200, True),
    ],
)
def test_the_visit_form_records_ones_own_work_and_a_director_anyones(
    world, personas, login_client, persona, status, names_staff
):
    # Directors (here, and the outsider director) have no staff record: they name the person.
    page = login_client(personas[persona]).get(reverse("delivery-activity-new"))
    assert page.status_code == status
    if status == 200:
        assert ("staff" in page.context["form"].fields) is names_staff


def test_a_worker_without_a_staff_record_is_told_so(world, agency, login_client):
    from tests.factories import UserFactory

    worker = UserFactory(username="nolink", agency_roles=(agency, ["staff"]))
    assert login_client(worker).get(reverse("delivery-activity-new")).status_code == 403


def test_a_director_records_a_workers_visit_on_the_page(
    world, director, other_staff_member, targets, login_client
):
    response = login_client(director).post(
        reverse("delivery-activity-new"),
        {
            "staff": other_staff_member.pk,
            "date": "2025-05-06",
            "target": targets["HV"].pk,
            "duration_minutes": 40,
            "participants": 1,
        },
    )
    assert response.status_code == 302
    recorded = ServiceActivity.objects.exclude(activity_no__in=["HV-0001", "HV-0002"]).get()
    assert (recorded.staff, recorded.recorded_by, recorded.duration_minutes) == (
        other_staff_member,
        director,
        40,
    )


def test_the_outsider_director_cannot_name_another_agencys_worker(
    world, outsider, other_staff_member, login_client
):
    response = login_client(outsider).post(
        reverse("delivery-activity-new"),
        {"staff": other_staff_member.pk, "date": "2025-05-06", "duration_minutes": 40},
    )
    assert response.status_code == 200
    assert "staff" in response.context["form"].errors
    assert ServiceActivity.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 201),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 400),
    ],
)
def test_only_a_director_records_someone_elses_work_in_the_api(
    world, personas, login_api, targets, other_staff_member, persona, status
):
    response = login_api(personas[persona]).post(
        "/api/v1/delivery/activities/",
        {"date": "2025-05-06", "target": targets["HV"].pk, "duration_minutes": 40, "staff_no": "S300"},
        format="json",
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["staff_no"] == "S300"
        assert (
            ServiceActivity.objects.get(activity_no=response.json()["activity_no"]).staff
            == other_staff_member
        )
    else:
        assert ServiceActivity.objects.count() == 2


def test_a_director_without_a_staff_record_must_name_the_worker(world, director, login_api, targets):
    response = login_api(director).post(
        "/api/v1/delivery/activities/",
        {"date": "2025-05-06", "target": targets["HV"].pk, "duration_minutes": 40},
        format="json",
    )
    assert response.status_code == 403
    assert "names the staff member (staff_no)" in response.json()["error"]["message"]


def test_whose_work_a_record_is_cannot_change(world, director, login_api, visit):
    response = login_api(director).patch(
        f"/api/v1/delivery/activities/{visit.pk}/", {"staff_no": "S300"}, format="json"
    )
    assert response.status_code == 400
    assert ServiceActivity.objects.get(pk=visit.pk).staff.staff_no == visit.staff.staff_no


def test_the_targets_report_is_refused_to_staff_and_outsiders(world, personas, login_client):
    from core.reports import get

    kind = get("targets")
    assert kind.allowed_for(["director"]) and kind.allowed_for(["auditor"])
    assert not kind.allowed_for(["staff"])
