"""Report files for download: built on request (``report_attachment``) or by a background job.
Both are ``core.http.file_response`` downloads (Chinese file names intact).

``/reports/files/<job>/`` serves the file a ``core.report`` job stored (see
``core/report_jobs.py``). Only the job's starter and the agency's directors may fetch it
(``Job.restrict_queryset``), and only while the access it was made under still holds, checked
live at every download (``report_file_allowed``); anyone else gets 404. The Reports page
itself, which starts those jobs, is ``overview/report_views.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse

from core.http import file_response
from core.models import Job, agency_of
from core.report_jobs import JOB_KIND
from core.reports import UnknownReport, get


def report_attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A rendered report as a download (``core.reports.render``'s three values)."""
    return file_response(content, filename, content_type)


def _job_params(job: Job) -> dict[str, Any]:
    """The report parameters a job was started with (dates back as dates)."""
    params = {name: job.params.get(name) for name in ("year", "as_of", "contract")}
    if params["as_of"]:
        params["as_of"] = dt.date.fromisoformat(params["as_of"])
    return {name: value for name, value in params.items() if value not in (None, "")}


def report_file_allowed(job: Job, user) -> bool:
    """May ``user`` open the file of ``job`` now? Checked live, every time (docs/roles.md).

    Both the reader and the person the file was made for must, as they are today, belong to
    the job's agency and pass the kind's ``may_open`` (roles, and the record check such as an
    auditor's contract grant): a revoked or expired grant, a changed role or a deactivated
    account closes the file, for its maker and for a director alike. The maker's access must
    moreover still rest on what it rested on when the file was asked for (the job's
    ``made_under``, ``ReportKind.made_under``): a file made under a grant since revoked stays
    closed when the auditor is given a new grant on the same contract.
    """
    try:
        kind = get(job.params.get("kind", ""))
    except UnknownReport:
        return False
    params = _job_params(job)
    for person in {user, job.created_by}:
        if person is None or agency_of(person) != job.agency or not kind.may_open(person, params):
            return False
    return kind.still_made_under(job.created_by, params, job.params)


@login_required
def report_file(request, pk: int):
    """A report file built by a job, for its starter and the agency's directors, while the
    access it was made under still holds (``report_file_allowed``); anything else is 404."""
    job = (
        Job.objects.for_user(request.user, "view")
        .filter(pk=pk, kind=JOB_KIND, status=Job.Status.SUCCEEDED)
        .select_related("created_by", "agency")
        .first()
    )
    path = (job.result or {}).get("path") if job else None
    if (
        not path
        or not path.startswith(f"agency_{job.agency_id}/reports/")
        or not report_file_allowed(job, request.user)
        or not default_storage.exists(path)
    ):
        raise Http404
    filename = job.result.get("filename") or path.rsplit("/", 1)[-1]
    return file_response(default_storage.open(path, "rb"), filename, job.result.get("content_type"))
