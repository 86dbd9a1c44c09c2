"""Pages of the supervision module: sessions (log, detail, sign-off, amendments), plans,
compliance and a supervisee's supervision log as PDF. Thin: forms, services, selectors."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_validation_error
from core.http import file_response
from core.models import agency_of
from core.paging import paginate_keyset
from core.redirects import redirect_back
from core.roles import Role, has_role
from core.views import paginate
from core.widgets import DateInput
from staff.models import StaffMember, supervisee_ids
from supervision import forms, selectors, services
from supervision.models import ActionItem, Modality, SupervisionPlan

#: Each order ends with the id, the pager's tie-breaker. The duration orders break ties in their
#: own direction, so one index, ``(agency, duration_minutes, id)``, serves both: read forwards or
#: backwards, 51 entries of it instead of a sort of every session of the agency.
SESSION_SORTS = {
    "date": ("date", "start_time", "-id"),
    "-date": ("-date", "-start_time", "-id"),
    "duration": ("duration_minutes", "id"),
    "-duration": ("-duration_minutes", "-id"),
}


class SessionFilter(django_filters.FilterSet):
    modality = django_filters.ChoiceFilter(label=gettext_lazy("Modality"), choices=Modality.choices)
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=gettext_lazy("From"),
        widget=DateInput(),
    )
    date_to = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=gettext_lazy("To"),
        widget=DateInput(),
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Sign-off"),
        choices=[("awaiting", gettext_lazy("Awaiting acknowledgement")), ("locked", gettext_lazy("Locked"))],
        method="filter_state",
    )
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q")

    def filter_state(self, qs, name, value):
        return qs.filter(locked_at__isnull=value == "awaiting")

    def filter_q(self, qs, name, value):
        # Names only: notes are never searchable.
        return qs.filter(
            Q(supervisor__name__icontains=value) | Q(attendances__staff__name__icontains=value)
        ).distinct()


def _require_member(request) -> StaffMember:
    if agency_of(request.user) is None:
        raise PermissionDenied
    member = selectors.member_of(request.user)
    if member is None or not has_role(request.user, Role.SUPERVISOR):
        raise PermissionDenied
    return member


def _require_roles(request, *roles):
    if agency_of(request.user) is None or not has_role(request.user, *roles):
        raise PermissionDenied


def _staff_choices(request):
    return StaffMember.objects.for_agency(agency_of(request.user)).order_by("staff_no")


def _session_or_404(request, pk, action="view"):
    qs = (
        selectors.sessions_for(request.user)
        if action == "view"
        else (
            selectors.sessions_for(request.user).filter(
                pk__in=selectors.SupervisionSession.objects.for_user(request.user, action).values("pk")
            )
        )
    )
    session = qs.filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def _back(request, url_name: str, **kwargs):
    """Redirect to the form's ``next`` when it is a local path, else to ``url_name``."""
    return redirect_back(request, url_name, **kwargs)


def _warn(request, session) -> None:
    for warning in getattr(session, "warnings", []):
        messages.warning(request, warning)


