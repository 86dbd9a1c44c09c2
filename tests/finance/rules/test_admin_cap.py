"""ADMIN_CAP (finance/rules/admin_cap.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import D, found, small_book


@pytest.mark.parametrize(("spent", "fires"), [("9.99", False), ("10.00", False), ("10.01", True)])
def test_admin_cap_fires_strictly_above_the_cap(spent, fires):
    book = small_book(A1=("activities", "80.00"), AD=("admin", "20.00"))
    book.add(date=D, amount=spent, line="AD")
    findings = book.scan()
    assert found(findings) == ([("ADMIN_CAP", ())] if fires else [])
    if fires:
        assert findings[0].evidence == {
            "spent": "10.01",
            "cap": "10.00",
            "cap_pct": "10",
            "contract_total": "100.00",
        }


def test_admin_cap_counts_reversals():
    book = small_book(A1=("activities", "80.00"), AD=("admin", "20.00"))
    book.add(date=D, amount="15.00", line="AD")
    book.add(date=D + dt.timedelta(days=1), amount="-5.00", line="AD")
    assert book.scan(["ADMIN_CAP"]) == []
