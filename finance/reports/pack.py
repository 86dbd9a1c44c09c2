"""The contract pack for the funder (``report contract --contract C``, docs/commands.md).

Data first: each ``*_section`` builder takes a contract (and what it needs) and returns a
``core.reports.Section`` of plain tables, facts and charts; ``pack_data`` gives the JSON body.
The annual report reuses the section builders for every contract. Every figure comes from
aggregate queries (one GROUP BY per question), so a contract with 100,000 expenditures builds in
well under a second; money stays ``Decimal`` until a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.db import MoneySum
from core.reports import Chart, Column, Report, Section, Series, Table, money_str, register
from core.reports.charts import chart_table
from finance.flags.presentation import disabled_rule_rows, rule_title
from finance.models import BudgetRevision, Contract, Disbursement, Expenditure, Flag
from finance.reconciliation.selectors import contract_reconciliation
from finance.reports.budget import (
    contract_report_access,
    contract_report_access_basis,
    pct_spent_column,
    visible_contract,
)
from finance.selectors import BudgetVsActual, budget_vs_actual

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FLAG_STATUSES = ("open", "explained", "confirmed", "dismissed")


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start``'s to ``end``'s, inclusive."""
    months, current = [], _month_start(start)
    while current <= end:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


# --- sections ---------------------------------------------------------------------------------


def summary_section(contract: Contract, bva: BudgetVsActual) -> Section:
    """Contract summary: who, what, when, how much, and where the money stands."""
    return Section(
        title=_("Contract summary"),
        facts=[
            (_("Contract"), contract.code),
            (_("Title"), contract.title),
            (_("Funder"), contract.funder.name),
            (_("Period"), f"{contract.start} – {contract.end}"),
            (_("Days elapsed"), f"{bva.elapsed_days} / {bva.period_days}"),
            (_("Status"), str(contract.get_status_display())),
            (_("Contract total"), _money(contract.total)),
            (_("Approved budget"), bva.approved),
            (_("Received"), bva.received),
            (_("Spent"), bva.actual),
            (_("Remaining budget"), bva.remaining),
            (_("Cash position"), bva.cash_position),
            (_("Currency"), contract.currency),
        ],
    )


#: The one sign convention of remaining money, on the pages, the exports and the pack.
REMAINING_FORMULA = gettext_lazy("Remaining = approved - actual (negative: over budget).")
PROJECTION_FORMULA = gettext_lazy(
    "Projection at end: actual × days in the period ÷ days elapsed (linear). "
    "Projected remaining = approved - projection at end."
)


def budget_rows(bva: BudgetVsActual) -> list[dict]:
    """Per line: original, approved, actual, remaining (approved - actual), % spent (a percent,
    2 decimals, as ``pct_spent_column`` shows it), projection.

    ``variance`` (actual - approved) stays for the JSON body of the spec; people read
    ``remaining``, the sign the contract page uses (negative: over budget).
    """
    return [
        {
            "code": line.code,
            "name": line.name,
            "category": line.category_label,
            "original": line.original,
            "approved": line.approved,
            "actual": line.actual,
            "variance": line.actual - line.approved,
            "remaining": line.approved - line.actual,
            "pct_spent": line.pct_spent,
            "projected_at_end": line.projected_at_end,
            "projected_remaining": line.approved - line.projected_at_end,
        }
        for line in bva.lines
    ]


def budget_section(contract: Contract, bva: BudgetVsActual | None = None) -> Section:
    """Budget vs actual with variances, per budget line, with totals."""
    bva = bva or budget_vs_actual(contract)
    rows = budget_rows(bva)
    original = sum((row["original"] for row in rows), ZERO)
    projected = sum((row["projected_at_end"] for row in rows), ZERO)
    table = Table(
        title=_("Budget vs actual"),
        columns=[
            Column("code", _("Code")),
            Column("name", _("Line")),
            Column("category", _("Category")),
            Column("original", _("Original"), "money"),
            Column("approved", pgettext("budget amount", "Approved"), "money"),
            Column("actual", _("Actual"), "money"),
            Column("remaining", _("Remaining"), "money"),
            pct_spent_column(),
            Column("projected_at_end", _("Projected at end"), "money"),
            Column("projected_remaining", _("Projected remaining"), "money"),
        ],
        rows=rows,
        totals={
            "original": original,
            "approved": bva.approved,
            "actual": bva.actual,
            "remaining": bva.approved - bva.actual,
            "pct_spent": bva.pct_spent,
            "projected_at_end": projected,
            "projected_remaining": bva.approved - projected,
        },
        note=f"{REMAINING_FORMULA} {PROJECTION_FORMULA}",
    )
    return Section(title=_("Budget vs actual"), tables=[table])


