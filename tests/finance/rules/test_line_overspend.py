"""LINE_OVERSPEND (finance/rules/line_overspend.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.rules import money_str
from tests.finance.rules.ledger import D, found, line_actual, small_book


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
