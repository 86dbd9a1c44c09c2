"""SPENDING_SURGE (finance/rules/spending_surge.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.finance.rules.ledger import Book, D, found


@pytest.mark.parametrize(("last", "fires"), [("327.27", False), ("327.28", True)])
def test_spending_surge_compares_the_last_window_with_the_average_window(last, fires):
    # 365-day period, 30-day windows, factor 3: fires when last × 365 > 3 × 30 × total.
    book = Book()
    book.add(date=D, amount="1000.00", line="A1")
    book.add(date=dt.date(2025, 12, 15), amount=last, line="A1", payee="年底供应商")
    findings = book.scan()
    assert found(findings) == ([("SPENDING_SURGE", ())] if fires else [])
    if fires:
        assert findings[0].evidence["last_window"] == last
        assert findings[0].evidence["period_total"] == str(Decimal("1000.00") + Decimal(last))


def test_spending_surge_needs_a_period_of_at_least_three_windows():
    book = Book()
    book.add(date=D, amount="10.00", line="A1")
    book.add(date=dt.date(2025, 12, 15), amount="5000.01", line="A1")
    assert found(book.scan(["SPENDING_SURGE"])) == [("SPENDING_SURGE", ())]
    assert book.scan(["SPENDING_SURGE"], surge_window_days=122) == []  # 365 < 3 × 122


def test_spending_surge_ignores_close_out_spending_after_the_end():
    book = Book()
    book.add(date=D, amount="1000.00", line="A1")
    book.add(date=dt.date(2026, 1, 5), amount="5000.00", line="A1")
    assert book.scan(["SPENDING_SURGE"]) == []
