"""Report files for download: built on request (``report_attachment``) or by a background job.
Both are ``core.http.file_response`` downloads (Chinese file names intact).

``/reports/files/<job>/`` serves the file a ``core.report`` job stored (see
``core/report_jobs.py``). Only the job's starter and the agency's directors may fetch it
(``Job.restrict_queryset``); anyone else gets 404. The Reports page itself, which starts
those jobs, is ``overview/report_views.py``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse

from core.http import file_response
from core.models import Job
from core.report_jobs import JOB_KIND


def report_attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A rendered report as a download (``core.reports.render``'s three values)."""
    return file_response(content, filename, content_type)


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
    return file_response(default_storage.open(path, "rb"), filename, job.result.get("content_type"))
