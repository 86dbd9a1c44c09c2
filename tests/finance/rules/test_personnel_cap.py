"""PERSONNEL_CAP (finance/rules/personnel_cap.py): when it fires, its boundaries, and what it leaves alone."""

from decimal import Decimal

import pytest

from tests.finance.rules.ledger import D, found, small_book


@pytest.mark.parametrize(
    ("spent", "cap", "fires"), [("50.01", None, False), ("50.00", "50", False), ("50.01", "50", True)]
)
def test_personnel_cap_applies_only_when_set(spent, cap, fires):
    book = small_book(P1=("personnel", "60.00"), A1=("activities", "40.00"))
    book.add(date=D, amount=spent, line="P1", invoice_no="")
    findings = book.scan(personnel_cap_pct=None if cap is None else Decimal(cap))
    assert found(findings) == ([("PERSONNEL_CAP", ())] if fires else [])
