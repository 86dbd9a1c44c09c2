"""Auditor: sees only the contract they were granted; the other contract does not exist for them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.services import auditor_grant
from tests.e2e.helpers import open_menu_item
from tests.finance.factories import BudgetLineFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_auditor_sees_only_the_granted_contract(page_for, auditor, director, agency):
    granted = ContractFactory(agency=agency, code="JX-XF-2025-01", title="留守儿童关爱服务项目")
    BudgetLineFactory(contract=granted, code="A1", name="服务活动", amount=Decimal("90000.00"))
    other = ContractFactory(agency=agency, code="JX-XF-2025-02", title="社区养老服务项目")
    BudgetLineFactory(contract=other, code="A1", name="服务活动", amount=Decimal("1000.00"))
    auditor_grant(contract=granted, auditor=auditor, granted_by=director)
    page = page_for(auditor)

    open_menu_item(page, "Contracts")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "JX-XF-2025-01" in rows.inner_text()
    assert "JX-XF-2025-02" not in page.locator("main").inner_text()

    page.get_by_role("link", name="JX-XF-2025-01").click()
    page.wait_for_url(f"**/finance/contracts/{granted.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "JX-XF-2025-01 留守儿童关爱服务项目"
    assert page.get_by_role("link", name="New expenditure").count() == 0

    response = page.goto(f"{page.base}/finance/contracts/{other.pk}/")
    assert response.status == 404
    assert "社区养老服务项目" not in page.content()
