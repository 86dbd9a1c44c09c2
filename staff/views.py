"""Pages of the staff app: roster, profile, forms, retention dashboard, certificates, import."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_validation_error, field_errors_text
from core.http import file_response
from core.models import agency_of
from core.paging import paginate_keyset
from core.registries import profile_sections_for
from core.reports import ReportError, get
from core.reports import render as render_report
from core.reports.charts import chart_svg
from core.roles import Role, has_role
from staff import analytics, forms, services
from staff.filters import StaffFilter
from staff.models import EmploymentSpell, EmploymentType, ExitReason, Qualification, StaffMember
from staff.reports import retention_charts
from staff.roster import roster_import
from staff.selectors import profile_records, qualification_summary, qualifications_for, staff_for

REPORT_KINDS = ("retention", "qualifications", "workforce")
_IMPORT_DIR = Path(tempfile.gettempdir()) / "staff-roster-uploads"


def _require_director(request) -> None:
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404


def _member_or_404(request, pk: int, action: str = "view") -> StaffMember:
    member = staff_for(request.user, action).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


@login_required
def staff_list(request):
    if not request.user.has_perm("staff.view_staffmember"):
        raise PermissionDenied
    filterset = StaffFilter(request.GET or None, queryset=staff_for(request.user))
    # By number, name or position: keyset pages; by hire date (an annotation of the latest spell)
    # numbered pages read as 51 rows. Never a COUNT(*) of the roster.
    page = paginate_keyset(request, filterset.qs)
    return render(
        request,
        "staff/list.html",
        {"filter": filterset, "page": page, "can_add": request.user.has_perm("staff.add_staffmember")},
    )


@login_required
def staff_detail(request, pk: int):
    member = _member_or_404(request, pk)
    records = profile_records(request.user, member)
    today = timezone.localdate()
    qualifications = records["qualifications"]
    if qualifications is not None:
        for q in qualifications:
            q.status = q.expiry_status(today)
    return render(
        request,
        "staff/detail.html",
        {
            "member": member,
            "spells": records["spells"],
            "qualifications": qualifications,
            "is_director": has_role(request.user, Role.DIRECTOR),
            "can_change": StaffMember.objects.for_user(request.user, "change").filter(pk=pk).exists(),
            "module_sections": profile_sections_for(request, member),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_form(request, pk: int | None = None):
    _require_director(request)
    agency = agency_of(request.user)
    member = _member_or_404(request, pk, "change") if pk else None
    form = forms.StaffMemberForm(request.POST or None, instance=member, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                member = services.staff_member_create(agency=agency, by=request.user, **form.cleaned_data)
            else:
                member = services.staff_member_update(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": member})
            return redirect("staff-detail", member.pk)
    title = _("Edit %(name)s") % {"name": member} if member else _("New staff member")
    return render(request, "staff/form.html", {"form": form, "title": title, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def spell_form(request, staff_pk: int | None = None, pk: int | None = None):
    _require_director(request)
    spell = None
    if pk:
        spell = (
            EmploymentSpell.objects.for_user(request.user, "change")
            .select_related("staff")
            .filter(pk=pk)
            .first()
        )
        if spell is None:
            raise Http404
        member = spell.staff
    else:
        member = _member_or_404(request, staff_pk, "change")
    form = forms.SpellForm(request.POST or None, instance=spell, staff=member)
    if request.method == "POST" and form.is_valid():
        try:
            if spell is None:
                services.spell_create(staff=member, by=request.user, **form.cleaned_data)
            else:
                services.spell_update(spell=spell, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Employment record saved."))
            return redirect("staff-detail", member.pk)
    title = _("Employment spell of %(name)s") % {"name": member}
    return render(request, "staff/form.html", {"form": form, "title": title, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def qualification_form(request, staff_pk: int | None = None, pk: int | None = None):
    _require_director(request)
    qualification = None
    if pk:
        qualification = (
            Qualification.objects.for_user(request.user, "change")
            .select_related("staff")
            .filter(pk=pk)
            .first()
        )
        if qualification is None:
            raise Http404
        member = qualification.staff
    else:
        member = _member_or_404(request, staff_pk, "change")
    form = forms.QualificationForm(
        request.POST or None, request.FILES or None, instance=qualification, staff=member
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("scan") is None:
            data.pop("scan", None)
        elif data.get("scan") is False:
            data["scan"] = ""
        try:
            if qualification is None:
                services.qualification_create(staff=member, by=request.user, **data)
            else:
                services.qualification_update(qualification=qualification, by=request.user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Qualification saved."))
            return redirect("staff-detail", member.pk)
    title = _("Qualification of %(name)s") % {"name": member}
    return render(
        request, "staff/form.html", {"form": form, "title": title, "member": member, "multipart": True}
    )


@login_required
@require_POST
def qualification_verify(request, pk: int):
    _require_director(request)
    qualification = Qualification.objects.for_user(request.user, "change").filter(pk=pk).first()
    if qualification is None:
        raise Http404
    services.qualification_verify(qualification=qualification, by=request.user)
    messages.success(request, _("Certificate %(cert)s marked as verified.") % {"cert": qualification.cert_no})
    return redirect("staff-detail", qualification.staff_id)


@login_required
def qualification_scan(request, pk: int):
    """The scanned certificate, to those who may see the qualification (never a public URL)."""
    qualification = qualifications_for(request.user).filter(pk=pk).first()
    if qualification is None or not qualification.scan:
        raise Http404
    try:
        handle = qualification.scan.open("rb")
    except OSError as exc:
        raise Http404 from exc
    name = Path(qualification.scan.name).name
    return file_response(handle, name)


@login_required
def retention(request):
    _require_director(request)
    today = timezone.localdate()
    form = forms.YearForm(request.GET or None, initial={"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    dashboard = analytics.retention_dashboard(agency_of(request.user), year)
    metrics = dashboard["metrics"]
    reason_labels = dict(ExitReason.choices)
    rows = []
    for key, label in analytics.METRIC_LABELS.items():
        if key == "exit_reasons":
            continue
        value = metrics[key]
        if value is None:
            display = "—"
        elif key in analytics.RATE_KEYS:
            # Once, as the page's note and its trend and group tables show rates (metrics.md):
            # a fraction to 4 places, not a percentage beside it as well.
            display = f"{value:.4f}"
        else:
            display = str(value)
        rows.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "display": display,
                "definition": analytics.DEFINITIONS[key],
            }
        )
    charts = [{"title": chart.title, "svg": chart_svg(chart)} for chart in retention_charts(dashboard)]
    type_labels = dict(EmploymentType.choices)
    return render(
        request,
        "staff/retention.html",
        {
            "form": form,
            "year": year,
            "metric_rows": rows,
            "reasons": [
                (reason_labels.get(code, code), count) for code, count in metrics["exit_reasons"].items()
            ],
            "reasons_definition": analytics.DEFINITIONS["exit_reasons"],
            "scope_note": analytics.SCOPE_NOTE,
            "dashboard": dashboard,
            "by_employment_type": [
                {**row, "group": type_labels.get(row["group"], row["group"])}
                for row in dashboard["by_employment_type"]
            ],
            "charts": charts,
        },
    )


@login_required
def expiring(request):
    if not request.user.has_perm("staff.view_qualification"):
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.AsOfForm(request.GET or None, initial={"as_of": today})
    as_of = form.cleaned_data["as_of"] if form.is_valid() else today
    summary = qualification_summary(agency_of(request.user), as_of, qualifications_for(request.user))
    return render(
        request,
        "staff/expiring.html",
        {
            "form": form,
            "as_of": as_of,
            "summary": summary,
            "is_director": has_role(request.user, Role.DIRECTOR),
        },
    )


@login_required
def report_download(request, kind: str, fmt: str):
    """The retention, qualifications or workforce report as a file (director)."""
    _require_director(request)
    if kind not in REPORT_KINDS or fmt not in ("pdf", "xlsx", "csv", "json"):
        raise Http404
    today = timezone.localdate()
    params = {}
    report_kind = get(kind)
    if "year" in report_kind.accepted:
        form = forms.YearForm(request.GET or None)
        params["year"] = form.cleaned_data["year"] if form.is_valid() else today.year
    if "as_of" in report_kind.params:
        form = forms.AsOfForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            # A file of another date than the one asked for would mislead: back to the page.
            messages.error(request, field_errors_text(form))
            return redirect("staff-expiring")
        params["as_of"] = form.cleaned_data["as_of"] if form.is_bound else today
    try:
        report = report_kind.build(agency=agency_of(request.user), user=request.user, **params)
        content, content_type, filename = render_report(report, fmt)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("staff-retention")
    return file_response(content, filename, content_type)


@login_required
@require_http_methods(["GET", "POST"])
def roster_upload(request):
    """Upload a roster: a dry run first shows what would happen; confirming imports it."""
    _require_director(request)
    agency = agency_of(request.user)
    form = forms.RosterUploadForm()
    context: dict = {"form": form}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        pending = request.session.get("staff_roster_upload", {})
        if not token or pending.get("token") != token:
            messages.error(request, _("That upload has expired; please choose the file again."))
            return redirect("staff-import")
        path = _IMPORT_DIR / f"{token}.bin"
        try:
            data = path.read_bytes()
        except OSError:
            messages.error(request, _("That upload has expired; please choose the file again."))
            return redirect("staff-import")
        result = roster_import(data=data, filename=pending["name"], agency=agency, user=request.user)
        path.unlink(missing_ok=True)
        request.session.pop("staff_roster_upload", None)
        if result.ok:
            messages.success(request, result.headline())
            return redirect("staff-list")
        context["result"] = result
    elif request.method == "POST":
        form = forms.RosterUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            result = roster_import(
                data=data, filename=upload.name, agency=agency, user=request.user, dry_run=True
            )
            context["result"] = result
            if result.ok:
                token = secrets.token_hex(16)
                _IMPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
                (_IMPORT_DIR / f"{token}.bin").write_bytes(data)
                request.session["staff_roster_upload"] = {"token": token, "name": upload.name}
                context["token"] = token
    return render(request, "staff/import.html", context)
