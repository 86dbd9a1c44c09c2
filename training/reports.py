"""Training report kinds: continuing-education compliance, the yearly summary, and a
person's transcript for re-registration (built here, rendered by core.reports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reports import Chart, Column, Report, Section, Series, Table, register
from staff.models import StaffMember
from training import selectors
from training.compliance import AT_RISK_DAYS, STATUS_ORDER, ComplianceRow, compliance_rows, status_counts

CYCLE_NOTE = gettext_lazy(
    "The cycle runs from its first day to its last day, both days included: when the registration end is "
    "known, from the day after the registration end minus the cycle length up to the registration end "
    "(a registration expiring on 2027-06-19: 2024-06-20 to 2027-06-19); when it is unknown, the "
    "cycle-length period from the certificate's issue date rolled forward to contain the report date. "
    "Only people employed on the report date are listed. Earned hours are approved, "
    "continuing-education-eligible training dated in the cycle. Status: compliant when earned ≥ required; "
    "overdue when the cycle has ended short; at risk when short with the cycle ending within "
    "%(days)s days; otherwise on track."
)


def json_number(value: Decimal) -> int | float:
    """Hours as a JSON number: whole hours as integers, else one decimal place."""
    return int(value) if value == value.to_integral_value() else float(value)


def _compliance_table(rows: list[ComplianceRow], title: str) -> Table:
    return Table(
        title=title,
        columns=[
            Column("staff_no", _("Staff no.")),
            Column("name", _("Name")),
            Column("qualification", _("Qualification")),
            Column("cycle_start", _("Cycle start"), "date"),
            Column("cycle_end", _("Cycle end"), "date"),
            Column("required_hours", _("Required hours"), "number", 1),
            Column("earned_hours", _("Earned hours"), "number", 1),
            Column("shortfall_hours", _("Shortfall"), "number", 1),
            Column("status", _("Status")),
        ],
        rows=[
            {
                "staff_no": r.staff_no,
                "name": r.name,
                "qualification": r.level_label,
                "cycle_start": r.cycle_start,
                "cycle_end": r.cycle_end,
                "required_hours": r.required_hours,
                "earned_hours": r.earned_hours,
                "shortfall_hours": r.shortfall_hours,
                "status": r.status_label,
            }
            for r in rows
        ],
        note=str(CYCLE_NOTE) % {"days": AT_RISK_DAYS},
    )


@register(
    "training-compliance",
    title=gettext_lazy("Continuing-education compliance"),
    params=("as_of",),
    roles=("director", "supervisor"),
    description=gettext_lazy("Every certified staff member's continuing-education status."),
)
def training_compliance(*, agency, user=None, as_of: dt.date, **kwargs) -> Report:
    """docs/commands.md: ``{"as_of", "staff": [{staff_no, name, qualification, cycle_start, cycle_end,
    required_hours, earned_hours, shortfall_hours, status}]}``, hours as JSON numbers."""
    if user is None:
        rows = compliance_rows(agency, as_of)
    else:
        rows = sorted(selectors.compliance_for_user(user, as_of), key=lambda r: r.staff_no)
    data = {
        "as_of": as_of.isoformat(),
        "staff": [
            {
                "staff_no": r.staff_no,
                "name": r.name,
                "qualification": r.level,
                "cycle_start": r.cycle_start.isoformat(),
                "cycle_end": r.cycle_end.isoformat(),
                "required_hours": json_number(r.required_hours),
                "earned_hours": json_number(r.earned_hours),
                "shortfall_hours": json_number(r.shortfall_hours),
                "status": r.status,
            }
            for r in rows
        ],
    }
    counts = status_counts(rows)
    short = [r for r in rows if r.status in ("overdue", "at_risk")]
    short.sort(key=lambda r: (STATUS_ORDER[r.status], -r.shortfall_hours))
    sections = [
        Section(
            title=_("Summary"),
            facts=[
                (_("As of"), as_of),
                (_("Certified staff"), len(rows)),
                (_("Compliant"), counts["compliant"]),
                (_("On track"), counts["on_track"]),
                (_("At risk"), counts["at_risk"]),
                (_("Overdue"), counts["overdue"]),
            ],
            charts=[
                Chart(
                    kind="bar",
                    title=_("Certified staff by status"),
                    categories=[_("Overdue"), _("At risk"), _("On track"), _("Compliant")],
                    series=[
                        Series(
                            _("People"),
                            [counts["overdue"], counts["at_risk"], counts["on_track"], counts["compliant"]],
                        )
                    ],
                    value_format="int",
                )
            ],
        ),
    ]
    if short:
        sections.append(
            Section(title=_("Who is short"), tables=[_compliance_table(short, _("Overdue or at risk"))])
        )
    sections.append(Section(title=_("Everyone certified"), tables=[_compliance_table(rows, _("Compliance"))]))
    return Report(
        kind="training-compliance",
        title=_("Continuing-education compliance"),
        subtitle=_("As of %(date)s") % {"date": as_of.isoformat()},
        agency_name=agency.name,
        params={"as_of": as_of},
        data=data,
        sections=sections,
    )


@register(
    "training-summary",
    title=gettext_lazy("Training summary"),
    params=("year",),
    roles=("director",),
    description=gettext_lazy("Approved training hours of the year by category, by person and by month."),
)
def training_summary(*, agency, user=None, year: int, **kwargs) -> Report:
    summary = selectors.training_summary(agency, year)
    data = {
        "year": year,
        "total_hours": json_number(summary["total_hours"]),
        "by_category": [
            {"category": r["category"], "hours": json_number(r["hours"]), "records": r["records"]}
            for r in summary["by_category"]
        ],
        "by_person": [
            {
                "staff_no": r["staff_no"],
                "name": r["name"],
                "hours": json_number(r["hours"]),
                "ce_hours": json_number(r["ce_hours"]),
                "records": r["records"],
            }
            for r in summary["by_person"]
        ],
        "by_month": [
            {"month": r["month"], "hours": json_number(r["hours"]), "records": r["records"]}
            for r in summary["by_month"]
        ],
    }
    sections = [
        Section(
            title=_("By category"),
            facts=[(_("Approved hours"), summary["total_hours"]), (_("Records"), summary["records"])],
            tables=[
                Table(
                    title=_("Hours by category"),
                    columns=[
                        Column("label", _("Category")),
                        Column("hours", _("Hours"), "number", 1),
                        Column("records", _("Records"), "int"),
                    ],
                    rows=summary["by_category"],
                    totals={"hours": summary["total_hours"], "records": summary["records"]},
                )
            ],
            charts=[
                Chart(
                    kind="hbar",
                    title=_("Hours by category"),
                    categories=[r["label"] for r in summary["by_category"]],
                    series=[Series(_("Hours"), [r["hours"] for r in summary["by_category"]])],
                )
            ],
        ),
        Section(
            title=_("By month"),
            tables=[
                Table(
                    title=_("Hours by month"),
                    columns=[
                        Column("month", _("Month")),
                        Column("hours", _("Hours"), "number", 1),
                        Column("records", _("Records"), "int"),
                    ],
                    rows=summary["by_month"],
                )
            ],
            charts=[
                Chart(
                    kind="bar",
                    title=_("Hours by month"),
                    categories=[r["month"] for r in summary["by_month"]],
                    series=[Series(_("Hours"), [r["hours"] for r in summary["by_month"]])],
                )
            ],
        ),
        Section(
            title=_("By person"),
            tables=[
                Table(
                    title=_("Hours by person"),
                    columns=[
                        Column("staff_no", _("Staff no.")),
                        Column("name", _("Name")),
                        Column("hours", _("Hours"), "number", 1),
                        Column("ce_hours", _("Continuing-education hours"), "number", 1),
                        Column("records", _("Records"), "int"),
                    ],
                    rows=summary["by_person"],
                )
            ],
        ),
    ]
    return Report(
        kind="training-summary",
        title=_("Training summary"),
        subtitle=str(year),
        agency_name=agency.name,
        params={"year": year},
        data=data,
        sections=sections,
    )


def transcript_report(*, staff: StaffMember, as_of: dt.date) -> Report:
    """A person's continuing-education transcript for re-registration: the current cycle,
    the requirement, and every approved eligible record in it."""
    from training.compliance import compliance_for_person

    row = compliance_for_person(staff.agency, staff.pk, as_of)
    records = list(selectors.cycle_records(staff, row)) if row else []
    facts = [(_("Staff no."), staff.staff_no), (_("Name"), staff.name), (_("As of"), as_of)]
    if row:
        facts += [
            (_("Qualification"), row.level_label),
            (_("Certificate no."), row.cert_no),
            (_("Cycle"), f"{row.cycle_start.isoformat()} – {row.cycle_end.isoformat()}"),
            (_("Required hours"), row.required_hours),
            (_("Earned hours"), row.earned_hours),
            (_("Shortfall"), row.shortfall_hours),
            (_("Status"), row.status_label),
        ]
    table = Table(
        title=_("Continuing-education training in the cycle"),
        columns=[
            Column("date", _("Date"), "date"),
            Column("title", _("Title")),
            Column("provider", _("Provider")),
            Column("hours", _("Hours"), "number", 1),
            Column("source", _("Source")),
        ],
        rows=[
            {
                "date": r.date,
                "title": r.title,
                "provider": r.provider,
                "hours": r.hours,
                "source": r.get_source_display(),
            }
            for r in records
        ],
        totals={"hours": sum((r.hours for r in records), Decimal("0"))},
        note=str(CYCLE_NOTE) % {"days": AT_RISK_DAYS},
    )
    data = {
        "staff_no": staff.staff_no,
        "name": staff.name,
        "as_of": as_of.isoformat(),
        "qualification": row.level if row else None,
        "cycle_start": row.cycle_start.isoformat() if row else None,
        "cycle_end": row.cycle_end.isoformat() if row else None,
        "required_hours": json_number(row.required_hours) if row else None,
        "earned_hours": json_number(row.earned_hours) if row else None,
        "records": [
            {
                "date": r.date.isoformat(),
                "title": r.title,
                "provider": r.provider,
                "hours": json_number(r.hours),
            }
            for r in records
        ],
    }
    return Report(
        kind="training-transcript",
        title=_("Continuing-education transcript"),
        subtitle=f"{staff.staff_no} {staff.name}",
        agency_name=staff.agency.name,
        params={"as_of": as_of},
        data=data,
        sections=[
            Section(
                title=_("Transcript"),
                text=[] if row else [_("No national social-work certificate on record as of this date.")],
                facts=facts,
                tables=[table],
            )
        ],
        filename_stem=f"transcript-{staff.staff_no}-{as_of.isoformat()}",
    )
