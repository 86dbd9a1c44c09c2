"""Dashboard pieces that belong to no single app: the chart include's data, and home-page
panels that combine finance records in ways the finance panels do not show.

- ``chart_context`` turns a ``core.reports.base.Chart`` into what ``includes/chart.html``
  renders: the server-drawn SVG and the same numbers as formatted table rows.
- the finance officer's unreconciled bank lines, by reconciliation period;
- the auditor's granted contracts with their grant's last day and spending against time.

Every panel runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from core.db import MoneySum
from core.navigation import dashboard_panel
from core.reports.base import Chart
from core.reports.charts import chart_svg, chart_table
from core.roles import Role
from core.templatetags.formatting import money, num, pct

#: Periods listed on the unreconciled-lines panel (the rest are counted in the totals).
UNRECONCILED_PERIODS = 6


def _cell(value: Any, kind: str) -> str:
    if kind == "money":
        return money(value)
    if kind == "percent":
        return pct(value)
    if kind in ("int", "number"):
        return num(value)
    return "—" if value is None else str(value)


def chart_context(chart: Chart, width: float = 480, height: float = 240) -> dict[str, Any]:
    """What ``includes/chart.html`` needs: title, SVG, and the numbers as formatted rows."""
    table = chart_table(chart)
    return {
        "title": str(chart.title),
        "svg": chart_svg(chart, width, height),
        "columns": table.columns,
        "rows": [
            [_cell(table.cell(row, column), column.kind) for column in table.columns] for row in table.rows
        ],
    }


@dashboard_panel(Role.FINANCE, order=20)
def unreconciled_lines_panel(request):
    """Bank statement lines neither matched to the books nor explained, per period (one query)."""
    from finance.models import StatementLine

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
        "template": "core/panel_unreconciled.html",
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
    from finance.models import AuditorGrant, Contract
    from finance.selectors import contracts_burn

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
        "template": "core/panel_audited_contracts.html",
        "rows": [{"grant": grant, "burn": burn.get(grant.contract_id)} for grant in grants],
        "today": today,
    }
