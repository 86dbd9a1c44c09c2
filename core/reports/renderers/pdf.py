"""PDF renderer (reportlab): A4, header and "Page N of M" footer, sections with tables and charts.

This module and ``core.reports.charts``/``core.reports.fonts`` are the only places that know
reportlab. All text uses the CJK font of ``core.reports.fonts`` so Chinese is real text.
"""

from __future__ import annotations

import io
import unicodedata
from copy import copy
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from core.reports.base import PARAM_LABELS, Chart, Report, Section, Table
from core.reports.charts import chart_drawing
from core.reports.fonts import cjk_font
from core.reports.formatting import display, timestamp

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
#: Room a table needs below its heading for its header and first rows.
TABLE_START = 35 * mm

INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#666666")
ACCENT = colors.HexColor("#1f5f8b")
RULE = colors.HexColor("#bbbbbb")
HEADER_FILL = colors.HexColor("#e8eef3")
TOTAL_FILL = colors.HexColor("#f3f3f3")
ZEBRA = colors.HexColor("#fafafa")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13.5, textColor=INK)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": style("body", spaceAfter=5),
        "title": style("title", fontSize=20, leading=26, textColor=ACCENT, spaceAfter=4),
        "subtitle": style("subtitle", fontSize=12, leading=16, textColor=INK, spaceAfter=4),
        "meta": style("meta", fontSize=8.5, leading=12, textColor=MUTED),
        "cover_title": style("cover_title", fontSize=26, leading=34, textColor=ACCENT, alignment=TA_CENTER),
        "cover_sub": style("cover_sub", fontSize=14, leading=20, alignment=TA_CENTER),
        "cover_meta": style("cover_meta", fontSize=11, leading=16, textColor=MUTED, alignment=TA_CENTER),
        "h1": style(
            "h1",
            fontSize=14,
            leading=19,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "h2": style(
            "h2",
            fontSize=11,
            leading=15,
            textColor=INK,
            spaceBefore=6,
            spaceAfter=4,
        ),
        "note": style("note", fontSize=8, leading=11, textColor=MUTED, spaceBefore=2),
        "cell": style("cell", fontSize=8.5, leading=11),
        "cell_right": style("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "head": style("head", fontSize=8.5, leading=11, textColor=ACCENT),
        "head_right": style("head_right", fontSize=8.5, leading=11, textColor=ACCENT, alignment=TA_RIGHT),
        "fact_label": style("fact_label", textColor=MUTED),
    }


def _has_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain (escaped) text; Chinese text may break between any characters."""
    text = str(text)
    if _has_wide(text):
        style = copy(style)
        style.wordWrap = "CJK"
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _generated_line(report: Report) -> str:
    return _("Generated %(time)s") % {"time": timestamp(report.generated_at)}


def _params_line(report: Report) -> str:
    return " · ".join(
        f"{PARAM_LABELS.get(key, key)}: {display(value)}"
        for key, value in report.params.items()
        if value not in (None, "")
    )


def _canvas_class(report: Report, font: str) -> type[canvas.Canvas]:
    """A canvas that knows the page count when it draws headers and footers."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            page = self._pageNumber
            self.saveState()
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            if not (report.cover and page == 1):
                y = PAGE_HEIGHT - 12 * mm
                self.setFont(font, 8.5)
                self.drawString(MARGIN_X, y, str(report.agency_name))
                self.drawRightString(PAGE_WIDTH - MARGIN_X, y, str(report.title))
                self.line(MARGIN_X, y - 2.5 * mm, PAGE_WIDTH - MARGIN_X, y - 2.5 * mm)
            y = 11 * mm
            self.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
            self.setFont(font, 8)
            self.drawString(MARGIN_X, y, _generated_line(report))
            self.drawRightString(
                PAGE_WIDTH - MARGIN_X, y, _("Page %(page)s of %(total)s") % {"page": page, "total": total}
            )
            self.restoreState()

    return NumberedCanvas


def _title_block(report: Report, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [_p(report.title, styles["title"])]
    if report.subtitle:
        story.append(_p(report.subtitle, styles["subtitle"]))
    meta = [str(report.agency_name), _params_line(report), _generated_line(report)]
    story.append(_p(" · ".join(part for part in meta if part), styles["meta"]))
    story.append(Spacer(1, 6 * mm))
    return story


def _cover_page(report: Report, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [Spacer(1, 70 * mm), _p(report.title, styles["cover_title"]), Spacer(1, 6 * mm)]
    if report.subtitle:
        story += [_p(report.subtitle, styles["cover_sub"]), Spacer(1, 10 * mm)]
    story.append(_p(report.agency_name, styles["cover_sub"]))
    story.append(Spacer(1, 4 * mm))
    if params := _params_line(report):
        story.append(_p(params, styles["cover_meta"]))
    story.append(_p(_generated_line(report), styles["cover_meta"]))
    story.append(PageBreak())
    return story


def _column_widths(table: Table) -> list[float]:
    weights = []
    for column in table.columns:
        if column.kind == "text":
            longest = max(
                [len(str(column.label))]
                + [len(str(table.cell(row, column) or "")) for row in table.rows[:200]]
            )
            weights.append(min(max(longest, 6), 40))
        elif column.kind == "date":
            weights.append(10)
        else:
            # Numbers never wrap: weigh them by their longest formatted value (or the header word).
            rows = [*table.rows[:200], *([table.totals_row()] if table.totals_row() is not None else [])]
            longest = max(
                [min(len(str(column.label)), 10)]
                + [len(display(table.cell(row, column), column.kind, column.places)) for row in rows]
            )
            weights.append(min(max(longest + 1, 6), 16))
    total = sum(weights) or 1
    return [FRAME_WIDTH * w / total for w in weights]


def _table(table: Table, styles: dict[str, ParagraphStyle]) -> list[Any]:
    header = [
        _p(column.label, styles["head_right" if column.numeric else "head"]) for column in table.columns
    ]
    body = []
    rows = list(table.rows)
    totals = table.totals_row()
    if totals is not None:
        rows.append(totals)
    for row in rows:
        body.append(
            [
                _p(
                    display(table.cell(row, column), column.kind, column.places),
                    styles["cell_right" if column.numeric else "cell"],
                )
                for column in table.columns
            ]
        )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if totals is not None:
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 0.75, INK),
        ]
    if not body:
        body = [[_p(_("No rows"), styles["note"])] + [""] * (len(table.columns) - 1)]
        commands.append(("SPAN", (0, 1), (-1, 1)))
    pdf_table = PdfTable([header, *body], colWidths=_column_widths(table), repeatRows=1, hAlign="LEFT")
    pdf_table.setStyle(TableStyle(commands))
    # A heading never ends a page: start a new one unless the heading and a few rows fit.
    story: list[Any] = [CondPageBreak(TABLE_START)]
    if table.title:
        story.append(_p(table.title, styles["h2"]))
    story.append(pdf_table)
    if table.note:
        story.append(_p(table.note, styles["note"]))
    story.append(Spacer(1, 5 * mm))
    return story


def _facts(section: Section, styles: dict[str, ParagraphStyle]) -> list[Any]:
    data = [
        [_p(label, styles["fact_label"]), _p(display(value), styles["body"])]
        for label, value in section.facts
    ]
    table = PdfTable(data, colWidths=[FRAME_WIDTH * 0.38, FRAME_WIDTH * 0.62], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [table, Spacer(1, 4 * mm)]


def _chart(chart: Chart) -> list[Any]:
    width = FRAME_WIDTH
    height = min(width * 0.5, 250)
    return [KeepTogether([chart_drawing(chart, width, height)]), Spacer(1, 5 * mm)]


def render_pdf(report: Report) -> bytes:
    """The report as an A4 PDF."""
    font = cjk_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=str(report.title),
        author=str(report.agency_name),
        subject=str(report.subtitle),
        creator=str(report.agency_name),
        lang="zh-CN" if _has_wide(str(report.title)) else "en",
    )
    story: list[Any] = _cover_page(report, styles) if report.cover else _title_block(report, styles)
    for section in report.sections:
        if section.title:
            starts_with_text = bool(section.text or section.facts)
            story.append(CondPageBreak(25 * mm if starts_with_text else TABLE_START + 15 * mm))
            story.append(_p(section.title, styles["h1"]))
        for paragraph in section.text:
            story.append(_p(paragraph, styles["body"]))
        if section.facts:
            story += _facts(section, styles)
        for table in section.tables:
            story += _table(table, styles)
        for chart in section.charts:
            story += _chart(chart)
    doc.build(story, canvasmaker=_canvas_class(report, font))
    return buffer.getvalue()
