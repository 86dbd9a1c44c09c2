"""Fixtures of the security and reliability suite: API tokens per persona, a small finance ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.services import api_token_issue
from finance.services import auditor_grant
from tests.finance.factories import (
    BudgetLineFactory,
    ContractFactory,
    DisbursementFactory,
    ExpenditureFactory,
)


@pytest.fixture
def token_for():
    """``token_for(user)`` → the ``Authorization`` header value of that user's API token."""

    def make(user) -> str:
        _token, key = api_token_issue(user=user)
        return f"Token {key}"

    return make


@pytest.fixture
def contract(agency):
    """JX-XF-2025-01: 300,000.00 in 2025; P1 personnel 150,000, A1 activities 90,000, X1 admin 60,000."""
    contract = ContractFactory(agency=agency, code="JX-XF-2025-01")
    for position, (code, name, category, amount) in enumerate(
        [
            ("P1", "人员经费", "personnel", "150000.00"),
            ("A1", "服务活动", "activities", "90000.00"),
            ("X1", "行政管理", "admin", "60000.00"),
        ]
    ):
        BudgetLineFactory(
            contract=contract,
            code=code,
            name=name,
            category=category,
            amount=Decimal(amount),
            position=position,
        )
    DisbursementFactory(contract=contract, amount=Decimal("150000.00"))
    return contract


@pytest.fixture
def granted(contract, auditor, director):
    return auditor_grant(contract=contract, auditor=auditor, granted_by=director)


@pytest.fixture
def expenditures(contract):
    """Three posted expenditures on A1 (100.00, 250.50, 1,200.00 = 1,550.50)."""
    line = contract.budget_lines.get(code="A1")
    return [
        ExpenditureFactory(budget_line=line, amount=Decimal(amount), date=dt.date(2025, 3, day))
        for day, amount in ((5, "100.00"), (6, "250.50"), (7, "1200.00"))
    ]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
