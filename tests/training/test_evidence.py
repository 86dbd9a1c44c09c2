"""Training evidence (issue: any file type was taken): PDF, JPEG or PNG by content and by name,
stored under an unguessable path, and handed out by the API only as the checked download page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from training.models import TrainingRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _submit(client, name, content):
    return client.post(
        "/api/v1/training-records/",
        {
            "date": "2025-05-01",
            "title": "线上课程",
            "hours": "2",
            "evidence": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", HTML), ("page.html", PDF), ("logo.svg", PDF), ("run.js", PDF), ("scan.png", PDF)],
)
def test_evidence_that_is_not_a_pdf_jpeg_or_png_by_name_and_content_is_refused(
    personas, staff_member, login_api, name, content
):
    response = _submit(login_api(personas["staff"]), name, content)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["evidence"]
    assert TrainingRecord.objects.count() == 0


def test_the_submit_page_refuses_an_html_page_named_as_such(personas, staff_member, login_client):
    response = login_client(personas["staff"]).post(
        "/training/my/submit/",
        {
            "date": "2025-05-01",
            "title": "线上课程",
            "hours": "2",
            "category": "other",
            "evidence": SimpleUploadedFile("page.html", PDF),
        },
    )
    assert response.status_code == 200
    assert "The file name must end in .pdf" in response.content.decode()
    assert TrainingRecord.objects.count() == 0


def test_the_api_gives_the_checked_download_page_not_a_media_url(
    personas, staff_member, login_api, login_client
):
    response = _submit(login_api(personas["staff"]), "证书.pdf", PDF)
    assert response.status_code == 201, response.content
    record = TrainingRecord.objects.get()
    assert re.fullmatch(
        rf"agency_{record.agency_id}/training/{staff_member.pk}/[0-9a-f]{{32}}/证书.pdf", record.evidence.name
    )
    body = login_api(personas["supervisor"]).get(f"/api/v1/training-records/{record.pk}/").json()
    assert body["evidence_url"] == f"/training/records/{record.pk}/evidence/"
    assert "evidence" not in body
    assert "/media/" not in str(body)
    assert login_client(personas["supervisor"]).get(body["evidence_url"]).status_code == 200
    assert login_client(personas["outsider"]).get(body["evidence_url"]).status_code == 404
