"""Home-page panels that combine finance records in ways the finance panels do not show:

- the finance officer's unreconciled bank lines, by reconciliation period;
- the auditor's granted contracts with their grant's last day and spending against time.

Every panel runs a fixed number of queries whatever the amount of data. Imported from
``OverviewConfig.ready()``.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from core.db import MoneySum
from core.navigation import dashboard_panel
from core.roles import Role
from finance.models import AuditorGrant, Contract, StatementLine
from finance.selectors import contracts_burn

#: Periods listed on the unreconciled-lines panel (the rest are counted in the totals).
UNRECONCILED_PERIODS = 6


@dashboard_panel(Role.FINANCE, order=20)
def unreconciled_lines_panel(request):
    """Bank statement lines neither matched to the books nor explained, per period (one query)."""
    user = request.user
    if not user.has_perm("finance.view_statementline"):
        return None
    open_line = Q(match__isnull=True, explanation="")
    rows = list(
        StatementLine.objects.for_user(user, "view")
        .values("period_id", "period__start", "period__end", "period__status", "contract__code")
        .annotate(
            lines=Count("id"),
            unreconciled=Count("id", filter=open_line),
            ambiguous=Count("id", filter=open_line & ~Q(ambiguous=[])),
            money_out=MoneySum("amount", filter=open_line & Q(amount__lt=0)),
            money_in=MoneySum("amount", filter=open_line & Q(amount__gt=0)),
        )
        .order_by("period__start", "contract__code", "period_id")
    )
    waiting = [row for row in rows if row["unreconciled"]]
    for row in waiting:
        row["money_out"] = -(row["money_out"] or 0)
        row["money_in"] = row["money_in"] or 0
    return {
        "template": "overview/panel_unreconciled.html",
        "has_lines": bool(rows),
        "periods": waiting[:UNRECONCILED_PERIODS],
        "more_periods": max(0, len(waiting) - UNRECONCILED_PERIODS),
        "total": sum(row["unreconciled"] for row in waiting),
        "ambiguous": sum(row["ambiguous"] for row in waiting),
        "total_lines": sum(row["lines"] for row in rows),
    }


@dashboard_panel(Role.AUDITOR, order=35)
def audited_contracts_panel(request):
    """The contracts a director granted to this auditor: until when, and spending against time."""
    user = request.user
    today = timezone.localdate()
    grants = list(
        AuditorGrant.objects.filter(user=user, revoked_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(contract__in=Contract.objects.for_user(user, "view"))
        .select_related("contract")
        .order_by("contract__code", "id")
    )
    burn = {
        row.contract.pk: row for row in contracts_burn(Contract.objects.for_user(user, "view"), as_of=today)
    }
    return {
        "template": "overview/panel_audited_contracts.html",
        "rows": [{"grant": grant, "burn": burn.get(grant.contract_id)} for grant in grants],
        "today": today,
    }


@dashboard_panel(Role.DIRECTOR, Role.FINANCE, order=1)
def inbox_panel(request):
    """What waits for me to act, each with a link to where it is done (five queries)."""
    from overview.inbox import inbox_for

    items = inbox_for(request.user)
    request.inbox_items = items  # the menu's count reuses these (overview.context_processors)
    if not items:
        return None
    return {
        "template": "overview/panel_inbox.html",
        "items": items,
        "total": sum(item.count for item in items),
    }
