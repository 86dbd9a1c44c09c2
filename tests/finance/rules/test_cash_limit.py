"""CASH_LIMIT (finance/rules/cash_limit.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_cash_limit_is_found_on_exactly_the_large_cash_payment(base):
    row = base.add(date=dt.date(2025, 4, 1), amount="1200.50", payee="现金供应商", payment_method="cash")
    assert found(base.scan()) == [("CASH_LIMIT", (row,))]


@pytest.mark.parametrize(
    ("amount", "method", "fires"),
    [("1000.00", "cash", False), ("1000.01", "cash", True), ("1000.01", "bank", False)],
)
def test_cash_limit_boundaries(amount, method, fires):
    book = Book()
    row = book.add(date=D, amount=amount, payment_method=method)
    assert found(book.scan(["CASH_LIMIT"])) == ([("CASH_LIMIT", (row,))] if fires else [])
