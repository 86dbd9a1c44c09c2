"""Charts drawn once with reportlab.graphics: the same drawing goes into PDFs and, as SVG,
into web pages; ``chart_table`` gives the same numbers as a table for screen readers, and
``chart_context`` both to ``templates/includes/chart.html``."""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from core.reports.base import Chart, Column, Table
from core.reports.fonts import cjk_font
from core.templatetags.formatting import money, num, pct

#: Series colours: distinguishable, and readable in greyscale print.
PALETTE = [
    colors.HexColor(code)
    for code in ("#1f5f8b", "#e07b39", "#3a9d5d", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c")
]
TEXT = colors.HexColor("#222222")
GRID = colors.HexColor("#dddddd")

TITLE_SIZE = 11
LABEL_SIZE = 8

_svg_ids = itertools.count(1)


def _float(value: Decimal | int | float | None) -> float | None:
    """A chart value as a float for drawing (money stays Decimal until here)."""
    return None if value is None else float(value)


def _axis_label(value_format: str):
    """A tick-label formatter for the value axis."""

    def fmt(value: float) -> str:
        if value_format == "percent":
            return f"{value * 100:.0f}%"
        if value_format in ("money", "int") or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")

    return fmt


def _whole_step(span: float, ticks: int = 5) -> int:
    """A whole-number tick step of 1, 2 or 5 times a power of ten giving about ``ticks`` ticks."""
    rough = max(span / ticks, 1)
    power = 10 ** math.floor(math.log10(rough))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= rough))


def _short(label: str, limit: int = 18) -> str:
    """Long category names are cut so that labels do not overlap."""
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _message(drawing: Drawing, text: str) -> None:
    drawing.add(
        String(
            drawing.width / 2,
            drawing.height / 2,
            text,
            fontName=cjk_font(),
            fontSize=LABEL_SIZE + 2,
            fillColor=colors.grey,
            textAnchor="middle",
        )
    )


def _legend(drawing: Drawing, pairs: list[tuple[object, str]], x: float, y: float, columns: int) -> None:
    legend = Legend()
    legend.fontName = cjk_font()
    legend.fontSize = LABEL_SIZE
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 7
    legend.columnMaximum = columns
    legend.deltax = 110
    legend.colorNamePairs = [(colour, _short(name, 24)) for colour, name in pairs]
    drawing.add(legend)


def _value_range(values: list[float], stacked: bool, series: list[list[float | None]]) -> tuple[float, float]:
    """Axis bounds that always include zero and never collapse to a point."""
    if stacked:
        sums_pos = [sum(v for v in col if v and v > 0) for col in zip(*series, strict=True)]
        sums_neg = [sum(v for v in col if v and v < 0) for col in zip(*series, strict=True)]
        high, low = max(sums_pos, default=0.0), min(sums_neg, default=0.0)
    else:
        high, low = max([*values, 0.0]), min([*values, 0.0])
    if high == low:
        high = low + 1
    return low, high


