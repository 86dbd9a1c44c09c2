"""``report flags``: every flag with its rule, severity, status, message and expenditures."""

import datetime as dt
from decimal import Decimal

import pytest

from core.reports import get, render
from finance.flags.services import flags_scan_contract
from tests.finance.factories import ExpenditureFactory


@pytest.fixture
def flagged(contract):
    line = contract.budget_lines.get(code="A1")
    for voucher, day in (("V-1", dt.date(2025, 3, 5)), ("V-2", dt.date(2025, 4, 9))):
        ExpenditureFactory(
            budget_line=line,
            voucher_no=voucher,
            date=day,
            amount=Decimal("930.00"),
            invoice_no="04419823",
            payee="赣州文具店",
            description="文具",
        )
    flags_scan_contract(contract=contract)
    return contract


def test_flags_report_lists_each_flag_with_the_expenditures_behind_it(agency, flagged):
    report = get("flags").build(agency=agency, contract="JX-XF-2025-01")
    flag = report.data["flags"][0]
    assert (flag["rule"], flag["severity"], flag["status"]) == ("DUPLICATE_INVOICE", "critical", "open")
    assert flag["expenditures"] == [
        {
            "contract": "JX-XF-2025-01",
            "voucher": "V-1",
            "date": "2025-03-05",
            "amount": "930.00",
            "payee": "赣州文具店",
            "description": "文具",
        },
        {
            "contract": "JX-XF-2025-01",
            "voucher": "V-2",
            "date": "2025-04-09",
            "amount": "930.00",
            "payee": "赣州文具店",
            "description": "文具",
        },
    ]
    assert report.data["summary"]["by_rule"] == {
        "DUPLICATE_INVOICE": {"open": 1, "explained": 0, "confirmed": 0, "dismissed": 0, "total": 1}
    }


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "pdf"])
def test_flags_report_renders_in_every_format(agency, flagged, fmt):
    report = get("flags").build(agency=agency)
    assert render(report, fmt)


def test_auditor_report_excludes_contracts_not_granted(agency, flagged, other_contract, auditor, granted):
    ExpenditureFactory(
        budget_line=other_contract.budget_lines.get(code="A1"),
        amount=Decimal("500.00"),
        payment_method="cash",
        invoice_no="X",
        date=dt.date(2025, 3, 8),
    )
    flags_scan_contract(contract=other_contract)
    report = get("flags").build(agency=agency, user=auditor)
    assert [f["rule"] for f in report.data["flags"]] == ["DUPLICATE_INVOICE"]
