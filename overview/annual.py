"""``report annual --year Y``: the director's annual report in one document.

Workforce and retention, qualifications at year end, continuing-education compliance at year
end, supervision coverage of the year, and every contract whose period overlaps the year with
its budget vs actual, targets and flags. Nothing is computed here that another app already computes:
each part calls that app's report builder (or the contract pack's section builders) and takes
its ``data`` and ``sections``; this module only adds the overview, the counts that summarise
rows those builders return, and the two charts that span parts (supervision coverage by month,
budget vs actual per contract). Each contract's targets come from the delivery app's progress
selector (docs/metrics.md), as of the report date: 31 December of the year, or today while the
year runs, and at most the contract's end. Imported from ``OverviewConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.models import Agency
from core.reports import Chart, Column, Report, Section, Series, Table, money_str, rate, register
from delivery.reports import pack_section as targets_section
from finance.models import Contract, FlagStatus
from finance.reports.pack import budget_section, contract_flags, flag_summary, flags_section, summary_section
from finance.selectors import budget_vs_actual
from staff.reports import build_qualifications, build_retention
from supervision.reports import STATE_LABELS, build_compliance
from supervision.selectors import compliance_page_rows
from training.reports import training_compliance

ZERO = Decimal("0.00")
TRAINING_STATUSES = ("compliant", "on_track", "at_risk", "overdue")
TARGET_STATUSES = ("met", "on_track", "behind")

FLAGS_NOTE = gettext_lazy(
    "Flags: open = current flags not yet triaged; critical = open flags of critical severity."
)
MONEY_NOTE = gettext_lazy(
    "Actual: every posted expenditure of the contract; received: disbursements; cash position = "
    "received − actual (as in the budget-vs-actual report)."
)
TARGETS_NOTE = gettext_lazy(
    "Targets: each contract's targets by status as of the report date (31 December, or today "
    "while the year runs, at most the contract end)."
)
COVERAGE_NOTE = gettext_lazy(
    "Coverage = supervisee-months met ÷ supervisee-months counted (supervision compliance rules). "
    "The current month, while still short, is in progress and not counted until it is over."
)


def _prefixed(label: str, sections: list[Section]) -> list[Section]:
    """The sections of another report with ``label`` in front of their titles, so that a
    "Summary" of training is not mistaken for one of supervision in the annual document."""
    for section in sections:
        section.title = f"{label}: {section.title}"
    return sections


# --- parts ------------------------------------------------------------------------------------


def training_part(report: Report) -> dict[str, Any]:
    """Counts by status of the ``training-compliance`` report's rows."""
    counts = Counter(row["status"] for row in report.data["staff"])
    return {
        "as_of": report.data["as_of"],
        "certified": len(report.data["staff"]),
        **{status: counts.get(status, 0) for status in TRAINING_STATUSES},
    }


def supervision_part(year: int, rows: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """Months met and short, and coverage overall and by month, of the compliance rows.

    A running month that is still short is in progress (the compliance page's reading,
    ``supervision.selectors.compliance_page_rows``): it is not final, so it is not counted as
    short nor in the coverage until it is over (docs/metrics.md); it is counted apart.
    """
    shown = compliance_page_rows(rows, today=today)
    by_month: dict[str, Counter] = {}
    for row in shown:
        by_month.setdefault(row["month"], Counter())[row["state"]] += 1
    total = Counter(row["state"] for row in shown)
    counted = total["met"] + total["short"]
    return {
        "year": year,
        "supervisees": len({row["staff_no"] for row in rows}),
        "months_counted": counted,
        "months_met": total["met"],
        "months_short": total["short"],
        "months_in_progress": total["in_progress"],
        "coverage": rate(total["met"], counted),
        "by_month": [
            {
                "month": month,
                "met": counts["met"],
                "short": counts["short"],
                "in_progress": counts["in_progress"],
                "coverage": rate(counts["met"], counts["met"] + counts["short"]),
            }
            for month, counts in sorted(by_month.items())
        ],
    }


def supervision_coverage_section(part: dict[str, Any]) -> Section:
    """Coverage by month, as a chart and its table."""
    months = part["by_month"]
    chart = Chart(
        kind="bar",
        title=_("Supervision coverage by month, %(year)s") % {"year": part["year"]},
        categories=[row["month"] for row in months],
        series=[Series(_("Coverage"), [row["coverage"] for row in months])],
        value_format="percent",
    )
    table = Table(
        title=_("Supervision coverage by month"),
        columns=[
            Column("month", _("Month")),
            Column("met", str(STATE_LABELS["met"]), "int"),
            Column("short", str(STATE_LABELS["short"]), "int"),
            Column("in_progress", str(STATE_LABELS["in_progress"]), "int"),
            Column("coverage", _("Coverage"), "percent"),
        ],
        rows=months,
        totals={
            "met": part["months_met"],
            "short": part["months_short"],
            "in_progress": part["months_in_progress"],
            "coverage": part["coverage"],
        },
        note=str(COVERAGE_NOTE),
    )
    return Section(
        title=_("Supervision coverage"),
        facts=[
            (_("Supervisees"), part["supervisees"]),
            (_("Supervisee-months counted"), part["months_counted"]),
            (str(STATE_LABELS["met"]), part["months_met"]),
            (str(STATE_LABELS["short"]), part["months_short"]),
            (str(STATE_LABELS["in_progress"]), part["months_in_progress"]),
            (_("Coverage"), "—" if part["coverage"] is None else f"{part['coverage'] * 100:.1f}%"),
        ],
        tables=[table],
        charts=[chart] if months else [],
    )


def contracts_of_year(agency: Agency, user, year: int):
    """Contracts of the agency (that ``user`` may read) whose period overlaps ``year``."""
    qs = Contract.objects.for_user(user, "view") if user is not None else Contract.objects.for_agency(agency)
    return (
        qs.filter(agency=agency, start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1))
        .select_related("funder", "agency")
        .order_by("start", "code")
    )