def monthly_actuals(contract: Contract) -> dict[dt.date, Decimal]:
    """Σ posted expenditures by month (one GROUP BY)."""
    rows = (
        Expenditure.objects.filter(contract=contract, status=Expenditure.Status.POSTED)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(s=MoneySum("amount"))
        .values_list("month", "s")
    )
    return {(m.date() if isinstance(m, dt.datetime) else m): _money(s) for m, s in rows}


def monthly_received(contract: Contract) -> dict[dt.date, Decimal]:
    """Σ disbursements by month."""
    totals: dict[dt.date, Decimal] = {}
    for day, amount in Disbursement.objects.filter(contract=contract).values_list("date", "amount"):
        month = _month_start(day)
        totals[month] = totals.get(month, ZERO) + amount
    return totals


def burn_rows(contract: Contract, spent: dict | None = None, received: dict | None = None) -> list[dict]:
    """Per month of the contract (and any month with activity outside it): spent, received,
    cumulative actual, linear budget (total × days elapsed at month end ÷ days in period), cash."""
    spent = monthly_actuals(contract) if spent is None else spent
    received = monthly_received(contract) if received is None else received
    first = min([contract.start, *spent.keys(), *received.keys()])
    last = max([contract.end, *spent.keys(), *received.keys()])
    rows, cum_spent, cum_received = [], ZERO, ZERO
    for month in _months(first, last):
        cum_spent += spent.get(month, ZERO)
        cum_received += received.get(month, ZERO)
        elapsed = max(0, min((_month_end(month) - contract.start).days + 1, contract.period_days))
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "spent": spent.get(month, ZERO),
                "received": received.get(month, ZERO),
                "cumulative_actual": cum_spent,
                "cumulative_received": cum_received,
                "linear_budget": _money(contract.total * elapsed / contract.period_days),
                "cash_position": cum_received - cum_spent,
            }
        )
    return rows


def cash_section(contract: Contract, bva: BudgetVsActual, burn: list[dict] | None = None) -> Section:
    """Disbursements vs spending: every tranche received, and the cash position month by month."""
    burn = burn_rows(contract) if burn is None else burn
    disbursements = [
        {"date": d.date, "amount": d.amount, "reference": d.reference}
        for d in Disbursement.objects.filter(contract=contract).order_by("date", "id")
    ]
    return Section(
        title=_("Disbursements vs spending"),
        facts=[
            (_("Received"), bva.received),
            (_("Spent"), bva.actual),
            (_("Cash position"), bva.cash_position),
        ],
        tables=[
            Table(
                title=_("Disbursements received"),
                columns=[
                    Column("date", _("Date"), "date"),
                    Column("amount", _("Amount"), "money"),
                    Column("reference", _("Reference")),
                ],
                rows=disbursements,
                totals={"amount": bva.received},
            ),
            Table(
                title=_("Cash position by month"),
                columns=[
                    Column("month", _("Month")),
                    Column("received", _("Received"), "money"),
                    Column("spent", _("Spent"), "money"),
                    Column("cumulative_received", _("Received to date"), "money"),
                    Column("cumulative_actual", _("Spent to date"), "money"),
                    Column("cash_position", _("Cash position"), "money"),
                ],
                rows=burn,
                totals={"received": bva.received, "spent": bva.actual, "cash_position": bva.cash_position},
                note=_("Cash position = money received - money spent, to the end of each month."),
            ),
        ],
    )


