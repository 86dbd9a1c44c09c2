"""Home-page panels of the staff app."""

from __future__ import annotations

from django.utils import timezone

from core.models import agency_of
from core.navigation import dashboard_panel
from staff.selectors import qualification_summary, qualifications_for


@dashboard_panel("director", "supervisor", order=20)
def certificates_panel(request):
    """Registrations expiring within 90 days or expired, among the certificates the user may see."""
    agency = agency_of(request.user)
    today = timezone.localdate()
    summary = qualification_summary(agency, today, qualifications_for(request.user))
    if not summary["expiring_within_90_days"] and not summary["expired"]:
        return None
    return {
        "template": "staff/panel_certificates.html",
        "summary": summary,
        "expiring": summary["expiring_within_90_days"][:5],
        "expired_count": len(summary["expired"]),
        "today": today,
    }
