"""``report budget-vs-actual --contract C`` (docs/commands.md), and the contract a finance report is about."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.models import agency_of
from core.reports import Column, Report, ReportError, Section, Table, register
from core.roles import Role, has_role
from finance.models import AuditorGrant, Contract
from finance.selectors import budget_vs_actual


def contract_report_access(user, params: dict) -> bool:
    """May ``user`` still see a finance report with ``params`` (checked each time a stored file
    is opened)? With a contract: that contract must be readable now (an auditor's grant still
    active). Without one the report covered every contract the user could read when it was
    made, so only readers of every contract (directors, finance officers) keep it."""
    code = str(params.get("contract") or "").strip()
    if code:
        return Contract.objects.for_user(user, "view").filter(code=code).exists()
    return has_role(user, Role.DIRECTOR, Role.FINANCE)


def contract_report_access_basis(user, params: dict) -> str | None:
    """What ``user``'s access to a finance report of a contract rests on now: for an auditor, the
    active grant on that contract (``"auditor_grant:<pk>"``, none without one); nothing for
    directors and finance officers, who read every contract by their role. A stored file
    records it and opens only while that same grant is active (``core.reports.registry``)."""
    code = str(params.get("contract") or "").strip()
    if not code or has_role(user, Role.DIRECTOR, Role.FINANCE) or not has_role(user, Role.AUDITOR):
        return None
    grant = (
        AuditorGrant.objects.filter(AuditorGrant.active_q(), user=user, contract__code=code)
        .filter(agency=agency_of(user))
        .values_list("pk", flat=True)
        .first()
    )
    return None if grant is None else f"auditor_grant:{grant}"


def visible_contract(*, agency, user, code) -> Contract:
    """The contract ``code`` of ``agency`` that ``user`` may read (the command runs with user=None)."""
    qs = Contract.objects.for_user(user, "view", agency=agency)
    contract = qs.select_related("funder").filter(code=str(code or "").strip()).first()
    if contract is None:
        raise ReportError(_("There is no contract %(code)s.") % {"code": code})
    return contract


def pct_spent_column() -> Column:
    """Share spent as the contract page shows it: a percent with 2 decimals (``44.00``), the
    figure of the JSON's ``pct_spent``, the same on every row of every file."""
    return Column("pct_spent", _("Spent (%)"), "number", places=2)


@register(
    "budget-vs-actual",
    title=gettext_lazy("Budget vs actual"),
    params=("contract",),
    roles=("director", "finance", "auditor"),
    access=contract_report_access,
    access_basis=contract_report_access_basis,
    description=gettext_lazy(
        "Per budget line: approved, actual, remaining, share spent and projection at the end."
    ),
)
def build_budget_vs_actual(*, agency, user=None, contract=None, **kw) -> Report:
    record = visible_contract(agency=agency, user=user, code=contract)
    bva = budget_vs_actual(record)
    columns = [
        Column("code", _("Code")),
        Column("name", _("Line")),
        Column("category", _("Category")),
        Column("approved", pgettext("budget amount", "Approved"), "money"),
        Column("actual", _("Actual"), "money"),
        Column("remaining", _("Remaining"), "money"),
        pct_spent_column(),
        Column("projected_at_end", _("Projected at end"), "money"),
    ]
    rows = [
        {
            "code": line.code,
            "name": line.name,
            "category": line.category_label,
            "approved": line.approved,
            "actual": line.actual,
            "remaining": line.remaining,
            "pct_spent": line.pct_spent,
            "projected_at_end": line.projected_at_end,
        }
        for line in bva.lines
    ]
    table = Table(
        title=_("Budget lines"),
        columns=columns,
        rows=rows,
        totals={
            "code": _("Total"),
            "approved": bva.approved,
            "actual": bva.actual,
            "remaining": bva.remaining,
            "pct_spent": bva.pct_spent,
        },
        note=_("Projection: actual × days in the period ÷ days elapsed (linear)."),
    )
    section = Section(
        title=f"{record.code} {record.title}",
        facts=[
            (_("Funder"), record.funder.name),
            (_("Period"), f"{record.start} – {record.end}"),
            (_("Received"), bva.received),
            (_("Cash position"), bva.cash_position),
        ],
        tables=[table],
    )
    return Report(
        kind="budget-vs-actual",
        title=_("Budget vs actual"),
        subtitle=f"{record.code} {record.title}",
        agency_name=str(record.agency.name),
        params={"contract": record.code},
        data=bva.as_json(),
        sections=[section],
    )
