"""Report machinery: reports are plain data; renderers turn any report into a file.

An app declares its report kinds in its ``reports.py``::

    from core.reports import Report, Section, Table, Column, register

    @register("retention", title=_("Staff retention"), params=("year",))
    def build(*, agency, user=None, year=None, **kw) -> Report:
        ...

and ``render(report, "pdf")`` (or ``python manage.py report retention --year 2025 --format
pdf --out r.pdf``) produces the file. Only the PDF renderer and the chart drawing import
reportlab; they are loaded on first use.
"""

from core.reports.base import (
    Chart,
    Column,
    Report,
    ReportError,
    Section,
    Series,
    Table,
    UnknownReport,
)
from core.reports.formatting import money, money_str, pct, rate
from core.reports.registry import ReportKind, all_kinds, get, register, unregister
from core.reports.renderers import FORMATS, render
from core.reports.safety import neutralise

__all__ = [
    "FORMATS",
    "Chart",
    "Column",
    "Report",
    "ReportError",
    "ReportKind",
    "Section",
    "Series",
    "Table",
    "UnknownReport",
    "all_kinds",
    "get",
    "money",
    "money_str",
    "neutralise",
    "pct",
    "rate",
    "register",
    "render",
    "unregister",
]
