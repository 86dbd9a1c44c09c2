"""My reports: ``/reports/files/`` lists the report files built in the background (``core.report``
jobs) that the reader may see, newest first, a keyset page at a time.

Who sees which job is ``Job.restrict_queryset``'s rule (the starter's own; a director's, every one
of the agency); whether a file may still be opened is ``core.report_views.report_file_allowed``,
the check the download itself makes, so the list never offers a link the download would refuse.
A closed file says only that it is no longer available, not why (the why is someone's grant or
roles). The page costs the same queries whatever the number of rows: the makers' roles and
memberships are read in one go, and files made by the same person with the same parameters are
checked once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Job, access_prefetch
from core.paging import paginate_keyset
from core.report_views import report_file_allowed
from core.reports import FORMATS, UnknownReport, get
from core.roles import Role, has_role
from core.selectors import report_jobs_for


@dataclass(frozen=True)
class ReportFileRow:
    """One line of the page: a report job as the reader sees it."""

    job: Job
    #: The report's name ("Contract report"), or the generic "Report file" for a kind since removed.
    name: str
    #: The parameters as read ("Contract XF-2025-01", "2025", "As of 2025-12-31").
    params: list[str]
    #: PDF, XLSX, ...
    format: str
    #: The checked download, when the file is ready and may be opened now.
    download_url: str = ""
    #: Why there is no download, in a few words that leak nothing.
    no_download: str = ""


def _no_download(job: Job) -> str:
    if job.status == Job.Status.FAILED:
        return _("Not made")
    if job.status == Job.Status.SUCCEEDED:
        return _("No longer available")
    return _("Not ready yet")


def report_file_rows(jobs: list[Job], user) -> list[ReportFileRow]:
    """The rows of ``jobs`` for ``user``: names, parameters, and a download only where
    ``report_file_allowed`` says so now (one check per maker and parameters, not per row)."""
    # One object per maker (the reader's own for their jobs), so that what a check loads about a
    # person (roles, membership, permissions) is loaded once for the page, not once per row.
    people = {user.pk: user}
    for job in jobs:
        if job.created_by is not None:
            job.created_by = people.setdefault(job.created_by_id, job.created_by)
    access_prefetch(people.values())
    allowed: dict[tuple, bool] = {}
    rows = []
    for job in jobs:
        params = job.params or {}
        try:
            kind = get(params.get("kind", ""))
        except UnknownReport:
            name, labels = job.kind_label, []
        else:
            name, labels = str(kind.title), kind.param_labels(params)
        fmt = params.get("format", "")
        download_url = ""
        if job.status == Job.Status.SUCCEEDED and (job.result or {}).get("path"):
            key = (job.created_by_id, job.agency_id, json.dumps(params, sort_keys=True, default=str))
            if key not in allowed:
                allowed[key] = report_file_allowed(job, user)
            if allowed[key]:
                download_url = reverse("report-file", args=[job.pk])
        rows.append(
            ReportFileRow(
                job=job,
                name=name,
                params=labels,
                format=fmt.upper() if fmt in FORMATS else "",
                download_url=download_url,
                no_download="" if download_url else _no_download(job),
            )
        )
    return rows


@login_required
def report_files(request):
    """The reader's report files (a director: the agency's), newest first."""
    page = paginate_keyset(request, report_jobs_for(request.user))
    page.object_list = report_file_rows(page.object_list, request.user)
    return render(
        request,
        "core/report_files.html",
        {"page": page, "whole_agency": has_role(request.user, Role.DIRECTOR)},
    )
