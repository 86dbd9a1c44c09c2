"""Pages, CSV and JSON go out gzipped to a browser that asks for it; files compressed already
(PDF, XLSX, images) go out as they are (core/compression.py)."""

import gzip

import pytest
from django.urls import reverse

from core.compression import is_compressible

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.parametrize(
    ("content_type", "compressible"),
    [
        ("text/html; charset=utf-8", True),
        ("text/csv; charset=utf-8", True),
        ("application/json", True),
        ("application/vnd.oai.openapi+json; charset=utf-8", True),
        ("Application/JSON", True),
        ("image/svg+xml", True),
        ("application/pdf", False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("image/png", False),
        ("application/octet-stream", False),
        ("", False),
    ],
)
def test_what_is_worth_compressing(content_type, compressible):
    assert is_compressible(content_type) is compressible


def test_a_page_is_gzipped_for_a_browser_that_accepts_it_and_reads_back_the_same(
    director, staff_member, login_client
):
    client = login_client(director)
    url = reverse("staff-list")
    plain = client.get(url)
    packed = client.get(url, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "李社工" in html and "S200" in html
    assert len(packed.content) < len(plain.content) / 3


def test_an_api_list_reads_back_byte_for_byte(director, staff_member, login_api):
    client = login_api(director)
    plain = client.get("/api/v1/staff/")
    packed = client.get("/api/v1/staff/", **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content


def test_a_pdf_report_goes_out_as_it_is(director, staff_member, login_client):
    response = login_client(director).get(reverse("staff-report", args=["qualifications", "pdf"]), **GZIP)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"%PDF")
