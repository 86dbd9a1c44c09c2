"""LATE_POSTING (finance/rules/late_posting.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, D, found


def test_late_posting_is_found_on_exactly_that_expenditure(base):
    row = base.add(date=dt.date(2025, 5, 6), amount="88.88", payee="迟记账", posted_on=dt.date(2025, 6, 6))
    assert found(base.scan()) == [("LATE_POSTING", (row,))]


@pytest.mark.parametrize(("days", "fires"), [(29, False), (30, False), (31, True)])
def test_late_posting_boundaries(days, fires):
    book = Book()
    row = book.add(date=D, amount="10.00", posted_on=D + dt.timedelta(days=days))
    findings = book.scan(["LATE_POSTING"])
    assert found(findings) == ([("LATE_POSTING", (row,))] if fires else [])
    if fires:
        assert findings[0].evidence["days_late"] == 31
