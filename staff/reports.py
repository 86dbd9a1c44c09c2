"""Report kinds of the staff app: ``retention`` (a year), ``qualifications`` (as of a date) and
``workforce`` (the director's pack: both, with the trend and charts).

Each builder returns plain data (``core.reports``); the renderers make JSON, CSV, XLSX and
PDF of it. ``Report.data`` is the exact JSON body of docs/commands.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Agency
from core.reports import Chart, Column, Report, Section, Series, Table, register
from staff import analytics
from staff.models import EmploymentType, ExitReason, QualificationLevel
from staff.selectors import qualification_summary

_COUNT_KEYS = ("headcount_start", "headcount_end", "hires", "exits", "voluntary_exits")


def _facts(metrics: dict[str, Any]) -> list[tuple[str, Any]]:
    facts = []
    for key, label in analytics.METRIC_LABELS.items():
        if key == "exit_reasons":
            continue
        value = metrics[key]
        if key in analytics.RATE_KEYS and value is not None:
            value = f"{value * 100:.2f}%"
        facts.append((str(label), "—" if value is None else value))
    return facts


def _definitions_table() -> Table:
    return Table(
        title=_("Definitions"),
        columns=[Column("metric", _("Metric")), Column("definition", _("Definition"))],
        rows=[
            {"metric": str(analytics.METRIC_LABELS[key]), "definition": str(text)}
            for key, text in analytics.DEFINITIONS.items()
        ],
        note=str(analytics.SCOPE_NOTE),
    )


def _reasons_table(metrics: dict[str, Any]) -> Table:
    labels = dict(ExitReason.choices)
    return Table(
        title=_("Exit reasons"),
        columns=[
            Column("reason", _("Reason")),
            Column("exits", _("Exits"), "int"),
        ],
        rows=[
            {"code": code, "reason": str(labels.get(code, code)), "exits": count}
            for code, count in metrics["exit_reasons"].items()
        ],
        totals={"exits": metrics["exits"]},
    )


def _breakdown_table(title: str, rows: list[dict[str, Any]], labels: dict[str, Any] | None = None) -> Table:
    return Table(
        title=title,
        columns=[
            Column("group", _("Group")),
            Column("headcount_start", _("Start"), "int"),
            Column("headcount_end", _("End"), "int"),
            Column("hires", _("Hires"), "int"),
            Column("exits", _("Exits"), "int"),
            Column("voluntary_exits", _("Voluntary"), "int"),
            Column("turnover_rate", _("Turnover"), "percent"),
            Column("certified_ratio_end", _("Certified"), "percent"),
        ],
        rows=[
            {**row, "group": str((labels or {}).get(row["group"], row["group"]) or _("(none)"))}
            for row in rows
        ],
    )


def _trend_table(trend: list[dict[str, Any]]) -> Table:
    return Table(
        title=_("Trend over all years"),
        columns=[
            Column("year", _("Year")),
            *[Column(key, str(analytics.METRIC_LABELS[key]), "int") for key in _COUNT_KEYS],
            Column("turnover_rate", str(analytics.METRIC_LABELS["turnover_rate"]), "percent"),
            Column(
                "voluntary_turnover_rate", str(analytics.METRIC_LABELS["voluntary_turnover_rate"]), "percent"
            ),
            Column("first_year_retention", str(analytics.METRIC_LABELS["first_year_retention"]), "percent"),
            Column("certified_ratio_end", str(analytics.METRIC_LABELS["certified_ratio_end"]), "percent"),
        ],
        rows=[{**row, "year": str(row["year"])} for row in trend],
    )


def retention_charts(dashboard: dict[str, Any]) -> list[Chart]:
    """Monthly headcount, the turnover trend and the exit reasons, as chart data."""
    metrics, trend, monthly = dashboard["metrics"], dashboard["trend"], dashboard["monthly"]
    labels = dict(ExitReason.choices)
    charts = [
        Chart(
            kind="line",
            title=_("Headcount at each month end, %(year)s") % {"year": metrics["year"]},
            categories=[row["month"][5:] for row in monthly],
            series=[Series(_("Headcount"), [row["headcount"] for row in monthly])],
            value_format="int",
        )
    ]
    if trend:
        charts.append(
            Chart(
                kind="bar",
                title=_("Turnover by year"),
                categories=[str(row["year"]) for row in trend],
                series=[
                    Series(
                        str(analytics.METRIC_LABELS["turnover_rate"]), [row["turnover_rate"] for row in trend]
                    ),
                    Series(
                        str(analytics.METRIC_LABELS["voluntary_turnover_rate"]),
                        [row["voluntary_turnover_rate"] for row in trend],
                    ),
                ],
                value_format="percent",
            )
        )
    if metrics["exit_reasons"]:
        charts.append(
            Chart(
                kind="hbar",
                title=_("Exit reasons, %(year)s") % {"year": metrics["year"]},
                categories=[str(labels.get(code, code)) for code in metrics["exit_reasons"]],
                series=[Series(_("Exits"), list(metrics["exit_reasons"].values()))],
                value_format="int",
            )
        )
    return charts


def retention_sections(dashboard: dict[str, Any]) -> list[Section]:
    metrics = dashboard["metrics"]
    type_labels = dict(EmploymentType.choices)
    return [
        Section(
            title=_("Workforce and retention, %(year)s") % {"year": metrics["year"]},
            text=[str(analytics.SCOPE_NOTE)],
            facts=_facts(metrics),
            tables=[_reasons_table(metrics)],
            charts=retention_charts(dashboard),
        ),
        Section(
            title=_("Breakdowns"),
            tables=[
                _breakdown_table(_("By position"), dashboard["by_position"]),
                _breakdown_table(_("By employment type"), dashboard["by_employment_type"], type_labels),
            ],
        ),
        Section(title=_("Trend"), tables=[_trend_table(dashboard["trend"])]),
        Section(title=_("Definitions"), tables=[_definitions_table()]),
    ]


@register(
    "retention",
    title=gettext_lazy("Staff retention"),
    params=("year",),
    roles=("director",),
    description=gettext_lazy(
        "The year's workforce metrics: headcount, hires, exits, turnover, retention, certification."
    ),
)
def build_retention(*, agency: Agency, user=None, year: int, **kwargs: Any) -> Report:
    dashboard = analytics.retention_dashboard(agency, year)
    return Report(
        kind="retention",
        title=_("Staff retention %(year)s") % {"year": year},
        agency_name=agency.name,
        params={"year": year},
        data=dashboard["metrics"],
        sections=retention_sections(dashboard),
    )


def qualification_sections(summary: dict[str, Any]) -> list[Section]:
    labels = dict(QualificationLevel.choices)
    columns = [
        Column("staff_no", _("Staff number")),
        Column("name", _("Name")),
        Column("level", _("Level")),
        Column("cert_no", _("Certificate number")),
        Column("registration_expires", _("Registration valid until")),
        Column("days_left", _("Days left"), "int"),
    ]

    def rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**entry, "level": str(labels.get(entry["level"], entry["level"]))} for entry in entries]

    holders = summary["holders_by_level"]
    return [
        Section(
            title=_("Certificate holders as of %(date)s") % {"date": summary["as_of"]},
            text=[
                _(
                    "People employed on the date, counted once at their highest certificate issued on or "
                    "before it. Registrations ending within 90 days are listed as expiring."
                )
            ],
            tables=[
                Table(
                    title=_("Holders by level"),
                    columns=[Column("level", _("Level")), Column("holders", _("Holders"), "int")],
                    rows=[{"level": str(labels[code]), "holders": count} for code, count in holders.items()],
                    totals={"holders": sum(holders.values())},
                ),
                Table(
                    title=_("Expiring within 90 days"),
                    columns=columns,
                    rows=rows(summary["expiring_within_90_days"]),
                ),
                Table(title=_("Expired"), columns=columns, rows=rows(summary["expired"])),
            ],
            charts=[
                Chart(
                    kind="bar",
                    title=_("Certificate holders by level"),
                    categories=[str(labels[code]) for code in holders],
                    series=[Series(_("Holders"), list(holders.values()))],
                    value_format="int",
                )
            ],
        )
    ]


@register(
    "qualifications",
    title=gettext_lazy("Qualifications"),
    params=("as_of",),
    roles=("director",),
    description=gettext_lazy(
        "Certificate holders by level, registrations expiring within 90 days, and expired ones."
    ),
)
def build_qualifications(*, agency: Agency, user=None, as_of: dt.date, **kwargs: Any) -> Report:
    summary = qualification_summary(agency, as_of)
    return Report(
        kind="qualifications",
        title=_("Qualifications as of %(date)s") % {"date": as_of.isoformat()},
        agency_name=agency.name,
        params={"as_of": as_of},
        data=summary,
        sections=qualification_sections(summary),
    )


@register(
    "workforce",
    title=gettext_lazy("Workforce report"),
    params=("year",),
    optional=("as_of",),
    roles=("director",),
    description=gettext_lazy(
        "The director's workforce pack: retention of the year and qualifications at its end."
    ),
)
def build_workforce(
    *, agency: Agency, user=None, year: int, as_of: dt.date | None = None, **kwargs: Any
) -> Report:
    as_of = as_of or min(dt.date(year, 12, 31), dt.date.today())
    dashboard = analytics.retention_dashboard(agency, year)
    summary = qualification_summary(agency, as_of)
    return Report(
        kind="workforce",
        title=_("Workforce report %(year)s") % {"year": year},
        subtitle=_("Retention, certification and qualifications"),
        agency_name=agency.name,
        params={"year": year, "as_of": as_of},
        data={"retention": dashboard["metrics"], "qualifications": summary, "trend": dashboard["trend"]},
        sections=retention_sections(dashboard) + qualification_sections(summary),
        cover=True,
    )
