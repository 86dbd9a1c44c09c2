"""Training pages: events and attendance, my training, approvals, compliance, transcript,
summary, requirements and the import upload. Thin: forms in, services and selectors out."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_validation_error, field_errors_text
from core.http import file_response
from core.models import agency_of
from core.paging import paginate_keyset
from core.reports import FORMATS
from core.reports import render as render_report
from core.reports.charts import chart_svg
from core.roles import Role, has_role
from core.views import paginate
from staff.models import EmploymentSpell, StaffMember
from training import compliance_db, forms, reports, selectors, services
from training.compliance import STATUS_LABELS, certified_staff, compliance_rows, requirements_for
from training.importing import training_import
from training.models import TrainingEvent


def _director_only(request) -> None:
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404


def _as_of(request) -> dt.date | None:
    """``?as_of=`` (today when absent or blank), or None for a bad date, after a message naming
    the field and what to write: the page then shows today, and builds no file of another date."""
    form = forms.AsOfForm(request.GET)
    if not form.is_valid():
        messages.error(request, field_errors_text(form))
        return None
    return form.cleaned_data.get("as_of") or timezone.localdate()


def _download(report, fmt: str) -> HttpResponse:
    content, content_type, filename = render_report(report, fmt)
    return file_response(content, filename, content_type)


# --- events --------------------------------------------------------------------------------


@login_required
def event_list(request):
    qs = selectors.events_for(request.user)
    if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR, Role.STAFF):
        raise Http404
    filterset = forms.EventFilter(request.GET or None, queryset=qs)
    page = paginate(request, filterset.qs)
    return render(request, "training/event_list.html", {"page": page, "filter": filterset})


def _event_or_404(request, pk: int) -> TrainingEvent:
    event = selectors.events_for(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


@login_required
def event_detail(request, pk: int):
    event = _event_or_404(request, pk)
    attendance = selectors.event_attendance(event, request.user)
    return render(request, "training/event_detail.html", {"event": event, "attendance": attendance})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int | None = None):
    _director_only(request)
    event = _event_or_404(request, pk) if pk else None
    form = forms.EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if event is None:
                event = services.event_create(agency=agency_of(request.user), user=request.user, **data)
            else:
                event = services.event_update(
                    event=TrainingEvent.objects.get(pk=event.pk), user=request.user, **data
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Training event saved."))
            return redirect("training-event-detail", event.pk)
    title = _("New training event") if event is None else _("Edit %(title)s") % {"title": event.title}
    return render(request, "training/form.html", {"form": form, "title": title, "multipart": False})


@login_required
@require_http_methods(["GET", "POST"])
def attendance_sheet(request, pk: int):
    """The sign-in sheet: tick who attended; hours default to the event's."""
    _director_only(request)
    event = _event_or_404(request, pk)
    attended = dict(event.attendance.values_list("staff_id", "hours"))
    employed = EmploymentSpell.objects.filter(hire_date__lte=event.end_date).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=event.start_date)
    )
    staff = (
        StaffMember.objects.for_user(request.user, "view")
        .filter(Q(pk__in=employed.values("staff_id")) | Q(pk__in=list(attended)))
        .order_by("staff_no")
    )
    form = forms.AttendanceForm(request.POST or None, event=event, staff=staff, attended=attended)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.attendance_record(event=event, entries=form.entries(), user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Attendance saved: %(count)s people recorded or updated.") % {"count": len(saved)}
            )
            return redirect("training-event-detail", event.pk)
    return render(request, "training/attendance_sheet.html", {"event": event, "form": form})


# --- my training, submissions, evidence ----------------------------------------------------


@login_required
def my_training(request):
    if not request.user.has_perm("training.view_trainingrecord"):
        raise Http404
    member = selectors.member_of(request.user)
    if member is None:
        return render(request, "training/my_training.html", {"member": None})
    from training.compliance import compliance_for_person

    today = timezone.localdate()
    row = compliance_for_person(member.agency, member.pk, today)
    records = selectors.records_for(request.user).filter(staff=member)
    filterset = forms.RecordFilter(request.GET or None, queryset=records)
    page = paginate_keyset(request, filterset.qs)
    annual = selectors.annual_progress(member.agency, today.year, staff_ids=[member.pk])
    return render(
        request,
        "training/my_training.html",
        {
            "member": member,
            "row": row,
            "page": page,
            "filter": filterset,
            "annual": annual[0] if annual else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request):
    member = selectors.member_of(request.user)
    if member is None or not request.user.has_perm("training.add_trainingrecord"):
        raise Http404
    form = forms.SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_submit(staff=member, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Submitted; it counts once a supervisor or the director approves it.")
            )
            return redirect("training-my")
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Submit external training"), "multipart": True},
    )


