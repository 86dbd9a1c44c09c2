"""Pages, forms, API writes, the overlap rule in the database, uploads and reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import ImportBatch
from staff.models import EmploymentSpell, Qualification, StaffMember
from tests.factories import SpellFactory, StaffMemberFactory
from tests.staff.test_roster_import import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%fake certificate\n"


def test_a_direct_insert_of_an_overlapping_spell_is_refused_by_the_database(agency):
    member = StaffMemberFactory(agency=agency)
    SpellFactory(
        staff=member, hire_date=dt.date(2020, 1, 1), exit_date=dt.date(2022, 12, 31), exit_reason="other"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EmploymentSpell.objects.create(agency=agency, staff=member, hire_date=dt.date(2022, 12, 31))
    later = EmploymentSpell.objects.create(agency=agency, staff=member, hire_date=dt.date(2023, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        EmploymentSpell.objects.filter(pk=later.pk).update(hire_date=dt.date(2021, 6, 1))
    # Another person's spells are independent.
    SpellFactory(staff=StaffMemberFactory(agency=agency), hire_date=dt.date(2021, 1, 1))


def test_the_spell_form_explains_an_overlap_and_an_exit_without_reason(director, login_client, staff_member):
    client = login_client(director)
    url = reverse("staff-spell-create", args=[staff_member.pk])
    response = client.post(url, {"hire_date": "2023-01-01", "employment_type": "full_time"})
    assert "overlaps another spell of the same person (2022-03-01 – present)" in response.content.decode()
    response = client.post(
        url, {"hire_date": "2010-01-01", "exit_date": "2011-01-01", "employment_type": "full_time"}
    )
    assert "Give the reason for leaving when an exit date is set." in response.content.decode()
    assert staff_member.spells.count() == 1


def test_the_director_records_an_exit_with_its_reason(director, login_client, staff_member):
    spell = staff_member.spells.get()
    response = login_client(director).post(
        reverse("staff-spell-edit", args=[spell.pk]),
        {
            "hire_date": "2022-03-01",
            "exit_date": "2025-12-31",
            "exit_reason": "workload",
            "exit_notes": "Too many cases.",
            "position": "一线社工",
            "employment_type": "full_time",
        },
    )
    assert response.status_code == 302
    spell.refresh_from_db()
    assert (spell.exit_date, spell.exit_reason, spell.is_voluntary_exit) == (
        dt.date(2025, 12, 31),
        "workload",
        True,
    )
    assert spell.history.first().history_user == director


def test_the_director_creates_a_staff_member_and_links_a_login(director, staff_user, login_client, agency):
    response = login_client(director).post(
        reverse("staff-create"),
        {
            "staff_no": "S777",
            "name": "马丽",
            "hire_date": "2026-11-16",
            "position": "社工",
            "employment_type": "part_time",
            "user": staff_user.pk,
        },
    )
    assert response.status_code == 302
    member = StaffMember.objects.get(agency=agency, staff_no="S777")
    assert (member.name, member.employment_type, member.user) == ("马丽", "part_time", staff_user)
    spells = list(member.spells.values_list("hire_date", "exit_date", "position", "employment_type"))
    assert spells == [(dt.date(2026, 11, 16), None, "社工", "part_time")]


def test_the_new_person_form_asks_for_the_hire_date_in_both_languages(director, login_client, agency):
    client = login_client(director)
    english = client.get(reverse("staff-create"), HTTP_ACCEPT_LANGUAGE="en")
    assert list(english.context["form"].fields)[:3] == ["staff_no", "name", "hire_date"]
    assert "Hire date" in english.content.decode()
    chinese = client.get(reverse("staff-create"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "入职日期" in chinese
    assert "首个任职日，自当天起计入在岗人数。" in chinese
    response = client.post(
        reverse("staff-create"), {"staff_no": "S778", "name": "张新", "employment_type": "full_time"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hire_date"] == ["This field is required."]
    assert not StaffMember.objects.filter(staff_no="S778").exists()


def test_the_edit_form_has_no_hire_date_the_spells_keep_it(director, login_client, staff_member):
    form = login_client(director).get(reverse("staff-edit", args=[staff_member.pk])).context["form"]
    assert "hire_date" not in form.fields


def test_a_duplicate_staff_number_is_an_inline_error(director, login_client, staff_member):
    response = login_client(director).post(
        reverse("staff-create"),
        {"staff_no": "S200", "name": "重复", "hire_date": "2026-11-02", "employment_type": "full_time"},
    )
    assert response.status_code == 200
    assert "Another staff member of this agency has this staff number." in response.content.decode()


def test_a_qualification_with_a_scan_is_uploaded_verified_and_downloaded(
    director, login_client, staff_member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login_client(director)
    response = client.post(
        reverse("staff-qualification-create", args=[staff_member.pk]),
        {
            "level": "social_worker",
            "cert_no": "ZJ-2024-001",
            "issued": "2024-06-20",
            "registration_expires": "2027-06-19",
            "scan": SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    qualification = Qualification.objects.get(cert_no="ZJ-2024-001")
    assert qualification.verified_at is None
    client.post(reverse("staff-qualification-verify", args=[qualification.pk]))
    qualification.refresh_from_db()
    assert qualification.verified_by == director
    detail = client.get(reverse("staff-detail", args=[staff_member.pk])).content.decode()
    verified = f"by Alice on {timezone.localtime(qualification.verified_at):%Y-%m-%d}"
    assert verified in detail and "by alice on" not in detail  # the name, not the login
    download = client.get(reverse("staff-qualification-scan", args=[qualification.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cert.exe", PDF, "File extension “exe” is not allowed"),
        ("cert.pdf", b"MZ\x90\x00binary", "The scan must be a PDF, JPEG or PNG file."),
        ("cert.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1), "the limit is 5 MB"),
    ],
    ids=["extension", "content", "size"],
)
def test_a_scan_of_the_wrong_type_or_size_is_refused(
    director, login_client, staff_member, name, content, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = login_client(director).post(
        reverse("staff-qualification-create", args=[staff_member.pk]),
        {
            "level": "social_worker",
            "cert_no": "X-1",
            "issued": "2024-06-20",
            "scan": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Qualification.objects.filter(cert_no="X-1").exists()


def test_api_creates_a_spell_and_reports_an_overlap_in_the_error_shape(director, login_api, staff_member):
    client = login_api(director)
    response = client.post("/api/v1/spells/", {"staff": staff_member.pk, "hire_date": "2024-01-01"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "overlaps another spell" in error["fields"]["hire_date"][0]
    response = client.post(
        "/api/v1/spells/",
        {
            "staff": staff_member.pk,
            "hire_date": "2019-01-01",
            "exit_date": "2020-06-30",
            "exit_reason": "family",
        },
    )
    assert response.status_code == 201
    assert response.json()["voluntary"] is True


def test_api_verify_action_is_for_directors(director, supervisor, login_api, records):
    own = records["own"]
    assert login_api(supervisor).post(f"/api/v1/qualifications/{own.pk}/verify/").status_code == 403
    response = login_api(director).post(f"/api/v1/qualifications/{own.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["verified_by"] == str(director)


def test_the_staff_list_uses_a_fixed_number_of_queries(
    director, login_client, agency, django_assert_num_queries
):
    for n in range(30):
        SpellFactory(
            staff=StaffMemberFactory(agency=agency, staff_no=f"Q{n:03d}"), hire_date=dt.date(2020, 1, 1)
        )
    client = login_client(director)
    client.get("/staff/")  # warm the session and caches; keyset pages: no COUNT(*) of the roster
    with django_assert_num_queries(7):
        response = client.get("/staff/?q=Q0&ordering=name")
    assert response.status_code == 200
    assert response.content.decode().count('href="/staff/') >= 30


def test_the_api_staff_list_uses_a_fixed_number_of_queries(
    director, login_api, agency, django_assert_num_queries
):
    for _n in range(20):
        StaffMemberFactory(agency=agency)
    client = login_api(director)
    client.get("/api/v1/staff/")
    with django_assert_num_queries(2):
        assert client.get("/api/v1/staff/").status_code == 200


def test_list_filters_by_status_and_search(director, login_client, records):
    client = login_client(director)
    content = client.get("/staff/?q=李").content.decode()
    assert "S200" in content and "S300" not in content
    content = client.get("/staff/?employment_type=intern").content.decode()
    assert "Nobody matches these filters." in content


def test_the_upload_page_previews_then_imports(director, login_client, agency):
    client = login_client(director)
    preview = client.post(
        reverse("staff-import"), {"file": SimpleUploadedFile("roster.csv", csv_bytes(GOOD_ROWS))}
    )
    content = preview.content.decode()
    assert "Dry run: 4 rows in roster.csv are valid" in content
    assert "<dt>New staff members</dt><dd>3</dd>" in content
    assert StaffMember.objects.filter(agency=agency).count() == 0
    token = preview.context["token"]
    response = client.post(reverse("staff-import"), {"token": token})
    assert response.status_code == 302
    assert StaffMember.objects.filter(agency=agency).count() == 3
    assert ImportBatch.objects.get(agency=agency).created_by == director


def test_the_upload_page_lists_every_error(director, login_client, agency):
    bad = csv_bytes(["S001,张伟,,,2024-05-01,2024-04-01,,,,,,,"])
    content = (
        login_client(director)
        .post(reverse("staff-import"), {"file": SimpleUploadedFile("bad.csv", bad)})
        .content.decode()
    )
    assert "row 2, column 离职日期: the exit date 2024-04-01 is before the hire date 2024-05-01" in content
    assert "row 2, column 离职原因: a reason is required when an exit date is given" in content


def test_retention_dashboard_shows_metrics_definitions_and_charts(director, login_client, records):
    content = login_client(director).get("/staff/retention/?year=2022").content.decode()
    assert "Spells whose exit date is in the year." in content
    assert "<svg" in content
    assert "Salary and benefits" in content


def test_the_retention_dashboard_prints_each_rate_once(director, login_client, records):
    page = login_client(director).get("/staff/retention/?year=2022")
    rows = {row["key"]: row for row in page.context["metric_rows"]}
    assert rows["turnover_rate"]["display"] == f"{rows['turnover_rate']['value']:.4f}"
    html = page.content.decode()
    assert f'<td class="num">{rows["turnover_rate"]["display"]}</td>' in html
    assert all("%" not in row["display"] for row in rows.values())


@pytest.mark.parametrize(
    ("kind", "fmt", "magic"),
    [
        ("workforce", "pdf", b"%PDF"),
        ("workforce", "xlsx", b"PK"),
        ("qualifications", "pdf", b"%PDF"),
        ("retention", "xlsx", b"PK"),
    ],
)
def test_the_director_downloads_workforce_reports(director, login_client, records, kind, fmt, magic):
    response = login_client(director).get(f"/staff/reports/{kind}.{fmt}?year=2024&as_of=2025-01-01")
    assert response.status_code == 200
    assert response.content.startswith(magic)


def test_expiring_certificates_page_lists_expiring_and_expired(
    director, login_client, staff_member, other_staff_member
):
    from tests.factories import QualificationFactory

    QualificationFactory(staff=staff_member, cert_no="SOON-1", registration_expires=dt.date(2025, 3, 1))
    QualificationFactory(
        staff=other_staff_member, cert_no="GONE-1", registration_expires=dt.date(2024, 12, 1)
    )
    content = login_client(director).get("/staff/certificates/?as_of=2025-01-01").content.decode()
    assert "SOON-1" in content and "GONE-1" in content


def test_report_qualifications_json(agency, staff_member, other_staff_member, capsys):
    import json

    from django.core.management import call_command

    from tests.factories import QualificationFactory

    QualificationFactory(
        staff=staff_member, cert_no="SOON-1", level="social_worker", registration_expires=dt.date(2025, 3, 1)
    )
    QualificationFactory(
        staff=other_staff_member, cert_no="GONE-1", registration_expires=dt.date(2024, 12, 1)
    )
    call_command(
        "report", "qualifications", "--as-of", "2025-01-01", "--format", "json", "--agency", agency.slug
    )
    data = json.loads(capsys.readouterr().out)
    assert data["holders_by_level"] == {
        "assistant_social_worker": 1,
        "social_worker": 1,
        "senior_social_worker": 0,
        "other": 0,
    }
    assert [e["cert_no"] for e in data["expiring_within_90_days"]] == ["SOON-1"]
    assert data["expiring_within_90_days"][0]["days_left"] == 59
    assert [e["cert_no"] for e in data["expired"]] == ["GONE-1"]


def test_sort_options_and_employment_types_are_labels_in_both_languages(director, login_client, staff_member):
    client = login_client(director)
    zh = client.get(reverse("staff-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="-staff_no">员工编号（降序）</option>' in zh
    assert "descending" not in zh
    en = client.get(reverse("staff-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="-staff_no">Staff no. (descending)</option>' in en
    retention = client.get(reverse("staff-retention") + "?year=2025", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [row["group"] for row in retention.context["by_employment_type"]] == ["全职"]
    assert "full_time" not in retention.content.decode()