def revision_rows(contract: Contract) -> list[dict]:
    revisions = (
        BudgetRevision.objects.filter(contract=contract)
        .select_related("approved_by", "proposed_by")
        .prefetch_related("lines__budget_line")
        .order_by("proposed_at", "id")
    )
    return [
        {
            "proposed": timezone.localtime(r.proposed_at).date(),
            "reason": r.reason,
            "changes": "; ".join(f"{item.budget_line.code} {item.delta:+,.2f}" for item in r.lines.all()),
            "total_change": r.total_change,
            "status": str(r.get_status_display()),
            "status_code": r.status,
            "decided_by": (r.approved_by.get_full_name() or r.approved_by.get_username())
            if r.approved_by
            else "",
            "decided": timezone.localtime(r.approved_at).date() if r.approved_at else None,
        }
        for r in revisions
    ]


def revisions_section(contract: Contract, rows: list[dict] | None = None) -> Section:
    """Every budget revision: when, why, which lines by how much, and who decided."""
    rows = revision_rows(contract) if rows is None else rows
    return Section(
        title=_("Budget revisions"),
        tables=[
            Table(
                title=_("Budget revisions"),
                columns=[
                    Column("proposed", _("Proposed"), "date"),
                    Column("reason", _("Reason")),
                    Column("changes", _("Changes")),
                    Column("total_change", _("Change to the total"), "money"),
                    Column("status", _("Status")),
                    Column("decided_by", _("Decided by")),
                    Column("decided", _("Decided"), "date"),
                ],
                rows=rows,
            )
        ],
    )


def contract_flags(contract: Contract, user=None):
    """Current flags touching the contract that ``user`` may read (all of them for the command)."""
    qs = Flag.objects.for_user(user, "view", agency=contract.agency)
    touching = Flag.contracts.through.objects.filter(contract=contract).values("flag_id")
    return qs.filter(active=True, pk__in=touching)


def flag_summary(contract: Contract, user=None) -> tuple[list[dict], list[Flag]]:
    """Counts by rule and status, and the confirmed flags (ordered as the flags report)."""
    from finance.flags.output import flag_sort_key

    flags = contract_flags(contract, user)
    counts = flags.values("rule", "status").annotate(n=Count("id")).order_by("rule")
    table: dict[str, Counter] = {}
    for row in counts:
        table.setdefault(row["rule"], Counter())[row["status"]] += row["n"]
    rows = [
        {"rule": rule, **{s: c.get(s, 0) for s in FLAG_STATUSES}, "total": sum(c.values())}
        for rule, c in sorted(table.items())
    ]
    confirmed = sorted(flags.filter(status="confirmed"), key=flag_sort_key)
    return rows, confirmed


def flags_section(contract: Contract, user=None, summary=None) -> Section:
    """Flags by rule and status, and each confirmed flag with its expenditures and note."""
    rows, confirmed = flag_summary(contract, user) if summary is None else summary
    totals = {s: sum(r[s] for r in rows) for s in (*FLAG_STATUSES, "total")}
    # People read each rule by its title (the JSON body keeps the codes).
    rows = [{**row, "rule": rule_title(row["rule"])} for row in rows]
    return Section(
        title=_("Irregularity flags"),
        tables=[
            Table(
                title=_("Flags by rule and status"),
                columns=[
                    Column("rule", _("Rule")),
                    *[
                        Column(s, label, "int")
                        for s, label in zip(FLAG_STATUSES, _status_labels(), strict=True)
                    ],
                    Column("total", _("Total"), "int"),
                ],
                rows=rows,
                totals=totals if rows else None,
            ),
            Table(
                title=_("Confirmed flags"),
                columns=[
                    Column("rule", _("Rule")),
                    Column("severity", _("Severity")),
                    Column("vouchers", _("Vouchers")),
                    Column("message", _("Finding")),
                    Column("note", _("Note")),
                ],
                rows=[
                    {
                        "rule": rule_title(f.rule),
                        "severity": str(f.get_severity_display()),
                        "vouchers": ", ".join(f.vouchers),
                        "message": f.text,
                        "note": f.note,
                    }
                    for f in confirmed
                ],
            ),
        ],
    )


