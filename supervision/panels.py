"""Home-page panels of the supervision module."""

from __future__ import annotations

from django.utils import timezone

from core.models import agency_of
from core.navigation import dashboard_panel
from staff.models import StaffMember
from supervision import selectors
from supervision.forms import SessionForm


@dashboard_panel("supervisor", order=20)
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
    return {"template": "supervision/panel_supervisor.html", "overview": overview, "quick_form": form}