@login_required
def session_list(request):
    _require_roles(request, Role.DIRECTOR, Role.SUPERVISOR, Role.STAFF)
    qs = selectors.sessions_for(request.user)
    filterset = SessionFilter(request.GET, queryset=qs)
    qs = filterset.qs
    sort = request.GET.get("sort", "-date")
    qs = qs.order_by(*SESSION_SORTS.get(sort, SESSION_SORTS["-date"]))
    page = paginate_keyset(request, qs)
    selectors.attendance_counts(page.object_list)
    member = selectors.member_of(request.user)
    for session in page.object_list:
        mine = next((a for a in session.attendances.all() if member and a.staff_id == member.pk), None)
        session.my_attendance = mine
    return render(
        request,
        "supervision/session_list.html",
        {
            "page": page,
            "filter": filterset,
            "sort": sort,
            "can_log": has_role(request.user, Role.SUPERVISOR) and member,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    member = _require_member(request)
    form = forms.SessionForm(
        request.POST or None,
        staff_queryset=selectors.picker_staff(supervisor=member, day=timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                agency=agency_of(request.user),
                user=request.user,
                supervisor=member,
                attendees=form.attendee_list(),
                action_items=form.action_items(),
                **form.session_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Session logged. The supervisees are asked to acknowledge it."))
            _warn(request, session)
            return redirect("supervision-session-detail", pk=session.pk)
    return render(request, "supervision/session_form.html", {"form": form, "title": _("Log a session")})


@login_required
def session_detail(request, pk: int):
    session = _session_or_404(request, pk)
    notes_readable = selectors.can_read_notes(request.user, session)
    if notes_readable:
        services.session_notes_read(session=session, user=request.user, channel="page")
    member = selectors.member_of(request.user)
    my_attendance = next((a for a in session.attendances.all() if member and a.staff_id == member.pk), None)
    can_change = selectors.can_change(request.user, session)
    context = {
        "session": session,
        "notes_readable": notes_readable,
        "action_items": list(session.action_items.select_related("owner")) if notes_readable else [],
        "amendments": list(selectors.amendments_of(session)) if notes_readable else [],
        "my_attendance": my_attendance,
        "can_change": can_change,
        "is_director": has_role(request.user, Role.DIRECTOR),
        "action_form": (
            forms.ActionItemForm(staff_queryset=services.action_item_owners(session).order_by("staff_no"))
            if can_change
            else None
        ),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/session_detail.html", context)


def _initial_from(session) -> dict:
    return {
        "date": session.date,
        "start_time": session.start_time,
        "duration_minutes": session.duration_minutes,
        "modality": session.modality,
        "format": session.format,
        "focus_areas": session.focus_areas,
        "cases_discussed": session.cases_discussed,
        "case_refs": ", ".join(session.case_refs),
        "notes": session.notes,
        "attendees": [a.staff for a in session.attendances.all() if a.present],
        "absent": [a.staff for a in session.attendances.all() if not a.present],
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_update(request, pk: int):
    session = _session_or_404(request, pk, "change")
    if session.is_locked:
        return redirect("supervision-session-amend", pk=session.pk)
    staff = selectors.picker_staff(
        supervisor=session.supervisor,
        day=timezone.localdate(),
        keep=session.attendances.values_list("staff_id", flat=True),
    )
    form = forms.SessionForm(request.POST or None, initial=_initial_from(session), staff_queryset=staff)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(
                session=session, user=request.user, attendees=form.attendee_list(), **form.session_fields()
            )
            for item in form.action_items():
                services.action_item_create(session=session, **item)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Session saved."))
            _warn(request, session)
            return redirect("supervision-session-detail", pk=session.pk)
    # The form shown is filled with the notes: showing it is a read of them.
    services.session_notes_read(session=session, user=request.user, channel="form")
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "title": _("Edit session"), "session": session},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_amend(request, pk: int):
    session = _session_or_404(request, pk, "change")
    if not session.is_locked:
        return redirect("supervision-session-update", pk=session.pk)
    form = forms.AmendForm(request.POST or None, initial=_initial_from(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_amend(
                session=session,
                user=request.user,
                reason=form.cleaned_data["reason"],
                **form.session_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Amendment recorded; the original is kept."))
            return redirect("supervision-session-detail", pk=session.pk)
    services.session_notes_read(session=session, user=request.user, channel="form")
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "title": _("Amend a locked session"), "session": session},
    )


@login_required
@require_POST
def session_acknowledge(request, pk: int):
    session = _session_or_404(request, pk)
    try:
        session = services.session_acknowledge(session=session, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: you have acknowledged this session."))
    return _back(request, "supervision-session-detail", pk=session.pk)


@login_required
@require_POST
def action_item_create(request, pk: int):
    session = _session_or_404(request, pk, "change")
    form = forms.ActionItemForm(
        request.POST, staff_queryset=services.action_item_owners(session).order_by("staff_no")
    )
    if form.is_valid():
        try:
            services.action_item_create(session=session, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Action item added."))
    else:
        messages.error(request, _("The action item needs a text."))
    return redirect("supervision-session-detail", pk=session.pk)


@login_required
@require_POST
def action_item_toggle(request, pk: int):
    item = ActionItem.objects.for_user(request.user, "change").filter(pk=pk).first()
    if item is None:
        raise Http404
    services.action_item_set_done(item=item, done=not item.done)
    return _back(request, "supervision-session-detail", pk=item.session_id)


@login_required
def plan_list(request):
    _require_roles(request, Role.DIRECTOR, Role.SUPERVISOR)
    qs = selectors.plans_for(request.user)
    current = request.GET.get("current", "1") == "1"
    today = timezone.localdate()
    if current:
        qs = qs.filter(Q(end__isnull=True) | Q(end__gte=today))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(supervisee__name__icontains=q)
            | Q(supervisor__name__icontains=q)
            | Q(supervisee__staff_no__icontains=q)
        )
    sort = request.GET.get("sort", "supervisee")
    order = {"supervisee": "supervisee__staff_no", "supervisor": "supervisor__name", "start": "-start"}.get(
        sort, "supervisee__staff_no"
    )
    page = paginate(request, qs.order_by(order, "id"))
    is_director = has_role(request.user, Role.DIRECTOR)
    loads = selectors.supervisor_loads(agency=agency_of(request.user), today=today) if is_director else []
    return render(
        request,
        "supervision/plan_list.html",
        {"page": page, "loads": loads, "is_director": is_director, "current": current, "q": q, "sort": sort},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int | None = None):
    _require_roles(request, Role.DIRECTOR)
    plan = None
    if pk is not None:
        plan = SupervisionPlan.objects.for_user(request.user, "change").filter(pk=pk).first()
        if plan is None:
            raise Http404
    form = forms.PlanForm(request.POST or None, instance=plan, staff_queryset=_staff_choices(request))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            if plan is None:
                services.plan_create(agency=agency_of(request.user), **data)
            else:
                services.plan_update(plan=plan, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Supervision plan saved."))
            return redirect("supervision-plan-list")
    return render(request, "supervision/plan_form.html", {"form": form, "plan": plan})


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if selectors.compliance_year_error(year) is None else timezone.localdate().year


def _totals_line(totals: selectors.ComplianceTotals, year: int) -> str:
    """The compliance page's summary over all its pages, not the page shown; for instance
    ``121 supervisees; 119 supervisee-months short in 2026 (41 met, 91 in progress).``"""
    people = ngettext("%(count)s supervisee", "%(count)s supervisees", totals.supervisees) % {
        "count": totals.supervisees
    }
    short = ngettext(
        "%(count)s supervisee-month short in %(year)s",
        "%(count)s supervisee-months short in %(year)s",
        totals.short,
    ) % {"count": totals.short, "year": year}
    return _("%(supervisees)s; %(short)s (%(met)s met, %(in_progress)s in progress).") % {
        "supervisees": people,
        "short": short,
        "met": totals.met,
        "in_progress": totals.in_progress,
    }


#: Supervisees per page of the compliance page (each with up to 12 months).
COMPLIANCE_PER_PAGE = 50


@login_required
def compliance(request):
    """Monthly supervision compliance, a page of supervisees at a time: the figures are computed
    for the people shown only (the report and its downloads still compute everyone). With a
    supervisor or status filter the people are those with a matching month, chosen before
    paging (``compliance_matches``); the page shows their matching months."""
    _require_roles(request, Role.DIRECTOR, Role.SUPERVISOR)
    year = _year(request)
    today = timezone.localdate()
    agency = agency_of(request.user)
    scope = selectors.compliance_scope(request.user)
    supervisors = selectors.compliance_supervisors(
        agency=agency, year=year, supervisee_ids=scope, today=today
    )
    supervisor = request.GET.get("supervisor", "")
    supervisor = supervisor if supervisor in supervisors else ""
    state = request.GET.get("status", "")
    state = state if state in selectors.PAGE_STATES else ""
    if state or supervisor:
        # Filtered: the people with a matching month are chosen before paging, so every page
        # holds up to COMPLIANCE_PER_PAGE of them and the pages walk matching people only.
        people, totals = selectors.compliance_matches(
            agency=agency, year=year, supervisee_ids=scope, today=today, supervisor=supervisor, state=state
        )
    else:
        people = selectors.compliance_supervisees(agency=agency, year=year, supervisee_ids=scope, today=today)
        totals = selectors.compliance_totals(agency=agency, year=year, supervisee_ids=scope, today=today)
    page = paginate_keyset(request, people, per_page=COMPLIANCE_PER_PAGE)
    computed = (
        selectors.compliance_rows(
            agency=agency, year=year, supervisee_ids=[p.pk for p in page.object_list], today=today
        )
        if page.object_list
        else []
    )
    rows = selectors.compliance_page_rows(computed, today=today, supervisor=supervisor, state=state)
    states = {"met": _("met"), "short": _("short"), "in_progress": _("in progress")}
    for row in rows:  # translated once, not once a row in the template
        row["state_label"] = states[row["state"]]
    return render(
        request,
        "supervision/compliance.html",
        {
            "rows": rows,
            "groups": selectors.compliance_by_supervisee(rows),
            "page": page,
            "paged": page.has_next or page.has_previous,
            "year": year,
            "totals": totals,
            "totals_line": _totals_line(totals, year),
            "years": range(today.year, today.year - 6, -1),
            "supervisors": supervisors,
            "supervisor": supervisor,
            "state": state,
            "states": list(states.items()),
        },
    )


@login_required
def supervisee_log_pdf(request, staff_pk: int):
    """A supervisee's supervision log for funders and certification; notes only for readers."""
    from core.reports import render as render_report
    from supervision.reports import supervisee_log_report

    agency = agency_of(request.user)
    if agency is None:
        raise Http404
    staff = StaffMember.objects.for_agency(agency).filter(pk=staff_pk).first()
    if staff is None:
        raise Http404
    member = selectors.member_of(request.user)
    allowed = has_role(request.user, Role.DIRECTOR) or (member is not None and member.pk == staff.pk)
    if not allowed and has_role(request.user, Role.SUPERVISOR) and member is not None:
        allowed = StaffMember.objects.filter(pk=staff.pk, pk__in=supervisee_ids(request.user)).exists()
    if not allowed:
        raise Http404
    year = request.GET.get("year")
    report = supervisee_log_report(
        agency=agency, user=request.user, staff=staff, year=int(year) if year and year.isdigit() else None
    )
    content, content_type, filename = render_report(report, "pdf")
    return file_response(content, filename, content_type)