def disabled_rules_section(contract: Contract) -> Section:
    """The rules not run for the contract, each with the director's reason, so the funder sees
    what was not checked (docs/rules.md, ``disabled_rules``)."""
    rows = disabled_rule_rows(contract.effective_policy())
    return Section(
        title=_("Rules not checked"),
        text=[
            _("These rules were disabled for this contract by the agency's director and were not run.")
            if rows
            else _("Every irregularity rule was run for this contract.")
        ],
        tables=[
            Table(
                title=_("Disabled rules"),
                columns=[
                    Column("rule", _("Rule")),
                    Column("severity", _("Severity")),
                    Column("reason", _("Reason for disabling")),
                ],
                rows=[
                    {"rule": row["title"], "severity": row["severity"], "reason": row["reason"]}
                    for row in rows
                ],
            )
        ]
        if rows
        else [],
    )


def _status_labels() -> list[str]:
    return [_("Open"), _("Explained"), _("Confirmed"), _("Dismissed")]


def reconciliation_section(contract: Contract, rows: list[dict] | None = None) -> Section:
    """Bank reconciliation status: each period, its lines matched, explained and still open."""
    rows = contract_reconciliation(contract) if rows is None else rows
    text = [] if rows else [_("No bank statement has been imported for this contract.")]
    return Section(
        title=_("Bank reconciliation"),
        text=text,
        tables=[
            Table(
                title=_("Reconciliation periods"),
                columns=[
                    Column("start", _("From"), "date"),
                    Column("end", _("To"), "date"),
                    Column("status_label", _("Status")),
                    Column("lines", _("Bank lines"), "int"),
                    Column("matched", _("Matched"), "int"),
                    Column("explained", _("Explained"), "int"),
                    Column("unmatched", _("Unmatched"), "int"),
                ],
                rows=rows,
            )
        ],
    )


def spending_chart(bva: BudgetVsActual) -> Chart:
    """Approved vs actual per budget line."""
    return Chart(
        kind="hbar",
        title=_("Spending by budget line"),
        categories=[f"{line.code} {line.name}" for line in bva.lines],
        series=[
            Series(pgettext("budget amount", "Approved"), [line.approved for line in bva.lines]),
            Series(_("Actual"), [line.actual for line in bva.lines]),
        ],
        value_format="money",
    )


def burn_chart(burn: list[dict]) -> Chart:
    """Cumulative actual by month against the linear budget."""
    return Chart(
        kind="line",
        title=_("Burn over time"),
        categories=[row["month"] for row in burn],
        series=[
            Series(_("Cumulative actual"), [row["cumulative_actual"] for row in burn]),
            Series(_("Linear budget"), [row["linear_budget"] for row in burn]),
        ],
        value_format="money",
    )


def charts_section(bva: BudgetVsActual, burn: list[dict]) -> Section:
    """The two charts, and their numbers as tables (for the spreadsheet and screen readers)."""
    charts = [spending_chart(bva), burn_chart(burn)]
    return Section(title=_("Charts"), charts=charts, tables=[chart_table(chart) for chart in charts])


# --- the pack -------------------------------------------------------------------------------------


def _m(value) -> str | None:
    return money_str(value)


