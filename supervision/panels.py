"""Home-page panels of the supervision module: the supervisor's month, what a supervisee still
owes (acknowledgements, action items), and the director's coverage of this and last month."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from core.models import agency_of
from core.navigation import dashboard_panel
from core.roles import Role, user_roles
from staff.models import EmploymentSpell, StaffMember
from supervision import selectors
from supervision.forms import SessionForm
from supervision.models import ActionItem, Modality, SessionAttendance, SupervisionPlan

#: Supervisees listed by name under the director's coverage figures.
SHORT_SHOWN = 5
#: Open items listed on a supervisee's panel.
ITEMS_SHOWN = 8


@dashboard_panel(Role.STAFF, order=12)
def my_supervision_panel(request):
    """Sessions the user attended and has not acknowledged yet, and their open action items.

    Two queries whatever the number of sessions. Shown to supervisors only when something waits.
    """
    user = request.user
    agency = agency_of(user)
    if agency is None:
        return None
    today = timezone.localdate()
    awaiting = list(
        SessionAttendance.objects.filter(
            agency=agency, staff__user=user, present=True, acknowledged_at__isnull=True
        )
        .select_related("session__supervisor")
        .order_by("session__date", "session__start_time", "id")
    )
    items = list(
        ActionItem.objects.filter(agency=agency, owner__user=user, done=False)
        .select_related("session")
        .order_by("due_date", "id")[: ITEMS_SHOWN + 1]
    )
    if not awaiting and not items and user_roles(user) & {Role.SUPERVISOR, Role.DIRECTOR}:
        return None
    return {
        "template": "supervision/panel_mine.html",
        "awaiting": awaiting,
        "items": [{"item": item, "overdue": bool(item.due_date and item.due_date < today)} for item in items][
            :ITEMS_SHOWN
        ],
        "more_items": len(items) > ITEMS_SHOWN,
        "today": today,
    }


@dashboard_panel(Role.SUPERVISOR, order=15)
def supervisor_panel(request):
    """Supervisees with this month's minutes, overdue action items, and the quick log form."""
    member = selectors.member_of(request.user)
    if member is None:
        return None
    overview = selectors.supervisor_overview(supervisor=member, today=timezone.localdate())
    supervisees = [row.plan.supervisee for row in overview["rows"]]
    staff = StaffMember.objects.for_agency(agency_of(request.user)).exclude(pk=member.pk).order_by("staff_no")
    form = SessionForm(staff_queryset=staff)
    # The quick form lists the supervisor's own supervisees first (no extra query: the
    # choices come from the plans already loaded); the full form offers everyone.
    form.fields["attendees"].choices = [(s.pk, f"{s.name} ({s.staff_no})") for s in supervisees]
    rows = overview["rows"]
    return {
        "template": "supervision/panel_supervisor.html",
        "overview": overview,
        "quick_form": form,
        "met": sum(1 for row in rows if row.status == "met"),
        # Those furthest from their minutes first: who needs the supervisor this month.
        "rows": sorted(
            rows, key=lambda row: (row.status == "met", row.percent, row.plan.supervisee.staff_no)
        ),
    }


def month_coverage(agency, months: list[dt.date], today: dt.date) -> dict[dt.date, dict]:
    """Per month (given by its first day): supervisees counted and how many met their plan.

    The rules of ``supervision.selectors.compliance_frame`` (metrics.md), for a few months at
    once with three queries and no DataFrame, so the director's home page stays fast: plans in
    force during the month (the one started last wins), supervisees employed for the whole
    month by one spell, minutes of sessions attended in the month; months after ``today`` are
    not counted. Agreement with ``compliance_frame`` is pinned in tests/core/test_dashboards.py.
    """
    bounds = {first: selectors.month_bounds(first) for first in months if first <= today}
    result = {first: {"month": first, "counted": 0, "met": 0, "short_rows": []} for first in months}
    if not bounds:
        return result
    low = min(first for first, _ in bounds.values())
    high = max(last for _, last in bounds.values())
    plans = list(
        SupervisionPlan.objects.filter(agency=agency, start__lte=high)
        .filter(Q(end__isnull=True) | Q(end__gte=low))
        .values(
            "id",
            "supervisee_id",
            "supervisee__staff_no",
            "supervisee__name",
            "supervisor__name",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        )
        .order_by("supervisee_id", "start", "id")
    )
    ids = {plan["supervisee_id"] for plan in plans}
    spells: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for staff_id, hire, leave in EmploymentSpell.objects.filter(
        staff_id__in=ids, hire_date__lte=high
    ).values_list("staff_id", "hire_date", "exit_date"):
        spells.setdefault(staff_id, []).append((hire, leave))
    minutes: dict[tuple[int, dt.date], list[int]] = {}
    for staff_id, date, duration, modality in SessionAttendance.objects.filter(
        staff_id__in=ids, present=True, session__date__gte=low, session__date__lte=high
    ).values_list("staff_id", "session__date", "session__duration_minutes", "session__modality"):
        got = minutes.setdefault((staff_id, date.replace(day=1)), [0, 0])
        got[0] += duration
        if modality == Modality.INDIVIDUAL:
            got[1] += duration
    for first, (_, last) in bounds.items():
        in_force: dict[int, dict] = {}
        for plan in plans:  # ordered by start, id: the plan started last overwrites
            if plan["start"] <= last and (plan["end"] is None or plan["end"] >= first):
                in_force[plan["supervisee_id"]] = plan
        entry = result[first]
        for staff_id, plan in in_force.items():
            employed = any(
                hire <= first and (leave is None or leave >= last) for hire, leave in spells.get(staff_id, ())
            )
            if not employed:
                continue
            received, individual = minutes.get((staff_id, first), (0, 0))
            entry["counted"] += 1
            if received >= plan["required_minutes"] and individual >= plan["required_individual_minutes"]:
                entry["met"] += 1
            else:
                entry["short_rows"].append(
                    {
                        "name": plan["supervisee__name"],
                        "staff_no": plan["supervisee__staff_no"],
                        "supervisor": plan["supervisor__name"],
                        "received": received,
                        "required": plan["required_minutes"],
                    }
                )
    for entry in result.values():
        counted, met = entry["counted"], entry["met"]
        entry["short"] = counted - met
        entry["pct"] = round(met * 100 / counted) if counted else 0
        entry["rate"] = met / counted if counted else None
        entry["short_rows"] = sorted(entry["short_rows"], key=lambda r: (r["received"], r["staff_no"]))[
            :SHORT_SHOWN
        ]
    return result


@dashboard_panel(Role.DIRECTOR, order=40)
def coverage_panel(request):
    """The director's supervision coverage: supervisees who met their plan last month and so
    far this month. Three queries whatever the number of plans and sessions."""
    agency = agency_of(request.user)
    if agency is None:
        return None
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    coverage = month_coverage(agency, [last_month, this_month], today)
    return {
        "template": "supervision/panel_coverage.html",
        "this_month": coverage[this_month],
        "last_month": coverage[last_month],
        "today": today,
    }
