"""BENFORD (finance/rules/benford.py): when it fires, its boundaries, and what it leaves alone."""

import random
from decimal import Decimal

import pytest

from finance.rules.benford import first_digits
from tests.finance.rules.ledger import Book, found, workdays


def skewed_book(count: int, small: int = 0) -> Book:
    """``count`` amounts of 10 or more all starting with 7, 8 or 9, otherwise clean."""
    rng = random.Random(3)
    book = Book()
    book.lines["A1"] = ("服务活动", "activities", Decimal("10000000.00"))
    days = workdays()
    for i in range(count):
        amount = Decimal(rng.randrange(7000, 9999)) / 100 + Decimal("0.01")
        book.add(date=days[i % len(days)], amount=amount, line="A1", payee=f"商户{i}")
    for i in range(small):
        book.add(date=days[i % len(days)], amount="1.23", line="A1", payee=f"小额{i}")
    return book


def test_benford_is_found_on_a_skewed_ledger_and_nothing_else():
    findings = skewed_book(600).scan()
    assert found(findings) == [("BENFORD", ())]
    assert findings[0].evidence["count"] == 600
    assert findings[0].evidence["mad"] > 0.015


@pytest.mark.parametrize(("count", "fires"), [(499, False), (500, True), (501, True)])
def test_benford_needs_the_minimum_count_of_amounts_of_ten_or_more(count, fires):
    book = skewed_book(count, small=50)
    assert found(book.scan(["BENFORD"])) == ([("BENFORD", ())] if fires else [])


def test_benford_first_digits_of_cents():
    import numpy as np

    assert first_digits(np.array([1000, 99999, 123456789, 500])).tolist() == [1, 9, 1, 5]
