"""Checks for uploaded documents (certificate scans, training evidence, flag evidence).

A document is judged by its first bytes, not its name: PDF, PNG or JPEG only, within a size
limit. One place, so every upload in the product refuses the same things the same way.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Accepted document types and the bytes their content starts with.
DOCUMENT_SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


def document_type(file) -> str | None:
    """The content type shown by the file's first bytes, or None; the read position is kept."""
    try:
        position = file.tell()
        file.seek(0)
        head = file.read(16)
        file.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    if isinstance(head, str):
        head = head.encode()
    for content_type, signature in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def validate_document(file, *, max_bytes: int, kind_message: str | None = None) -> str:
    """Refuse a document that is empty, larger than ``max_bytes`` or not a PDF, PNG or JPEG.

    Returns the content type. ``kind_message`` replaces the wrong-type message where a page
    names the document (e.g. "The scan must be a PDF, JPEG or PNG file.").
    """
    size = getattr(file, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="too_large",
            params={"size": f"{size / 1048576:.1f}", "limit": max_bytes // 1048576},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = document_type(file)
    if content_type is None:
        raise ValidationError(kind_message or _("Upload a PDF, JPEG or PNG file."), code="bad_type")
    return content_type
