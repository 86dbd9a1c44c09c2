"""Checks for uploaded documents (certificate scans, training evidence, flag evidence).

A document is judged by its first bytes and by its name: PDF, PNG or JPEG content, under a name
ending in that type's extension, within a size limit. One place, so every upload in the product
refuses the same things the same way. Stored documents live under a random directory
(``private_path``), so a path cannot be guessed; they are only ever served by views that check
the reader's access (MEDIA_URL is not routed).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

#: Accepted document types and the bytes their content starts with.
DOCUMENT_SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
#: The name endings each accepted type may have.
DOCUMENT_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
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
    suffix = PurePath(getattr(file, "name", "") or "").suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS[content_type]:
        raise ValidationError(
            _("The file name must end in %(ends)s: that is what its content is."),
            code="bad_name",
            params={"ends": " / ".join(DOCUMENT_EXTENSIONS[content_type])},
        )
    return content_type


def private_path(prefix: str, filename: str) -> str:
    """``<prefix>/<random>/<safe file name>``: where an uploaded or generated file is stored.

    The random directory (128 bits) makes the path unguessable; the file keeps its own name
    so a download is called what the user uploaded.
    """
    name = get_valid_filename(PurePath(filename or "file").name) or "file"
    return f"{prefix}/{secrets.token_hex(16)}/{name}"
