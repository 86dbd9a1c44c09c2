"""DUPLICATE_PAYMENT (finance/rules/duplicate_payment.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_duplicate_payment_is_found_on_the_repeated_payments_only(base):
    a = base.add(date=dt.date(2025, 6, 3), amount="456.78", payee="重复收款方")
    b = base.add(date=dt.date(2025, 6, 10), amount="456.78", payee="重复收款方")
    c = base.add(date=dt.date(2025, 6, 17), amount="456.78", payee="重复收款方")
    assert found(base.scan()) == [("DUPLICATE_PAYMENT", (a, b, c))]


@pytest.mark.parametrize(("gap", "fires"), [(6, True), (7, True), (8, False)])
def test_duplicate_payment_window_boundaries(gap, fires):
    book = Book()
    a = book.add(date=D, amount="100.00", payee="甲")
    b = book.add(date=D + dt.timedelta(days=gap), amount="100.00", payee="甲")
    assert found(book.scan(["DUPLICATE_PAYMENT"])) == ([("DUPLICATE_PAYMENT", (a, b))] if fires else [])


def test_duplicate_payment_skips_a_group_that_is_one_duplicate_invoice_group_and_personnel():
    book = Book()
    book.add(date=D, amount="100.00", payee="甲", invoice_no="X1")
    book.add(date=D, amount="100.00", payee="甲", invoice_no="X1")
    book.add(date=D, amount="3000.00", payee="王", line="P1", invoice_no="")
    book.add(date=D, amount="3000.00", payee="王", line="P1", invoice_no="")
    assert book.scan(["DUPLICATE_PAYMENT"]) == []
    assert len(book.scan(["DUPLICATE_INVOICE"])) == 1


def test_duplicate_payment_raises_an_invoice_group_when_duplicate_invoice_is_disabled():
    """The group is left to DUPLICATE_INVOICE only while the contract checks that rule."""
    book = Book()
    a = book.add(date=D, amount="100.00", payee="甲", invoice_no="X1")
    b = book.add(date=D + dt.timedelta(days=2), amount="100.00", payee="甲", invoice_no="X1")
    off = {"DUPLICATE_INVOICE": "发票由县财政统一核验"}
    assert book.scan(["DUPLICATE_PAYMENT"]) == []
    assert found(book.scan(["DUPLICATE_PAYMENT"], disabled_rules=off)) == [("DUPLICATE_PAYMENT", (a, b))]
    # Disabling another rule changes nothing.
    assert book.scan(["DUPLICATE_PAYMENT"], disabled_rules={"WEEKEND_HOLIDAY": "周末活动"}) == []
