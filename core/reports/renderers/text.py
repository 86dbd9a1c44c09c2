"""JSON and CSV renderers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from core.reports.base import Column, Report, Table
from core.reports.formatting import money_str
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
    """A value as a CSV field: numbers as numbers (money with 2 places), text neutralised."""
    if value is None:
        return ""
    if is_number(value):
        if column is not None and column.kind == "money":
            return money_str(value)
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


def render_csv(report: Report) -> bytes:
    """Every table of the report one after another, UTF-8 with a BOM (for Excel).

    Each table is a title row, a header row, its rows (and totals), then a blank line.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for table in report.tables():
        writer.writerows(table_rows(table))
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
