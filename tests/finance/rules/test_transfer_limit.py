"""TRANSFER_LIMIT (finance/rules/transfer_limit.py): when it fires, its boundaries, and what it leaves alone."""

from decimal import Decimal

import pytest

from finance.rules import money_str
from tests.finance.rules.ledger import D, found, small_book


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
