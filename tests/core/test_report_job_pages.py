"""Report jobs as people see them: named by their report and parameters, listed under My reports
with a download only while the file may be opened, and a finished job's page saying Ready."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from core.models import Job
from core.report_jobs import JOB_KIND
from core.reports import Report, all_kinds, get, register, unregister
from finance.services import auditor_grant, auditor_revoke
from tests.finance.factories import ContractFactory


def report_job(agency, user, *, status="succeeded", minutes_ago=0, **params) -> Job:
    """A report job as the background run leaves it (the file itself is not needed here), with
    the access it was made under recorded as the Reports page records it."""
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    if params.get("kind") in {kind.kind for kind in all_kinds()}:
        params = {**params, **get(params["kind"]).made_under(user, params)}
    job = Job.objects.create(
        agency=agency,
        created_by=user,
        kind=JOB_KIND,
        status=status,
        params={"format": "pdf", "lang": "en", **params},
        progress=100 if status == "succeeded" else 40,
        message="Writing the file" if status != "queued" else "",
        error="There is no contract XF-404." if status == "failed" else "",
        result={"path": f"agency_{agency.pk}/reports/0a/f.pdf", "url": "/x/"}
        if status == "succeeded"
        else {},
    )
    Job.objects.filter(pk=job.pk).update(
        created_at=at,
        started_at=None if status == "queued" else at,
        finished_at=at if status in ("succeeded", "failed") else None,
    )
    job.refresh_from_db()
    return job


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


# --- titles -----------------------------------------------------------------------------------


@pytest.fixture
def optional_contract_kind():
    @register("test-kind", title="Test pack", params=("year",), optional=("contract", "as_of"))
    def build(**kw):
        return Report(title="t", sections=[])

    yield get("test-kind")
    unregister("test-kind")


def test_a_report_kind_is_described_by_its_name_and_parameters(optional_contract_kind):
    assert get("contract").describe({"contract": "XF-2025-01"}) == "Contract report · Contract XF-2025-01"
    assert get("annual").describe({"year": 2025}) == "Annual report · 2025"
    kind = optional_contract_kind
    assert kind.describe({"year": 2026, "contract": "XF-1"}) == "Test pack · Contract XF-1 · 2026"
    assert kind.describe({"year": "2026", "as_of": "2026-03-31"}) == (
        "Test pack · All contracts · 2026 · As of 2026-03-31"
    )


def test_a_report_kind_ignores_parameters_it_does_not_take():
    assert (
        get("annual").describe({"year": 2025, "contract": "XF-1", "format": "pdf"}) == "Annual report · 2025"
    )


def test_a_report_job_is_titled_by_its_report_and_parameters(agency, director):
    job = report_job(agency, director, status="queued", kind="contract", contract="XF-2025-01")
    assert job.title == "Contract report · Contract XF-2025-01"
    assert str(job) == f"Contract report · Contract XF-2025-01 #{job.pk} (Queued)"


def test_a_report_job_of_a_kind_no_longer_registered_is_a_report_file(agency, director):
    job = report_job(agency, director, kind="gone", year=2025)
    assert job.title == "Report file"


def test_a_report_job_title_is_in_the_readers_language(agency, director):
    job = report_job(agency, director, kind="contract", contract="XF-2025-01")
    with translation.override("zh-hans"):
        assert job.title == "项目合同报表 · 项目合同 XF-2025-01"


def test_other_jobs_keep_their_kinds_label(agency, director):
    job = Job.objects.create(agency=agency, created_by=director, kind="finance.flags_scan")
    assert job.title == "Irregularity scan"


def test_the_job_page_and_the_api_name_the_report(agency, director, login_client, login_api):
    job = report_job(agency, director, status="running", kind="annual", year=2025)
    html = login_client(director).get(f"/jobs/{job.pk}/").content.decode()
    assert f"<h1>Annual report · 2025 (job {job.pk})</h1>" in html
    assert "<title>Annual report · 2025 ·" in html
    assert login_api(director).get(f"/api/v1/jobs/{job.pk}/").json()["title"] == "Annual report · 2025"


# --- the finished job page ----------------------------------------------------------------------


def test_a_finished_report_jobs_page_offers_the_download_not_the_last_stage(agency, director, login_client):
    job = report_job(agency, director, kind="annual", year=2025)
    html = login_client(director).get(f"/jobs/{job.pk}/").content.decode()
    assert '<span class="badge ok">Ready</span>' in html
    assert '<a class="btn" href="/x/">Download the file</a>' in html
    assert "Writing the file" not in html
    assert "100%" not in html
    assert '<a href="/reports/files/">All my reports</a>' in html


def test_a_report_file_no_longer_allowed_is_not_offered_on_its_job_page(agency, director, login_client):
    job = report_job(agency, director, kind="annual", year=2025)
    director.groups.set([Group.objects.get(name="staff")])  # the annual report is a director's
    html = login_client(director).get(f"/jobs/{job.pk}/").content.decode()
    assert '<span class="badge ok">Ready</span>' in html
    assert "No longer available" in html
    assert 'href="/x/"' not in html


def test_a_failed_report_jobs_page_shows_why(agency, finance, login_client):
    job = report_job(agency, finance, status="failed", kind="contract", contract="XF-404")
    html = login_client(finance).get(f"/jobs/{job.pk}/").content.decode()
    assert '<p class="form-errors" role="alert" data-job-failed>There is no contract XF-404.</p>' in html
    assert "Writing the file" not in html
    assert "Download the file" not in html


# --- My reports ---------------------------------------------------------------------------------


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_my_reports_lists_a_directors_agency_newest_first_with_names_status_and_files(
    agency, outsider_agency, director, finance, outsider, login_client
):
    done = report_job(agency, director, minutes_ago=30, kind="annual", year=2024)
    failed = report_job(agency, finance, status="failed", minutes_ago=20, kind="contract", contract="XF-404")
    running = report_job(
        agency, finance, status="running", minutes_ago=10, kind="contract", contract="XF-2025-01"
    )
    queued = report_job(agency, director, status="queued", kind="annual", year=2025)
    report_job(outsider_agency, outsider, kind="annual", year=2025)
    Job.objects.create(agency=agency, created_by=director, kind="finance.flags_scan", status="succeeded")
    response = login_client(director).get("/reports/files/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html) == [
        "Annual report PDF 2025 Queued Alice — — Not ready yet",
        f"Contract report PDF Contract XF-2025-01 Running Bob {_at(running.started_at)} — Not ready yet",
        f"Contract report PDF Contract XF-404 Failed Bob {_at(failed.started_at)} {_at(failed.finished_at)} Not made",
        f"Annual report PDF 2024 Finished Alice {_at(done.started_at)} {_at(done.finished_at)} Download",
    ]
    assert f'<a href="/jobs/{queued.pk}/">Annual report</a>' in html
    assert f'<a href="/reports/files/{done.pk}/">Download</a>' in html
    assert "for anyone in your agency" in html


def test_my_reports_shows_others_only_their_own(agency, director, finance, login_client):
    report_job(agency, director, kind="annual", year=2025)
    report_job(agency, finance, kind="contract", contract="XF-2025-01")
    html = login_client(finance).get("/reports/files/").content.decode()
    assert [row.split(" Finished")[0] for row in _rows(html)] == ["Contract report PDF Contract XF-2025-01"]
    assert "built in the background for you" in html


def test_my_reports_has_an_empty_state(agency, staff_user, director, login_client):
    report_job(agency, director, kind="annual", year=2025)
    html = login_client(staff_user).get("/reports/files/").content.decode()
    assert "<table" not in html
    assert "You have not had a report built in the background yet." in html


def test_a_revoked_grant_closes_the_auditors_file_on_my_reports_without_saying_why(
    agency, director, auditor, login_client
):
    contract = ContractFactory(agency=agency, code="XF-2026-01")
    grant = auditor_grant(contract=contract, auditor=auditor, granted_by=director)
    job = report_job(agency, auditor, kind="contract", contract="XF-2026-01")
    client = login_client(auditor)
    assert (
        f'<a href="/reports/files/{job.pk}/">Download</a>' in client.get("/reports/files/").content.decode()
    )
    auditor_revoke(grant=grant, revoked_by=director)
    for reader in (client, login_client(director)):
        html = reader.get("/reports/files/").content.decode()
        assert f"/reports/files/{job.pk}/" not in html
        assert _rows(html)[0].endswith("No longer available")
        assert "revoked" not in html.lower() and "grant" not in html.lower()


def test_my_reports_pages_by_cursor_fifty_at_a_time(agency, director, login_client):
    for i in range(51):
        report_job(agency, director, minutes_ago=i, kind="annual", year=2000 + i)
    client = login_client(director)
    first = client.get("/reports/files/")
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].has_next
    second = client.get(f"/reports/files/?{first.context['page'].next_query}")
    assert [row.job.params["year"] for row in second.context["page"].object_list] == [2050]


def test_my_reports_is_linked_from_the_reports_page_and_the_menu(agency, finance, login_client):
    html = login_client(finance).get("/reports/").content.decode()
    assert '<a class="btn btn-secondary" href="/reports/files/">My reports</a>' in html
    assert '<li><a href="/reports/files/">My reports</a></li>' in html


def test_my_reports_is_in_chinese_for_a_chinese_reader(agency, director, login_client):
    report_job(agency, director, kind="annual", year=2025)
    report_job(agency, director, status="running", kind="contract", contract="XF-2025-01")
    client = login_client(director)
    html = client.get("/reports/files/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>我的报表</h1>" in html
    first, second = _rows(html)
    assert first.startswith("项目合同报表 PDF 项目合同 XF-2025-01 运行中 Alice ")
    assert first.endswith(" — 尚未完成")
    assert second.startswith("年度报告 PDF 2025 已完成 Alice ")
    assert second.endswith(" 下载")
