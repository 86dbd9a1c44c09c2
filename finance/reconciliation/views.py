"""Reconciliation pages and the contract pack page.

Thin: read through ``for_user`` (unseen records are 404, seen but not writable 403), write
through ``finance.reconciliation.services``.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import file_response
from core.paging import paginate_keyset
from core.reports import FORMATS, ReportError
from core.reports import render as render_report
from core.reports.charts import chart_svg
from core.reports.formatting import display
from core.roles import Role, has_role
from finance.models import (
    Contract,
    Disbursement,
    Expenditure,
    ReconciliationMatch,
    ReconciliationPeriod,
    StatementLine,
)
from finance.reconciliation import forms, selectors, services
from finance.reports.pack import contract_pack

UPLOAD_DIR = Path(tempfile.gettempdir()) / "finance-statement-previews"
STATES = ("unmatched", "ambiguous", "matched", "explained")


def _can_write(user) -> bool:
    return has_role(user, Role.FINANCE) and user.has_perm("finance.add_statementline")


def _get(model, request, pk, action="view"):
    """The record if the user may read it (else 404) and, for writes, change it (else 403)."""
    obj = model.objects.for_user(request.user, "view").filter(pk=pk).first()
    if obj is None:
        raise Http404
    if action != "view" and not (
        _can_write(request.user) and model.objects.for_user(request.user, action).filter(pk=pk).exists()
    ):
        raise PermissionDenied
    return obj


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _to_period(obj) -> ReconciliationPeriod:
    period = getattr(obj, "period", None) or obj.line.period
    return period


@login_required
def period_list(request):
    """Periods of the contracts the user may read, and (finance) the statement upload."""
    if not request.user.has_perm("finance.view_reconciliationperiod"):
        raise Http404
    can_write = _can_write(request.user)
    filters = forms.PeriodFilter(
        request.GET or None, queryset=selectors.periods_for(request.user).order_by("-start", "-id")
    )
    form = forms.StatementUploadForm(request.POST or None, request.FILES or None, user=request.user)
    result, token = None, ""
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if request.POST.get("confirm"):
            return _confirm_upload(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            result = services.statement_import(
                contract=form.cleaned_data["contract"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                data=data,
                filename=upload.name,
                user=request.user,
                dry_run=True,
            )
            if result.ok:
                UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
                token = hashlib.sha256(data + str(request.user.pk).encode()).hexdigest()
                (UPLOAD_DIR / token).write_bytes(data)
    return render(
        request,
        "finance/reconciliation/period_list.html",
        {
            "filter": filters,
            "page": paginate_keyset(request, filters.qs),
            "form": form,
            "result": result,
            "token": token,
            "can_write": can_write,
        },
    )


def _confirm_upload(request):
    token = request.POST.get("token", "")
    contract = (
        Contract.objects.for_user(request.user, "change").filter(pk=request.POST.get("contract_id")).first()
    )
    start, end = parse_date(request.POST.get("start", "")), parse_date(request.POST.get("end", ""))
    path = UPLOAD_DIR / token
    if (
        contract is None
        or not start
        or not end
        or len(token) != 64
        or not token.isalnum()
        or not path.exists()
    ):
        messages.error(request, _("The preview has expired; upload the file again."))
        return redirect("finance-reconciliation")
    result = services.statement_import(
        contract=contract,
        start=start,
        end=end,
        data=path.read_bytes(),
        filename=request.POST.get("file_name", "statement"),
        user=request.user,
    )
    path.unlink(missing_ok=True)
    if not result.ok:
        messages.error(request, result.headline())
        for line in result.error_lines():
            messages.error(request, line)
        return redirect("finance-reconciliation")
    summary = result.summary
    messages.success(
        request,
        _(
            "Imported %(name)s: %(lines)s new bank lines (%(known)s already known, skipped); "
            "%(matched)s matched to the books automatically, %(ambiguous)s with several possible matches."
        )
        % {
            "name": result.file_name,
            "lines": summary["lines"],
            "known": summary["already_known"],
            "matched": summary["matched"],
            "ambiguous": summary["ambiguous"],
        },
    )
    return redirect("finance-reconciliation-period", pk=result.summary["period"])


@login_required
def period_detail(request, pk):
    """The workspace: bank lines by state, with the book entries nobody matched yet."""
    period = _get(ReconciliationPeriod, request, pk)
    period = ReconciliationPeriod.objects.select_related("contract__funder", "closed_by").get(pk=period.pk)
    state = request.GET.get("state", "")
    lines = selectors.filter_lines(
        selectors.lines_queryset(StatementLine.objects.for_user(request.user, "view").filter(period=period)),
        state,
    ).order_by("date", "id")
    page = paginate_keyset(request, lines)
    can_write = _can_write(request.user) and not period.is_closed
    candidates = selectors.manual_candidates_for(list(page.object_list)) if can_write else {}
    rows = [
        {"line": line, "state": selectors.line_state(line), "candidates": candidates.get(line.pk, [])}
        for line in page.object_list
    ]
    expenditures, disbursements = selectors.period_book_side(period)
    return render(
        request,
        "finance/reconciliation/period_detail.html",
        {
            "period": period,
            "contract": period.contract,
            "summary": selectors.period_summary(period),
            "page": page,
            "rows": rows,
            "state": state,
            "states": STATES,
            "book_expenditures": expenditures[:200],
            "book_disbursements": disbursements[:200],
            "statements": period.statements.select_related("created_by").order_by("-created_at"),
            "can_write": can_write,
            "is_director": has_role(request.user, Role.DIRECTOR),
            "explain_form": forms.ExplainForm(),
        },
    )


def _back(obj):
    return redirect("finance-reconciliation-period", pk=_to_period(obj).pk)


@login_required
@require_POST
def period_action(request, pk, action):
    """auto-match, confirm-all or close on a period."""
    period = _get(ReconciliationPeriod, request, pk, "change")
    try:
        if action == "auto-match":
            outcome = services.period_auto_match(period=period, user=request.user)
            messages.success(
                request,
                _("%(matched)s lines matched; %(ambiguous)s ambiguous lines left for you.") % outcome,
            )
        elif action == "confirm-all":
            count = services.period_confirm_all(period=period, user=request.user)
            messages.success(request, _("%(count)s matches confirmed.") % {"count": count})
        elif action == "close":
            services.period_close(period=period, user=request.user)
            messages.success(request, _("The period is closed."))
        else:
            raise Http404
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("finance-reconciliation-period", pk=period.pk)


@login_required
@require_POST
def match_action(request, pk, action):
    """confirm or unmatch one match."""
    match = _get(ReconciliationMatch, request, pk, "change")
    match = ReconciliationMatch.objects.select_related("line__period").get(pk=match.pk)
    try:
        if action == "confirm":
            services.match_confirm(match=match, user=request.user)
        elif action == "unmatch":
            services.match_remove(match=match, user=request.user)
            messages.success(request, _("The line is unmatched."))
        else:
            raise Http404
    except ValidationError as exc:
        _fail(request, exc)
    return _back(match)


def _book_item(request, value: str):
    kind, _sep, raw_id = (value or "").partition(":")
    model = {"expenditure": Expenditure, "disbursement": Disbursement}.get(kind)
    if model is None or not raw_id.isdigit():
        raise ValidationError(_("Choose the entry this line records."))
    item = model.objects.for_user(request.user, "view").filter(pk=int(raw_id)).first()
    if item is None:
        raise ValidationError(_("Choose the entry this line records."))
    return {kind: item}


@login_required
@require_POST
def line_action(request, pk, action):
    """match by hand, explain or withdraw an explanation of one line."""
    line = _get(StatementLine, request, pk, "change")
    line = StatementLine.objects.select_related("period").get(pk=line.pk)
    try:
        if action == "match":
            services.match_create(
                line=line, user=request.user, **_book_item(request, request.POST.get("candidate"))
            )
            messages.success(request, _("The line is matched."))
        elif action == "explain":
            form = forms.ExplainForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why this line has no book entry."))
            services.line_explain(line=line, note=form.cleaned_data["note"], user=request.user)
            messages.success(request, _("The line is explained."))
        elif action == "unexplain":
            services.line_unexplain(line=line, user=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        _fail(request, exc)
    return _back(line)


@login_required
def contract_pack_page(request, pk):
    """The contract pack on screen (charts as SVG) with downloads in every format."""
    contract = (
        Contract.objects.for_user(request.user, "view")
        .select_related("funder", "agency")
        .filter(pk=pk)
        .first()
    )
    if contract is None or not has_role(request.user, Role.DIRECTOR, Role.FINANCE, Role.AUDITOR):
        raise Http404
    try:
        report = contract_pack(contract, user=request.user)
    except ReportError as exc:  # pragma: no cover - the contract was just found
        raise Http404 from exc
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        content, content_type, filename = render_report(report, fmt)
        return file_response(content, filename, content_type)
    sections = [
        {
            "title": section.title,
            "text": section.text,
            "facts": [(label, display(value)) for label, value in section.facts],
            # Charts are drawn once by core.reports.charts; their tables serve the spreadsheet.
            "charts": [chart_svg(chart) for chart in section.charts],
            "tables": [] if section.charts else [_display_table(table) for table in section.tables],
        }
        for section in report.sections
    ]
    return render(
        request,
        "finance/pack/pack.html",
        {"contract": contract, "report": report, "sections": sections, "formats": list(FORMATS)},
    )


def _display_table(table) -> dict:
    rows = list(table.rows)
    totals = table.totals_row()
    if totals is not None:
        rows.append(totals)
    return {
        "title": table.title,
        "note": table.note,
        "columns": table.columns,
        "rows": [
            [
                {
                    "text": display(table.cell(row, column), column.kind, column.places),
                    "numeric": column.numeric,
                }
                for column in table.columns
            ]
            for row in rows
        ],
    }
