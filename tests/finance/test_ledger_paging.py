"""The ledger page and other large lists: keyset pages, no COUNT(*), totals from the running totals."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from core.paging import paginate_keyset
from finance.models import Expenditure
from tests.finance.factories import ExpenditureFactory


def _ledger(line, n):
    return [
        ExpenditureFactory(
            budget_line=line, date=dt.date(2025, 1, 1) + dt.timedelta(days=i % 7), amount=Decimal(i + 1)
        )
        for i in range(n)
    ]


def _walk(qs, per_page, *, backwards_from_end=False):
    """Every page forward by the next links, returning the ids in order and the pages' sizes."""
    factory = RequestFactory()
    ids, sizes, query, pages = [], [], "", []
    while True:
        page = paginate_keyset(factory.get(f"/x/?{query}"), qs, per_page=per_page)
        pages.append(page)
        ids += [row.pk for row in page.object_list]
        sizes.append(len(page.object_list))
        if not page.has_next:
            return ids, sizes, pages
        query = page.next_query


def test_keyset_pages_walk_every_row_once_in_order_both_ways(contract):
    line = contract.budget_lines.get(code="A1")
    _ledger(line, 23)
    for order in [("-date", "-id"), ("date", "id"), ("-amount", "id"), ("payee", "id")]:
        qs = Expenditure.objects.order_by(*order)
        expected = list(qs.values_list("pk", flat=True))
        ids, sizes, pages = _walk(qs, 5)
        assert ids == expected, order
        assert sizes == [5, 5, 5, 5, 3]
        assert [p.has_previous for p in pages] == [False, True, True, True, True]
        # Back from the last page by the previous links.
        back, page = [], pages[-1]
        while page.has_previous:
            page = paginate_keyset(RequestFactory().get(f"/x/?{page.previous_query}"), qs, per_page=5)
            back = [row.pk for row in page.object_list] + back
        assert back == expected[:20]


def test_a_keyset_page_is_one_query_without_count_or_offset(contract):
    _ledger(contract.budget_lines.get(code="A1"), 12)
    qs = Expenditure.objects.order_by("-date", "-id")
    first = paginate_keyset(RequestFactory().get("/x/"), qs, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        page = paginate_keyset(RequestFactory().get(f"/x/?{first.next_query}"), qs, per_page=5)
    assert len(page.object_list) == 5
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "COUNT(" not in sql and "OFFSET" not in sql and "LIMIT 6" in sql


def test_a_bad_cursor_shows_the_first_page_and_an_unseekable_order_pages_without_a_count(contract):
    _ledger(contract.budget_lines.get(code="A1"), 7)
    qs = Expenditure.objects.order_by("-date", "-id")
    for bad in ("after=%%%", "after=WzEsMl0", "before=bm9wZQ", "after=W3RydWVd"):
        page = paginate_keyset(RequestFactory().get(f"/x/?{bad}"), qs, per_page=5)
        assert [r.pk for r in page.object_list] == list(qs.values_list("pk", flat=True)[:5])
        assert page.has_next and not page.has_previous
    # Ordered through a relation: numbered pages, read as per_page + 1 rows, still no count.
    by_line = Expenditure.objects.order_by("budget_line__code", "id")
    with CaptureQueriesContext(connection) as queries:
        page = paginate_keyset(RequestFactory().get("/x/?page=2"), by_line, per_page=5)
    assert (page.keyset, page.number, len(page.object_list), page.has_next, page.has_previous) == (
        False,
        2,
        2,
        False,
        True,
    )
    assert len(queries) == 1 and "COUNT(" not in queries[0]["sql"].upper()


def test_the_ledger_page_draws_without_counting_the_ledger_and_totals_come_from_the_contracts(
    contract, other_contract, finance, client
):
    line = contract.budget_lines.get(code="A1")
    rows = _ledger(line, 60)
    ExpenditureFactory(budget_line=other_contract.budget_lines.get(), amount=Decimal("-5.00"))
    rows[0].status, rows[0].void_reason = "void", "录入错误"
    rows[0].save()
    client.force_login(finance)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/finance/ledger/").content.decode()
    ledger_sql = [q["sql"] for q in queries if "finance_expenditure" in q["sql"]]
    assert not any("COUNT(" in sql.upper() for sql in ledger_sql), ledger_sql
    # 61 rows (1 void), posted Σ 1..60 − 1 − 5, from the contracts' running totals.
    assert re.search(r"<dd>61 \(1", html)
    assert "1,824.00" in html and "-5.00" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html and "Page 1 of" not in html
    next_link = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    second = client.get(f"/finance/ledger/?{next_link}").content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A filter other than the contract: the rows are summed.
    filtered = client.get(f"/finance/ledger/?contract={contract.pk}&status=posted").content.decode()
    assert re.search(r"<dd>59</dd>", filtered)
    only = client.get(f"/finance/ledger/?contract={other_contract.pk}").content.decode()
    assert re.search(r"<dd>1</dd>", only) and "-5.00" in only


def test_the_ledger_page_by_amount_breaks_ties_by_id_in_the_same_direction(finance, login_client, contract):
    from tests.pagewalk import walk_all

    line = contract.budget_lines.get(code="A1")
    rows = [ExpenditureFactory(budget_line=line, amount=Decimal(1 + i % 4)) for i in range(120)]
    client = login_client(finance)
    smallest = [r.pk for r in sorted(rows, key=lambda r: (r.amount, r.pk))]
    assert walk_all(client, "/finance/ledger/", "sort=amount") == smallest
    assert walk_all(client, "/finance/ledger/", "sort=-amount") == smallest[::-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_on_postgresql_the_ledger_by_amount_is_read_from_its_index(contract):
    _ledger(contract.budget_lines.get(code="A1"), 12)
    for order in (("amount", "id"), ("-amount", "-id")):
        qs = Expenditure.objects.filter(agency=contract.agency).order_by(*order)[:51]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = qs.explain()
        assert "finance_exp_agency_amount_id" in plan and "Sort Key" not in plan, order
