"""The background job that builds a report file (``core.report``).

The Reports page dispatches it for long reports (PDF and XLSX of ``annual`` and ``contract``);
it builds the report as the user who asked, in their language, stores the file in the default
storage under ``agency_<id>/reports/<random>/`` and returns the URL that serves it to the job's
starter and the agency's directors (``core.report_views.report_file``). Imported from
``CoreConfig.ready()`` so that a Celery worker knows the handler too.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.jobs import JobError, job_handler, job_title_for, kind_label
from core.models import Job, agency_of
from core.reports import FORMATS, ReportError, UnknownReport, get
from core.reports import render as render_report
from core.roles import user_roles
from core.uploads import private_path

JOB_KIND = "core.report"


@job_handler(JOB_KIND, label=gettext_lazy("Report file"))
def run_report_job(job: Job, progress) -> dict:
    """Build and render the report of ``job.params`` as its starter, store the file under
    ``agency_<id>/reports/`` and return the URL of ``report_file`` for it."""
    params = dict(job.params)
    user = job.created_by
    try:
        kind = get(params.get("kind", ""))
    except UnknownReport as exc:
        raise JobError(str(exc)) from None
    fmt = params.get("format")
    if fmt not in FORMATS:
        raise JobError(_("Unknown format %(fmt)s.") % {"fmt": fmt})
    # Roles may have changed since the job was queued: check again, as the page did.
    if user is None or agency_of(user) != job.agency or not kind.allowed_for(user_roles(user)):
        raise JobError(_("You may no longer run this report."))
    kwargs: dict[str, Any] = {}
    if params.get("year") is not None:
        kwargs["year"] = int(params["year"])
    if params.get("as_of"):
        kwargs["as_of"] = dt.date.fromisoformat(params["as_of"])
    if params.get("contract"):
        kwargs["contract"] = params["contract"]
    if "progress" in inspect.signature(kind.build).parameters:
        kwargs["progress"] = progress

    with translation.override(params.get("lang") or settings.LANGUAGE_CODE):
        progress(1, _("Building the report"))
        try:
            report = kind.build(agency=job.agency, user=user, **kwargs)
        except ReportError as exc:
            raise JobError(exc.message) from None
        progress(92, _("Writing the file"))
        content, content_type, filename = render_report(report, fmt)
    # A random directory: the path of a report cannot be guessed from the job's number.
    path = default_storage.save(
        private_path(f"agency_{job.agency_id}/reports", filename), ContentFile(content)
    )
    return {
        "url": reverse("report-file", args=[job.pk]),
        "path": path,
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
    }


@job_title_for(JOB_KIND)
def report_job_title(job: Job) -> str:
    """The report a job builds, by name and parameters ("Contract report · Contract XF-2025-01",
    "Annual report · 2025"); a kind no longer registered keeps the generic "Report file"."""
    try:
        kind = get(job.params.get("kind", ""))
    except UnknownReport:
        return kind_label(JOB_KIND)
    return kind.describe(job.params)
