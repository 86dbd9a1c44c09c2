"""Home-page panels of the supervision module: the supervisor's month, what a supervisee still
owes (acknowledgements, action items), and the director's coverage of this and last month."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.caching import minute_cached
from core.models import agency_of
from core.navigation import dashboard_panel
from core.roles import Role, user_roles
from supervision import selectors, services
from supervision.forms import SessionForm
from supervision.models import ActionItem, SessionAttendance

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
        # Only items of sessions the user may read (present, or leading it): an item is as
        # confidential as the notes, whoever it was given to.
        ActionItem.objects.for_user(user, "view", agency=agency)
        .filter(owner__user=user, done=False)
        .select_related("session")
        .order_by("due_date", "id")[: ITEMS_SHOWN + 1]
    )
    if not awaiting and not items and user_roles(user) & {Role.SUPERVISOR, Role.DIRECTOR}:
        return None
    services.action_items_read(items=items[:ITEMS_SHOWN], user=user, channel="page")
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
    staff = selectors.picker_staff(supervisor=member, day=timezone.localdate())
    form = SessionForm(staff_queryset=staff)
    # The quick form lists the supervisor's own supervisees first (no extra query: the
    # choices come from the plans already loaded); the full form offers everyone.
    form.fields["attendees"].choices = [(s.pk, f"{s.name} ({s.staff_no})") for s in supervisees]
    # An action item's owner is the supervisor or a supervisee present (services.action_item_owners):
    # the quick form offers those, not every active person of the agency (3,500 options, 150 KB
    # of the page at a provincial network's size, most of them refused on saving).
    owner = form.fields["action_owner"]
    owner.choices = [
        ("", owner.empty_label),
        *((s.pk, f"{s.name} ({s.staff_no})") for s in [member, *supervisees]),
    ]
    rows = overview["rows"]
    services.action_items_read(items=overview["overdue"], user=request.user, channel="page")
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
    # Agency-wide figures that may be a minute old (core.caching).
    coverage = minute_cached(
        "supervision.coverage_panel",
        lambda: selectors.month_coverage(agency, [last_month, this_month], today, shown=SHORT_SHOWN),
        agency=agency,
        parts=(today,),
    )
    return {
        "template": "supervision/panel_coverage.html",
        "this_month": coverage[this_month],
        "last_month": coverage[last_month],
        "today": today,
    }
