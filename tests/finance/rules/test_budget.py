"""LINE_OVERSPEND, CONTRACT_OVERSPEND, TRANSFER_LIMIT, ADMIN_CAP, PERSONNEL_CAP."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.rules import money_str
from tests.finance.rules.ledger import Book, found

D = dt.date(2025, 3, 3)  # a Monday, a working day


def small_book(**lines) -> Book:
    book = Book()
    book.lines = {code: (code, category, Decimal(amount)) for code, (category, amount) in lines.items()}
    return book


def line_actual(book, code) -> Decimal:
    return Decimal(sum(r["amount"] for r in book.rows if r["line"] == code)) / 100


def test_line_overspend_is_found_on_the_expenditure_that_crossed_and_nothing_else(base):
    headroom = base.lines["E1"][2] - line_actual(base, "E1")
    crossing = base.add(
        date=dt.date(2025, 12, 31), amount=headroom + Decimal("0.01"), line="E1", payee="新设备商"
    )
    findings = base.scan()
    assert found(findings) == [("LINE_OVERSPEND", (crossing,))]
    assert findings[0].budget_line == "E1"
    assert findings[0].evidence["approved"] == money_str(int(base.lines["E1"][2] * 100))


@pytest.mark.parametrize(("extra", "fires"), [("-0.01", False), ("0.00", False), ("0.01", True)])
def test_line_overspend_threshold_is_strictly_above_the_approved_amount(extra, fires):
    book = small_book(A1=("activities", "100.00"))
    book.add(date=D, amount="60.00", line="A1")
    last = book.add(date=D + dt.timedelta(days=1), amount=Decimal("40.00") + Decimal(extra), line="A1")
    assert found(book.scan(["LINE_OVERSPEND"])) == ([("LINE_OVERSPEND", (last,))] if fires else [])


def test_line_overspend_reports_only_the_first_crossing_in_date_then_ledger_order():
    book = small_book(A1=("activities", "100.00"))
    later_id = book.add(date=D, amount="30.00", line="A1")
    first = book.add(date=D - dt.timedelta(days=1), amount="80.00", line="A1")
    same_day = book.add(date=D, amount="10.00", line="A1")  # ledger order after later_id
    book.add(date=D + dt.timedelta(days=1), amount="-50.00", line="A1")
    book.add(date=D + dt.timedelta(days=2), amount="60.00", line="A1")  # crosses again
    # running: 80 (first), 110 at later_id (crosses), 120, 70, 130
    assert found(book.scan(["LINE_OVERSPEND"])) == [("LINE_OVERSPEND", (later_id,))]
    assert first and same_day


@pytest.mark.parametrize(("extra", "fires"), [("9.99", False), ("10.00", False), ("10.01", True)])
def test_contract_overspend_fires_strictly_above_the_contract_total(extra, fires):
    book = small_book(A1=("activities", "60.00"), M1=("materials", "40.00"))
    book.add(date=D, amount="50.00", line="A1")
    book.add(date=D + dt.timedelta(days=1), amount="40.00", line="M1")
    last = book.add(date=D + dt.timedelta(days=2), amount=extra, line="A1")
    expected = [("CONTRACT_OVERSPEND", (last,)), ("LINE_OVERSPEND", (last,))] if fires else []
    assert found(book.scan()) == expected


@pytest.mark.parametrize(("over", "fires"), [("9.99", False), ("10.00", False), ("10.01", True)])
def test_transfer_limit_compares_the_sum_of_overspends_with_the_tolerance(over, fires):
    book = small_book(A1=("activities", "60.00"), M1=("materials", "40.00"))
    book.add(date=D, amount=Decimal("60.00") + Decimal(over), line="A1")
    book.add(date=D, amount="10.00", line="M1")
    findings = book.scan(["TRANSFER_LIMIT"])
    assert found(findings) == ([("TRANSFER_LIMIT", ())] if fires else [])
    if fires:
        assert findings[0].evidence["over_approved"] == money_str(int((Decimal(over)) * 100))
        assert findings[0].evidence["tolerance"] == "10.00"
        assert "10%" in findings[0].message % findings[0].params


def test_transfer_limit_with_its_companion_line_overspend_and_nothing_else():
    book = small_book(A1=("activities", "60.00"), M1=("materials", "40.00"))
    crossing = book.add(date=D, amount="75.00", line="A1")
    assert found(book.scan()) == [("LINE_OVERSPEND", (crossing,)), ("TRANSFER_LIMIT", ())]


@pytest.mark.parametrize(("spent", "fires"), [("9.99", False), ("10.00", False), ("10.01", True)])
def test_admin_cap_fires_strictly_above_the_cap(spent, fires):
    book = small_book(A1=("activities", "80.00"), AD=("admin", "20.00"))
    book.add(date=D, amount=spent, line="AD")
    findings = book.scan()
    assert found(findings) == ([("ADMIN_CAP", ())] if fires else [])
    if fires:
        assert findings[0].evidence == {
            "spent": "10.01",
            "cap": "10.00",
            "cap_pct": "10",
            "contract_total": "100.00",
        }


def test_admin_cap_counts_reversals():
    book = small_book(A1=("activities", "80.00"), AD=("admin", "20.00"))
    book.add(date=D, amount="15.00", line="AD")
    book.add(date=D + dt.timedelta(days=1), amount="-5.00", line="AD")
    assert book.scan(["ADMIN_CAP"]) == []


@pytest.mark.parametrize(
    ("spent", "cap", "fires"), [("50.01", None, False), ("50.00", "50", False), ("50.01", "50", True)]
)
def test_personnel_cap_applies_only_when_set(spent, cap, fires):
    book = small_book(P1=("personnel", "60.00"), A1=("activities", "40.00"))
    book.add(date=D, amount=spent, line="P1", invoice_no="")
    findings = book.scan(personnel_cap_pct=None if cap is None else Decimal(cap))
    assert found(findings) == ([("PERSONNEL_CAP", ())] if fires else [])
