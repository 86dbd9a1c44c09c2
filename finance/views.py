"""Finance pages: contracts, budget vs actual, ledger, entry/void/reverse, imports, revisions, grants.

Views only translate HTTP: they read through ``for_user`` (unseen records are 404) and write
through ``finance.services``.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from urllib.parse import quote

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.forms import apply_validation_error
from core.importing.errors import RowError
from core.models import agency_of
from core.paging import paginate_keyset
from core.roles import Role, has_role
from finance import forms, services
from finance.flags.presentation import ACTIONS
from finance.flags.presentation import money as money_text
from finance.models import AuditorGrant, BudgetRevision, Contract, Expenditure, PaymentMethod
from finance.reports.ledger import ledger_csv, ledger_totals, ledger_xlsx
from finance.reports.templates import TEMPLATES, template_csv, template_xlsx
from finance.selectors import (
    budget_vs_actual,
    budget_warnings,
    contracts_with_totals,
    cumulative_rebudgeting,
    finance_imports_for,
    ledger_queryset,
    ledger_stored_totals,
    revision_warnings,
)

UPLOAD_DIR = Path(tempfile.gettempdir()) / "finance-ledger-previews"


def _contract(request, pk, action="view") -> Contract:
    contract = Contract.objects.for_user(request.user, "view").select_related("funder").filter(pk=pk).first()
    if contract is None:
        raise Http404
    if action != "view" and not Contract.objects.for_user(request.user, action).filter(pk=pk).exists():
        raise PermissionDenied
    return contract


def _can_write(user) -> bool:
    return has_role(user, Role.FINANCE) and user.has_perm("finance.add_expenditure")


@login_required
def contract_list(request):
    if not request.user.has_perm("finance.view_contract"):
        raise Http404
    qs = contracts_with_totals(Contract.objects.for_user(request.user, "view"))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(funder__name__icontains=q))
    status = request.GET.get("status", "")
    if status in Contract.Status.values:
        qs = qs.filter(status=status)
    sorts = {"code": "code", "start": "-start", "total": "-total", "end": "end"}
    sort = request.GET.get("sort", "start")
    qs = qs.order_by(sorts.get(sort, "-start"), "code")
    return render(
        request,
        "finance/contract_list.html",
        {
            # Keyset pages on code, start, end or total (the code breaks ties): no COUNT(*).
            "page": paginate_keyset(request, qs),
            "q": q,
            "status": status,
            "sort": sort,
            "statuses": Contract.Status.choices,
            "can_write": _can_write(request.user),
        },
    )


@login_required
def contract_detail(request, pk):
    contract = _contract(request, pk)
    is_director = has_role(request.user, Role.DIRECTOR)
    revisions = list(
        contract.revisions.select_related("proposed_by", "approved_by", "contract").prefetch_related(
            "lines__budget_line"
        )
    )
    warnings = revision_warnings(revisions)
    for revision in revisions:
        revision.warnings = warnings.get(revision.pk)
    return render(
        request,
        "finance/contract_detail.html",
        {
            "contract": contract,
            "bva": budget_vs_actual(contract),
            "rebudget": cumulative_rebudgeting(contract),
            "revisions": revisions,
            "disbursements": contract.disbursements.all(),
            "assignments": contract.assignments.select_related("staff"),
            "grants": contract.auditor_grants.select_related("user", "granted_by")
            if is_director or has_role(request.user, Role.FINANCE)
            else [],
            "overspend_action": ACTIONS.get(contract.effective_policy()["overspend_action"], ""),
            "is_director": is_director,
            "can_write": _can_write(request.user),
        },
    )


@login_required
def contract_form(request, pk=None):
    if not _can_write(request.user):
        raise (
            Http404 if pk is None and not request.user.has_perm("finance.view_contract") else PermissionDenied
        )
    contract = _contract(request, pk, "change") if pk else None
    form = forms.ContractForm(request.POST or None, request.FILES or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "start", "end", "currency", "status")}
        sheet = form.cleaned_data.get("budget_sheet")
        creating = contract is None
        try:
            # Funder, heading and budget sheet in one transaction: a refused sheet changes nothing.
            with transaction.atomic():
                result = services.contract_save(
                    agency=agency_of(request.user),
                    contract=contract,
                    code=form.cleaned_data["code"] if contract is None else None,
                    total=form.cleaned_data["total"] if contract is None else None,
                    funder_name=form.cleaned_data["funder_name"],
                    user=request.user,
                    **data,
                )
                contract = result.contract
                if sheet:
                    imported = services.budget_sheet_import(
                        contract=contract, data=sheet.read(), filename=sheet.name, user=request.user
                    )
                    if not imported.ok:
                        raise ValidationError(imported.error_lines())
                    if imported.summary.get("revision"):
                        messages.info(request, _("The budget sheet was recorded as a proposed revision."))
        except ValidationError as exc:
            apply_validation_error(form, exc)
            # Rolled back: show the contract as it is stored, not as the refused save left it.
            contract = None if creating else _contract(request, pk, "change")
        else:
            messages.success(request, _("Contract saved."))
            return redirect("finance-contract-detail", pk=contract.pk)
    return render(
        request,
        "finance/form.html",
        {
            "form": form,
            "title": _("Edit contract") if contract else _("New contract"),
            "multipart": True,
            "back": contract,
        },
    )


@login_required
def contract_upload(request):
    """A finance officer loads a contract definition; budget changes wait for a director."""
    if not _can_write(request.user):
        raise Http404
    form = forms.ContractFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.contract_load(
                agency=agency_of(request.user),
                data=upload.read(),
                filename=upload.name,
                user=request.user,
                approve=False,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Contract %(code)s loaded.") % {"code": result.contract.code})
            return redirect("finance-contract-detail", pk=result.contract.pk)
    return render(
        request, "finance/form.html", {"form": form, "title": _("Load a contract file"), "multipart": True}
    )


def _child_form(request, pk, form_class, save, title):
    contract = _contract(request, pk, "change")
    if not _can_write(request.user):
        raise PermissionDenied
    form = (
        form_class(request.POST or None, contract=contract)
        if form_class not in (forms.DisbursementForm,)
        else form_class(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            save(contract, form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance-contract-detail", pk=contract.pk)
    return render(request, "finance/form.html", {"form": form, "title": title, "back": contract})


@login_required
def assignment_add(request, pk):
    return _child_form(
        request,
        pk,
        forms.AssignmentForm,
        lambda c, d: services.assignment_create(contract=c, **d),
        _("Assign a staff member"),
    )


@login_required
def disbursement_add(request, pk):
    return _child_form(
        request,
        pk,
        forms.DisbursementForm,
        lambda c, d: services.disbursement_create(contract=c, **d),
        _("Record a disbursement"),
    )


@login_required
def revision_propose(request, pk):
    def save(contract, data):
        form_deltas = {k[len("delta_") :]: v for k, v in data.items() if k.startswith("delta_") and v}
        services.revision_propose(
            contract=contract, reason=data["reason"], deltas=form_deltas, user=request.user
        )

    return _child_form(request, pk, forms.RevisionForm, save, _("Propose a budget revision"))


@login_required
@require_POST
def revision_decide(request, pk):
    revision = BudgetRevision.objects.for_user(request.user, "view").filter(pk=pk).first()
    if revision is None:
        raise Http404
    if not has_role(request.user, Role.DIRECTOR):
        raise PermissionDenied
    try:
        services.revision_decide(
            revision=revision,
            user=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Revision decided."))
    return redirect("finance-contract-detail", pk=revision.contract_id)


class LedgerFilter(django_filters.FilterSet):
    contract = django_filters.ModelChoiceFilter(
        queryset=Contract.objects.none(), label=gettext_lazy("Contract"), empty_label=gettext_lazy("All")
    )
    line = django_filters.CharFilter(field_name="budget_line__code", label=gettext_lazy("Line code"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=gettext_lazy("From"), widget=forms.DATE
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=gettext_lazy("To"), widget=forms.DATE
    )
    payee = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Payee"))
    payment_method = django_filters.ChoiceFilter(choices=PaymentMethod.choices, label=gettext_lazy("Method"))
    status = django_filters.ChoiceFilter(choices=Expenditure.Status.choices, label=gettext_lazy("Status"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["contract"].queryset = Contract.objects.for_user(user, "view")


LEDGER_SORTS = {
    "date": ("date", "id"),
    "-date": ("-date", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),  # as the API's ?ordering=-amount; the (agency, amount, id) index
    "payee": ("payee", "id"),
    "voucher": ("voucher_no", "id"),
}


@login_required
def ledger(request):
    if not request.user.has_perm("finance.view_expenditure"):
        raise Http404
    qs = ledger_queryset(Expenditure.objects.for_user(request.user, "view"))
    filterset = LedgerFilter(request.GET, queryset=qs, user=request.user)
    sort = request.GET.get("sort", "-date")
    qs = filterset.qs.order_by(*LEDGER_SORTS.get(sort, LEDGER_SORTS["-date"]))
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _ledger_download(request, qs, fmt)
    query = request.GET.copy()
    for key in ("page", "after", "before", "format", "totals"):
        query.pop(key, None)
    return render(
        request,
        "finance/ledger.html",
        {
            # Keyset pages: no COUNT(*) of the ledger, the same cost at any depth.
            "page": paginate_keyset(request, qs),
            "filter": filterset,
            "sort": sort,
            "can_write": _can_write(request.user),
            "totals": _stored_ledger_totals(request.user, filterset) or _filtered_ledger_totals(request, qs),
            "query": query.urlencode(),
        },
    )


#: With a filter other than the contract the page adds up at most this many rows by itself.
LEDGER_TOTALS_LIMIT = 10_000


def _filtered_ledger_totals(request, qs) -> dict:
    """The filtered rows' totals, counted and summed over at most ``LEDGER_TOTALS_LIMIT`` rows.

    A broad filter (posted rows, a year of the ledger) would otherwise count and sum most of a
    million rows to draw one page; beyond the limit the page says "more than 10,000" and
    offers the full sums on request (``?totals=all``), which the download also carries.
    """
    if request.GET.get("totals") == "all":
        return ledger_totals(qs)
    return ledger_totals(qs, limit=LEDGER_TOTALS_LIMIT)


def _stored_ledger_totals(user, filterset) -> dict | None:
    """The page's totals from the running totals when no filter but the contract is set, else None."""
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if any(value not in (None, "") for key, value in data.items() if key != "contract"):
        return None
    return ledger_stored_totals(Contract.objects.for_user(user, "view"), data.get("contract"))


