"""Renderers: any ``Report`` to a file, in each format the ``report`` command offers."""

from __future__ import annotations

from collections.abc import Callable

from core.reports.base import Report

#: Format → (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/json; charset=utf-8", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}
#: Formats that are text and may be written to a terminal.
TEXT_FORMATS = ("json", "csv")


def _renderer(fmt: str) -> Callable[[Report], bytes]:
    # Imported on demand: a JSON download should not load reportlab and a font.
    if fmt == "json":
        from core.reports.renderers.text import render_json

        return render_json
    if fmt == "csv":
        from core.reports.renderers.text import render_csv

        return render_csv
    if fmt == "xlsx":
        from core.reports.renderers.xlsx import render_xlsx

        return render_xlsx
    if fmt == "pdf":
        from core.reports.renderers.pdf import render_pdf

        return render_pdf
    raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(FORMATS)})")


def render(report: Report, fmt: str) -> tuple[bytes, str, str]:
    """``report`` as ``fmt``: ``(content, content_type, filename)``."""
    content = _renderer(fmt)(report)
    content_type, extension = FORMATS[fmt]
    return content, content_type, f"{report.stem}.{extension}"
