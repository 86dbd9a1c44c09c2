"""Ledger import (files.md): encodings, XLSX, Chinese headers, all or nothing, repeats, vouchers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from core.models import ImportBatch
from finance.models import Expenditure
from finance.services import ledger_import
from tests.finance.factories import ExpenditureFactory

HEADER_EN = (
    "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no,staff_no,posted_on"
)
HEADER_ZH = "日期,金额,预算科目,收款方,摘要,发票号,支付方式,凭证号,员工编号,记账日期"


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def good_rows() -> list[str]:
    return [
        HEADER_ZH,
        '2025年3月5日,"¥1,234.50",A1,赣州文具店,活动物资,04419823,微信,V-0001,,2025/3/6',
        '2025/3/6,"￥2,000.00",服务活动,信丰县印刷厂,宣传册印刷,04419824,银行转账,V-0002,,',
        "2025.3.7,-234.50,A1,赣州文具店,红字冲销 退货,04419823,现金,V-0003,,",
    ]


def run(contract, data: bytes, name: str = "ledger.csv", **kw):
    return ledger_import(contract=contract, data=data, filename=name, **kw)


def test_utf8_csv_with_chinese_headers_dates_and_currency_signs_imports_exact_amounts(contract, finance):
    result = run(contract, csv_bytes(good_rows()), user=finance)
    assert result.ok, result.error_lines()
    rows = list(Expenditure.objects.filter(contract=contract).order_by("id"))
    assert [r.amount for r in rows] == [Decimal("1234.50"), Decimal("2000.00"), Decimal("-234.50")]
    assert [r.date for r in rows] == [dt.date(2025, 3, 5), dt.date(2025, 3, 6), dt.date(2025, 3, 7)]
    assert [r.payment_method for r in rows] == ["wechat", "bank", "cash"]
    assert rows[0].posted_on == dt.date(2025, 3, 6)
    assert {r.budget_line.code for r in rows} == {"A1"}
    assert all(r.source == "import" and r.import_batch_id == result.batch.pk for r in rows)
    assert result.summary["new_total"] == "3000.00"
    assert result.batch.status == ImportBatch.Status.IMPORTED and result.batch.target == contract.code


def test_utf8_bom_csv_with_english_headers_imports(contract):
    lines = [HEADER_EN, "2025-03-05,100.00,A1,Shop,Paper,,,V-1,,"]
    result = run(contract, b"\xef\xbb\xbf" + csv_bytes(lines))
    assert result.ok, result.error_lines()
    assert Expenditure.objects.get().amount == Decimal("100.00")


def test_gb18030_csv_imports_chinese_values(contract):
    result = run(contract, csv_bytes(good_rows(), "gb18030"))
    assert result.ok, result.error_lines()
    assert Expenditure.objects.filter(payee="赣州文具店").count() == 2


def test_xlsx_with_real_date_cells_imports(contract):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "金额", "预算科目", "收款方", "摘要", "凭证号"])
    sheet.append([dt.datetime(2025, 4, 1), 880.5, "P1", "李社工", "4月工资", "V-10"])
    sheet.append([dt.date(2025, 4, 2), "1,000.00", "行政管理", "电信公司", "宽带费", "V-11"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(contract, buffer.getvalue(), "ledger.xlsx")
    assert result.ok, result.error_lines()
    rows = list(Expenditure.objects.order_by("id").values_list("date", "amount", "budget_line__code"))
    assert rows == [
        (dt.date(2025, 4, 1), Decimal("880.50"), "P1"),
        (dt.date(2025, 4, 2), Decimal("1000.00"), "X1"),
    ]


def test_missing_required_column_is_reported_and_nothing_changes(contract):
    lines = ["date,amount,payee,description", "2025-03-05,100,Shop,Paper"]
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    assert "row 1, column budget_line (预算科目): required column is missing" in result.error_lines()
    assert Expenditure.objects.count() == 0


def test_bad_values_are_reported_with_their_row_numbers(contract, staff_member):
    lines = [
        HEADER_EN,
        "2025-03-05,100.00,A1,Shop,Paper,,,V-1,,",
        "2025-02-30,100.00,A1,Shop,Paper,,,V-2,,",
        "2025-03-05,12.345,A1,Shop,Paper,,,V-3,,",
        "2025-03-05,0,A1,Shop,Paper,,,V-4,,",
        "2025-03-05,100.00,Z9,Shop,Paper,,,V-5,,",
        "2025-03-05,100.00,A1,Shop,Paper,,paypal,V-6,,",
        "2025-03-05,100.00,P1,李社工,工资,,,V-7,S999,",
        "2025-03-05,100.00,P1,李社工,工资,,,V-8,S200,",
        "2025-03-05,100.00,A1,,Paper,,,V-9,,",
    ]
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    located = [(e.row, e.column) for e in result.errors]
    assert located == [
        (3, "date"),
        (4, "amount"),
        (5, "amount"),
        (6, "budget_line"),
        (7, "payment_method"),
        (8, "staff_no"),
        (10, "payee"),
    ]
    assert result.error_count == 7
    assert Expenditure.objects.count() == 0
    assert result.batch.status == ImportBatch.Status.FAILED


def test_one_bad_row_among_many_changes_nothing(contract):
    lines = [HEADER_EN] + [f"2025-03-05,{i}.00,A1,Shop,Paper {i},,,V-{i},," for i in range(1, 501)]
    lines[250] = "2025-03-05,abc,A1,Shop,Paper,,,V-X,,"
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        'row 251, column amount: "abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'
    ]
    assert Expenditure.objects.count() == 0


def test_the_same_file_twice_is_refused_as_a_repeat(contract):
    data = csv_bytes(good_rows())
    assert run(contract, data).ok
    again = run(contract, data)
    assert not again.ok
    assert "already imported" in again.error_lines()[0]
    assert Expenditure.objects.count() == 3


def test_a_voucher_already_in_the_contract_refuses_the_whole_file(contract, line):
    ExpenditureFactory(budget_line=line, voucher_no="V-0002")
    result = run(contract, csv_bytes(good_rows()))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "凭证号")]
    assert "V-0002 is already in the ledger" in result.errors[0].message
    assert Expenditure.objects.count() == 1


def test_a_voucher_twice_in_the_file_is_an_error(contract):
    lines = [HEADER_EN, "2025-03-05,1,A1,S,P,,,V-1,,", "2025-03-06,2,A1,S,P,,,V-1,,"]
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    assert (
        str(result.errors[0])
        == "row 3, column voucher_no: voucher V-1 appears twice in the file (also row 2)"
    )


def test_the_same_voucher_in_another_contract_is_fine(contract, other_contract):
    ExpenditureFactory(budget_line=other_contract.budget_lines.get(), voucher_no="V-0001")
    assert run(contract, csv_bytes(good_rows())).ok


def test_imports_are_never_refused_for_overspending(contract):
    contract.policy = {"overspend_action": "stop"}
    contract.save()
    lines = [HEADER_EN, "2025-03-05,95000.00,A1,Shop,Big purchase,,,V-1,,"]
    result = run(contract, csv_bytes(lines))
    assert result.ok
    assert Expenditure.objects.get().amount == Decimal("95000.00")


def test_dry_run_changes_nothing_and_says_what_would_happen(contract):
    result = run(contract, csv_bytes(good_rows()), dry_run=True)
    assert result.ok and result.dry_run
    assert result.summary == {"rows": 3, "amount": "3000.00", "new_total": "3000.00"}
    assert Expenditure.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_xlsx_bomb_is_refused_with_one_message(contract):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    result = run(contract, buffer.getvalue(), "bomb.xlsx")
    assert not result.ok
    assert len(result.errors) == 1 and result.errors[0].row == 0
    assert Expenditure.objects.count() == 0


def test_binary_file_is_refused(contract):
    result = run(contract, bytes(range(256)) * 10, "x.csv")
    assert not result.ok and len(result.errors) == 1


def test_import_ledger_command_prints_rows_and_new_total(contract, tmp_path, capsys):
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_bytes(good_rows(), "gb18030"))
    call_command("import_ledger", str(path), "--contract", contract.code, "--agency", "xinfeng")
    out = capsys.readouterr().out
    assert "3 rows imported; JX-XF-2025-01 now totals 3000.00." in out


def test_import_ledger_command_exits_1_listing_problems(contract, tmp_path, capsys):
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_bytes([HEADER_EN, "2025-13-01,1,A1,S,P,,,,,"]))
    with pytest.raises(CommandError) as info:
        call_command("import_ledger", str(path), "--contract", contract.code, "--agency", "xinfeng")
    assert info.value.returncode == 1
    err = capsys.readouterr().err
    assert "row 2, column date:" in err
    assert Expenditure.objects.count() == 0


def test_import_ledger_command_refuses_unknown_contract(contract, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_bytes(good_rows()))
    with pytest.raises(CommandError) as info:
        call_command("import_ledger", str(path), "--contract", "NOPE", "--agency", "xinfeng")
    assert info.value.returncode == 1


def test_import_ledger_dry_run_command_changes_nothing(contract, tmp_path, capsys):
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_bytes(good_rows()))
    call_command("import_ledger", str(path), "--contract", contract.code, "--agency", "xinfeng", "--dry-run")
    assert "3 rows would be imported" in capsys.readouterr().out
    assert Expenditure.objects.count() == 0


def test_every_imported_row_has_its_creation_in_the_audit_history(contract, finance, staff_member):
    lines = [
        HEADER_EN,
        "2025-03-05,100.00,A1,Shop,Paper,INV-1,bank,V-1,,",
        "2025-03-06,880.50,P1,Li,Pay,,,V-2,S200,",
    ]
    result = run(contract, csv_bytes(lines), user=finance)
    assert result.ok, result.error_lines()
    history = Expenditure.history.filter(import_batch=result.batch).order_by("history_id")
    assert history.count() == 2
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user_id for h in history} == {finance.pk}
    rows = list(Expenditure.objects.filter(import_batch=result.batch).order_by("id"))
    assert [h.id for h in history] == [r.id for r in rows]
    assert [(h.amount, h.voucher_no, h.staff_id, h.budget_line_id) for h in history] == [
        (r.amount, r.voucher_no, r.staff_id, r.budget_line_id) for r in rows
    ]
    assert rows[1].staff == staff_member and rows[1].budget_line.code == "P1"
    assert all(r.created_by == finance and r.status == "posted" and r.created_at for r in rows)


def test_a_line_is_found_by_its_code_before_another_lines_name(contract):
    contract.budget_lines.filter(code="X1").update(name="A1")
    result = run(contract, csv_bytes([HEADER_EN, "2025-03-05,100.00,A1,Shop,Paper,,,V-1,,"]))
    assert result.ok
    assert Expenditure.objects.get().budget_line.code == "A1"


def test_a_voucher_entered_after_the_checks_refuses_the_whole_file_at_the_database(
    contract, line, monkeypatch
):
    from finance.services import imports

    ExpenditureFactory(budget_line=line, voucher_no="V-0003")
    before = Expenditure.history.count()
    # As if another user posted V-0003 between the checks and the insert.
    monkeypatch.setattr(imports, "_existing", lambda qs, field, values: {})
    result = run(contract, csv_bytes(good_rows()))
    assert not result.ok
    assert result.error_lines() == [
        "A voucher number of this file was entered meanwhile; nothing was imported."
    ]
    assert Expenditure.objects.count() == 1
    assert Expenditure.history.count() == before
    assert result.batch.status == ImportBatch.Status.FAILED


def test_vouchers_and_staff_numbers_are_checked_in_a_fixed_number_of_queries(
    contract, django_assert_max_num_queries
):
    lines = [HEADER_EN] + [f"2025-03-05,{i}.00,A1,Shop,Paper {i},,,V-{i},," for i in range(1, 1201)]
    with django_assert_max_num_queries(26):  # + the contract lock and the running totals of line and contract
        result = run(contract, csv_bytes(lines))
    assert result.ok
    assert Expenditure.objects.count() == Expenditure.history.count() == 1200


def test_a_large_file_finds_a_voucher_already_in_the_ledger(contract, line, other_contract):
    ExpenditureFactory(budget_line=line, voucher_no="V-777")
    ExpenditureFactory(budget_line=other_contract.budget_lines.get(), voucher_no="V-778")
    lines = [HEADER_EN] + [f"2025-03-05,{i}.00,A1,Shop,Paper {i},,,V-{i},," for i in range(1, 1201)]
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "row 778, column voucher_no: voucher V-777 is already in the ledger of JX-XF-2025-01"
    ]
    assert Expenditure.objects.count() == 2


def test_headers_as_the_english_page_writes_them_are_accepted(contract):
    header = "date,amount,budget line,payee,description,invoice number,payment method,voucher number"
    result = run(contract, csv_bytes([header, "2025-03-05,100.00,A1,Shop,Paper,INV-1,cash,V-1"]))
    assert result.ok, result.error_lines()
    row = Expenditure.objects.get()
    assert (row.invoice_no, row.payment_method, row.voucher_no) == ("INV-1", "cash", "V-1")


def test_a_refused_import_tells_its_problems_in_the_readers_language(contract, director, login_client):
    """The import ran in English; its stored problems keep msgid and params, so a Chinese reader
    reads them in Chinese (and an English one in English)."""
    from django.urls import reverse
    from django.utils import translation

    lines = [
        HEADER_ZH,
        "2025-11-31,120.00,A1,万隆超市,活动茶歇,,现金,V-9901",
        "2025-11-30,80.00,宣传费,印刷厂,海报,,现金,V-9902",
    ]
    with translation.override("en"):
        result = run(contract, csv_bytes(lines))
    assert not result.ok
    stored = result.batch.errors
    assert stored[0]["msgid"] == '"%(value)s" is not a real date (no such day in the calendar)'
    assert stored[0]["params"] == {"value": "2025-11-31"}
    assert stored[1]["params"] == {"value": "宣传费", "contract": contract.code}
    client = login_client(director)
    url = reverse("finance-import-detail", args=[result.batch.pk])
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "第 2 行，日期 列：“2025-11-31”不是有效日期（日历中没有这一天）" in zh
    assert "is not a real date" not in zh
    assert 'row 2, column 日期: "2025-11-31" is not a real date (no such day in the calendar)' in en.replace(
        "&quot;", '"'
    )


def test_a_row_naming_a_line_whose_name_two_lines_share_is_refused_with_their_codes(contract):
    # A budget kept from before names were checked: two lines called 服务活动.
    contract.budget_lines.filter(code="X1").update(name="服务活动")
    lines = [
        HEADER_EN,
        "2025-03-05,100.00,服务活动,Shop,Paper,,,V-1,,",
        "2025-03-06,50.00,X1,Shop,Ink,,,V-2,,",
    ]
    result = run(contract, csv_bytes(lines))
    assert not result.ok
    assert result.error_lines() == [
        'row 2, column budget_line: "服务活动" is the name of more than one budget line of JX-XF-2025-01; '
        "give the code (A1, X1)"
    ]
    assert Expenditure.objects.count() == 0


def test_a_row_with_a_bad_cell_still_has_its_other_problems_reported(contract):
    lines = [
        HEADER_EN,
        "2025-03-05,0,ZZ,Shop,Paper,,,V-1,S999,",  # zero amount, unknown line and person
        "2025-03-06,abc,A1,Shop,Ink,,,V-1,,",  # bad amount, and a voucher given twice
        "2025-03-07,,A1,Shop,Ink,,,V-2,,",
    ]
    result = run(contract, csv_bytes(lines))
    assert result.error_lines() == [
        "row 2, column amount: the amount must not be zero",
        'row 2, column budget_line: "ZZ" is not the code or the name of a budget line of JX-XF-2025-01',
        "row 2, column staff_no: no staff member has the number S999",
        'row 3, column amount: "abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50',
        "row 3, column voucher_no: voucher V-1 appears twice in the file (also row 2)",
        "row 4, column amount: a value is required",
    ]
    assert Expenditure.objects.count() == 0


def test_the_same_rows_saved_again_are_refused_as_a_repeat(contract):
    rows = ["2025-03-05,930.00,A1,赣州文具店,文具,INV-1,bank,V-1,,", "2025-03-06,88,A1,店,纸,,cash,V-2,,"]
    assert run(contract, csv_bytes([HEADER_EN, *rows])).ok
    # Another encoding with a BOM, Unix line ends, the rows reversed, 88 written as 88.00:
    again = ("\n".join([HEADER_EN, rows[1].replace(",88,", ",88.00,"), rows[0]]) + "\n").encode("utf-8-sig")
    result = run(contract, again, name="ledger-resaved.csv")
    assert not result.ok
    assert result.error_lines()[0].startswith("This file was already imported on ")
    assert Expenditure.objects.count() == 2
    gbk = run(contract, csv_bytes([HEADER_ZH, *rows], encoding="gb18030"), name="ledger-gbk.csv")
    assert not gbk.ok and Expenditure.objects.count() == 2
