"""The Reports page: every report kind the user's roles allow, with a small form and a
download button per format.

- ``/reports/`` lists the kinds (``core.reports.registry``) allowed for the user's roles;
  contract choices are what the apps register with ``core.registries.report_contracts``
  (finance: the contracts the user may read), and the page shows the sections the apps
  register with ``core.registries.report_section`` (training: a staff member's link to their
  own continuing-education transcript).
- ``/reports/<kind>/`` validates the parameters (errors shown inline on the page), builds the
  report as the requesting user and returns the file. A kind the roles do not allow, or a
  contract the user may not see, is 404, never 403.
- PDF and XLSX of the long kinds (``annual``, ``contract``) posted from the page run as a
  background job (``core.report``): the browser goes to the job page, which shows progress and
  links to ``/reports/files/<job>/`` (``core.report_views.report_file``) when the file is ready.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.dates import FIRST_YEAR, LAST_YEAR, AsOfDateField
from core.jobs import job_dispatch
from core.models import agency_of
from core.registries import report_contract_choices, report_sections_for
from core.report_jobs import JOB_KIND
from core.report_views import report_attachment
from core.reports import FORMATS, ReportError, UnknownReport, all_kinds, get
from core.reports import render as render_report
from core.reports.registry import ReportKind
from core.roles import user_roles

#: (kind, format) pairs built in the background when requested from the page.
BACKGROUND: frozenset[tuple[str, str]] = frozenset(
    (kind, fmt) for kind in ("annual", "contract") for fmt in ("pdf", "xlsx")
)


# --- forms ------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """The parameters of one report kind; fields the kind does not take are removed."""

    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=gettext_lazy("A calendar year, e.g. 2025."),
        error_messages={
            "invalid": gettext_lazy("Enter a year such as 2025."),
            "min_value": gettext_lazy("Enter a year such as 2025."),
            "max_value": gettext_lazy("Enter a year such as 2025."),
        },
    )
    as_of = AsOfDateField(
        label=gettext_lazy("As of"),
        help_text=gettext_lazy("The date the report is as of (YYYY-MM-DD)."),
    )
    contract = forms.ChoiceField(
        label=gettext_lazy("Contract"),
        help_text=gettext_lazy("Only contracts you may read are listed."),
    )

    def __init__(self, *args: Any, kind: ReportKind, contracts: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{kind.kind}_%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in ("year", "as_of", "contract"):
            if name not in kind.accepted:
                del self.fields[name]
            else:
                self.fields[name].required = name in kind.params
        if "contract" in self.fields:
            blank = [("", _("All contracts") if "contract" in kind.optional else "—")]
            self.fields["contract"].choices = blank + contracts

    def params(self) -> dict[str, Any]:
        """The builder's keyword arguments (given parameters only)."""
        return {
            name: self.cleaned_data[name]
            for name in ("year", "as_of", "contract")
            if name in self.fields and self.cleaned_data.get(name) not in (None, "")
        }


# --- helpers ----------------------------------------------------------------------------------


def allowed_kinds(user) -> list[ReportKind]:
    """Registered kinds the user's roles may run, sorted by name."""
    roles = user_roles(user)
    return [kind for kind in all_kinds() if kind.allowed_for(roles)]


def _initial(kind: ReportKind) -> dict[str, Any]:
    today = timezone.localdate()
    return {"year": today.year - 1 if kind.kind == "annual" else today.year, "as_of": today}


def _page(request, bound: ReportForm | None = None, contracts: list[tuple[str, str]] | None = None):
    contracts = report_contract_choices(request.user) if contracts is None else contracts
    entries = []
    for kind in allowed_kinds(request.user):
        form = bound if bound is not None and bound.kind.kind == kind.kind else None
        form = form or ReportForm(kind=kind, contracts=contracts, initial=_initial(kind))
        entries.append(
            {
                "kind": kind,
                "form": form,
                "needs_contract": "contract" in kind.params,
                "formats": [(fmt, (kind.kind, fmt) in BACKGROUND) for fmt in FORMATS],
            }
        )
    return render(
        request,
        "overview/reports.html",
        {
            "entries": entries,
            "has_contracts": bool(contracts),
            "sections": report_sections_for(request),
        },
    )


# --- views ------------------------------------------------------------------------------------


@login_required
def reports_page(request):
    if agency_of(request.user) is None:
        return render(request, "overview/no_agency.html", status=403)
    return _page(request)


@login_required
@require_http_methods(["GET", "POST"])
def report_download(request, kind: str):
    """Build one report as the requesting user, or start it as a job (see module docstring)."""
    agency = agency_of(request.user)
    if agency is None:
        raise Http404
    try:
        report_kind = get(kind)
    except UnknownReport:
        raise Http404 from None
    if not report_kind.allowed_for(user_roles(request.user)):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    contracts = report_contract_choices(request.user)
    code = (data.get("contract") or "").strip()
    if "contract" in report_kind.accepted and code and code not in {c for c, _label in contracts}:
        raise Http404  # unknown and unseen contracts look the same

    form = ReportForm(data, kind=report_kind, contracts=contracts)
    fmt = data.get("format") or "pdf"
    valid = form.is_valid()
    if fmt not in FORMATS:
        form.add_error(
            None,
            _("Unknown format %(fmt)s; choose one of: %(known)s.")
            % {"fmt": fmt, "known": ", ".join(FORMATS)},
        )
        valid = False
    if not valid:
        return _page(request, form, contracts)
    params = form.params()

    if request.method == "POST" and (report_kind.kind, fmt) in BACKGROUND:
        job = job_dispatch(
            agency=agency,
            user=request.user,
            kind=JOB_KIND,
            params={
                "kind": report_kind.kind,
                "format": fmt,
                "lang": translation.get_language() or settings.LANGUAGE_CODE,
                **{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()},
                # What the user's access rests on (an auditor's grant): the file opens only
                # while that same access holds (core.report_views.report_file_allowed).
                **report_kind.made_under(request.user, params),
            },
        )
        return redirect("job-detail", pk=job.pk)

    try:
        report = report_kind.build(agency=agency, user=request.user, **params)
    except ReportError as exc:
        form.add_error(None, exc.message)
        return _page(request, form, contracts)
    return report_attachment(*render_report(report, fmt))
