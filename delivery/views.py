"""Delivery pages: a contract's targets and progress, the visit log, service records, import, workload."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ImportBatch, agency_of
from core.paging import paginate_keyset
from core.roles import Role, has_role
from core.views import paginate
from delivery import forms, selectors, services
from delivery.filters import ActivityFilter
from delivery.importing import activities_import
from delivery.models import Target
from finance.models import Contract
from staff.models import StaffMember

UPLOAD_DIR = Path(tempfile.gettempdir()) / "delivery-activity-previews"
#: Rows of the workload page drawn at once (one row per person and month).
WORKLOAD_PER_PAGE = 100


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def contract_targets(request, pk):
    """A contract's targets with their progress (docs/metrics.md) and their revisions."""
    contract = selectors.contract_for_targets(request.user, pk)
    if contract is None:
        raise Http404
    as_of = selectors.default_as_of(contract)
    targets = list(Target.objects.for_user(request.user, "view").filter(contract=contract))
    progress = selectors.contract_progress(contract, as_of=as_of, targets=targets)
    revisions = contract.target_revisions.select_related("changed_by")[:50]
    return render(
        request,
        "delivery/contract_targets.html",
        {
            "contract": contract,
            "as_of": as_of,
            "progress": progress,
            "revisions": revisions,
            "can_edit": has_role(request.user, Role.DIRECTOR),
            "can_see_contract": Contract.objects.for_user(request.user, "view")
            .filter(pk=contract.pk)
            .exists(),
        },
    )


@login_required
def target_form(request, pk, target_pk=None):
    """A director adds a target, or changes one with a reason; every change is a revision."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    contract = selectors.contract_for_targets(request.user, pk)
    if contract is None:
        raise Http404
    target = None
    initial = {}
    if target_pk is not None:
        target = (
            Target.objects.for_user(request.user, "change").filter(contract=contract, pk=target_pk).first()
        )
        if target is None:
            raise Http404
        initial = {
            "code": target.code,
            "name": target.name,
            "measure": target.measure,
            "quantity": target.quantity,
        }
    form = forms.TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = services.TargetSpec(data["code"], data["name"], data["measure"], data["quantity"])
        try:
            if target is None:
                services.target_create(contract=contract, spec=spec, user=request.user, reason=data["reason"])
            else:
                services.target_update(target=target, spec=spec, user=request.user, reason=data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Targets saved."))
            return redirect("delivery-contract-targets", pk=contract.pk)
    title = _("Change target %(code)s") % {"code": target.code} if target else _("New target")
    return render(request, "delivery/form.html", {"form": form, "title": title, "contract": contract})


@login_required
def activity_new(request):
    """The phone-first visit log: the worker's own record, in under half a minute."""
    member = getattr(request.user, "staff_member", None)
    if not request.user.has_perm("delivery.add_serviceactivity"):
        raise Http404
    director = has_role(request.user, Role.DIRECTOR)
    if member is None and not director:
        return render(request, "delivery/no_staff_record.html", status=403)
    targets = selectors.targets_for_logging(request.user)
    staff = StaffMember.objects.for_agency(agency_of(request.user)).order_by("staff_no") if director else None
    form = forms.ActivityForm(
        request.POST or None, targets=targets, staff=staff, initial={"staff": member} if director else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                target=data["target"],
                staff=data.get("staff") or member,
                date=data["date"],
                duration_minutes=data["duration_minutes"],
                case_code=data["case_code"],
                participants=data["participants"],
                location=data["location"],
                note=data["note"],
                user=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Recorded %(no)s.") % {"no": activity.activity_no})
            return redirect("delivery-activity-new")
    recent = selectors.activities_for(request.user).filter(recorded_by=request.user)[:5]
    return render(request, "delivery/activity_form.html", {"form": form, "recent": recent})


@login_required
def activity_list(request):
    """Service records the user may read: their own, their supervisees', or all (directors, finance)."""
    if not request.user.has_perm("delivery.view_serviceactivity"):
        raise Http404
    qs = selectors.activities_for(request.user)
    mine = request.GET.get("mine") == "1" or not (
        has_role(request.user, Role.DIRECTOR, Role.FINANCE, Role.SUPERVISOR)
    )
    if mine:
        qs = qs.filter(staff__user=request.user)
    filterset = ActivityFilter(request.GET, queryset=qs, user=request.user, own_only=mine)
    # A choice the reader may not see (another agency's contract, say) is an error on its field
    # and lists nothing, never the unfiltered list.
    qs = filterset.qs if filterset.is_valid() else qs.none()
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(
        request,
        "delivery/activity_list.html",
        {
            "page": paginate_keyset(request, qs),
            "mine": mine,
            "filter": filterset,
            "filtered": any(value for key, value in query.items() if key != "mine"),
        },
    )


@login_required
def activity_import(request):
    """Upload → preview (a dry run listing every error) → confirm (the all-or-nothing import)."""
    if not has_role(request.user, Role.DIRECTOR) or not request.user.has_perm("delivery.add_serviceactivity"):
        raise Http404
    contracts = Contract.objects.for_user(request.user, "view")
    form = forms.ActivityUploadForm(request.POST or None, request.FILES or None, contracts=contracts)
    result = None
    token = ""
    if request.method == "POST" and request.POST.get("confirm"):
        token = request.POST.get("token", "")
        contract = contracts.filter(code=request.POST.get("contract_code", "")).first()
        path = UPLOAD_DIR / token
        if contract is None or len(token) != 64 or not token.isalnum() or not path.exists():
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("delivery-import")
        result = activities_import(
            contract=contract,
            data=path.read_bytes(),
            filename=request.POST.get("file_name", "activities"),
            user=request.user,
        )
        path.unlink(missing_ok=True)
        if result.ok:
            messages.success(request, result.headline())
            return redirect(f"{reverse('delivery-activity-list')}?contract={contract.code}")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = activities_import(
            contract=form.cleaned_data["contract"],
            data=data,
            filename=upload.name,
            user=request.user,
            dry_run=True,
        )
        if result.ok:
            UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            token = hashlib.sha256(data + str(request.user.pk).encode()).hexdigest()
            (UPLOAD_DIR / token).write_bytes(data)
    batches = (
        ImportBatch.objects.for_user(request.user, "view")
        .filter(kind="activities")
        .select_related("created_by")[:20]
    )
    return render(
        request,
        "delivery/import.html",
        {
            "form": form,
            "result": result,
            "token": token,
            "contract_code": request.POST.get("contract", ""),
            "batches": batches,
        },
    )


@login_required
def workload(request):
    """Per person and month: activities and minutes delivered, supervision received, training hours."""
    if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR):
        raise Http404
    today = timezone.localdate()
    form = forms.WorkloadForm.for_request(request.GET, today)
    year, month, sort = form.choice(today)
    staff = selectors.workload_staff(request.user)
    rows = selectors.workload(staff, year=year, month=month)
    if not rows and "year" not in request.GET and form.is_valid():
        # The first days of a month hold nothing yet: a first visit shows the month before.
        last = today.replace(day=1) - dt.timedelta(days=1)
        form = forms.WorkloadForm({"year": last.year, "month": last.month, "sort": sort})
        year, month, sort = form.choice(today)
        rows = selectors.workload(staff, year=year, month=month)
    rows.sort(key=forms.WorkloadForm.SORTS[sort][1])
    # A provincial network has thousands of people a month: the rows of one page are drawn.
    page = paginate(request, rows, per_page=WORKLOAD_PER_PAGE)
    return render(
        request,
        "delivery/workload.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "total": len(rows),
            "year": year,
            "month": month,
        },
    )