@login_required
def evidence(request, pk: int):
    record = selectors.records_for(request.user).filter(pk=pk).first()
    if record is None or not record.evidence:
        raise Http404
    try:
        handle = record.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return file_response(handle, Path(record.evidence.name).name)


# --- approvals -----------------------------------------------------------------------------


@login_required
def approvals(request):
    if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR):
        raise Http404
    page = paginate_keyset(request, selectors.pending_for_approval(request.user))
    return render(request, "training/approvals.html", {"page": page, "form": forms.ReviewForm()})


@login_required
@require_POST
def review(request, pk: int):
    record = selectors.pending_for_approval(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("training-approvals")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.record_approve(record=record, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Approved: %(record)s") % {"record": record.title})
        else:
            services.record_reject(record=record, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Rejected: %(record)s") % {"record": record.title})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("training-approvals")


# --- compliance, transcript, summary -------------------------------------------------------


#: People per page of /training/compliance/.
COMPLIANCE_PER_PAGE = 50
COMPLIANCE_SORTS = {"urgency": _l("Most urgent first"), "staff_no": _l("Staff number")}


class _Counted:
    """A queryset whose length is already known (the status counts): the paginator slices it
    without asking the database to count it again."""

    ordered = True

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


@login_required
def compliance(request):
    if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR):
        raise Http404
    as_of = _as_of(request)
    fmt = request.GET.get("format") if as_of is not None else None
    as_of = as_of or timezone.localdate()
    if fmt in FORMATS:
        report = reports.training_compliance(agency=agency_of(request.user), user=request.user, as_of=as_of)
        return _download(report, fmt)
    status = request.GET.get("status")
    status = status if status in STATUS_LABELS else ""
    sort = request.GET.get("sort")
    sort = sort if sort in COMPLIANCE_SORTS else "urgency"
    agency = agency_of(request.user)
    ids = selectors.visible_staff_ids(request.user)
    requirements = requirements_for(agency)
    counts = None
    if agency is None or (ids is not None and not ids):
        page = paginate(request, [], per_page=COMPLIANCE_PER_PAGE)
    elif sort == "staff_no" and not status:
        # People chosen and paged by the database; hours summed for this page's people only.
        page = paginate_keyset(request, certified_staff(agency, as_of, ids), per_page=COMPLIANCE_PER_PAGE)
        page.object_list = compliance_rows(agency, as_of, staff_ids=[m.pk for m in page.object_list])
    else:
        # Ordered or filtered by a computed figure (urgency, status): the database computes
        # everyone's figures, counts them by status, orders, filters and returns this page only.
        people = compliance_db.compliance_queryset(agency, as_of, ids, requirements)
        counts = compliance_db.status_counts_db(people)
        shown = compliance_db.with_status(people, status) if status else people
        shown = compliance_db.listing(shown, sort)
        total = counts[status] if status else sum(counts.values())
        page = paginate(request, _Counted(shown, total), per_page=COMPLIANCE_PER_PAGE)
        page.object_list = compliance_db.rows_of(page.object_list)
    annual, annual_page = _annual_page(request, agency, as_of.year, ids)
    return render(
        request,
        "training/compliance.html",
        {
            "rows": page.object_list,
            "page": page,
            "counts": counts,
            "sort": sort,
            "sorts": list(COMPLIANCE_SORTS.items()),
            "as_of": as_of,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
            "requirements": requirements.values(),
            "annual": annual,
            "annual_page": annual_page,
            "formats": list(FORMATS),
        },
    )


def _annual_page(request, agency, year: int, ids):
    """The agency's annual minimum table, 50 people a page (``?annual_page=``): hours summed for
    the page's people only. ``([], None)`` when the agency sets no annual minimum."""
    minimum = selectors.annual_minimum(agency) if agency is not None else None
    if minimum is None or (ids is not None and not ids):
        return [], None
    page = Paginator(selectors.annual_staff(agency, year, ids), COMPLIANCE_PER_PAGE).get_page(
        request.GET.get("annual_page")
    )
    query = request.GET.copy()
    query.pop("annual_page", None)
    page.other_query = query.urlencode()
    return selectors.annual_progress_of(agency, year, minimum, page.object_list), page


def _visible_member(request, pk: int) -> StaffMember:
    ids = selectors.visible_staff_ids(request.user)
    member = (
        StaffMember.objects.filter(agency=agency_of(request.user), pk=pk).select_related("agency").first()
    )
    if member is None or (ids is not None and member.pk not in ids):
        raise Http404
    return member


@login_required
def transcript(request, pk: int):
    member = _visible_member(request, pk)
    as_of = _as_of(request)
    fmt = request.GET.get("format") if as_of is not None else None
    as_of = as_of or timezone.localdate()
    report = reports.transcript_report(staff=member, as_of=as_of)
    if fmt in FORMATS:
        return _download(report, fmt)
    return render(request, "training/transcript.html", {"member": member, "report": report, "as_of": as_of})


@login_required
def summary(request):
    _director_only(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    report = reports.training_summary(agency=agency_of(request.user), user=request.user, year=year)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return _download(report, fmt)
    charts = [chart_svg(chart) for section in report.sections for chart in section.charts]
    return render(
        request,
        "training/summary.html",
        {
            "report": report,
            "year": year,
            "charts": charts,
            "summary": selectors.training_summary(agency_of(request.user), year),
        },
    )


# --- requirements and import -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def requirements(request):
    _director_only(request)
    agency = agency_of(request.user)
    services.requirement_defaults_ensure(agency=agency)
    current = requirements_for(agency)
    form = forms.RequirementForm(
        request.POST or None,
        requirements=current,
        initial={"annual_minimum_hours": selectors.annual_minimum(agency)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            for level in current:
                services.requirement_set(
                    agency=agency,
                    level=level,
                    hours_per_cycle=form.cleaned_data[f"hours_{level}"],
                    cycle_years=form.cleaned_data[f"years_{level}"],
                )
            services.policy_set(agency=agency, annual_minimum_hours=form.cleaned_data["annual_minimum_hours"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Requirements saved."))
            return redirect("training-compliance")
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Continuing-education requirements"), "multipart": False},
    )


def _upload_dir(agency) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-previews" / f"agency_{agency.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload → dry-run preview (every problem, or what would be imported) → confirm."""
    _director_only(request)
    agency = agency_of(request.user)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = token = None
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        if len(token) != 64 or not all(c in "0123456789abcdef" for c in token):
            raise Http404
        path = _upload_dir(agency) / token
        if not path.exists():
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("training-import")
        data = path.read_bytes()
        name = request.POST.get("file_name", "training.csv")
        result = training_import(agency=agency, data=data, filename=name, user=request.user)
        path.unlink(missing_ok=True)
        if result.ok:
            messages.success(request, result.headline())
            return redirect("training-compliance")
        return render(request, "training/import.html", {"form": forms.ImportForm(), "result": result})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = training_import(
            agency=agency, data=data, filename=upload.name, user=request.user, dry_run=True
        )
        if result.ok:
            token = hashlib.sha256(data).hexdigest()
            directory = _upload_dir(agency)
            directory.mkdir(parents=True, exist_ok=True)
            (directory / token).write_bytes(data)
        return render(
            request,
            "training/import.html",
            {"form": form, "result": result, "token": token, "file_name": upload.name},
        )
    return render(request, "training/import.html", {"form": form})


@login_required
def record_list(request):
    """Every training record the user may see, filterable (directors and supervisors)."""
    if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR):
        raise Http404
    filterset = forms.RecordFilter(request.GET or None, queryset=selectors.records_for(request.user))
    page = paginate_keyset(request, filterset.qs)
    return render(request, "training/record_list.html", {"page": page, "filter": filterset})
