"""roles.md for training: who sees, submits and approves which records (API and pages)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from training.models import RecordStatus, TrainingRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

LIST_EXPECTED = {
    "director": {"外部课程 supervisor", "外部课程 staff", "外部课程 other", "儿童保护实务"},
    "supervisor": {"外部课程 supervisor", "外部课程 staff", "儿童保护实务"},
    "staff": {"外部课程 staff", "儿童保护实务"},
    "outsider": {"外部课程 outsider"},
}


@pytest.mark.parametrize("persona", ["director", "finance", "supervisor", "staff", "auditor", "outsider"])
def test_record_list_holds_exactly_what_each_role_may_see(persona, personas, records, login_api):
    response = login_api(personas[persona]).get("/api/v1/training-records/")
    if persona in ("finance", "auditor"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == LIST_EXPECTED[persona]


@pytest.mark.parametrize(
    ("persona", "record", "status"),
    [
        ("director", "other", 200),
        ("supervisor", "staff", 200),
        ("supervisor", "other", 404),
        ("staff", "staff", 200),
        ("staff", "other", 404),
        ("staff", "supervisor", 404),
        ("finance", "staff", 403),
        ("auditor", "staff", 403),
        ("outsider", "staff", 404),
    ],
)
def test_record_detail_is_404_for_records_one_may_not_see(
    persona, record, status, personas, records, login_api
):
    response = login_api(personas[persona]).get(f"/api/v1/training-records/{records[record].pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "record", "status"),
    [
        ("director", "other", 200),
        ("supervisor", "staff", 200),
        ("supervisor", "other", 404),
        ("supervisor", "supervisor", 403),  # never one's own
        ("staff", "staff", 403),
        ("outsider", "staff", 404),
    ],
)
def test_only_the_supervisor_of_the_person_or_the_director_approves(
    persona, record, status, personas, records, login_api
):
    target = records[record]
    response = login_api(personas[persona]).post(f"/api/v1/training-records/{target.pk}/approve/", {})
    assert response.status_code == status
    target.refresh_from_db()
    assert (target.status == RecordStatus.APPROVED) == (status == 200)
    if status == 200:
        assert target.reviewed_by == personas[persona]


def test_rejecting_needs_a_note(personas, records, login_api):
    client = login_api(personas["supervisor"])
    url = f"/api/v1/training-records/{records['staff'].pk}/reject/"
    response = client.post(url, {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"review_note": ["Say why the record is rejected."]}
    assert client.post(url, {"note": "没有证明"}).status_code == 200
    records["staff"].refresh_from_db()
    assert records["staff"].status == RecordStatus.REJECTED


def test_staff_submit_their_own_external_training_as_pending(personas, staff_member, login_api):
    evidence = SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")
    response = login_api(personas["staff"]).post(
        "/api/v1/training-records/",
        {"date": "2025-05-01", "title": "线上课程", "hours": "7.5", "evidence": evidence},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    record = TrainingRecord.objects.get()
    assert (record.staff, record.status, record.hours) == (staff_member, RecordStatus.PENDING, Decimal("7.5"))


def test_evidence_that_is_not_a_pdf_jpeg_or_png_by_content_is_refused(personas, staff_member, login_api):
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not really a pdf", content_type="application/pdf")
    response = login_api(personas["staff"]).post(
        "/api/v1/training-records/",
        {"date": "2025-05-01", "title": "线上课程", "hours": "7.5", "evidence": fake},
        format="multipart",
    )
    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]
    assert TrainingRecord.objects.count() == 0


def test_staff_cannot_submit_for_a_colleague(personas, staff_member, other_staff_member, login_api):
    response = login_api(personas["staff"]).post(
        "/api/v1/training-records/",
        {"staff": other_staff_member.pk, "date": "2025-05-01", "title": "X", "hours": "2"},
    )
    assert response.status_code == 400
    assert TrainingRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("director", 201), ("finance", 403), ("supervisor", 403), ("staff", 403), ("auditor", 403)],
)
def test_only_directors_create_events(persona, status, personas, login_api):
    response = login_api(personas[persona]).post(
        "/api/v1/training-events/",
        {
            "title": "伦理培训",
            "start_date": "2025-06-01",
            "end_date": "2025-06-01",
            "hours": "3",
            "category": "ethics",
        },
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "count"), [("director", 1), ("supervisor", 1), ("staff", 1), ("outsider", 0)]
)
def test_events_are_seen_by_directors_and_by_attendees_and_their_supervisors(
    persona, count, personas, records, login_api
):
    response = login_api(personas[persona]).get("/api/v1/training-events/")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_a_colleague_does_not_see_an_event_they_did_not_attend(
    agency, other_staff_member, records, login_api
):
    from tests.factories import UserFactory

    user = UserFactory(username="wang", agency_roles=(agency, ["staff"]))
    other_staff_member.user = user
    other_staff_member.save()
    assert login_api(user).get("/api/v1/training-events/").json()["count"] == 0


@pytest.mark.parametrize(
    ("persona", "staff_nos"),
    [("director", set()), ("supervisor", {"S200"}), ("staff", {"S200"}), ("outsider", set())],
)
def test_compliance_api_shows_only_people_one_may_see(persona, staff_nos, personas, staff_member, login_api):
    import datetime as dt

    from tests.factories import QualificationFactory

    QualificationFactory(
        staff=staff_member, issued=dt.date(2021, 1, 1), registration_expires=dt.date(2027, 1, 1)
    )
    response = login_api(personas[persona]).get("/api/v1/training-compliance/?as_of=2025-06-30")
    assert response.status_code == 200
    got = {row["staff_no"] for row in response.json()["staff"]}
    assert got == (staff_nos or ({"S200"} if persona == "director" else set()))


@pytest.mark.parametrize("persona", ["finance", "auditor"])
def test_finance_and_auditors_get_no_compliance(persona, personas, login_api):
    assert login_api(personas[persona]).get("/api/v1/training-compliance/").status_code == 403


def test_my_training_page_lists_only_my_records(personas, records, login_client):
    html = login_client(personas["staff"]).get("/training/my/").content.decode()
    assert "外部课程 staff" in html
    assert "外部课程 other" not in html
    assert "外部课程 supervisor" not in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("supervisor", 200),
        ("staff", 404),
        ("finance", 404),
        ("auditor", 404),
        ("outsider", 200),
    ],
)
def test_compliance_page_is_for_directors_and_supervisors(persona, status, personas, login_client):
    assert login_client(personas[persona]).get("/training/compliance/").status_code == status


@pytest.mark.parametrize(
    ("persona", "whose", "status"),
    [
        ("director", "other", 200),
        ("supervisor", "staff", 200),
        ("supervisor", "other", 404),
        ("staff", "staff", 200),
        ("staff", "other", 404),
        ("outsider", "staff", 404),
        ("finance", "staff", 404),
    ],
)
def test_transcripts_follow_the_record_rules(persona, whose, status, personas, records, login_client):
    member = records[whose].staff
    assert login_client(personas[persona]).get(f"/training/transcript/{member.pk}/").status_code == status


def test_approvals_queue_shows_supervisees_only(personas, records, login_client):
    html = login_client(personas["supervisor"]).get("/training/approvals/").content.decode()
    assert "外部课程 staff" in html
    assert "外部课程 other" not in html
    assert "外部课程 supervisor" not in html
    director_html = login_client(personas["director"]).get("/training/approvals/").content.decode()
    assert "外部课程 other" in director_html and "外部课程 supervisor" in director_html
    assert login_client(personas["staff"]).get("/training/approvals/").status_code == 404


def test_evidence_downloads_only_for_people_who_may_see_the_record(
    personas, staff_member, login_client, settings, tmp_path
):
    from training.services import record_submit

    settings.MEDIA_ROOT = tmp_path
    record = record_submit(
        staff=staff_member,
        user=personas["staff"],
        date=__import__("datetime").date(2025, 5, 1),
        title="线上课程",
        hours=Decimal("2"),
        evidence=SimpleUploadedFile("c.pdf", PDF),
    )
    url = f"/training/records/{record.pk}/evidence/"
    assert login_client(personas["supervisor"]).get(url).status_code == 200
    assert login_client(personas["staff"]).get(url).status_code == 200
    assert login_client(personas["finance"]).get(url).status_code == 404
    assert login_client(personas["outsider"]).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["finance", "auditor"])
def test_finance_and_auditors_have_no_training_pages(persona, personas, login_client):
    client = login_client(personas[persona])
    for url in ["/training/my/", "/training/events/", "/training/approvals/", "/training/records/"]:
        assert client.get(url).status_code == 404, url
