"""The Reports page: the kinds each role may run, parameter checks, downloads and report jobs."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import Job
from core.reports import all_kinds
from finance.services import auditor_grant
from tests.overview.test_annual_report import build_year

FINANCE_KINDS = {"budget-vs-actual", "contract", "flags", "targets"}


@pytest.fixture
def year_data(agency, outsider_agency, supervisor_member, staff_member, other_staff_member):
    return build_year(agency, outsider_agency, supervisor_member, staff_member, other_staff_member)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""


def listed_kinds(response) -> set[str]:
    return set(
        re.findall(r'<section class="card report-kind" id="report-([\w-]+)"', response.content.decode())
    )


def director_kinds() -> set[str]:
    return {kind.kind for kind in all_kinds() if "director" in kind.roles}


def test_director_kinds_include_every_report_of_the_spec():
    assert {
        "annual",
        "budget-vs-actual",
        "contract",
        "flags",
        "qualifications",
        "retention",
        "supervision-compliance",
        "training-compliance",
    } <= director_kinds()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", "all"),
        ("finance", FINANCE_KINDS),
        ("supervisor", {"supervision-compliance", "training-compliance"}),
        ("staff", set()),
        ("auditor", FINANCE_KINDS),
        ("outsider", "all"),
    ],
)
def test_reports_page_lists_exactly_the_kinds_of_the_users_roles(
    persona, expected, personas, year_data, login_client
):
    response = login_client(personas[persona]).get("/reports/")
    assert response.status_code == 200
    assert listed_kinds(response) == (director_kinds() if expected == "all" else expected)


def test_staff_get_a_link_to_their_own_transcript_only(staff_user, staff_member, login_client):
    page = login_client(staff_user).get("/reports/").content.decode()
    assert f'href="/training/transcript/{staff_member.pk}/"' in page
    assert "No report is available" not in page


def test_contract_choices_are_the_contracts_the_user_may_see(
    director, auditor, outsider, year_data, login_client
):
    assert "XF-2025-01" in login_client(director).get("/reports/").content.decode()
    auditor_page = login_client(auditor).get("/reports/").content.decode()
    assert "XF-2025-01" not in auditor_page
    assert "No contract is available to you" in auditor_page
    auditor_grant(contract=year_data["main"], auditor=auditor, granted_by=director)
    auditor_page = login_client(auditor).get("/reports/").content.decode()
    assert 'value="XF-2025-01"' in auditor_page and "XF-2024-07" not in auditor_page
    outsider_page = login_client(outsider).get("/reports/").content.decode()
    assert "OUT-2025" in outsider_page and "XF-2025-01" not in outsider_page


def test_reports_nav_item_is_shown(director, login_client):
    assert 'href="/reports/"' in login_client(director).get("/").content.decode()


# --- downloads --------------------------------------------------------------------------------


def test_director_downloads_the_annual_json(director, year_data, login_client):
    response = login_client(director).post("/reports/annual/", {"year": "2025", "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="annual-2025.json"'
    data = json.loads(response.content)
    assert data["contracts"][1]["actual"] == "300.25"


def test_a_get_link_downloads_a_budget_vs_actual_csv(finance, year_data, login_client):
    response = login_client(finance).get(
        "/reports/budget-vs-actual/", {"contract": "XF-2025-01", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "budget-vs-actual-XF-2025-01.csv" in response["Content-Disposition"]
    assert "300.25" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("director", "OUT-2025"),  # another agency's contract
        ("director", "NO-SUCH"),  # unknown: looks the same
        ("finance", "OUT-2025"),
        ("auditor", "XF-2025-01"),  # not granted
        ("outsider", "XF-2025-01"),
    ],
)
def test_a_contract_the_user_may_not_see_is_404(persona, code, personas, year_data, login_client):
    client = login_client(personas[persona])
    for kind in ("budget-vs-actual", "contract", "flags"):
        response = client.post(f"/reports/{kind}/", {"contract": code, "format": "json"})
        assert response.status_code == 404, kind


def test_a_granted_auditor_downloads_the_contract_report(director, auditor, year_data, login_client):
    auditor_grant(contract=year_data["main"], auditor=auditor, granted_by=director)
    response = login_client(auditor).post(
        "/reports/budget-vs-actual/", {"contract": "XF-2025-01", "format": "json"}
    )
    assert response.status_code == 200
    assert json.loads(response.content)["total"]["approved"] == "1234.50"


@pytest.mark.parametrize(
    ("persona", "kind"),
    [
        ("finance", "annual"),
        ("supervisor", "retention"),
        ("staff", "training-compliance"),
        ("auditor", "supervision-compliance"),
        ("director", "no-such-kind"),
    ],
)
def test_a_kind_the_roles_do_not_allow_is_404(persona, kind, personas, login_client):
    response = login_client(personas[persona]).post(
        f"/reports/{kind}/", {"year": "2025", "as_of": "2025-12-31"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("year", ["20x5", "99", "3000", ""])
def test_a_bad_year_is_an_inline_error_on_the_reports_page(year, director, login_client):
    response = login_client(director).post("/reports/annual/", {"year": year, "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    message = "This field is required." if year == "" else "Enter a year such as 2025."
    section = page.split('id="report-annual"', 1)[1].split("</section>", 1)[0]
    assert f'<p class="error" role="alert">{message}</p>' in section
    assert f'value="{year}"' in section if year else True


def test_a_bad_as_of_date_is_an_inline_error(director, login_client):
    response = login_client(director).post(
        "/reports/qualifications/", {"as_of": "2025-02-30", "format": "json"}
    )
    assert response.status_code == 200
    assert "Give a date from 1900-01-01 to 2999-12-31, written YYYY-MM-DD." in response.content.decode()


def test_a_bad_date_is_also_summed_up_at_the_top_with_a_link_to_its_field(director, login_client):
    page = login_client(director).post("/reports/qualifications/", {"as_of": "2025-02-30", "format": "json"})
    html = page.content.decode()
    summary = html.split('<div class="form-errors report-errors" role="alert">', 1)[1].split("</div>", 1)[0]
    assert html.index("report-errors") < html.index('id="report-annual"')  # above every report's form
    assert "correct the marked fields below" in summary
    assert (
        '<li><a href="#id_qualifications_as_of">As of</a>: Give a date from 1900-01-01 to 2999-12-31, written YYYY-MM-DD.</li>'
        in summary
    )
    field = html.split('<div class="field has-error">', 1)[1].split("</div>", 1)[0]
    assert 'id="id_qualifications_as_of"' in field
    assert (
        '<p class="error" role="alert">Give a date from 1900-01-01 to 2999-12-31, written YYYY-MM-DD.</p>'
        in field
    )


def test_a_page_without_mistakes_has_no_summary_and_marks_background_formats_with_a_picture(
    director, login_client
):
    html = login_client(director).get("/reports/").content.decode()
    assert "report-errors" not in html
    assert (
        '<img class="icon" src="/static/img/clock.svg" alt="in the background" width="16" height="16">'
        in html
    )
    assert "\u23f1" not in html


def test_an_unknown_format_is_an_inline_error(director, login_client):
    response = login_client(director).post("/reports/retention/", {"year": "2025", "format": "docx"})
    assert response.status_code == 200
    assert "Unknown format docx" in response.content.decode()


def test_supervisor_reports_cover_only_their_supervisees(supervisor, year_data, login_client):
    client = login_client(supervisor)
    supervision = json.loads(
        client.post("/reports/supervision-compliance/", {"year": "2025", "format": "json"}).content
    )
    assert {row["staff_no"] for row in supervision["rows"]} == {"S200"}
    training = json.loads(
        client.post("/reports/training-compliance/", {"as_of": "2025-12-31", "format": "json"}).content
    )
    assert {row["staff_no"] for row in training["staff"]} == {"S100", "S200"}  # own record and supervisee


# --- background jobs --------------------------------------------------------------------------


def test_annual_pdf_runs_as_a_job_whose_page_links_to_the_file(
    director, year_data, login_client, django_capture_on_commit_callbacks
):
    client = login_client(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/annual/", {"year": "2025", "format": "pdf"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.progress) == ("core.report", "succeeded", 100)
    assert job.result["url"] == f"/reports/files/{job.pk}/"
    assert re.fullmatch(rf"agency_{job.agency_id}/reports/[0-9a-f]{{32}}/annual-2025.pdf", job.result["path"])

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/reports/files/{job.pk}/"' in page

    download = client.get(job.result["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="annual-2025.pdf"' in download["Content-Disposition"]
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    )
    assert "信丰县阳光社会工作服务中心" in text and "1,234.50" in text


def test_contract_xlsx_runs_as_a_job_for_the_finance_officer(
    finance, year_data, login_client, django_capture_on_commit_callbacks
):
    client = login_client(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/contract/", {"contract": "XF-2025-01", "format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    download = client.get(job.result["url"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert all(cell.data_type != "f" for ws in workbook.worksheets for row in ws.iter_rows() for cell in row)


def test_json_of_a_long_kind_is_not_a_job(director, year_data, login_client):
    response = login_client(director).post("/reports/contract/", {"contract": "XF-2025-01", "format": "json"})
    assert response.status_code == 200
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("director", 200), ("finance", 200), ("auditor", 404), ("outsider", 404)]
)
def test_a_stored_report_file_is_for_its_starter_and_the_directors_only(
    persona, status, personas, director, year_data, login_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login_client(personas["finance"]).post(
            "/reports/contract/", {"contract": "XF-2025-01", "format": "pdf"}
        )
    job = Job.objects.get()
    assert job.status == "succeeded"
    auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)
    assert login_client(personas[persona]).get(job.result["url"]).status_code == status


def test_another_agencys_director_cannot_fetch_the_file_even_by_guessing(
    director, outsider, year_data, login_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login_client(director).post("/reports/annual/", {"year": "2025", "format": "xlsx"})
    job = Job.objects.get()
    outsider_client = login_client(outsider)
    assert outsider_client.get(f"/reports/files/{job.pk}/").status_code == 404
    assert outsider_client.get(f"/jobs/{job.pk}/").status_code == 404
    assert outsider_client.get(f"/media/{job.result['path']}").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    for url in ("/reports/", "/reports/annual/?year=2025&format=json", "/reports/files/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_reports_page_queries_do_not_grow_with_the_kinds_or_contracts(
    director, year_data, login_client, django_assert_max_num_queries
):
    client = login_client(director)
    client.get("/reports/")
    with django_assert_max_num_queries(10):
        assert client.get("/reports/").status_code == 200