def report_date(year: int, today: dt.date | None = None) -> dt.date:
    """The date the year's figures are as of: 31 December, or today while the year runs."""
    return min(dt.date(year, 12, 31), today or timezone.localdate())


def contract_part(contract, user, as_of: dt.date) -> tuple[dict[str, Any], list[Section], dict[str, Any]]:
    """One contract: its JSON entry, its pack sections (summary, budget, targets, flags) and its
    totals. Targets are as of ``as_of`` or the contract's end if earlier (docs/metrics.md)."""
    bva = budget_vs_actual(contract)
    targets_as_of = min(as_of, contract.end)
    targets, target_rows = targets_section(contract, user=user, as_of=targets_as_of)
    targets.facts = [(_("As of"), targets_as_of)]
    open_flags = contract_flags(contract, user).filter(status=FlagStatus.OPEN)
    flags = {"open": open_flags.count(), "critical": open_flags.filter(severity="critical").count()}
    entry = {
        "code": contract.code,
        "title": contract.title,
        "funder": contract.funder.name,
        "approved": money_str(bva.approved),
        "actual": money_str(bva.actual),
        "remaining": money_str(bva.remaining),
        "received": money_str(bva.received),
        "cash_position": money_str(bva.cash_position),
        "flags": flags,
        "targets_as_of": targets_as_of.isoformat(),
        "targets": target_rows,
    }
    sections = [
        summary_section(contract, bva),
        budget_section(contract, bva),
        *([targets] if target_rows else []),
        flags_section(contract, user, flag_summary(contract, user)),
    ]
    row = {
        "code": contract.code,
        "title": contract.title,
        "funder": contract.funder.name,
        "approved": bva.approved,
        "actual": bva.actual,
        "remaining": bva.remaining,
        "received": bva.received,
        "cash_position": bva.cash_position,
        "open_flags": flags["open"],
        "critical_flags": flags["critical"],
        **{
            f"targets_{status}": sum(1 for t in target_rows if t["status"] == status)
            for status in TARGET_STATUSES
        },
    }
    return entry, _prefixed(contract.code, sections), row


def contracts_section(year: int, rows: list[dict[str, Any]]) -> Section:
    """Every contract of the year side by side, with the budget vs actual chart."""
    money_keys = ("approved", "actual", "remaining", "received", "cash_position")
    chart = Chart(
        kind="bar",
        title=_("Budget vs actual by contract"),
        categories=[row["code"] for row in rows],
        series=[
            Series(pgettext("budget amount", "Approved"), [row["approved"] for row in rows]),
            Series(_("Actual"), [row["actual"] for row in rows]),
        ],
        value_format="money",
    )
    # Two tables rather than one wide one: ten columns leave money too narrow on an A4 page.
    table = Table(
        title=_("Contracts"),
        columns=[
            Column("code", _("Contract")),
            Column("title", _("Title")),
            Column("funder", _("Funder")),
            Column("open_flags", _("Open flags"), "int"),
            Column("critical_flags", _("Critical flags"), "int"),
        ],
        rows=rows,
        totals={key: sum(row[key] for row in rows) for key in ("open_flags", "critical_flags")}
        if rows
        else None,
        note=str(FLAGS_NOTE),
    )
    target_keys = [f"targets_{status}" for status in TARGET_STATUSES]
    targets_table = Table(
        title=_("Targets by contract"),
        columns=[
            Column("code", _("Contract")),
            Column("targets_met", _("Met"), "int"),
            Column("targets_on_track", _("On track"), "int"),
            Column("targets_behind", _("Behind"), "int"),
        ],
        rows=rows,
        totals={key: sum(row[key] for row in rows) for key in target_keys} if rows else None,
        note=str(TARGETS_NOTE),
    )
    money_table = Table(
        title=_("Budget vs actual by contract"),
        columns=[
            Column("code", _("Contract")),
            Column("approved", pgettext("budget amount", "Approved"), "money"),
            Column("actual", _("Actual"), "money"),
            Column("remaining", _("Remaining"), "money"),
            Column("received", _("Received"), "money"),
            Column("cash_position", _("Cash position"), "money"),
        ],
        rows=rows,
        totals={key: sum((row[key] for row in rows), ZERO) for key in money_keys} if rows else None,
        note=str(MONEY_NOTE),
    )
    return Section(
        title=_("Contracts, %(year)s") % {"year": year},
        text=[] if rows else [_("No contract's period overlaps %(year)s.") % {"year": year}],
        tables=[table, money_table, targets_table] if rows else [table],
        charts=[chart] if rows else [],
    )


