"""One document check for every upload: type by content and by name, size, emptiness."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import validate_document


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.pdf", b"%PDF-1.7 ...", "application/pdf"),
        ("scan.PNG", b"\x89PNG\r\n\x1a\n...", "image/png"),
        ("scan.jpg", b"\xff\xd8\xff\xe0..", "image/jpeg"),
        ("scan.jpeg", b"\xff\xd8\xff\xe0..", "image/jpeg"),
    ],
)
def test_pdf_png_and_jpeg_are_recognised_by_content_under_a_matching_name(name, content, expected):
    assert validate_document(SimpleUploadedFile(name, content), max_bytes=1024) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"%PDF-1.7 <html><script>alert(1)</script>"),
        ("image.svg", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"),
        ("app.js", b"\xff\xd8\xff\xe0 alert(1)"),
        ("scan.png", b"%PDF-1.7 a pdf named png"),
        ("no-extension", b"%PDF-1.7 ..."),
    ],
)
def test_a_document_whose_name_does_not_match_its_content_is_refused(name, content):
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile(name, content), max_bytes=1024)
    assert refused.value.error_list[0].code == "bad_name"


def test_stored_paths_are_random_and_keep_a_safe_file_name():
    from core.uploads import private_path

    first, second = (
        private_path("agency_1/training/7", "../证书 1.pdf"),
        private_path("agency_1/training/7", "x.pdf"),
    )
    prefix, token, name = first.rsplit("/", 2)
    assert (prefix, len(token), name) == ("agency_1/training/7", 32, "证书_1.pdf")
    assert first.rsplit("/", 2)[1] != second.rsplit("/", 2)[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable", "Upload a PDF, JPEG or PNG file."),
        (b"", "The file is empty."),
        (b"%PDF-" + b"0" * 2048, "The file is too large (0.0 MB); the limit is 0 MB."),
    ],
)
def test_other_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile("scan.pdf", content), max_bytes=1024)
    assert refused.value.messages == [message]
