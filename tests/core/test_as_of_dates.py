"""An as-of date from the query string or a report form: one range for every entry point
(``core.dates``, the range of ``report --as-of``), a clear refusal naming the parameter, never a 500."""

from __future__ import annotations

import json

import pytest

from core.dates import FIRST_DAY, LAST_DAY, parse_as_of
from tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Give a date from 1900-01-01 to 2999-12-31, written YYYY-MM-DD."
BAD = ["9999-12-31", "0001-01-01", "2026-13-01", "1899-12-31", "3000-01-01", "2025-02-30", "soon"]
API = ["/api/v1/training-compliance/", "/api/v1/qualification-summary/"]


@pytest.fixture
def certificates(personas, staff_member, other_staff_member, supervisor_member):
    """A certificate for each of the agency's people: the reports have someone to roll forward."""
    for member in (staff_member, other_staff_member, supervisor_member):
        QualificationFactory(staff=member, cert_no=f"C-{member.staff_no}")


def _client(login_client, user):
    client = login_client(user)
    client.raise_request_exception = False
    return client


def test_the_range_is_the_report_commands_range():
    assert (FIRST_DAY.isoformat(), LAST_DAY.isoformat()) == ("1900-01-01", "2999-12-31")
    assert parse_as_of(" 1900-01-01 ").isoformat() == "1900-01-01"
    assert parse_as_of("2999-12-31").isoformat() == "2999-12-31"


@pytest.mark.parametrize("raw", BAD)
def test_a_date_outside_the_range_or_not_a_date_is_refused_by_the_parser(raw):
    with pytest.raises(ValueError) as caught:
        parse_as_of(raw)
    assert str(caught.value) == MESSAGE


@pytest.mark.parametrize("raw", BAD)
@pytest.mark.parametrize("url", API)
def test_the_api_refuses_a_bad_as_of_with_a_400_naming_the_parameter(
    url, raw, director, certificates, login_api
):
    client = login_api(director)
    client.raise_request_exception = False
    response = client.get(url, {"as_of": raw})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": f"The request is invalid: {MESSAGE}",
            "fields": {"as_of": [MESSAGE]},
        }
    }


@pytest.mark.parametrize("url", API)
def test_the_api_takes_a_normal_as_of_and_a_missing_one(url, director, certificates, login_api):
    client = login_api(director)
    assert client.get(url, {"as_of": "2025-06-30"}).json()["as_of"] == "2025-06-30"
    assert client.get(url, {"as_of": "2999-12-31"}).json()["as_of"] == "2999-12-31"
    assert client.get(url).status_code == 200


def test_the_api_refuses_a_bad_as_of_in_chinese(director, certificates, login_api):
    client = login_api(director)
    response = client.get(
        "/api/v1/training-compliance/", {"as_of": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "as_of": ["请填写 1900-01-01 至 2999-12-31 之间的日期，格式为 YYYY-MM-DD。"]
    }


@pytest.mark.parametrize("raw", BAD)
def test_the_certificates_page_shows_a_bad_as_of_under_the_field(raw, director, certificates, login_client):
    response = _client(login_client, director).get("/staff/certificates/", {"as_of": raw})
    assert response.status_code == 200
    assert f'<p class="error">{MESSAGE}</p>' in response.content.decode()


def test_the_certificates_page_takes_a_normal_as_of(director, certificates, login_client):
    response = login_client(director).get("/staff/certificates/", {"as_of": "2025-06-30"})
    assert response.status_code == 200
    assert response.context["as_of"].isoformat() == "2025-06-30"
    assert MESSAGE not in response.content.decode()


@pytest.mark.parametrize("raw", BAD)
def test_the_certificates_report_file_is_not_built_for_a_bad_as_of(raw, director, certificates, login_client):
    client = _client(login_client, director)
    response = client.get("/staff/reports/qualifications.json", {"as_of": raw}, follow=True)
    assert response.redirect_chain == [("/staff/certificates/", 302)]
    assert f"As of: {MESSAGE}" in response.content.decode()


def test_the_certificates_report_file_takes_a_normal_as_of(director, certificates, login_client):
    response = login_client(director).get("/staff/reports/qualifications.json", {"as_of": "2025-06-30"})
    assert response.status_code == 200
    assert (
        json.loads(b"".join(response.streaming_content) if response.streaming else response.content)["as_of"]
        == "2025-06-30"
    )


@pytest.mark.parametrize("raw", BAD)
@pytest.mark.parametrize("fmt", [None, "json"])
def test_the_compliance_page_names_a_bad_as_of_and_builds_no_file(
    raw, fmt, director, certificates, login_client
):
    query = {"as_of": raw} | ({"format": fmt} if fmt else {})
    response = _client(login_client, director).get("/training/compliance/", query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f"As of: {MESSAGE}" in response.content.decode()


def test_the_compliance_page_takes_a_normal_as_of(director, certificates, login_client):
    response = login_client(director).get("/training/compliance/", {"as_of": "2025-06-30"})
    assert response.status_code == 200
    assert response.context["as_of"].isoformat() == "2025-06-30"
    assert MESSAGE not in response.content.decode()


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2026-13-01"])
def test_the_transcript_names_a_bad_as_of(raw, director, staff_member, certificates, login_client):
    response = _client(login_client, director).get(
        f"/training/transcript/{staff_member.pk}/", {"as_of": raw, "format": "json"}
    )
    assert response.status_code == 200
    assert f"As of: {MESSAGE}" in response.content.decode()


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2026-13-01"])
@pytest.mark.parametrize("kind", ["qualifications", "training-compliance"])
def test_the_reports_page_shows_a_bad_as_of_inline(kind, raw, director, certificates, login_client):
    response = _client(login_client, director).post(f"/reports/{kind}/", {"as_of": raw, "format": "json"})
    assert response.status_code == 200
    section = response.content.decode().split(f'id="report-{kind}"', 1)[1].split("</section>", 1)[0]
    assert f'<p class="error" role="alert">{MESSAGE}</p>' in section


def test_the_reports_page_takes_a_normal_as_of(director, certificates, login_client):
    response = login_client(director).post(
        "/reports/qualifications/", {"as_of": "2025-06-30", "format": "json"}
    )
    assert response.status_code == 200
    assert json.loads(response.content)["as_of"] == "2025-06-30"
