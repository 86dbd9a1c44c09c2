"""The ledger page's download: the rows of the current filter as CSV or XLSX.

Both files go through the report renderers' cell protection (``core.reports.safety``), so a
payee such as ``=HYPERLINK(...)`` comes back out as text. Headers are in the active language;
enumerations (payment method, status) are written by their labels.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.db import MoneySum
from core.reports.base import Column, Report, Section, Table
from core.reports.renderers import render
from core.reports.renderers.text import csv_cell

#: The most rows one download holds (the page's filter narrows a larger ledger).
EXPORT_LIMIT = 50_000


def ledger_totals(qs, limit: int | None = None) -> dict:
    """Totals of the filtered expenditures: rows, posted rows, posted amount, voided rows.

    With ``limit``, at most ``limit + 1`` rows are read (a ``LIMIT`` inside the aggregate), so a
    broad filter over a large ledger costs what ``limit`` rows cost: when more rows match, the
    result says ``capped`` (the row count is "more than ``limit``") and holds no sums, which a
    part of the rows would get wrong.
    """
    posted = Q(status="posted")
    rows = qs.order_by()
    if limit is not None:
        # In the page index's order (agency, date DESC, id DESC): unordered, PostgreSQL reads the
        # table from its start hoping to meet the matches early, and this year's rows come last
        # (the first 100,000 of 2026's rows in 1,000,000: 0.42 s unordered, 0.13 s by the index).
        rows = rows.order_by("-date", "-id").values("id", "status", "amount")[: limit + 1]
    sums = rows.aggregate(
        n_rows=Count("id"),
        n_posted=Count("id", filter=posted),
        n_void=Count("id", filter=~posted),
        posted_sum=MoneySum("amount", filter=posted),
        refund_sum=MoneySum("amount", filter=posted & Q(amount__lt=0)),
    )
    if limit is not None and sums["n_rows"] > limit:
        return {"capped": True, "limit": limit, "rows": None, "posted": None, "void": None,
                "amount": None, "refunds": None}  # fmt: skip
    return {
        "capped": False,
        "rows": sums["n_rows"],
        "posted": sums["n_posted"],
        "void": sums["n_void"],
        "amount": sums["posted_sum"] or Decimal("0.00"),
        "refunds": sums["refund_sum"] or Decimal("0.00"),
    }


def _columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("voucher_no", _("Voucher")),
        Column("contract", _("Contract")),
        Column("line", _("Budget line")),
        Column("line_name", _("Budget line name")),
        Column("payee", _("Payee")),
        Column("description", _("Description")),
        Column("amount", _("Amount"), "money"),
        Column("payment_method", _("Payment method")),
        Column("invoice_no", _("Invoice")),
        Column("status", _("Status")),
    ]


def ledger_table(qs) -> Table:
    """The filtered rows as a report table, with the posted total in its totals row."""
    rows = [
        {
            "date": e.date,
            "voucher_no": e.voucher_no,
            "contract": e.contract.code,
            "line": e.budget_line.code,
            "line_name": e.budget_line.name,
            "payee": e.payee,
            "description": e.description,
            "amount": e.amount,
            "payment_method": e.get_payment_method_display(),
            "invoice_no": e.invoice_no,
            "status": e.get_status_display(),
        }
        for e in qs[:EXPORT_LIMIT]
    ]
    totals = ledger_totals(qs)
    return Table(
        title=_("Ledger"),
        columns=_columns(),
        rows=rows,
        totals={"date": _("Total of posted rows"), "amount": totals["amount"]},
    )


def ledger_csv(qs) -> bytes:
    """Header row, one row per expenditure, then the total; UTF-8 with a BOM (for Excel)."""
    table = ledger_table(qs)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(str(column.label)) for column in table.columns])
    for row in [*table.rows, table.totals_row()]:
        writer.writerow([csv_cell(row.get(column.key), column) for column in table.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def ledger_xlsx(qs, *, agency_name: str = "") -> bytes:
    """The same rows as one XLSX sheet (money as numbers)."""
    report = Report(
        kind="ledger",
        title=_("Ledger"),
        agency_name=agency_name,
        sections=[Section(title=_("Ledger"), tables=[ledger_table(qs)])],
        filename_stem="ledger",
    )
    content, _type, _name = render(report, "xlsx")
    return content
