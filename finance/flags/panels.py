"""The finance home dashboard panel: open flags, critical first."""

from __future__ import annotations

from django.db.models import Count

from core.navigation import dashboard_panel
from finance.flags import selectors


@dashboard_panel("finance", "director", order=40)
def open_flags_panel(request):
    """Open current flags, critical first; nothing when there are none."""
    if not request.user.has_perm("finance.view_flag"):
        return None
    flags = selectors.open_critical_first(request.user)
    if not flags:
        return None
    counts = {"critical": 0, "warning": 0, "info": 0}
    rows = (
        selectors.flags_for(request.user)
        .filter(status="open", active=True)
        .values("severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["severity"]] = row["n"]
    return {"template": "finance/flags/panel.html", "flags": flags, "counts": counts}
