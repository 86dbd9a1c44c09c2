"""Stored report files (roles.md): checked against the reader's live access every time they are
opened, never reachable under /media/, stored under paths nobody can guess."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import Resolver404, resolve

from core.models import Job
from finance.models import AuditorGrant
from finance.services import auditor_grant, auditor_revoke
from tests.overview.test_annual_report import build_year


@pytest.fixture
def year_data(agency, outsider_agency, supervisor_member, staff_member, other_staff_member):
    return build_year(agency, outsider_agency, supervisor_member, staff_member, other_staff_member)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""


def _export(client, django_capture_on_commit_callbacks, contract="XF-2025-01") -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/contract/", {"contract": contract, "format": "pdf"})
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert job.status == "succeeded", job.error
    return job


@pytest.fixture
def auditor_file(personas, director, year_data, login_client, django_capture_on_commit_callbacks):
    grant = auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)
    client = login_client(personas["auditor"])
    job = _export(client, django_capture_on_commit_callbacks)
    assert client.get(job.result["url"]).status_code == 200
    return client, job, grant


def test_a_revoked_grant_closes_the_auditors_report_file(auditor_file, director):
    client, job, grant = auditor_file
    auditor_revoke(grant=grant, revoked_by=director)
    assert client.get(job.result["url"]).status_code == 404


def test_an_expired_grant_closes_the_auditors_report_file(auditor_file):
    client, job, grant = auditor_file
    AuditorGrant.objects.filter(pk=grant.pk).update(expires_on=dt.date.today() - dt.timedelta(days=1))
    assert client.get(job.result["url"]).status_code == 404


def test_a_director_cannot_open_a_file_whose_makers_grant_was_revoked(auditor_file, director, login_client):
    _client, job, grant = auditor_file
    assert login_client(director).get(job.result["url"]).status_code == 200
    auditor_revoke(grant=grant, revoked_by=director)
    assert login_client(director).get(job.result["url"]).status_code == 404


def test_the_file_records_the_grant_it_was_made_under(auditor_file):
    _client, job, grant = auditor_file
    assert job.params["made_under"] == f"auditor_grant:{grant.pk}"


def test_a_new_grant_after_a_revoke_does_not_reopen_the_old_file(
    auditor_file, director, personas, year_data, login_client, django_capture_on_commit_callbacks
):
    client, old_job, grant = auditor_file
    auditor_revoke(grant=grant, revoked_by=director)
    assert client.get(old_job.result["url"]).status_code == 404

    new_grant = auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)

    assert client.get(old_job.result["url"]).status_code == 404
    assert login_client(director).get(old_job.result["url"]).status_code == 404
    new_job = _export(client, django_capture_on_commit_callbacks)
    assert new_job.params["made_under"] == f"auditor_grant:{new_grant.pk}"
    assert client.get(new_job.result["url"]).status_code == 200
    assert login_client(director).get(new_job.result["url"]).status_code == 200


def test_a_new_grant_after_expiry_does_not_reopen_the_old_file(
    auditor_file, director, personas, year_data, django_capture_on_commit_callbacks
):
    client, old_job, grant = auditor_file
    AuditorGrant.objects.filter(pk=grant.pk).update(expires_on=dt.date.today() - dt.timedelta(days=1))

    auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)

    assert client.get(old_job.result["url"]).status_code == 404
    new_job = _export(client, django_capture_on_commit_callbacks)
    assert client.get(new_job.result["url"]).status_code == 200


def test_an_auditors_file_recorded_without_its_grant_does_not_open(auditor_file):
    # A file whose job recorded no grant (asked for before grants were recorded) is not
    # taken to be made under the grant the auditor holds now.
    client, job, _grant = auditor_file
    Job.objects.filter(pk=job.pk).update(params={k: v for k, v in job.params.items() if k != "made_under"})
    assert client.get(job.result["url"]).status_code == 404


def test_a_directors_file_records_no_grant_and_outlives_an_auditors_grants(
    personas, director, year_data, login_client, django_capture_on_commit_callbacks
):
    client = login_client(director)
    job = _export(client, django_capture_on_commit_callbacks)
    assert "made_under" not in job.params

    grant = auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)
    auditor_revoke(grant=grant, revoked_by=director)
    auditor_grant(contract=year_data["main"], auditor=personas["auditor"], granted_by=director)

    assert client.get(job.result["url"]).status_code == 200


def test_a_finance_officers_file_records_no_grant_and_opens(
    personas, year_data, login_client, django_capture_on_commit_callbacks
):
    client = login_client(personas["finance"])
    job = _export(client, django_capture_on_commit_callbacks)
    assert "made_under" not in job.params
    assert client.get(job.result["url"]).status_code == 200


def test_a_finance_officer_moved_to_staff_loses_their_report_files(
    personas, year_data, login_client, django_capture_on_commit_callbacks
):
    finance = personas["finance"]
    client = login_client(finance)
    job = _export(client, django_capture_on_commit_callbacks)
    assert client.get(job.result["url"]).status_code == 200
    finance.groups.set([Group.objects.get(name="staff")])
    assert client.get(job.result["url"]).status_code == 404


def test_a_deactivated_maker_closes_the_file_for_the_director_too(
    personas, director, year_data, login_client, django_capture_on_commit_callbacks
):
    job = _export(login_client(personas["finance"]), django_capture_on_commit_callbacks)
    personas["finance"].is_active = False
    personas["finance"].save()
    assert login_client(director).get(job.result["url"]).status_code == 404


def test_report_paths_are_random_not_the_job_number(
    personas, year_data, login_client, django_capture_on_commit_callbacks
):
    client = login_client(personas["finance"])
    first = _export(client, django_capture_on_commit_callbacks)
    second = _export(client, django_capture_on_commit_callbacks)
    for job in (first, second):
        assert re.fullmatch(rf"agency_{job.agency_id}/reports/[0-9a-f]{{32}}/[^/]+\.pdf", job.result["path"])
        assert f"/{job.pk}/" not in job.result["path"]
    assert first.result["path"].split("/")[2] != second.result["path"].split("/")[2]


def test_the_api_never_hands_out_a_report_files_storage_path(
    personas, year_data, login_client, login_api, django_capture_on_commit_callbacks
):
    job = _export(login_client(personas["finance"]), django_capture_on_commit_callbacks)
    body = login_api(personas["finance"]).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["result"]["url"] == f"/reports/files/{job.pk}/"
    assert "path" not in body["result"]
    assert "agency_" not in str(body)


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
def test_media_is_never_served_directly_in_any_mode(settings, debug):
    import config.urls

    settings.DEBUG = debug
    urls = importlib.reload(config.urls)
    try:
        with pytest.raises(Resolver404):
            resolve("/media/agency_1/reports/0123/annual-2025.pdf", urlconf=urls)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)


def test_an_uploaded_file_is_404_under_media_for_its_own_uploader(
    personas, year_data, login_client, django_capture_on_commit_callbacks, settings
):
    client = login_client(personas["finance"])
    job = _export(client, django_capture_on_commit_callbacks)
    assert client.get(f"{settings.MEDIA_URL}{job.result['path']}").status_code == 404
