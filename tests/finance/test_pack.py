"""The contract pack (``report contract``): totals in every format, access by role."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.reports import ReportError, get, render
from finance.reports.pack import burn_rows, contract_pack
from finance.services import auditor_grant
from tests.finance.factories import (
    BudgetLineFactory,
    ContractFactory,
    DisbursementFactory,
    ExpenditureFactory,
)

TITLE = "信丰县农村留守儿童关爱保护服务"


@pytest.fixture
def pack_contract(agency):
    """信丰县农村留守儿童关爱保护服务, 2025: P1 150,000 (spent 12,345.67), A1 90,000 (spent 930.00 − 30.00)."""
    contract = ContractFactory(agency=agency, code="JX-XF-2025-01", title=TITLE)
    p1 = BudgetLineFactory(contract=contract, code="P1", name="人员经费", category="personnel",
                           amount=Decimal("150000.00"), position=0)  # fmt: skip
    a1 = BudgetLineFactory(
        contract=contract, code="A1", name="服务活动", amount=Decimal("150000.00"), position=1
    )
    DisbursementFactory(contract=contract, date=dt.date(2025, 1, 15), amount=Decimal("100000.00"))
    ExpenditureFactory(budget_line=p1, date=dt.date(2025, 1, 31), amount=Decimal("12345.67"), payee="张三")
    ExpenditureFactory(budget_line=a1, date=dt.date(2025, 3, 5), amount=Decimal("930.00"))
    ExpenditureFactory(budget_line=a1, date=dt.date(2025, 3, 9), amount=Decimal("-30.00"))
    return contract


def build(agency, user=None, code="JX-XF-2025-01"):
    return get("contract").build(agency=agency, user=user, contract=code)


def test_pack_json_has_exact_totals_as_strings(pack_contract, agency):
    body = json.loads(render(build(agency), "json")[0])
    assert body["contract"] == "JX-XF-2025-01"
    assert body["title"] == TITLE
    assert body["budget"]["total"] == {
        "approved": "300000.00",
        "actual": "13245.67",
        "remaining": "286754.33",
    }
    assert body["cash"] == {
        "received": "100000.00",
        "spent": "13245.67",
        "cash_position": "86754.33",
        "disbursements": [{"date": "2025-01-15", "amount": "100000.00", "reference": "first tranche"}],
    }
    a1 = next(line for line in body["budget"]["lines"] if line["code"] == "A1")
    assert a1["actual"] == "900.00"
    assert a1["variance"] == "-149100.00"
    assert body["burn"][0] == {
        "month": "2025-01",
        "spent": "12345.67",
        "received": "100000.00",
        "cumulative_actual": "12345.67",
        "linear_budget": "25479.45",
        "cash_position": "87654.33",
    }
    assert body["burn"][-1]["month"] == "2025-12"
    assert body["burn"][-1]["linear_budget"] == "300000.00"
    assert body["reconciliation"] == []


def test_burn_rows_accumulate_actual_by_month(pack_contract):
    rows = burn_rows(pack_contract)
    assert len(rows) == 12
    assert rows[2]["cumulative_actual"] == Decimal("13245.67")
    assert rows[1]["spent"] == Decimal("0.00")


def test_pack_pdf_text_holds_the_totals_and_the_chinese_title(pack_contract, agency):
    content, content_type, filename = render(build(agency), "pdf")
    assert content_type == "application/pdf"
    assert filename == "contract-JX-XF-2025-01.pdf"
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE in text
    assert agency.name in text
    assert "300,000.00" in text
    assert "13,245.67" in text
    assert "86,754.33" in text
    assert f"1 / {len(reader.pages)}" in text or f"Page 1 of {len(reader.pages)}" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4


def test_pack_xlsx_reopens_with_the_same_numbers_and_no_formulas(pack_contract, agency):
    content = render(build(agency), "xlsx")[0]
    workbook = load_workbook(io.BytesIO(content))
    # summary + ten sections (targets and target revisions from the delivery app)
    assert len(workbook.sheetnames) == 11
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                values.append(cell.value)
    assert Decimal("13245.67") in [Decimal(str(v)) for v in values if isinstance(v, int | float)]
    assert 300000 in values
    budget = workbook[workbook.sheetnames[2]]
    rows = [[c.value for c in row] for row in budget.iter_rows()]
    total = next(r for r in rows if r[0] == "Total")
    assert total[4:6] == [300000, pytest.approx(13245.67)]


def test_pack_csv_renders(pack_contract, agency):
    content = render(build(agency), "csv")[0].decode("utf-8")
    assert "13245.67" in content or "13,245.67" in content


def test_pack_csv_holds_the_contract_summary_and_the_cash_facts(pack_contract, agency):
    import csv

    rows = list(csv.reader(io.StringIO(render(build(agency), "csv")[0].decode("utf-8-sig"))))
    start = rows.index(["Contract summary"])
    assert rows[start + 1 : start + 15] == [
        ["Contract", "JX-XF-2025-01"],
        ["Title", TITLE],
        ["Funder", pack_contract.funder.name],
        ["Period", "2025-01-01 – 2025-12-31"],
        ["Days elapsed", "365 / 365"],
        ["Status", "Active"],
        ["Contract total", "300000.00"],
        ["Approved budget", "300000.00"],
        ["Received", "100000.00"],
        ["Spent", "13245.67"],
        ["Remaining budget", "286754.33"],
        ["Cash position", "86754.33"],
        ["Currency", "CNY"],
        [],
    ]
    cash = rows.index(["Disbursements vs spending"])
    assert rows[cash + 1 : cash + 5] == [
        ["Received", "100000.00"], ["Spent", "13245.67"], ["Cash position", "86754.33"], [],
    ]  # fmt: skip


def test_report_command_writes_the_pdf(pack_contract, agency, tmp_path):
    out = tmp_path / "pack.pdf"
    call_command("report", "contract", "--contract", "JX-XF-2025-01", "--format", "pdf", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_report_command_refuses_an_unknown_contract(pack_contract, agency):
    with pytest.raises(CommandError) as exc:
        call_command("report", "contract", "--contract", "NOPE", "--format", "json")
    assert "NOPE" in str(exc.value)


def test_builder_raises_report_error_for_a_contract_the_user_may_not_see(pack_contract, agency, auditor):
    with pytest.raises(ReportError):
        build(agency, user=auditor)


def test_builder_raises_report_error_for_another_agencys_contract(pack_contract, outsider_agency, outsider):
    with pytest.raises(ReportError):
        build(outsider_agency, user=outsider)


def test_pack_lists_confirmed_flags_by_rule_and_status(pack_contract, agency):
    from finance.models import Flag

    for status, subject in (("confirmed", "a"), ("open", "b")):
        flag = Flag.objects.create(
            agency=agency, rule="ROUND_AMOUNT", severity="info", subject=subject, contract=pack_contract,
            vouchers=["V-1"], contract_codes=[pack_contract.code], message="Round amount %(amount)s",
            params={"amount": "5000.00"}, fingerprint=subject, status=status, note="checked",
        )  # fmt: skip
        flag.contracts.add(pack_contract)
    report = contract_pack(pack_contract)
    assert report.data["flags"]["by_rule"] == {
        "ROUND_AMOUNT": {"open": 1, "explained": 0, "confirmed": 1, "dismissed": 0, "total": 2}
    }
    assert [f["vouchers"] for f in report.data["flags"]["confirmed"]] == [["V-1"]]


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "granted", "status"),
    [
        ("director", False, 200),
        ("finance", False, 200),
        ("auditor", True, 200),
        ("auditor", False, 404),
        ("supervisor", False, 404),
        ("staff_user", False, 404),
        ("outsider", False, 404),
    ],
)
def test_pack_page_access_by_role(request, pack_contract, director, login_client, persona, granted, status):
    user = request.getfixturevalue(persona)
    if granted:
        auditor_grant(contract=pack_contract, auditor=user, granted_by=director)
    client = login_client(user)
    url = reverse("finance-contract-pack", args=[pack_contract.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert TITLE in response.content.decode()
        assert "<svg" in response.content.decode()
        for fmt in ("json", "csv", "xlsx", "pdf"):
            assert f"?format={fmt}" in response.content.decode()
        download = client.get(url, {"format": "json"})
        assert download.status_code == 200
        assert json.loads(download.content)["budget"]["total"]["actual"] == "13245.67"
