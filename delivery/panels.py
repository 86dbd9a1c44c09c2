"""The director's home panel: targets of running contracts that are behind pace."""

from __future__ import annotations

from core.navigation import dashboard_panel
from delivery.selectors import behind_targets


@dashboard_panel("director", order=37)
def targets_behind_panel(request):
    """Targets behind pace (achieved below 80% of expected), or None when every target keeps pace."""
    if not request.user.has_perm("delivery.view_target"):
        return None
    behind = behind_targets(request.user)
    if not behind:
        return None
    return {"template": "delivery/panel_behind.html", "behind": behind}
