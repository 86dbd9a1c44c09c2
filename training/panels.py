"""Home-page panels: who is short of continuing-education hours, and one's own position."""

from __future__ import annotations

from django.utils import timezone

from core.navigation import dashboard_panel
from core.roles import Role, user_roles
from training import selectors
from training.compliance import status_counts


@dashboard_panel("director", "supervisor", "staff", order=30)
def compliance_panel(request):
    """Directors and supervisors: counts by status and the most urgent people; staff: their own."""
    today = timezone.localdate()
    rows = selectors.compliance_for_user(request.user, today)
    if not rows:
        return None
    roles = user_roles(request.user)
    manager = bool(roles & {Role.DIRECTOR, Role.SUPERVISOR})
    own = selectors.own_member(request.user)
    mine = next((r for r in rows if own and r.staff_id == own.pk), None)
    others = [r for r in rows if not own or r.staff_id != own.pk]
    return {
        "template": "training/panel_compliance.html",
        "manager": manager and bool(others),
        "counts": status_counts(others),
        "urgent": [r for r in others if r.status in ("overdue", "at_risk")][:5],
        "mine": mine,
        "as_of": today,
    }