def pack_data(
    contract: Contract,
    bva: BudgetVsActual,
    burn: list[dict],
    revisions: list[dict],
    flags: tuple[list[dict], list[Flag]],
    reconciliation: list[dict],
) -> dict:
    """The JSON body of the pack (money as strings with 2 places)."""
    flag_rows, confirmed = flags
    return {
        "contract": contract.code,
        "title": contract.title,
        "funder": contract.funder.name,
        "start": contract.start.isoformat(),
        "end": contract.end.isoformat(),
        "total": _m(contract.total),
        "currency": contract.currency,
        "as_of": bva.as_of.isoformat(),
        "budget": {
            "lines": [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "category": line.category,
                    "original": _m(r["original"]),
                    "approved": _m(r["approved"]),
                    "actual": _m(r["actual"]),
                    "variance": _m(r["variance"]),
                    "remaining": _m(line.remaining),
                    "pct_spent": None if line.pct_spent is None else f"{line.pct_spent:.2f}",
                    "projected_at_end": _m(r["projected_at_end"]),
                }
                for r, line in zip(budget_rows(bva), bva.lines, strict=True)
            ],
            "total": {"approved": _m(bva.approved), "actual": _m(bva.actual), "remaining": _m(bva.remaining)},
        },
        "cash": {
            "received": _m(bva.received),
            "spent": _m(bva.actual),
            "cash_position": _m(bva.cash_position),
            "disbursements": [
                {"date": d.date.isoformat(), "amount": _m(d.amount), "reference": d.reference}
                for d in Disbursement.objects.filter(contract=contract).order_by("date", "id")
            ],
        },
        "burn": [
            {
                "month": row["month"],
                "spent": _m(row["spent"]),
                "received": _m(row["received"]),
                "cumulative_actual": _m(row["cumulative_actual"]),
                "linear_budget": _m(row["linear_budget"]),
                "cash_position": _m(row["cash_position"]),
            }
            for row in burn
        ],
        "revisions": [
            {
                "proposed": row["proposed"].isoformat(),
                "reason": row["reason"],
                "changes": row["changes"],
                "total_change": _m(row["total_change"]),
                "status": row["status_code"],
                "decided_by": row["decided_by"] or None,
                "decided": row["decided"].isoformat() if row["decided"] else None,
            }
            for row in revisions
        ],
        "flags": {
            "by_rule": {row["rule"]: {s: row[s] for s in (*FLAG_STATUSES, "total")} for row in flag_rows},
            "confirmed": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "vouchers": list(f.vouchers),
                    "message": f.text,
                    "note": f.note,
                }
                for f in confirmed
            ],
        },
        "rules_not_checked": [
            {"rule": row["code"], "title": row["title"], "reason": row["reason"]}
            for row in disabled_rule_rows(contract.effective_policy())
        ],
        "reconciliation": [
            {
                "start": row["start"].isoformat(),
                "end": row["end"].isoformat(),
                "status": row["status"],
                "lines": row["lines"],
                "matched": row["matched"],
                "explained": row["explained"],
                "unmatched": row["unmatched"],
            }
            for row in reconciliation
        ],
    }


#: Sections other apps add to the pack (delivery: targets), filled in their ``ready()``:
#: ``name -> func(contract, *, user, as_of) -> (Section, json_value)``; the JSON goes under ``name``.
EXTRA_SECTIONS: dict[str, Callable] = {}


def contract_pack(contract: Contract, *, user=None, as_of: dt.date | None = None) -> Report:
    """The whole pack of ``contract`` as a ``Report`` (cover page, then every section)."""
    bva = budget_vs_actual(contract, as_of)
    burn = burn_rows(contract)
    revisions = revision_rows(contract)
    flags = flag_summary(contract, user)
    reconciliation = contract_reconciliation(contract)
    data = pack_data(contract, bva, burn, revisions, flags, reconciliation)
    extra = []
    for name, build in EXTRA_SECTIONS.items():
        section, value = build(contract, user=user, as_of=as_of)
        extra.append(section)
        data[name] = value
    return Report(
        kind="contract",
        title=_("Contract report"),
        subtitle=f"{contract.code} {contract.title}",
        agency_name=str(contract.agency.name),
        params={"contract": contract.code},
        data=data,
        sections=[
            summary_section(contract, bva),
            budget_section(contract, bva),
            *extra,
            cash_section(contract, bva, burn),
            revisions_section(contract, revisions),
            flags_section(contract, user, flags),
            disabled_rules_section(contract),
            reconciliation_section(contract, reconciliation),
            charts_section(bva, burn),
        ],
        cover=True,
    )


@register(
    "contract",
    title=gettext_lazy("Contract report"),
    params=("contract",),
    roles=("director", "finance", "auditor"),
    access=contract_report_access,
    access_basis=contract_report_access_basis,
    description=gettext_lazy(
        "The funder pack: summary, budget vs actual, disbursements vs spending, revisions, flags, "
        "bank reconciliation and charts."
    ),
)
def build_contract(*, agency, user=None, contract=None, **kw) -> Report:
    """``report contract --contract C``; an unknown or unseen contract is a ``ReportError``."""
    record = visible_contract(agency=agency, user=user, code=contract)
    return contract_pack(record, user=user)