def overview_section(data: dict[str, Any]) -> Section:
    """The year at a glance: one figure from each part."""
    workforce, training, supervision = data["workforce"], data["training"], data["supervision"]
    behind = sum(1 for c in data["contracts"] for t in c["targets"] if t["status"] == "behind")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    return Section(
        title=_("The year at a glance"),
        facts=[
            (_("Headcount on 1 January"), workforce["headcount_start"]),
            (_("Headcount on 31 December"), workforce["headcount_end"]),
            (_("Hires"), workforce["hires"]),
            (_("Exits"), workforce["exits"]),
            (_("Turnover rate"), pct(workforce["turnover_rate"])),
            (_("Certificate holders"), data["qualifications"]["holders"]),
            (_("Certified staff compliant with continuing education"), training["compliant"]),
            (_("Certified staff overdue"), training["overdue"]),
            (_("Supervision coverage"), pct(supervision["coverage"])),
            (_("Contracts"), len(data["contracts"])),
            (_("Targets behind pace"), behind),
        ],
    )


# --- the report -------------------------------------------------------------------------------


@register(
    "annual",
    title=gettext_lazy("Annual report"),
    params=("year",),
    roles=("director",),
    description=gettext_lazy(
        "The director's annual report: workforce and retention, qualifications, training "
        "compliance, supervision coverage, and every contract's budget vs actual, targets and flags."
    ),
)
def build_annual(
    *, agency: Agency, user=None, year: int, progress=None, today: dt.date | None = None, **kwargs: Any
) -> Report:
    """The annual report of ``year``; ``progress(percent, message)`` is told how far it got.

    ``today`` (default: the local date) fixes the report date of the targets' progress and which
    month of supervision is still running.
    """
    year = int(year)
    year_end = dt.date(year, 12, 31)
    as_of = report_date(year, today)
    step = progress or (lambda percent, message="": None)

    step(5, _("Workforce"))
    retention = build_retention(agency=agency, user=user, year=year)
    qualifications = build_qualifications(agency=agency, user=user, as_of=year_end)
    step(25, _("Training"))
    training = training_compliance(agency=agency, user=user, as_of=year_end)
    step(40, _("Supervision"))
    today = today or timezone.localdate()
    supervision = build_compliance(agency=agency, user=user, year=year, today=today)
    supervision_data = supervision_part(year, supervision.data["rows"], today)

    contracts = list(contracts_of_year(agency, user, year))
    entries, contract_sections, rows = [], [], []
    for n, contract in enumerate(contracts):
        step(55 + 35 * n // max(1, len(contracts)), contract.code)
        entry, sections, row = contract_part(contract, user, as_of)
        entries.append(entry)
        contract_sections += sections
        rows.append(row)

    data = {
        "year": year,
        "agency": agency.name,
        "workforce": retention.data,
        "qualifications": qualifications.data,
        "training": training_part(training),
        "supervision": supervision_data,
        "contracts": entries,
    }
    step(90, _("Assembling"))
    return Report(
        kind="annual",
        title=_("Annual report %(year)s") % {"year": year},
        subtitle=_("Workforce, training, supervision and contracts"),
        agency_name=agency.name,
        params={"year": year},
        data=data,
        sections=[
            overview_section(data),
            *retention.sections,
            *qualifications.sections,
            *_prefixed(_("Training"), training.sections),
            *_prefixed(_("Supervision"), supervision.sections),
            supervision_coverage_section(supervision_data),
            contracts_section(year, rows),
            *contract_sections,
        ],
        cover=True,
    )
