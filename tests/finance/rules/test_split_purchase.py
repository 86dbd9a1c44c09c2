"""SPLIT_PURCHASE (finance/rules/split_purchase.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_split_purchase_is_found_on_the_run_and_nothing_else(base):
    a = base.add(date=dt.date(2025, 7, 1), amount="2600.10", payee="拆分供应商", line="A1")
    b = base.add(date=dt.date(2025, 7, 8), amount="2399.90", payee="拆分供应商", line="A1")
    findings = base.scan()
    assert found(findings) == [("SPLIT_PURCHASE", (a, b))]
    assert findings[0].evidence["total"] == "5000.00"


@pytest.mark.parametrize(
    ("second", "gap", "fires"),
    [("2399.99", 7, False), ("2400.00", 7, True), ("2400.00", 8, False), ("2400.01", 1, True)],
)
def test_split_purchase_boundaries(second, gap, fires):
    book = Book()
    a = book.add(date=D, amount="2600.00", payee="甲")
    b = book.add(date=D + dt.timedelta(days=gap), amount=second, payee="甲")
    assert found(book.scan(["SPLIT_PURCHASE"])) == ([("SPLIT_PURCHASE", (a, b))] if fires else [])


def test_split_purchase_ignores_purchases_at_the_threshold_and_single_purchases():
    book = Book()
    book.add(date=D, amount="5000.00", payee="甲")
    book.add(date=D, amount="4999.99", payee="甲")
    assert book.scan(["SPLIT_PURCHASE"]) == []


def test_a_reversal_in_the_run_counts_in_its_sum():
    """flag-rules.md: amounts are signed and sums include reversals. 3,000 + 3,000 − 3,000 is a
    run of three whose sum, 3,000, stays below the threshold of 5,000: no finding."""
    book = Book()
    book.add(date=D, amount="3000.00", payee="甲")
    book.add(date=D + dt.timedelta(days=1), amount="3000.00", payee="甲")
    book.add(date=D + dt.timedelta(days=2), amount="-3000.00", payee="甲")
    assert book.scan(["SPLIT_PURCHASE"]) == []


def test_a_reversal_is_a_member_of_the_run_it_falls_in():
    book = Book()
    a = book.add(date=D, amount="3000.00", payee="甲")
    b = book.add(date=D + dt.timedelta(days=1), amount="-500.00", payee="甲")
    c = book.add(date=D + dt.timedelta(days=2), amount="3000.00", payee="甲")
    findings = book.scan(["SPLIT_PURCHASE"])
    assert found(findings) == [("SPLIT_PURCHASE", (a, b, c))]
    assert findings[0].evidence["amounts"] == ["3000.00", "-500.00", "3000.00"]
    assert findings[0].evidence["total"] == "5500.00"
