"""Finance fixtures: one contract of the agency with three lines, and one of the outsider agency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.services import auditor_grant
from tests.finance.factories import BudgetLineFactory, ContractFactory, DisbursementFactory


@pytest.fixture
def contract(agency):
    """JX-XF-2025-01: 300,000.00 in 2025; P1 personnel 150,000, A1 activities 90,000, X1 admin 60,000."""
    contract = ContractFactory(agency=agency, code="JX-XF-2025-01")
    BudgetLineFactory(
        contract=contract,
        code="P1",
        name="人员经费",
        category="personnel",
        amount=Decimal("150000.00"),
        position=0,
    )
    BudgetLineFactory(
        contract=contract,
        code="A1",
        name="服务活动",
        category="activities",
        amount=Decimal("90000.00"),
        position=1,
    )
    BudgetLineFactory(
        contract=contract,
        code="X1",
        name="行政管理",
        category="admin",
        amount=Decimal("60000.00"),
        position=2,
    )
    DisbursementFactory(contract=contract, amount=Decimal("150000.00"))
    return contract


@pytest.fixture
def other_contract(agency):
    """A second contract of the same agency, not granted to the auditor."""
    contract = ContractFactory(agency=agency, code="JX-XF-2025-02", total=Decimal("1000.00"))
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("1000.00"))
    return contract


@pytest.fixture
def outsider_contract(outsider_agency):
    contract = ContractFactory(agency=outsider_agency, code="AY-2025-01", total=Decimal("1000.00"))
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("1000.00"))
    return contract


@pytest.fixture
def line(contract):
    return contract.budget_lines.get(code="A1")


@pytest.fixture
def granted(contract, auditor, director):
    """The auditor holds a grant on ``contract`` (not on ``other_contract``)."""
    return auditor_grant(contract=contract, auditor=auditor, granted_by=director)
