"""The ledger's payee search (page and API): a case-insensitive "contains", the same rows on SQLite
and PostgreSQL, and on PostgreSQL served by the trigram index of migration finance/0008."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from finance.models import Expenditure
from tests.finance.factories import ExpenditureFactory

PAYEES = [
    "南昌文具店000123",
    "赣州文具店000456",
    "九江印刷厂000123",
    "Acme Supplies Ltd",
    "ACME SUPPLIES (Jiangxi)",
    "Northwind acme trading",
    "Globex Printing",
    "景德镇书店",
]

#: Each search and the payees it must find, written out independently of the database.
SEARCHES = {
    "文具店": {"南昌文具店000123", "赣州文具店000456"},
    "000123": {"南昌文具店000123", "九江印刷厂000123"},
    "南昌文具店000123": {"南昌文具店000123"},
    "景德镇": {"景德镇书店"},
    "书店": {"景德镇书店"},  # two characters: no trigram to seek, still found
    "acme": {"Acme Supplies Ltd", "ACME SUPPLIES (Jiangxi)", "Northwind acme trading"},
    "ACME supplies": {"Acme Supplies Ltd", "ACME SUPPLIES (Jiangxi)"},
    "printing": {"Globex Printing"},
    "ing": {"Globex Printing", "Northwind acme trading"},
    "供应商": set(),
    "50%": set(),  # LIKE's wildcards are searched as characters
    "_": set(),
}


@pytest.fixture
def ledger(contract):
    line = contract.budget_lines.get(code="A1")
    return [
        ExpenditureFactory(budget_line=line, payee=payee, amount=Decimal(n + 1))
        for n, payee in enumerate(PAYEES)
    ]


def _payees(rows) -> set[str]:
    return {row["payee"] if isinstance(row, dict) else row.payee for row in rows}


@pytest.mark.parametrize("term", list(SEARCHES))
def test_the_ledger_page_finds_payees_containing_the_search_in_any_case(term, finance, login_client, ledger):
    response = login_client(finance).get("/finance/ledger/", {"payee": term})
    assert response.status_code == 200
    assert _payees(response.context["page"].object_list) == SEARCHES[term]


@pytest.mark.parametrize("term", list(SEARCHES))
def test_the_ledger_api_finds_the_same_payees(term, finance, login_api, ledger):
    response = login_api(finance).get("/api/v1/finance/expenditures/", {"payee": term})
    assert response.status_code == 200
    assert _payees(response.json()["results"]) == SEARCHES[term]


def test_the_payee_search_keeps_to_the_filter_it_is_combined_with(finance, login_client, ledger):
    response = login_client(finance).get("/finance/ledger/", {"payee": "acme", "sort": "-amount"})
    assert [row.payee for row in response.context["page"].object_list] == [
        "Northwind acme trading",
        "ACME SUPPLIES (Jiangxi)",
        "Acme Supplies Ltd",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_on_postgresql_a_trigram_index_serves_the_payee_search(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'finance_expenditure' AND indexname = %s",
            ["finance_exp_payee_upper_trgm"],
        )
        (definition,) = cursor.fetchone()
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    assert definition.endswith("USING gin (upper((payee)::text) gin_trgm_ops)")
    # The index's expression is the one Django's icontains writes, so the planner may use it.
    sql, _params = Expenditure.objects.filter(payee__icontains="x").query.sql_with_params()
    assert 'UPPER("finance_expenditure"."payee"::text) LIKE UPPER(' in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_on_postgresql_the_planner_can_answer_the_search_from_the_index(ledger):
    qs = Expenditure.objects.filter(payee__icontains="文具店000").order_by("id")
    with connection.cursor() as cursor:
        # Eight rows are cheaper read whole; forbid that, and the walk of another index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert "Bitmap Index Scan on finance_exp_payee_upper_trgm" in plan
    assert _payees(qs) == {"南昌文具店000123", "赣州文具店000456"}
