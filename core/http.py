"""HTTP helpers shared by every app's pages."""

from __future__ import annotations

import mimetypes
from typing import IO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def file_response(
    content: bytes | IO[bytes], filename: str, content_type: str | None = None, *, inline: bool = False
) -> HttpResponse:
    """A download of ``content`` (bytes, or an open binary file that is streamed) named ``filename``.

    The ``Content-Disposition`` header always comes from ``content_disposition_header``, so a
    Chinese file name reaches the browser intact (RFC 6266 ``filename*=utf-8''…``) instead of
    breaking the header; ``nosniff`` keeps browsers from second-guessing ``content_type``.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if isinstance(content, bytes | bytearray):
        response: HttpResponse = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
