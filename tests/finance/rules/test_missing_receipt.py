"""MISSING_RECEIPT (finance/rules/missing_receipt.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_missing_receipt_is_found_on_exactly_that_payment(base):
    row = base.add(date=dt.date(2025, 4, 2), amount="345.67", payee="无票供应商", invoice_no=" ")
    assert found(base.scan()) == [("MISSING_RECEIPT", (row,))]


@pytest.mark.parametrize(
    ("amount", "line", "fires"), [("200.00", "M1", False), ("200.01", "M1", True), ("5000.01", "P1", False)]
)
def test_missing_receipt_boundaries(amount, line, fires):
    book = Book()
    row = book.add(date=D, amount=amount, line=line, invoice_no="")
    assert found(book.scan(["MISSING_RECEIPT"])) == ([("MISSING_RECEIPT", (row,))] if fires else [])