def chart_drawing(chart: Chart, width: float = 480, height: float = 270) -> Drawing:
    """The chart as a reportlab Drawing of ``width`` × ``height`` points."""
    font = cjk_font()
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=None))
    top = height
    if chart.title:
        drawing.add(
            String(
                width / 2,
                height - TITLE_SIZE - 4,
                str(chart.title),
                fontName=font,
                fontSize=TITLE_SIZE,
                fillColor=TEXT,
                textAnchor="middle",
            )
        )
        top = height - TITLE_SIZE - 12
    if chart.empty:
        _message(drawing, _("No data"))
        return drawing

    data = [[_float(v) for v in series.values] for series in chart.series]
    names = [str(series.name) for series in chart.series]
    categories = [str(c) for c in chart.categories]
    fmt = _axis_label(chart.value_format)

    if chart.kind == "pie":
        values = [max(v or 0.0, 0.0) for v in data[0]]
        if sum(values) <= 0:
            _message(drawing, _("No data"))
            return drawing
        size = min(top - 20, width * 0.5)
        pie = Pie()
        pie.x, pie.y = 20, (top - size) / 2
        pie.width = pie.height = size
        pie.data = values
        pie.labels = None
        pie.slices.strokeColor = colors.white
        pie.slices.strokeWidth = 0.5
        for i in range(len(values)):
            pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        drawing.add(pie)
        total = sum(values)
        pairs = [
            (PALETTE[i % len(PALETTE)], f"{_short(cat)} ({value / total * 100:.0f}%)")
            for i, (cat, value) in enumerate(zip(categories, values, strict=True))
        ]
        _legend(drawing, pairs, 40 + size, top - 5, columns=max(1, int((top - 10) // 14)))
        return drawing

    legend_height = 0.0
    if len(data) > 1:
        legend_height = 16.0 * ((len(names) + 2) // 3)
    bottom = 30 + legend_height
    flat = [v for series in data for v in series if v is not None]
    low, high = _value_range(flat, chart.kind == "stacked_bar", data)

    if chart.kind == "hbar":
        plot = HorizontalBarChart()
        label_width = min(max((len(c) for c in categories), default=4) * 7 + 10, width * 0.35)
        plot.x, plot.y = label_width, bottom
        plot.width, plot.height = width - label_width - 20, top - bottom - 10
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
        plot.categoryAxis.reverseDirection = 1  # first category at the top, as read
    else:
        plot = VerticalBarChart() if chart.kind in ("bar", "stacked_bar") else HorizontalLineChart()
        plot.x, plot.y = 50, bottom + (12 if len(categories) > 6 else 0)
        plot.width, plot.height = width - 70, top - plot.y - 10
        if len(categories) > 6:
            plot.categoryAxis.labels.angle = 30
            plot.categoryAxis.labels.boxAnchor = "ne"
        else:
            plot.categoryAxis.labels.boxAnchor = "n"
        if chart.kind == "line":
            for i in range(len(data)):
                plot.lines[i].strokeWidth = 2
                plot.lines[i].symbol = None
        if chart.kind == "stacked_bar":
            plot.categoryAxis.style = "stacked"
    plot.data = data
    plot.categoryAxis.labelAxisMode = "low"  # labels below the plot, clear of negative bars
    plot.categoryAxis.categoryNames = [_short(c) for c in categories]
    for axis in (plot.categoryAxis, plot.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = LABEL_SIZE
        axis.labels.fillColor = TEXT
    plot.valueAxis.valueMin = low
    plot.valueAxis.valueMax = high + (high - low) * 0.05
    if chart.value_format == "int":
        # Counts step by whole numbers: a small range would otherwise tick at 0.2, 0.4 … and
        # read "0 0 0 1 1 1" once formatted without decimals.
        step = _whole_step(high - low)
        plot.valueAxis.valueStep = step
        plot.valueAxis.valueMax = max(plot.valueAxis.valueMax, low + step)
    plot.valueAxis.labelTextFormat = fmt
    plot.valueAxis.visibleGrid = 1
    plot.valueAxis.gridStrokeColor = GRID
    for i in range(len(data)):
        colour = PALETTE[i % len(PALETTE)]
        if chart.kind == "line":
            plot.lines[i].strokeColor = colour
        else:
            plot.bars[i].fillColor = colour
            plot.bars[i].strokeColor = None
    drawing.add(plot)
    if chart.y_label:
        drawing.add(
            String(4, top - 4, str(chart.y_label), fontName=font, fontSize=LABEL_SIZE, fillColor=TEXT)
        )
    if len(data) > 1:
        _legend(
            drawing,
            [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(names)],
            plot.x,
            legend_height + 2,
            columns=1 if len(names) <= 3 else (len(names) + 2) // 3,
        )
    return drawing


def chart_svg(chart: Chart, width: float = 480, height: float = 270) -> str:
    """The same drawing as inline SVG: no XML prolog, scales to its container via viewBox."""
    svg = renderSVG.drawToString(chart_drawing(chart, width, height))
    svg = svg[svg.index("<svg") :]
    uid = next(_svg_ids)
    svg = re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        f'<svg width="100%" role="img" aria-label="{escape(str(chart.title), {chr(34): "&quot;"})}"',
        svg,
        count=1,
    )
    svg = svg.replace("<title>...</title>", f"<title>{escape(str(chart.title))}</title>", 1)
    svg = svg.replace("<desc>...</desc>", "", 1)
    svg = svg.replace('id="clip"', f'id="chart-clip-{uid}"').replace("url(#clip)", f"url(#chart-clip-{uid})")
    svg = svg.replace('id="group"', f'id="chart-{uid}"')
    svg = re.sub(
        rf"font-family: (?:{re.escape(cjk_font())}|STSong-Light)",
        "font-family: 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif",
        svg,
    )
    return svg.strip()


def chart_table(chart: Chart) -> Table:
    """The chart's numbers as a table: one row per category, one column per series."""
    kind = {"money": "money", "percent": "percent", "int": "int"}.get(chart.value_format, "number")
    columns = [Column("category", _("Category"))]
    columns += [Column(f"s{i}", str(series.name), kind) for i, series in enumerate(chart.series)]
    rows = [
        {"category": category, **{f"s{i}": series.values[n] for i, series in enumerate(chart.series)}}
        for n, category in enumerate(chart.categories)
    ]
    return Table(title=chart.title, columns=columns, rows=rows)


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