def _ledger_download(request, qs, fmt: str) -> HttpResponse:
    """The filtered rows as a file (same filter and order as the page, every page)."""
    if fmt == "csv":
        response = HttpResponse(ledger_csv(qs), content_type="text/csv; charset=utf-8")
    else:
        agency = agency_of(request.user)
        response = HttpResponse(
            ledger_xlsx(qs, agency_name=agency.name if agency else ""),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="ledger.{fmt}"'
    return response


@login_required
def expenditure_add(request, pk):
    contract = _contract(request, pk, "change")
    if not _can_write(request.user):
        raise PermissionDenied
    form = forms.ExpenditureForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data = {
            k: ("" if v is None and k in ("invoice_no", "voucher_no", "payment_method") else v)
            for k, v in data.items()
        }
        try:
            result = services.expenditure_post(contract=contract, user=request.user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Expenditure posted."))
            return redirect(f"{_url('finance-ledger')}?contract={contract.pk}")
    return render(
        request,
        "finance/form.html",
        {
            "form": form,
            "title": _("New expenditure for %(code)s") % {"code": contract.code},
            "back": contract,
        },
    )


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


def _expenditure(request, pk) -> Expenditure:
    exp = (
        Expenditure.objects.for_user(request.user, "view")
        .select_related("contract", "budget_line")
        .filter(pk=pk)
        .first()
    )
    if exp is None:
        raise Http404
    if (
        not _can_write(request.user)
        or not Expenditure.objects.for_user(request.user, "change").filter(pk=pk).exists()
    ):
        raise PermissionDenied
    return exp


@login_required
def expenditure_void(request, pk):
    exp = _expenditure(request, pk)
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_void(expenditure=exp, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Expenditure voided."))
            return redirect("finance-ledger")
    return render(
        request,
        "finance/form.html",
        {"form": form, "title": _("Void %(exp)s") % {"exp": exp}, "back": exp.contract},
    )


@login_required
def expenditure_reverse(request, pk):
    exp = _expenditure(request, pk)
    form = forms.ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_reverse(expenditure=exp, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Reversal posted."))
            return redirect("finance-ledger")
    return render(
        request,
        "finance/form.html",
        {"form": form, "title": _("Reverse %(exp)s") % {"exp": exp}, "back": exp.contract},
    )


@login_required
def ledger_import(request):
    """Upload → preview (a dry run listing every error) → confirm (the real, all-or-nothing import).

    A director reads the page too, without the upload form: the recent imports, where the home
    page's "imports refused" item leads (finance officers import, directors follow up)."""
    can_write = _can_write(request.user)
    reads = has_role(request.user, Role.DIRECTOR) and request.user.has_perm("finance.view_expenditure")
    if not can_write and not (reads and request.method == "GET"):
        raise Http404
    form = forms.LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    warnings = None
    token = ""
    if request.method == "POST" and request.POST.get("confirm"):
        token = request.POST.get("token", "")
        contract = (
            Contract.objects.for_user(request.user, "change")
            .filter(code=request.POST.get("contract_code", ""))
            .first()
        )
        path = UPLOAD_DIR / token
        if contract is None or len(token) != 64 or not token.isalnum() or not path.exists():
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("finance-import")
        data = path.read_bytes()
        result = services.ledger_import(
            contract=contract, data=data, filename=request.POST.get("file_name", "ledger"), user=request.user
        )
        path.unlink(missing_ok=True)
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s row from %(name)s.",
                    "Imported %(count)s rows from %(name)s.",
                    result.rows,
                )
                % {"count": result.rows, "name": result.file_name}
                + " "
                + import_summary_text(result.summary, contract.code),
            )
            return redirect(f"{_url('finance-ledger')}?contract={contract.pk}")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = services.ledger_import(
            contract=form.cleaned_data["contract"],
            data=data,
            filename=upload.name,
            user=request.user,
            dry_run=True,
        )
        if result.ok:
            warnings = budget_warnings(form.cleaned_data["contract"], additions=result.line_additions)
            UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            token = hashlib.sha256(data + str(request.user.pk).encode()).hexdigest()
            (UPLOAD_DIR / token).write_bytes(data)
    batches = finance_imports_for(request.user, kinds=("ledger",)).select_related("created_by")[:20]
    return render(
        request,
        "finance/import.html",
        {
            "form": form,
            "result": result,
            "token": token,
            "warnings": warnings,
            "contract_code": request.POST.get("contract", ""),
            "batches": batches,
            "can_write": can_write,
        },
    )


@login_required
def grants(request, pk):
    """A director grants or revokes an auditor's read access to this contract."""
    contract = _contract(request, pk)
    if not has_role(request.user, Role.DIRECTOR):
        raise PermissionDenied
    form = forms.GrantForm(request.POST or None, contract=contract)
    if request.method == "POST" and request.POST.get("revoke"):
        grant = (
            AuditorGrant.objects.for_user(request.user, "change")
            .filter(pk=request.POST["revoke"], contract=contract)
            .first()
        )
        if grant is None:
            raise Http404
        services.auditor_revoke(grant=grant, revoked_by=request.user)
        messages.success(request, _("Access revoked."))
        return redirect("finance-grants", pk=contract.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.auditor_grant(
                contract=contract,
                auditor=form.cleaned_data["auditor"],
                granted_by=request.user,
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Access granted."))
            return redirect("finance-grants", pk=contract.pk)
    grant_list = contract.auditor_grants.select_related("user", "granted_by", "revoked_by")
    return render(request, "finance/grants.html", {"contract": contract, "form": form, "grants": grant_list})


def import_summary_text(summary: dict, contract_code: str) -> str:
    """A ledger import's summary as a sentence (the summary's keys stay for the API)."""
    if not summary or "rows" not in summary:
        return ""
    return _(
        "%(rows)s rows adding %(amount)s to %(contract)s; its posted spending becomes %(new_total)s."
    ) % {
        "rows": summary["rows"],
        "amount": money_text(summary.get("amount", "0")),
        "contract": contract_code,
        "new_total": money_text(summary.get("new_total", "0")),
    }


@login_required
def import_detail(request, pk):
    """One past finance import: its rows (imported), or every reason it was refused."""
    batch = finance_imports_for(request.user).filter(pk=pk).select_related("created_by").first()
    if batch is None or not request.user.has_perm("finance.view_expenditure"):
        raise Http404
    rows = ledger_queryset(
        Expenditure.objects.for_user(request.user, "view").filter(import_batch=batch)
    ).order_by("date", "id")
    return render(
        request,
        "finance/import_detail.html",
        {
            "batch": batch,
            "page": paginate_keyset(request, rows) if batch.kind == "ledger" else None,
            "totals": ledger_totals(rows) if batch.kind == "ledger" else None,
            "errors": [RowError.text_of(error) for error in batch.errors or []],
            "summary": import_summary_text(batch.summary, batch.target) if batch.kind == "ledger" else "",
            # Back to where such files are imported, for those who may open it (an auditor may not).
            "imports_page": _can_write(request.user) or has_role(request.user, Role.DIRECTOR),
        },
    )


@login_required
def import_template(request, kind: str, fmt: str):
    """A template file with Chinese headers for a finance importer (CSV or XLSX)."""
    if (
        kind not in TEMPLATES
        or fmt not in ("csv", "xlsx")
        or not request.user.has_perm("finance.view_expenditure")
    ):
        raise Http404
    template = TEMPLATES[kind]
    if fmt == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    name = f"{template.file_stem}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{kind}-template.{fmt}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
