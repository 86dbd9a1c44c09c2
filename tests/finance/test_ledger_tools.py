"""The ledger page's totals and download, an import's own page, template files with Chinese
headers, 公务卡 as a payment method, and warnings before money crosses a budget limit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.models import ImportBatch
from finance.models import Expenditure
from finance.services import revision_propose
from tests.finance.factories import ExpenditureFactory
from tests.finance.test_readable_pages import EN, ZH, text


@pytest.fixture
def rows(contract):
    a1 = contract.budget_lines.get(code="A1")
    ExpenditureFactory(budget_line=a1, amount=Decimal("1234.50"), payee='=HYPERLINK("x")', voucher_no="A-1")
    ExpenditureFactory(budget_line=a1, amount=Decimal("-34.50"), payee="赣州文具店", voucher_no="A-2")
    ExpenditureFactory(
        budget_line=a1,
        amount=Decimal("99.00"),
        voucher_no="A-3",
        status=Expenditure.Status.VOID,
        void_reason="录错",
    )
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="P1"), amount=Decimal("5000.00"), voucher_no="P-1"
    )


def test_the_ledger_page_totals_the_rows_of_the_current_filter(finance, login_client, contract, rows):
    client = login_client(finance)
    zh = text(client.get(reverse("finance-ledger") + "?line=A1", **ZH))
    assert "行数 3 （其中作废 1 笔） 已记账合计 1,200.00 其中红字冲销及退款 -34.50" in zh
    en = text(client.get(reverse("finance-ledger"), **EN))
    assert "Rows 4 (1 void) Total of posted rows 6,200.00" in en


def test_the_filtered_rows_download_as_csv_with_formulas_neutralised(finance, login_client, contract, rows):
    response = login_client(finance).get(reverse("finance-ledger") + "?line=A1&sort=voucher&format=csv", **ZH)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == [
        "日期", "凭证", "项目合同", "预算科目", "预算科目名称", "收款方", "摘要", "金额", "支付方式", "发票", "状态",
    ]  # fmt: skip
    assert [r[1] for r in table[1:4]] == ["A-1", "A-2", "A-3"]
    assert table[1][5] == '\'=HYPERLINK("x")'
    assert table[1][7] == "1234.50" and table[2][7] == "-34.50"
    assert table[3][10] == "作废"
    assert table[4][0] == "已记账合计" and table[4][7] == "1200.00"


def test_the_filtered_rows_download_as_xlsx_with_money_as_numbers(finance, login_client, contract, rows):
    response = login_client(finance).get(reverse("finance-ledger") + "?line=P1&format=xlsx", **EN)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[-1]
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True) if any(row)]
    header = values.index(next(r for r in values if r[0] == "Date"))
    assert values[header][:3] == ["Date", "Voucher", "Contract"]
    assert values[header + 1][1] == "P-1" and values[header + 1][7] == 5000
    assert values[header + 2][0] == "Total of posted rows" and values[header + 2][7] == 5000


LEDGER_CSV = "日期,金额,预算科目,收款方,摘要,支付方式,凭证号\r\n"


def test_公务卡_is_an_official_card_payment_in_imports(finance, login_client, contract):
    data = (LEDGER_CSV + "2025-03-05,800.00,A1,信丰县印刷厂,宣传折页,公务卡,G-1\r\n").encode()
    client = login_client(finance)
    preview = client.post(
        reverse("finance-import"), {"contract": contract.code, "file": SimpleUploadedFile("l.csv", data)}
    )
    client.post(
        reverse("finance-import"),
        {
            "confirm": "1",
            "token": preview.context["token"],
            "contract_code": contract.code,
            "file_name": "l.csv",
        },
    )
    exp = Expenditure.objects.get(voucher_no="G-1")
    assert exp.payment_method == "official_card"
    assert "公务卡" in text(client.get(reverse("finance-ledger"), **ZH))


def test_the_import_preview_names_each_line_and_the_contract_it_pushes_over_budget(
    finance, login_client, contract
):
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="P1"), amount=Decimal("149000.00"))
    data = (
        LEDGER_CSV
        + "2025-03-05,90500.00,A1,信丰县印刷厂,宣传折页,,G-1\r\n"
        + "2025-03-06,2000.00,P1,陈晓燕,工资,,G-2\r\n"
        + "2025-03-06,59000.00,X1,房东,房租,,G-3\r\n"
    ).encode()
    response = login_client(finance).post(
        reverse("finance-import"),
        {"contract": contract.code, "file": SimpleUploadedFile("l.csv", data)},
        **ZH,
    )
    page = text(response)
    assert (
        "本次导入将使以下超支： JX-XF-2025-01 的预算科目 P1 人员经费：支出 151,000.00，批复金额 150,000.00，超支 1,000.00。 "
        "JX-XF-2025-01 的预算科目 A1 服务活动：支出 90,500.00，批复金额 90,000.00，超支 500.00。 "
        "项目合同 JX-XF-2025-01：支出 300,500.00，合同总额 300,000.00，超支 500.00。"
    ) in page
    assert "X1" not in page.split("本次导入将使以下超支：")[1].split("导入这些行")[0]
    assert Expenditure.objects.filter(voucher_no__startswith="G-").count() == 0


def test_a_proposed_revision_shows_the_lines_its_approval_leaves_over_budget(
    director, login_client, contract
):
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), amount=Decimal("85000.00"))
    revision_propose(
        contract=contract,
        reason="挪用活动经费",
        deltas={"A1": Decimal("-10000.00"), "X1": Decimal("10000.00")},
    )
    page = text(login_client(director).get(reverse("finance-contract-detail", args=[contract.pk]), **EN))
    assert (
        "Approving this revision leaves these over budget: Budget line A1 服务活动 of JX-XF-2025-01: "
        "spending 85,000.00 against 80,000.00 approved, 5,000.00 over budget."
    ) in page


def test_a_refused_import_has_its_own_page_with_every_reason(finance, login_client, contract):
    from finance.services import ledger_import

    data = (
        "日期,金额,预算科目,收款方,摘要,员工编号,凭证号\r\n"
        "2025-03-05,800.00,Z9,店,纸,,G-1\r\n"
        "2025-03-06,900.00,A1,店,纸,S999,G-2\r\n"
    ).encode()
    with translation.override("en"):
        result = ledger_import(contract=contract, data=data, filename="bad.csv", user=finance)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert batch.status == ImportBatch.Status.FAILED
    page = text(login_client(finance).get(reverse("finance-import-detail", args=[batch.pk]), **EN))
    assert (
        "Why it was refused: 2 problems "
        'row 2, column 预算科目: "Z9" is not the code or the name of a budget line of JX-XF-2025-01 '
        "row 3, column 员工编号: no staff member has the number S999 "
        "Nothing of this file was imported. Correct the file and import it again."
    ) in page
    assert Expenditure.objects.count() == 0


def test_an_imported_file_has_its_own_page_with_its_rows(finance, login_client, contract):
    from finance.services import ledger_import

    data = (
        LEDGER_CSV + "2025-03-05,800.00,A1,店,纸,现金,G-1\r\n2025-03-06,1200.00,A1,店,笔,,G-2\r\n"
    ).encode()
    result = ledger_import(contract=contract, data=data, filename="ok.csv", user=finance)
    page = text(login_client(finance).get(reverse("finance-import-detail", args=[result.batch.pk]), **ZH))
    assert "2 rows adding" not in page
    assert "共 2 行，JX-XF-2025-01 增加支出 2,000.00，已记账支出合计变为 2,000.00。" in page
    assert "G-1" in page and "G-2" in page and "共 2 行，已记账 2,000.00。" in page


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        (
            "ledger",
            [
                "日期",
                "金额",
                "预算科目",
                "收款方",
                "摘要",
                "发票号",
                "支付方式",
                "凭证号",
                "员工编号",
                "记账日期",
            ],
        ),
        ("bank_statement", ["交易日期", "金额", "对方户名", "摘要"]),
        ("budget_sheet", ["科目编号", "科目名称", "类别", "金额"]),
    ],
)
def test_every_finance_importer_has_a_template_with_chinese_headers(kind, header, finance, login_client):
    client = login_client(finance)
    response = client.get(reverse("finance-import-template", args=[kind, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == header and len(rows) == 2
    xlsx = client.get(reverse("finance-import-template", args=[kind, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == header


def test_the_ledger_template_reads_back_as_a_valid_ledger_file(finance, login_client, contract):
    from finance.services import ledger_import

    data = login_client(finance).get(reverse("finance-import-template", args=["ledger", "csv"])).content
    result = ledger_import(contract=contract, data=data, filename="t.csv", user=finance, dry_run=True)
    assert result.ok, result.error_lines()


def test_a_bank_statement_import_confirms_in_a_sentence(finance, login_client, contract):
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"), amount=Decimal("500.00"), date=dt.date(2025, 3, 5)
    )
    data = "交易日期,金额,对方户名,摘要\n2025-03-05,-500.00,赣州文具店,文具\n2025-03-09,-80.00,某店,茶水\n".encode()
    client = login_client(finance)
    upload = {"contract": contract.pk, "start": "2025-03-01", "end": "2025-03-31"}
    preview = client.post(
        reverse("finance-reconciliation"), {**upload, "file": SimpleUploadedFile("bank.csv", data)}
    )
    assert preview.context["result"].ok
    response = client.post(
        reverse("finance-reconciliation"),
        {
            "confirm": "1",
            "token": preview.context["token"],
            "contract_id": contract.pk,
            "start": "2025-03-01",
            "end": "2025-03-31",
            "file_name": "bank.csv",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert [str(m) for m in response.context["messages"]] == [
        "已导入 bank.csv：新增银行流水 2 笔（已存在 0 笔，已跳过）；自动与账簿匹配 1 笔，有多个可能匹配的 0 笔。"
    ]
