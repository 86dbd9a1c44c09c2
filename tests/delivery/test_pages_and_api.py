"""The visit log, the records list, the import page with its preview, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delivery.models import ServiceActivity

pytestmark = pytest.mark.django_db


def test_the_visit_form_records_the_workers_own_visit(login_client, staff_user, staff_member, targets):
    client = login_client(staff_user)
    page = client.get(reverse("delivery-activity-new"))
    assert page.status_code == 200
    assert "入户探访 (JX-XF-2025-01)" in page.content.decode()
    response = client.post(
        reverse("delivery-activity-new"),
        {"date": "2025-04-02", "target": targets["CS"].pk, "duration_minutes": "50", "case_code": "XF-C-009",
         "participants": "1", "location": "古陂镇", "note": "家访"},
    )  # fmt: skip
    assert response.status_code == 302
    activity = ServiceActivity.objects.get()
    assert (activity.staff, activity.duration_minutes, activity.case_code) == (staff_member, 50, "XF-C-009")


def test_the_visit_form_refuses_a_name_as_case_code_and_says_why(
    login_client, staff_user, staff_member, targets
):
    response = login_client(staff_user).post(
        reverse("delivery-activity-new"),
        {"date": "2025-04-02", "target": targets["CS"].pk, "duration_minutes": "50", "case_code": "王小明",
         "participants": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "never a child&#x27;s name" in response.content.decode()
    assert ServiceActivity.objects.count() == 0


def test_a_worker_sees_only_their_own_records(login_client, staff_user, visit, other_visit):
    page = login_client(staff_user).get(reverse("delivery-activity-list"))
    text = page.content.decode()
    assert "HV-0001" in text
    assert "HV-0002" not in text


def test_the_import_page_previews_then_imports(login_client, director, staff_member, targets):
    client = login_client(director)
    data = b"activity_no,date,staff_no,target,duration_minutes\nA-1,2025-03-05,S200,HV,60\n"
    preview = client.post(
        reverse("delivery-import"),
        {"contract": "JX-XF-2025-01", "file": SimpleUploadedFile("a.csv", data, content_type="text/csv")},
    )
    assert preview.status_code == 200
    assert ServiceActivity.objects.count() == 0
    token = preview.context["token"]
    done = client.post(
        reverse("delivery-import"),
        {"confirm": "1", "token": token, "contract_code": "JX-XF-2025-01", "file_name": "a.csv"},
    )
    assert done.status_code == 302
    assert ServiceActivity.objects.get().activity_no == "A-1"


def test_the_api_creates_a_record_for_the_caller_and_lists_their_own(
    login_api, staff_user, staff_member, targets
):
    client = login_api(staff_user)
    response = client.post(
        "/api/v1/delivery/activities/",
        {"date": "2025-05-06", "target": targets["HV"].pk, "duration_minutes": 40},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["activity_no"] == "S200-20250506-1"
    listed = client.get("/api/v1/delivery/activities/").json()
    assert [row["activity_no"] for row in listed["results"]] == ["S200-20250506-1"]


def test_the_api_refuses_a_name_as_case_code(login_api, staff_user, staff_member, targets):
    response = login_api(staff_user).post(
        "/api/v1/delivery/activities/",
        {"date": "2025-05-06", "target": targets["CS"].pk, "duration_minutes": 40, "case_code": "张三"},
        format="json",
    )
    assert response.status_code == 400
    assert ServiceActivity.objects.count() == 0


def test_the_api_import_upload_with_dry_run(login_api, director, staff_member, targets):
    data = b"activity_no,date,staff_no,target,duration_minutes\nA-1,2025-03-05,S200,HV,60\n"
    response = login_api(director).post(
        "/api/v1/delivery/imports/upload/",
        {"contract": "JX-XF-2025-01", "dry_run": "1", "file": SimpleUploadedFile("a.csv", data)},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == {"rows": 1, "minutes": 60}
    assert ServiceActivity.objects.count() == 0


def test_the_targets_page_shows_progress_and_revisions(login_client, director, targets, visit):
    page = login_client(director).get(reverse("delivery-contract-targets", args=[targets["HV"].contract.pk]))
    assert page.status_code == 200
    progress = {p.code: p for p in page.context["progress"]}
    assert progress["CS"].achieved == 1
    assert dt.date(2025, 12, 31) >= page.context["as_of"]


def test_the_records_list_and_api_take_the_same_queries_for_1_or_20_records(
    login_client, login_api, director, staff_member, targets, django_assert_max_num_queries
):
    from tests.delivery.factories import ActivityFactory

    ActivityFactory(target=targets["HV"], staff=staff_member)
    client, api = login_client(director), login_api(director)
    client.get(reverse("delivery-activity-list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_page:
        client.get(reverse("delivery-activity-list"))
    with CaptureQueriesContext(connection) as one_api:
        api.get("/api/v1/delivery/activities/")
    ActivityFactory.create_batch(19, target=targets["HV"], staff=staff_member)
    with django_assert_max_num_queries(len(one_page)):
        client.get(reverse("delivery-activity-list"))
    with django_assert_max_num_queries(len(one_api)):
        api.get("/api/v1/delivery/activities/")


def test_the_visit_form_queues_one_scan_after_commit_and_its_flag_appears(
    login_client, staff_user, staff_member, targets, settings, django_capture_on_commit_callbacks
):
    from core.models import Job
    from finance.models import Flag

    settings.CELERY_BROKER_URL = ""
    client = login_client(staff_user)
    # 3 January 2026 is after the contract's end (2025-12-31): ACTIVITY_OUTSIDE_PERIOD.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("delivery-activity-new"),
            {"date": "2026-01-03", "target": targets["HV"].pk, "duration_minutes": "40",
             "participants": "1"},
        )  # fmt: skip
    assert response.status_code == 302
    # The page answered before any rule ran: the scan is a queued job, started after commit.
    job = Job.objects.get()
    assert (job.kind, job.status, job.params) == (
        "finance.flags_scan",
        "queued",
        {"contract": targets["HV"].contract_id},
    )
    assert not Flag.objects.filter(rule="ACTIVITY_OUTSIDE_PERIOD").exists()
    for callback in callbacks:
        callback()
    assert Job.objects.count() == 1
    assert Job.objects.get().status == "succeeded"
    activity = ServiceActivity.objects.get()
    flag = Flag.objects.get(rule="ACTIVITY_OUTSIDE_PERIOD")
    assert list(flag.activity_links.values_list("activity_id", flat=True)) == [activity.pk]


def test_a_refused_visit_form_queues_no_scan(login_client, staff_user, staff_member, targets):
    from core.models import Job

    response = login_client(staff_user).post(
        reverse("delivery-activity-new"),
        {"date": "2025-04-02", "target": targets["CS"].pk, "duration_minutes": "50", "case_code": "王小明",
         "participants": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert Job.objects.count() == 0


def test_among_many_people_a_director_records_an_activity_by_staff_number(
    login_client, director, staff_member, other_staff_member, targets, outsider_member, monkeypatch
):
    import core.forms

    monkeypatch.setattr(core.forms, "PEOPLE_SELECT_MAX", 1)
    client = login_client(director)
    form = client.get(reverse("delivery-activity-new")).content.decode()
    assert '<input type="text" name="staff"' in form
    visit = {"date": "2025-06-03", "target": targets["HV"].pk, "duration_minutes": "40", "participants": "1"}
    refused = client.post(reverse("delivery-activity-new"), {**visit, "staff": "S999"})
    assert refused.status_code == 200
    assert "No one you may choose here has the number S999." in refused.content.decode()
    assert not ServiceActivity.objects.exists()
    response = client.post(reverse("delivery-activity-new"), {**visit, "staff": "S300"})
    assert response.status_code == 302
    assert ServiceActivity.objects.get().staff == other_staff_member
