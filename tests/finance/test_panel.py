"""The finance home-page panel: contracts' spending against time, projections, recent imports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from finance.models import Contract
from finance.panels import contracts_panel
from finance.selectors import contracts_burn
from finance.services import ledger_import
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory

LEDGER = "date,amount,budget_line,payee,description,voucher_no\r\n2025-03-05,100.00,A1,店,纸,V-9\r\n".encode()


def running_contract(agency, code: str, spent: list[str] = (), total: str = "300000.00"):
    """A contract 100 days into a 400-day period (25 % elapsed) with these posted amounts."""
    start = timezone.localdate() - dt.timedelta(days=99)
    contract = ContractFactory(
        agency=agency, code=code, start=start, end=start + dt.timedelta(days=399), total=Decimal(total)
    )
    line = BudgetLineFactory(contract=contract, code="A1", amount=Decimal(total))
    for amount in spent:
        ExpenditureFactory(budget_line=line, amount=Decimal(amount), date=start)
    return contract


def _contracts(agency):
    return Contract.objects.filter(agency=agency)


def panel_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return contracts_panel(request)


def test_burn_shows_spent_and_elapsed_percentages_and_a_linear_projection(agency):
    contract = running_contract(agency, "C-1", ["20000.00", "12000.00", "-2000.00"])
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(), amount=Decimal("5000.00"), status="void", void_reason="typo"
    )
    (row,) = contracts_burn(_contracts(agency))
    assert row.actual == Decimal("30000.00")
    assert row.pct_spent == Decimal("10.00") and row.spent_bar == 10
    assert row.pct_elapsed == 25
    assert row.projected_at_end == Decimal("120000.00")
    assert (row.overspent, row.projected_over, row.ahead_of_time) == (False, False, False)


def test_a_contract_spending_faster_than_time_is_flagged_as_ahead_and_projected_over(agency):
    running_contract(agency, "C-2", ["90000.00"], total="300000.00")
    (row,) = contracts_burn(_contracts(agency))
    assert row.pct_spent == Decimal("30.00") and row.pct_elapsed == 25
    assert row.ahead_of_time and row.projected_over and not row.overspent
    assert row.projected_at_end == Decimal("360000.00")


def test_an_overspent_contract_fills_the_bar_and_says_so(agency):
    running_contract(agency, "C-3", ["1200.00"], total="1000.00")
    (row,) = contracts_burn(_contracts(agency))
    assert row.pct_spent == Decimal("120.00") and row.spent_bar == 100 and row.overspent


def test_closed_contracts_are_left_out_and_the_soonest_ending_come_first(agency):
    late = running_contract(agency, "C-LATE")
    soon = running_contract(agency, "C-SOON")
    soon.end = soon.end - dt.timedelta(days=100)
    soon.save()
    closed = running_contract(agency, "C-CLOSED")
    closed.status = "closed"
    closed.save()
    assert [row.contract for row in contracts_burn(_contracts(agency))] == [soon, late]


def test_the_finance_officer_sees_burn_bars_and_recent_imports_on_the_home_page(
    finance, login_client, agency, contract
):
    running_contract(agency, "C-1", ["30000.00"])
    ledger_import(contract=contract, data=LEDGER, filename="march.csv", user=finance)
    ledger_import(
        contract=contract, data=b"date,amount\r\n2025-02-30,1\r\n", filename="bad.csv", user=finance
    )
    response = login_client(finance).get(reverse("home"))
    html = response.content.decode()
    panel = next(p for p in response.context["panels"] if p["template"] == "finance/panel_contracts.html")
    assert [row.contract.code for row in panel["burn"]] == ["JX-XF-2025-01", "C-1"]
    assert [b.file_name for b in panel["imports"]] == ["bad.csv", "march.csv"]
    assert '<span class="w-10"></span>' in html and '<span class="w-25"></span>' in html
    assert "120,000.00" in html
    assert "1 row" in html and "4 problems" in html
    assert "style=" not in html.split("Contracts: spending against time")[1].split("</section>")[0]


def test_the_director_sees_the_panel_too(director, login_client, agency):
    running_contract(agency, "C-1")
    response = login_client(director).get(reverse("home"))
    assert any(p["template"] == "finance/panel_contracts.html" for p in response.context["panels"])


@pytest.mark.parametrize("persona", ["supervisor", "staff", "auditor"])
def test_other_roles_do_not_get_the_panel(persona, personas, login_client, agency, contract, granted):
    response = login_client(personas[persona]).get(reverse("home"))
    assert all(p["template"] != "finance/panel_contracts.html" for p in response.context["panels"])


def test_the_outsider_sees_only_their_own_agencys_contracts_and_imports(
    outsider, finance, outsider_agency, agency, contract
):
    running_contract(outsider_agency, "AY-1")
    running_contract(agency, "C-1")
    ledger_import(contract=contract, data=LEDGER, filename="march.csv", user=finance)
    panel = panel_for(outsider)
    assert [row.contract.code for row in panel["burn"]] == ["AY-1"]
    assert panel["imports"] == []


def test_no_contracts_and_no_imports_means_no_panel(finance):
    assert panel_for(finance) is None


@pytest.mark.parametrize("contracts", [1, 6])
def test_the_panel_costs_the_same_queries_whatever_the_number_of_contracts(
    contracts, finance, agency, django_assert_num_queries
):
    for n in range(contracts):
        running_contract(agency, f"C-{n}", ["100.00", "200.00"])
    ledger_import(contract=_contracts(agency).first(), data=LEDGER, filename="march.csv", user=finance)
    finance.has_perm("finance.view_contract")  # permissions are loaded once per request
    with django_assert_num_queries(4):
        panel = panel_for(finance)
    assert len(panel["burn"]) == contracts and len(panel["imports"]) == 1
