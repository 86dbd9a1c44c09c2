"""The finance home-page panel: contract burn (spent against time) and recent ledger imports.

Irregularity flags have their own panel (finance/flags/panels.py).
"""

from __future__ import annotations

from django.utils import timezone

from core.navigation import dashboard_panel
from finance.models import Contract
from finance.selectors import contracts_burn, finance_imports_for

RECENT_IMPORTS = 5


@dashboard_panel("finance", "director", order=35)
def contracts_panel(request):
    """Active contracts with burn bars and projections, and the last ledger imports; None when empty.

    Two queries (contracts with their actuals, imports with who ran them) whatever the data.
    """
    user = request.user
    if not user.has_perm("finance.view_contract"):
        return None
    today = timezone.localdate()
    burn = contracts_burn(Contract.objects.for_user(user, "view"), as_of=today)
    imports = list(
        finance_imports_for(user, kinds=("ledger",))
        .select_related("created_by")
        .order_by("-created_at", "-id")[:RECENT_IMPORTS]
    )
    if not burn and not imports:
        return None
    return {"template": "finance/panel_contracts.html", "burn": burn, "imports": imports, "today": today}
