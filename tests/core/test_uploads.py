"""One document check for every upload: type by content, size, emptiness."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import validate_document


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7 ...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n...", "image/png"),
        (b"\xff\xd8\xff\xe0..", "image/jpeg"),
    ],
)
def test_pdf_png_and_jpeg_are_recognised_by_content_whatever_the_name(content, expected):
    assert validate_document(SimpleUploadedFile("anything.txt", content), max_bytes=1024) == expected


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
