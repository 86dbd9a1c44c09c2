"""``report budget-vs-actual`` for people: the CSV, XLSX and PDF hold what the JSON holds."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from core.reports import get, render
from tests.finance.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spent(contract):
    """P1 150,000 spent 184,815.00 (123.21 %), A1 90,000 spent 39,600.00 (44.00 %), X1 nothing;
    in all 224,415.00 of 300,000.00 (74.805 %, 74.81 to 2 places); received 150,000.00."""
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="P1"), amount=Decimal("184815.00"))
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), amount=Decimal("39600.00"))
    return get("budget-vs-actual").build(agency=contract.agency, user=None, contract=contract.code)


def csv_rows(report) -> list[list[str]]:
    return list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))


def test_the_csv_holds_received_and_the_cash_position(spent):
    rows = csv_rows(spent)
    assert ["Received", "150000.00"] in rows
    assert ["Cash position", "-74415.00"] in rows
    assert json.loads(render(spent, "json")[0])["cash_position"] == "-74415.00"


def test_the_json_keeps_pct_spent_as_a_percent_string(spent):
    lines = {line["code"]: line["pct_spent"] for line in json.loads(render(spent, "json")[0])["lines"]}
    assert lines == {"P1": "123.21", "A1": "44.00", "X1": "0.00"}


def test_the_csv_shows_spent_as_a_percent_with_two_decimals_on_every_row(spent):
    rows = csv_rows(spent)
    header = rows.index(["Code", "Line", "Category", "Approved", "Actual", "Remaining", "Spent (%)",
                         "Projected at end"])  # fmt: skip
    spent_column = [row[6] for row in rows[header + 1 : header + 5]]
    assert spent_column == ["123.21", "44.00", "0.00", "74.81"]
    assert rows[header + 4][0] == "Total"


def test_the_xlsx_and_pdf_show_the_same_percent_with_two_decimals(spent):
    sheet = load_workbook(io.BytesIO(render(spent, "xlsx")[0])).worksheets[1]
    cells = [[cell for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0].value == "Code")
    assert cells[header][6].value == "Spent (%)"
    column = [cells[header + n][6] for n in range(1, 5)]
    assert [Decimal(str(cell.value)) for cell in column] == [
        Decimal("123.21"), Decimal("44.00"), Decimal("0.00"), Decimal("74.81"),
    ]  # fmt: skip
    assert {cell.number_format for cell in column} == {"#,##0.00"}
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render(spent, "pdf")[0])).pages)
    assert "123.21" in text and "44.00" in text and "74.81" in text
    assert "1.2321" not in text and "44.0%" not in text


def test_the_chinese_files_label_the_percent_column(contract):
    with translation.override("zh-hans"):
        report = get("budget-vs-actual").build(agency=contract.agency, user=None, contract=contract.code)
        rows = csv_rows(report)
    assert any(row[6:7] == ["已支出（%）"] for row in rows)
    assert ["已到账", "150000.00"] in rows and ["资金余额", "150000.00"] in rows


def test_the_funder_packs_budget_table_shows_the_same_percent(spent, contract):
    pack = get("contract").build(agency=contract.agency, user=None, contract=contract.code)
    rows = csv_rows(pack)
    header = next(i for i, row in enumerate(rows) if row[:1] == ["Code"] and "Spent (%)" in row)
    column = rows[header].index("Spent (%)")
    assert [row[column] for row in rows[header + 1 : header + 5]] == ["123.21", "44.00", "0.00", "74.81"]
