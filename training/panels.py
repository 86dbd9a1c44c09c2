"""Home-page panels: who is short of continuing-education hours, and one's own position."""

from __future__ import annotations

from django.utils import timezone

from core.caching import minute_cached
from core.models import agency_of
from core.navigation import dashboard_panel
from core.roles import Role, user_roles
from training import selectors
from training.compliance import STATUS_LABELS, STATUS_ORDER, status_counts

#: People listed by name under the counts (the most urgent first).
URGENT_SHOWN = 5


@dashboard_panel(Role.DIRECTOR, Role.SUPERVISOR, Role.STAFF, order=30)
def compliance_panel(request):
    """Directors and supervisors: counts by status, the most urgent people and submissions
    awaiting approval; staff: their own cycle. A fixed number of queries whatever the size."""
    user = request.user
    today = timezone.localdate()
    roles = user_roles(user)
    manager = bool(roles & {Role.DIRECTOR, Role.SUPERVISOR})
    own = selectors.member_of(user) if roles & {Role.STAFF, Role.SUPERVISOR} else None
    if not manager and own is None:
        return None
    # The agency-wide computation may be a minute old (core.caching); what waits for the
    # user's approval is counted live.
    summary = minute_cached(
        "training.compliance_panel",
        lambda: _compliance_summary(user, own, today),
        agency=agency_of(user),
        user=user,
        parts=(today,),
    )
    pending = selectors.pending_for_approval(user).count() if manager else 0
    return {
        "template": "training/panel_compliance.html",
        "manager": manager,
        "is_staff": own is not None,
        **summary,
        "counts": [{**row, "label": STATUS_LABELS[row["status"]]} for row in summary["counts"]],
        "pending": pending,
        "as_of": today,
    }


def _compliance_summary(user, own, today) -> dict:
    """Counts by status, the most urgent people and the user's own row (the costly part)."""
    rows = selectors.compliance_for_user(user, today)
    mine = next((r for r in rows if own and r.staff_id == own.pk), None)
    others = [r for r in rows if not own or r.staff_id != own.pk]
    counts = status_counts(others)
    return {
        "counts": [{"status": status, "n": counts[status]} for status in STATUS_ORDER],
        "certified": len(others),
        "compliant": counts["compliant"],
        "compliant_pct": round(counts["compliant"] * 100 / len(others)) if others else 0,
        "urgent": [r for r in others if r.status in ("overdue", "at_risk")][:URGENT_SHOWN],
        "urgent_count": counts["overdue"] + counts["at_risk"],
        "mine": mine,
    }
