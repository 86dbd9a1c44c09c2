"""Director, in Chinese: the home page, then a contract and a staff profile through the main menu."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.helpers import main_text, open_menu_item
from tests.finance.factories import BudgetLineFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_director_reads_the_home_page_in_chinese_and_drills_into_a_contract_and_a_staff_profile(
    page_for, director, agency, other_staff_member
):
    contract = ContractFactory(agency=agency, code="JX-XF-2025-01", title="留守儿童关爱服务项目")
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("90000.00"))

    page = page_for(director, language="zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("button", name="退出").is_visible()
    assert "信丰县阳光社会工作服务中心" in page.locator("header").inner_text()

    # 项目合同 (Contracts) → the contract, with its budget-vs-actual table.
    open_menu_item(page, "项目合同")
    assert page.get_by_role("heading", name="项目合同", level=1).is_visible()
    page.get_by_role("link", name="JX-XF-2025-01").click()
    page.wait_for_url(f"**/finance/contracts/{contract.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "JX-XF-2025-01 留守儿童关爱服务项目"
    assert page.get_by_role("heading", name="预算执行对比").is_visible()
    assert "服务活动" in main_text(page)

    # 员工 (Staff) → 王社工's profile.
    open_menu_item(page, "员工")
    page.get_by_role("row").filter(has_text="王社工").get_by_role("link", name="S300").click()
    page.wait_for_url(f"**/staff/{other_staff_member.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("王社工")
    assert page.get_by_role("heading", name="员工花名册").is_visible()
    assert "2023-05-01" in main_text(page)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
