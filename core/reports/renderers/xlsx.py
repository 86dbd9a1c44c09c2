"""XLSX renderer (openpyxl): a summary sheet, then one sheet per section.

Values are written as values (numbers, dates, text); no cell is ever a formula, and text that
a spreadsheet could take for one is neutralised.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.reports.base import PARAM_LABELS, Column, Report, Table
from core.reports.formatting import timestamp
from core.reports.safety import is_number, neutralise

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "int": "#,##0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADING = Font(bold=True, size=12)
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: ≤31 characters, none of ``[]:*?/\\``, not quoted."""
    base = re.sub(r"\s+", " ", INVALID_SHEET_CHARS.sub(" ", str(name))).strip().strip("'") or _("Sheet")
    base = base[:31]
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes as a number, a date or (neutralised) text."""
    if value is None:
        return None
    if is_number(value):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return neutralise(str(value))


def _put(
    ws: Worksheet, row: int, col: int, value: Any, column: Column | None = None, font: Font | None = None
):
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    if column is not None and column.kind in NUMBER_FORMATS and not isinstance(cell.value, str):
        cell.number_format = NUMBER_FORMATS[column.kind]
        cell.alignment = Alignment(horizontal="right")
    elif column is not None and column.kind == "number" and column.places is not None:
        cell.number_format = "#,##0" + ("." + "0" * column.places if column.places else "")
    elif isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        cell.number_format = NUMBER_FORMATS["money"]
    elif isinstance(value, date):
        cell.number_format = NUMBER_FORMATS["date"]
    if font is not None:
        cell.font = font
    return cell


def _width(value: Any) -> int:
    text = str(value if value is not None else "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_table(ws: Worksheet, row: int, table: Table, widths: dict[int, int]) -> int:
    _put(ws, row, 1, str(table.title), font=HEADING)
    row += 1
    for col, column in enumerate(table.columns, start=1):
        _put(ws, row, col, str(column.label), font=BOLD)
        widths[col] = max(widths.get(col, 0), _width(column.label))
    ws_header_row = row
    row += 1
    for data_row in table.rows:
        for col, column in enumerate(table.columns, start=1):
            value = table.cell(data_row, column)
            _put(ws, row, col, value, column)
            widths[col] = max(widths.get(col, 0), _width(value) + (4 if column.numeric else 0))
        row += 1
    totals = table.totals_row()
    if totals is not None:
        for col, column in enumerate(table.columns, start=1):
            _put(ws, row, col, table.cell(totals, column), column, font=BOLD)
        row += 1
    if table.note:
        _put(ws, row, 1, str(table.note))
        row += 1
    if ws.freeze_panes is None and ws_header_row <= 8:
        ws.freeze_panes = ws.cell(row=ws_header_row + 1, column=1)
    return row + 1


def _fit(ws: Worksheet, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)


def render_xlsx(report: Report) -> bytes:
    """The report as a workbook: "Summary" first, then a sheet per section."""
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title(_("Summary"), taken)
    _put(ws, 1, 1, str(report.title), font=TITLE)
    row = 2
    if report.subtitle:
        _put(ws, row, 1, str(report.subtitle))
        row += 1
    row += 1
    facts: list[tuple[Any, Any]] = [(_("Agency"), report.agency_name)]
    facts += [
        (PARAM_LABELS.get(key, key), value) for key, value in report.params.items() if value not in (None, "")
    ]
    facts.append((_("Generated"), timestamp(report.generated_at)))
    for label, value in facts:
        _put(ws, row, 1, str(label), font=BOLD)
        _put(ws, row, 2, value)
        row += 1
    _fit(ws, {1: max(_width(label) for label, _v in facts), 2: max(_width(v) for _l, v in facts)})

    for section in report.sections:
        ws = wb.create_sheet(sheet_title(section.title, taken))
        widths: dict[int, int] = {}
        _put(ws, 1, 1, str(section.title), font=TITLE)
        row = 3
        for paragraph in section.text:
            cell = _put(ws, row, 1, str(paragraph))
            cell.alignment = Alignment(wrap_text=False)
            row += 1
        if section.text:
            row += 1
        for label, value in section.facts:
            _put(ws, row, 1, str(label), font=BOLD)
            _put(ws, row, 2, value)
            widths[1] = max(widths.get(1, 0), _width(label))
            widths[2] = max(widths.get(2, 0), _width(value))
            row += 1
        if section.facts:
            row += 1
        for table in section.tables:
            row = _write_table(ws, row, table, widths)
        _fit(ws, widths)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
