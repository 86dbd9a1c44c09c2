"""OUTSIDE_PERIOD (finance/rules/outside_period.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, found


def test_outside_period_is_found_on_exactly_the_early_and_late_expenditures(base):
    early = base.add(date=dt.date(2024, 12, 31), amount="321.45", payee="早到供应商")
    late = base.add(date=dt.date(2026, 2, 2), amount="123.45", payee="迟到供应商")
    assert found(base.scan()) == [("OUTSIDE_PERIOD", (early,)), ("OUTSIDE_PERIOD", (late,))]


@pytest.mark.parametrize(
    ("day", "fires"),
    [
        (dt.date(2024, 12, 31), True),
        (dt.date(2025, 1, 1), False),
        (dt.date(2026, 1, 30), False),  # end + closeout_days (30)
        (dt.date(2026, 1, 31), True),
    ],
)
def test_outside_period_boundaries(day, fires):
    book = Book()
    row = book.add(date=day, amount="10.00")
    assert found(book.scan(["OUTSIDE_PERIOD"])) == ([("OUTSIDE_PERIOD", (row,))] if fires else [])
