"""The flag queue on the home page: open flags by severity, critical first.

Finance officers and directors see every contract's flags, auditors those of the contracts
granted to them (``flags_for`` scopes the queryset). Two queries whatever the number of flags.
"""

from __future__ import annotations

from django.db.models import Count

from core.navigation import dashboard_panel
from core.roles import Role
from finance.flags import selectors
from finance.models import FlagSeverity


@dashboard_panel(Role.FINANCE, Role.DIRECTOR, Role.AUDITOR, order=10)
def open_flags_panel(request):
    """Open current flags by severity and the most serious ones; an empty state when none."""
    if not request.user.has_perm("finance.view_flag"):
        return None
    flags = [flag.redact_for(request.user) for flag in selectors.open_critical_first(request.user)]
    counts = dict.fromkeys(FlagSeverity.values, 0)
    if flags:
        rows = (
            selectors.flags_for(request.user)
            .filter(status="open", active=True)
            .values("severity")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["severity"]] = row["n"]
    return {
        "template": "finance/flags/panel.html",
        "flags": flags,
        "counts": counts,
        "severities": [
            {"value": value, "label": label, "n": counts[value]} for value, label in FlagSeverity.choices
        ],
        "total": sum(counts.values()),
    }
