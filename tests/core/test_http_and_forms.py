"""core.http.file_response and core.forms.apply_validation_error: one helper each for every app."""

import io
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse

from core.forms import apply_validation_error
from core.http import file_response


def test_a_chinese_file_name_is_sent_as_an_rfc_6266_utf8_name():
    response = file_response(b"%PDF-1.4", "督导记录-王芳-2025.pdf", "application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('督导记录-王芳-2025.pdf')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"%PDF-1.4"
    # The header is plain ASCII, so no server or proxy can mangle it.
    response["Content-Disposition"].encode("ascii")


def test_an_ascii_file_name_keeps_the_plain_quoted_form():
    response = file_response(b"{}", "annual-2025.json", "application/json")
    assert response["Content-Disposition"] == 'attachment; filename="annual-2025.json"'


def test_an_open_file_is_streamed_and_its_type_guessed_from_the_name():
    response = file_response(io.BytesIO(b"\x89PNG scan"), "证书扫描件.png")
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == b"\x89PNG scan"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('证书扫描件.png')}"


def test_an_unknown_kind_of_file_is_sent_as_octet_stream():
    assert file_response(b"x", "evidence-7")["Content-Type"] == "application/octet-stream"


class _Form(forms.Form):
    title = forms.CharField()


def test_a_field_error_lands_on_its_field_and_an_unknown_field_on_the_form():
    form = _Form({"title": "Case review"})
    assert form.is_valid()
    apply_validation_error(form, ValidationError({"title": ["Too short."], "agency": ["Wrong agency."]}))
    assert form.errors == {"title": ["Too short."], "__all__": ["Wrong agency."]}


def test_an_error_without_fields_lands_at_the_top_of_the_form():
    form = _Form({"title": "Case review"})
    assert form.is_valid()
    apply_validation_error(form, ValidationError(["The period is closed.", "Ask a director."]))
    assert form.non_field_errors() == ["The period is closed.", "Ask a director."]
    assert "title" not in form.errors
