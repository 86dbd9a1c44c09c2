"""Report files for download: built on request (``report_attachment``) or by a background job.

``/reports/files/<job>/`` serves the file a ``core.report`` job stored (see
``core/report_jobs.py``). Only the job's starter and the agency's directors may fetch it
(``Job.restrict_queryset``); anyone else gets 404. The Reports page itself, which starts
those jobs, is ``overview/report_views.py``.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from core.models import Job
from core.report_jobs import JOB_KIND


def report_attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A rendered report as a download (``core.reports.render``'s three values)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def report_file(request, pk: int):
    """A report file built by a job: for the job's starter and the agency's directors only."""
    job = (
        Job.objects.for_user(request.user, "view")
        .filter(pk=pk, kind=JOB_KIND, status=Job.Status.SUCCEEDED)
        .first()
    )
    path = (job.result or {}).get("path") if job else None
    if (
        not path
        or not path.startswith(f"agency_{job.agency_id}/reports/")
        or not default_storage.exists(path)
    ):
        raise Http404
    filename = job.result.get("filename") or path.rsplit("/", 1)[-1]
    content_type = job.result.get("content_type") or mimetypes.guess_type(filename)[0]
    return FileResponse(
        default_storage.open(path, "rb"), as_attachment=True, filename=filename, content_type=content_type
    )
