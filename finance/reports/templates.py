"""Template files for every finance importer: Chinese headers (the aliases docs/formats.md lists) and
one example row each, as CSV (UTF-8 with a BOM, for Excel) or XLSX.

The headers are taken from the importers' own column declarations, so a template always reads
back: the first alias of each column is its Chinese header (``日期``, ``金额``, ``预算科目`` …).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook

from core.importing.spec import FileSpec


@dataclass(frozen=True)
class ImportTemplate:
    kind: str
    file_stem: str
    example: dict[str, str]

    def spec(self) -> FileSpec:
        if self.kind == "ledger":
            from finance.services.imports import LEDGER

            return LEDGER
        if self.kind == "budget_sheet":
            from finance.services.imports import BUDGET_SHEET

            return BUDGET_SHEET
        from finance.reconciliation.services import BANK_STATEMENT

        return BANK_STATEMENT

    def headers(self) -> list[str]:
        return [column.aliases[0] if column.aliases else column.name for column in self.spec().columns]

    def row(self) -> list[str]:
        return [self.example.get(column.name, "") for column in self.spec().columns]


TEMPLATES = {
    "ledger": ImportTemplate(
        "ledger",
        "明细账导入模板",
        {
            "date": "2026-03-05",
            "amount": "1280.00",
            "budget_line": "A1",
            "payee": "信丰县印刷厂",
            "description": "社区宣传折页印刷",
            "invoice_no": "36012345",
            "payment_method": "公务卡",
            "voucher_no": "记-2026-031",
            "staff_no": "",
            "posted_on": "2026-03-06",
        },
    ),
    "bank_statement": ImportTemplate(
        "bank_statement",
        "银行流水导入模板",
        {
            "date": "2026-03-05",
            "amount": "-1280.00",
            "counterparty": "信丰县印刷厂",
            "reference": "宣传折页印刷费",
        },
    ),
    "budget_sheet": ImportTemplate(
        "budget_sheet",
        "预算表导入模板",
        {"code": "A1", "name": "服务活动", "category": "服务活动", "amount": "90000.00"},
    ),
}


def template_csv(kind: str) -> bytes:
    template = TEMPLATES[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(template.headers())
    writer.writerow(template.row())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    template = TEMPLATES[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = template.file_stem[:31]
    sheet.append(template.headers())
    sheet.append(template.row())
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
