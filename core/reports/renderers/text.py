"""JSON and CSV renderers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.reports.base import PARAM_LABELS, Column, Report, Section, Table
from core.reports.formatting import money_str, quantize, timestamp
from core.reports.safety import is_number, neutralise


class ReportJSONEncoder(json.JSONEncoder):
    """Decimals as strings with their exact digits, dates ISO, lazy text as text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return format(o, "f")
        if isinstance(o, datetime | date):
            return o.isoformat()
        if isinstance(o, Promise):
            return str(o)
        if isinstance(o, set | frozenset | tuple):
            return list(o)
        return super().default(o)


def dumps(data: Any) -> str:
    """``data`` as the JSON text every JSON output of reports uses."""
    return json.dumps(data, cls=ReportJSONEncoder, ensure_ascii=False, indent=2)


def render_json(report: Report) -> bytes:
    """The report's spec body (``report.data``), UTF-8, indented, ending with a newline."""
    return (dumps(report.data) + "\n").encode("utf-8")


def csv_cell(value: Any, column: Column | None = None) -> Any:
    """A value as a CSV field: numbers as numbers (money with 2 places, a ``number`` column with
    its ``places``), text neutralised."""
    if value is None:
        return ""
    if is_number(value):
        if column is not None and column.kind == "money":
            return money_str(value)
        if column is not None and column.kind == "number" and column.places is not None:
            # Every row with the same decimals, as the XLSX and PDF show the column.
            return format(quantize(value, column.places), "f")
        if isinstance(value, Decimal):
            return format(value, "f")
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def table_rows(table: Table) -> list[list[Any]]:
    """A table as CSV rows: title, header labels, rows, totals."""
    out: list[list[Any]] = [[neutralise(str(table.title))]]
    out.append([neutralise(str(column.label)) for column in table.columns])
    rows = list(table.rows)
    totals = table.totals_row()
    if totals is not None:
        rows.append(totals)
    for row in rows:
        out.append([csv_cell(table.cell(row, column), column) for column in table.columns])
    if table.note:
        out.append([neutralise(str(table.note))])
    return out


def header_rows(report: Report) -> list[list[Any]]:
    """The report's title block as CSV rows: title, subtitle, then agency, parameters and the
    time it was generated as label/value rows (what the XLSX summary sheet holds)."""
    out: list[list[Any]] = [[neutralise(str(report.title))]]
    if report.subtitle:
        out.append([neutralise(str(report.subtitle))])
    facts: list[tuple[Any, Any]] = [(_("Agency"), report.agency_name)]
    facts += [
        (PARAM_LABELS.get(key, key), value) for key, value in report.params.items() if value not in (None, "")
    ]
    facts.append((_("Generated"), timestamp(report.generated_at)))
    out += [[neutralise(str(label)), csv_cell(value)] for label, value in facts]
    return out


def section_rows(section: Section) -> list[list[Any]]:
    """A section's heading, paragraphs and label/value facts as CSV rows (its tables follow).

    The heading is left out when it would only repeat the title of the section's one table.
    """
    out: list[list[Any]] = []
    repeats_table = (
        not section.text
        and not section.facts
        and bool(section.tables)
        and str(section.tables[0].title) == str(section.title)
    )
    if section.title and not repeats_table:
        out.append([neutralise(str(section.title))])
    out += [[neutralise(str(paragraph))] for paragraph in section.text]
    out += [[neutralise(str(label)), csv_cell(value)] for label, value in section.facts]
    return out


def render_csv(report: Report) -> bytes:
    """The report as one sheet of rows, UTF-8 with a BOM (for Excel), with what the XLSX and
    PDF files show apart from the charts (whose numbers are tables of their own).

    First the title block, then each section: its heading, paragraphs and facts (a label and a
    value per row), then each of its tables (a title row, a header row, its rows and totals,
    its note). A blank row follows the title block, a section's facts and every table.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(header_rows(report))
    writer.writerow([])
    for section in report.sections:
        writer.writerows(section_rows(section))
        if section.text or section.facts:
            writer.writerow([])
        for table in section.tables:
            writer.writerows(table_rows(table))
            writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
