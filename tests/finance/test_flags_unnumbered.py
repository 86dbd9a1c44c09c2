"""An expenditure without a voucher number (files.md lets a ledger leave it out): cli.md's
``vouchers`` lists its ``voucher_no``, which is blank, and messages name it by its date, amount
and payee, never by an invented number (the database id is found nowhere in the books)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from finance.models import Flag
from finance.reports.flags import build_flags
from tests.finance.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db


def spend(contract, voucher, date, amount, payee="赣州文具店", method="bank", invoice="F-1"):
    return ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        voucher_no=voucher,
        date=date,
        amount=Decimal(amount),
        invoice_no=invoice,
        payee=payee,
        payment_method=method,
    )


def scan(fmt="json") -> str:
    out = io.StringIO()
    call_command("scan_flags", format=fmt, stdout=out)
    return out.getvalue()


def test_scan_flags_json_lists_the_blank_voucher_no_and_names_the_expenditure(contract):
    spend(contract, "", dt.date(2025, 5, 10), "3000.00", method="cash")  # a Saturday, in cash
    flags = {f["rule"]: f for f in json.loads(scan())["flags"]}
    assert flags["CASH_LIMIT"]["vouchers"] == [""]
    assert flags["CASH_LIMIT"]["message"] == (
        "Voucher (no number: 3,000.00 to 赣州文具店) of 2025-05-10 paid 3,000.00 in cash, above the "
        "cash limit of 1,000.00"
    )
    assert flags["WEEKEND_HOLIDAY"]["vouchers"] == [""]
    assert flags["WEEKEND_HOLIDAY"]["message"] == (
        "Voucher (no number: 3,000.00 to 赣州文具店) is dated 2025-05-10, a weekend day that is not a "
        "working day"
    )
    assert not any("#" in f["message"] or "#" in "".join(f["vouchers"]) for f in flags.values())


def test_a_list_of_vouchers_names_the_unnumbered_one_by_date_and_amount(contract):
    spend(contract, "V-0107", dt.date(2025, 3, 3), "930.00", invoice="A-1")
    spend(contract, "", dt.date(2025, 3, 5), "930.00", invoice="A-2")
    flag = next(f for f in json.loads(scan())["flags"] if f["rule"] == "DUPLICATE_PAYMENT")
    assert flag["vouchers"] == ["V-0107", ""]
    assert flag["message"] == (
        "2 payments of 930.00 each to 赣州文具店 within 7 days of one another "
        "(vouchers V-0107, no number, 2025-03-05, 930.00, 2025-03-03 to 2025-03-05)"
    )


def test_the_text_output_and_the_flags_report_name_it_the_same_way(contract):
    spend(contract, "", dt.date(2025, 5, 10), "3000.00", method="cash")
    line = next(line for line in scan("text").splitlines() if "CASH_LIMIT" in line)
    assert line == (
        "[warning] CASH_LIMIT JX-XF-2025-01 / A1 (open): Voucher (no number: 3,000.00 to 赣州文具店) "
        "of 2025-05-10 paid 3,000.00 in cash, above the cash limit of 1,000.00"
    )
    report = build_flags(agency=contract.agency, contract=contract.code)
    flag = next(f for f in report.data["flags"] if f["rule"] == "CASH_LIMIT")
    assert flag["message"].startswith("Voucher (no number: 3,000.00 to 赣州文具店) of 2025-05-10")
    assert flag["vouchers"] == [""]
    assert flag["expenditures"] == [
        {
            "contract": "JX-XF-2025-01",
            "voucher": "",
            "date": "2025-05-10",
            "amount": "3000.00",
            "payee": "赣州文具店",
            "description": flag["expenditures"][0]["description"],
        }
    ]


def test_in_chinese_the_unnumbered_expenditure_is_named_in_chinese(contract):
    spend(contract, "", dt.date(2025, 5, 10), "3000.00", method="cash")
    spend(contract, "V-0107", dt.date(2025, 3, 3), "930.00", invoice="A-1")
    spend(contract, "", dt.date(2025, 3, 5), "930.00", invoice="A-2")
    scan()
    with translation.override("zh-hans"):
        texts = {flag.rule: flag.text for flag in Flag.objects.all()}
    assert texts["CASH_LIMIT"] == (
        "2025-05-10 的凭证 （无编号：付给 赣州文具店 3,000.00） 以现金支付 3,000.00，超过现金限额 1,000.00"
    )
    assert texts["DUPLICATE_PAYMENT"] == (
        "2025-03-03 至 2025-03-05 期间，7 天内向 赣州文具店 支付 2 笔款项，每笔 930.00"
        "（凭证 V-0107, 无编号（2025-03-05，930.00））"
    )
