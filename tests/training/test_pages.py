"""Training pages: events, sign-in sheet, submission, approvals, compliance, import, reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory
from tests.training.factories import TrainingRecordFactory
from training.models import CERequirement, RecordStatus, TrainingEvent, TrainingPolicy, TrainingRecord

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_director_creates_an_event_and_records_the_sign_in_sheet(
    director, staff_member, other_staff_member, login_client
):
    client = login_client(director)
    response = client.post(
        "/training/events/new/",
        {
            "title": "儿童保护实务",
            "delivery": "internal",
            "category": "child_protection",
            "start_date": "2025-03-10",
            "end_date": "2025-03-10",
            "hours": "6",
            "ce_eligible": "on",
        },
    )
    event = TrainingEvent.objects.get()
    assert response.status_code == 302
    sheet = f"/training/events/{event.pk}/attendance/"
    assert client.get(sheet).status_code == 200
    response = client.post(
        sheet,
        {
            f"present_{staff_member.pk}": "on",
            f"hours_{staff_member.pk}": "",
            f"present_{other_staff_member.pk}": "on",
            f"hours_{other_staff_member.pk}": "4.5",
        },
    )
    assert response.status_code == 302
    credited = dict(TrainingRecord.objects.values_list("staff__staff_no", "hours"))
    assert credited == {"S200": Decimal("6.0"), "S300": Decimal("4.5")}
    assert set(TrainingRecord.objects.values_list("status", flat=True)) == {RecordStatus.APPROVED}
    detail = client.get(f"/training/events/{event.pk}/").content.decode()
    assert "李社工" in detail and "王社工" in detail


def test_attendance_is_never_credited_more_than_the_events_hours(director, staff_member, event, login_client):
    response = login_client(director).post(
        f"/training/events/{event.pk}/attendance/",
        {f"present_{staff_member.pk}": "on", f"hours_{staff_member.pk}": "6.5"},
    )
    assert response.status_code == 200
    assert "6.0" in response.content.decode()
    assert TrainingRecord.objects.count() == 0


def test_staff_submit_with_evidence_and_the_supervisor_approves(
    personas, staff_member, login_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = login_client(personas["staff"]).post(
        "/training/my/submit/",
        {
            "title": "线上继续教育",
            "date": "2025-04-02",
            "hours": "8",
            "category": "practice",
            "ce_eligible": "on",
            "evidence": SimpleUploadedFile("proof.png", PNG),
        },
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.status == RecordStatus.PENDING
    response = login_client(personas["supervisor"]).post(
        f"/training/records/{record.pk}/review/", {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.APPROVED


def test_submission_with_a_disguised_file_shows_an_inline_error(personas, staff_member, login_client):
    response = login_client(personas["staff"]).post(
        "/training/my/submit/",
        {
            "title": "X",
            "date": "2025-04-02",
            "hours": "8",
            "category": "practice",
            "evidence": SimpleUploadedFile("proof.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 200
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert TrainingRecord.objects.count() == 0


def _certified(agency, n):
    for i in range(n):
        member = StaffMemberFactory(agency=agency, staff_no=f"Q{i:03d}")
        SpellFactory(staff=member, hire_date=dt.date(2020, 1, 1))
        QualificationFactory(
            staff=member, issued=dt.date(2021, 1, 1), registration_expires=dt.date(2026, 3, 1)
        )
        TrainingRecordFactory(staff=member, date=dt.date(2024, 5, 1), hours=Decimal("10"))


@pytest.mark.parametrize("people", [3, 30])
def test_compliance_page_uses_a_fixed_number_of_queries(
    people, agency, director, login_client, django_assert_num_queries
):
    _certified(agency, people)
    TrainingPolicy.objects.create(agency=agency, annual_minimum_hours=Decimal("20"))
    client = login_client(director)
    client.get("/training/compliance/?as_of=2025-12-01")
    with django_assert_num_queries(11):  # 10 + the annual-minimum table's page count
        response = client.get("/training/compliance/?as_of=2025-12-01")
    assert response.status_code == 200
    assert response.content.decode().count('class="badge at_risk"') == people + 1


def test_compliance_page_shows_who_is_short_and_by_how_much(agency, director, login_client):
    _certified(agency, 1)
    html = (
        login_client(director).get("/training/compliance/?as_of=2025-12-01&status=at_risk").content.decode()
    )
    assert "Q000" in html
    assert "62.0" in html  # 72 required, 10 earned


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "pdf"])
def test_compliance_downloads_in_every_format(agency, director, login_client, fmt):
    _certified(agency, 2)
    response = login_client(director).get(f"/training/compliance/?as_of=2025-12-01&format={fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_transcript_pdf_lists_the_cycle_records(agency, director, login_client):
    _certified(agency, 1)
    client = login_client(director)
    member_pk = TrainingRecord.objects.get().staff_id
    html = client.get(f"/training/transcript/{member_pk}/?as_of=2025-12-01").content.decode()
    assert "2024-05-01" in html
    pdf = client.get(f"/training/transcript/{member_pk}/?as_of=2025-12-01&format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_summary_page_and_report(agency, director, login_client):
    _certified(agency, 2)
    client = login_client(director)
    assert client.get("/training/summary/?year=2024").status_code == 200
    data = client.get("/training/summary/?year=2024&format=json").json()
    assert data["total_hours"] == 20
    assert data["by_month"][4] == {"month": "2024-05", "hours": 20, "records": 2}
    assert data["by_category"] == [{"category": "other", "hours": 20, "records": 2}]


def test_requirements_page_creates_the_national_defaults_and_saves_changes(agency, director, login_client):
    client = login_client(director)
    assert client.get("/training/requirements/").status_code == 200
    assert dict(CERequirement.objects.values_list("level", "hours_per_cycle")) == {
        "assistant_social_worker": Decimal("72.0"),
        "social_worker": Decimal("90.0"),
        "senior_social_worker": Decimal("90.0"),
    }
    response = client.post(
        "/training/requirements/",
        {
            "annual_minimum_hours": "24",
            "hours_assistant_social_worker": "80",
            "years_assistant_social_worker": "3",
            "hours_social_worker": "90",
            "years_social_worker": "3",
            "hours_senior_social_worker": "90",
            "years_senior_social_worker": "3",
        },
    )
    assert response.status_code == 302
    assert CERequirement.objects.get(level="assistant_social_worker").hours_per_cycle == Decimal("80.0")
    assert TrainingPolicy.objects.get(agency=agency).annual_minimum_hours == Decimal("24.0")


def test_import_page_previews_then_imports(agency, director, staff_member, login_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login_client(director)
    data = b"staff_no,date,title,hours\nS200,2025-03-05,A,6\n"
    response = client.post("/training/import/", {"file": SimpleUploadedFile("t.csv", data)})
    html = response.content.decode()
    assert "Dry run: 1 row" in html
    assert TrainingRecord.objects.count() == 0
    token = response.context["token"]
    response = client.post("/training/import/", {"token": token, "file_name": "t.csv"})
    assert response.status_code == 302
    assert TrainingRecord.objects.get().import_batch.created_by == director


def test_import_page_shows_every_problem(agency, director, login_client):
    data = b"staff_no,date,title,hours\nS999,2025-03-05,A,6\n"
    html = (
        login_client(director)
        .post("/training/import/", {"file": SimpleUploadedFile("t.csv", data)})
        .content.decode()
    )
    assert "row 2, column staff_no: no staff member has the number S999" in html


@pytest.mark.parametrize("persona", ["supervisor", "staff", "finance", "auditor"])
def test_director_only_pages_are_404_for_others(persona, personas, event, login_client):
    client = login_client(personas[persona])
    for url in [
        "/training/import/",
        "/training/requirements/",
        "/training/summary/",
        "/training/events/new/",
    ]:
        assert client.get(url).status_code == 404, url


def test_event_list_is_filterable(agency, director, event, login_client):
    client = login_client(director)
    assert "儿童保护实务" in client.get("/training/events/?q=儿童").content.decode()
    assert "儿童保护实务" not in client.get("/training/events/?q=伦理").content.decode()


def test_home_panel_shows_own_status_to_staff(personas, staff_member, login_client):
    QualificationFactory(staff=staff_member, issued=dt.date(2021, 1, 1), registration_expires=None)
    html = login_client(personas["staff"]).get("/").content.decode()
    assert "Continuing education" in html


def test_the_compliance_page_shows_a_large_agency_50_people_at_a_time(agency, director, login_client):
    import datetime as dt

    from staff.models import QualificationLevel
    from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory

    for n in range(105):
        member = StaffMemberFactory(agency=agency, staff_no=f"C{n:03d}", name=f"社工{n:03d}")
        SpellFactory(staff=member, hire_date=dt.date(2019, 1, 1))
        QualificationFactory(
            staff=member, level=QualificationLevel.SOCIAL_WORKER, cert_no=f"SW{n:04d}",
            issued=dt.date(2020, 1, 1), registration_expires=dt.date(2027, 1, 1),
        )  # fmt: skip
    client = login_client(director)
    first = client.get("/training/compliance/?as_of=2025-06-30").content.decode()
    third = client.get("/training/compliance/?as_of=2025-06-30&page=3").content.decode()
    assert first.count("/training/transcript/") == 50
    assert third.count("/training/transcript/") == 5
    assert "Page 1 of 3" in first


def test_the_compliance_page_names_the_requirement_levels_not_their_codes(director, login_client):
    client = login_client(director)
    zh = client.get("/training/compliance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "助理社会工作师：每 3 年 72 学时" in zh
    assert "assistant_social_worker" not in zh
    en = client.get("/training/compliance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Assistant social worker 72 hours every 3 years" in en
    assert "assistant_social_worker" not in en


def test_the_pending_approvals_walk_by_cursor_oldest_first_without_a_count(agency, director, login_client):
    from tests.pagewalk import walk

    people = [StaffMemberFactory(agency=agency) for _ in range(3)]
    records = [
        TrainingRecordFactory(staff=people[i % 3], status=RecordStatus.PENDING, title=f"外部培训{i}")
        for i in range(56)
    ]
    TrainingRecordFactory(staff=people[0], status=RecordStatus.APPROVED)
    expected = [r.pk for r in sorted(records, key=lambda r: (r.submitted_at, r.pk))]
    w = walk(login_client(director), "/training/approvals/")
    assert (w.first, w.second, w.back) == (expected[:50], expected[50:], expected[:50])
    assert "after=" in w.next_query and "before=" in w.previous_query
    assert w.counting("training_trainingrecord") == []
