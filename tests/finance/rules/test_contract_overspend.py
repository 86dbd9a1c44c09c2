"""CONTRACT_OVERSPEND (finance/rules/contract_overspend.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import D, found, small_book


@pytest.mark.parametrize(("extra", "fires"), [("9.99", False), ("10.00", False), ("10.01", True)])
def test_contract_overspend_fires_strictly_above_the_contract_total(extra, fires):
    book = small_book(A1=("activities", "60.00"), M1=("materials", "40.00"))
    book.add(date=D, amount="50.00", line="A1")
    book.add(date=D + dt.timedelta(days=1), amount="40.00", line="M1")
    last = book.add(date=D + dt.timedelta(days=2), amount=extra, line="A1")
    expected = [("CONTRACT_OVERSPEND", (last,)), ("LINE_OVERSPEND", (last,))] if fires else []
    assert found(book.scan()) == expected
