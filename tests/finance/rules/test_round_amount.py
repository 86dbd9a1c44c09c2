"""ROUND_AMOUNT (finance/rules/round_amount.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_round_amount_is_found_on_exactly_that_payment(base):
    row = base.add(date=dt.date(2025, 4, 3), amount="5000.00", payee="整数供应商", line="A1")
    assert found(base.scan()) == [("ROUND_AMOUNT", (row,))]


@pytest.mark.parametrize(
    ("amount", "line", "fires"),
    [
        ("4000.00", "A1", False),
        ("5000.00", "A1", True),
        ("5500.00", "A1", False),
        ("6000.01", "A1", False),
        ("6000.00", "P1", False),
    ],
)
def test_round_amount_boundaries(amount, line, fires):
    book = Book()
    row = book.add(date=D, amount=amount, line=line)
    assert found(book.scan(["ROUND_AMOUNT"])) == ([("ROUND_AMOUNT", (row,))] if fires else [])
