"""The plain data a report is made of.

A report function assembles these dataclasses and nothing else: no file formats, no drawing
library. Renderers (``core.reports.renderers``) turn any ``Report`` into JSON, CSV, XLSX or
PDF, so one data definition serves every format.

Conventions every renderer relies on:

- money is ``Decimal``; it is converted to ``float`` only at the moment a chart is drawn;
- a ``percent`` column or chart holds fractions (``0.25`` is 25 %);
- ``Report.data`` is the exact JSON body the spec requires, already JSON-safe apart from
  ``Decimal``/``date`` values, which the JSON renderer writes as exact strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ColumnKind = Literal["text", "int", "number", "money", "percent", "date"]
ChartKind = Literal["bar", "hbar", "line", "pie", "stacked_bar"]
ValueFormat = Literal["number", "int", "money", "percent"]
ChartValue = Decimal | int | float | None

COLUMN_KINDS: tuple[str, ...] = ("text", "int", "number", "money", "percent", "date")
CHART_KINDS: tuple[str, ...] = ("bar", "hbar", "line", "pie", "stacked_bar")
VALUE_FORMATS: tuple[str, ...] = ("number", "int", "money", "percent")

#: Labels of the report parameters, for cover blocks and summary sheets.
PARAM_LABELS = {
    "year": _("Year"),
    "as_of": _("As of"),
    "contract": _("Contract"),
}


class ReportError(Exception):
    """A report cannot be built from the given input (unknown contract, bad parameter...).

    The message is user-facing: the ``report`` command prints it as is and exits 1, and
    pages show it instead of the report.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class UnknownReport(ReportError):
    """No report kind is registered under the requested name."""

    def __init__(self, kind: str, known: list[str]) -> None:
        self.kind = kind
        self.known = known
        super().__init__(
            _("Unknown report %(kind)s; known reports: %(known)s")
            % {"kind": repr(kind), "known": ", ".join(known) or "-"}
        )


@dataclass
class Column:
    """One column of a table: the row key it reads, its header label and how to show it."""

    key: str
    label: str
    kind: ColumnKind = "text"
    #: Decimal places for ``number`` columns (None: as the value comes).
    places: int | None = None
    #: Labels of coded values (``{"met": _("met")}``): files show the label, JSON keeps the code.
    labels: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        """True for columns whose values are numbers (right-aligned, written as numbers)."""
        return self.kind in ("int", "number", "money", "percent")


@dataclass
class Table:
    """Rows of values under labelled columns, with an optional totals row and a note."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Values of the totals row, by column key; the first column says "Total" unless given.
    totals: dict[str, Any] | None = None
    note: str = ""

    def cell(self, row: dict[str, Any], column: Column) -> Any:
        """The value of ``column`` in ``row`` (None when the row lacks it), a coded value as its
        label when the column has ``labels``."""
        value = row.get(column.key)
        if column.labels is not None and isinstance(value, str) and value in column.labels:
            return str(column.labels[value])
        return value

    def totals_row(self) -> dict[str, Any] | None:
        """The totals as a row, with the "Total" label in the first column if it is free."""
        if self.totals is None:
            return None
        row = dict(self.totals)
        if self.columns and row.get(self.columns[0].key) in (None, ""):
            row[self.columns[0].key] = _("Total")
        return row


@dataclass
class Series:
    """One named run of values, one per chart category (None: no value)."""

    name: str
    values: list[ChartValue]


@dataclass
class Chart:
    """A chart as data: categories along one axis and one or more series of values.

    ``pie`` draws the first series only. Values stay ``Decimal`` here; the drawing code
    converts them to floats.
    """

    kind: ChartKind
    title: str
    categories: list[str]
    series: list[Series]
    y_label: str = ""
    value_format: ValueFormat = "number"

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if self.value_format not in VALUE_FORMATS:
            raise ValueError(f"unknown chart value format {self.value_format!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values "
                    f"for {len(self.categories)} categories"
                )

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw (no categories or no value at all)."""
        return not self.categories or not any(
            value is not None for series in self.series for value in series.values
        )


@dataclass
class Section:
    """A part of a report: a heading, paragraphs, label/value facts, tables and charts."""

    title: str
    text: list[str] = field(default_factory=list)
    facts: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    """A finished report: what it is, for whom, its JSON body and its human-readable parts."""

    kind: str
    title: str
    subtitle: str = ""
    agency_name: str = ""
    generated_at: datetime = field(default_factory=timezone.now)
    #: The parameters it was built with, e.g. ``{"year": 2025}`` or ``{"contract": "C1"}``.
    params: dict[str, Any] = field(default_factory=dict)
    #: The exact JSON body of the spec for this kind.
    data: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    #: File name without extension; derived from kind and parameters when empty.
    filename_stem: str = ""
    #: Ask the PDF renderer for a separate cover page instead of a title block.
    cover: bool = False

    @property
    def stem(self) -> str:
        """A safe file name stem, e.g. ``retention-2025`` or ``contract-JX-XF-2025-01``."""
        stem = self.filename_stem
        if not stem:
            parts = [self.kind]
            for key in ("contract", "year", "as_of"):
                value = self.params.get(key)
                if value not in (None, ""):
                    parts.append(value.isoformat() if isinstance(value, date) else str(value))
            stem = "-".join(parts)
        stem = re.sub(r"[^\w.-]+", "-", stem).strip("-.")
        return stem or "report"

    def tables(self) -> list[Table]:
        """Every table of every section, in order."""
        return [table for section in self.sections for table in section.tables]
