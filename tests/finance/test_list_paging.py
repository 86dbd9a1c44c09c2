"""The flag queue, contract list, reconciliation lists and the filtered ledger page by cursor.

Each page is walked by its own links (page 1 → next → previous: the same rows back), its filters
and sort ride along in the cursor links, and drawing it counts no table: no ``COUNT(*)`` for a
page count, and the filtered ledger adds up at most ``LEDGER_TOTALS_LIMIT`` rows by itself.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance.models import Contract, Flag, ReconciliationPeriod, StatementLine
from finance.reconciliation import services as reconciliation_services
from finance.rules import RULE_ORDER
from tests.finance.factories import ContractFactory, ExpenditureFactory
from tests.pagewalk import walk, walk_all

RULES = RULE_ORDER[:3]
SEVERITIES = ["critical", "warning", "info"]
STATUSES = ["open", "open", "explained", "dismissed", "confirmed"]


def _flags(contract, n: int = 160) -> list[Flag]:
    """``n`` flags with ties in every sort column (so pages break inside runs of equal values);
    every 16th no longer fires."""
    base = timezone.now().replace(microsecond=0)
    flags = Flag.objects.bulk_create(
        Flag(
            agency=contract.agency,
            contract=contract,
            rule=RULES[i % 3],
            severity=SEVERITIES[(i // 3) % 3],
            subject=f"s{i}",
            message=f"Finding {i}",
            fingerprint=f"f{i}",
            sort_key=(dt.date(2025, 1, 1) + dt.timedelta(days=i % 17)).isoformat(),
            status=STATUSES[i % 5],
            active=i % 16 != 15,
            contract_codes=[contract.code],
        )
        for i in range(n)
    )
    for i, flag in enumerate(flags):
        flag.first_seen = base - dt.timedelta(minutes=i % 23)
    Flag.objects.bulk_update(flags, ["first_seen"])
    return list(Flag.objects.filter(pk__in=[f.pk for f in flags]))


#: The queue's orders as the page has always shown them, written out independently of the view.
ORDERS = {
    "severity": lambda f: (f.severity, f.rule, f.sort_key, f.pk),
    "date": lambda f: (f.sort_key, f.pk),
    "status": lambda f: (f.status, f.severity, f.pk),
}


def test_every_flag_queue_order_pages_exactly_as_before(contract, director, login_client):
    flags = [f for f in _flags(contract) if f.active]
    client = login_client(director)
    for sort, key in ORDERS.items():
        assert walk_all(client, "/finance/flags/", f"sort={sort}") == [f.pk for f in sorted(flags, key=key)]
    newest = sorted(flags, key=lambda f: (f.first_seen, f.pk), reverse=True)
    assert walk_all(client, "/finance/flags/", "sort=-first_seen") == [f.pk for f in newest]
    # No sort, or one it does not know: most serious first.
    by_severity = [f.pk for f in sorted(flags, key=ORDERS["severity"])]
    assert walk_all(client, "/finance/flags/") == by_severity
    assert walk_all(client, "/finance/flags/", "sort=nonsense") == by_severity


def test_the_flag_queue_walks_forward_and_back_with_its_filters_and_counts_nothing(
    contract, director, login_client
):
    flags = _flags(contract)
    client = login_client(director)
    expected = [
        f.pk for f in sorted((f for f in flags if f.active and f.status == "open"), key=ORDERS["date"])
    ]
    assert len(expected) == 60
    w = walk(client, "/finance/flags/", "status=open&sort=date")
    assert (w.first, w.second, w.back) == (expected[:50], expected[50:], expected[:50])
    params = parse_qs(w.next_query)
    assert params["status"] == ["open"] and params["sort"] == ["date"] and "after" in params
    assert 'rel="next"' not in w.second_html and "Page 1 of" not in w.second_html
    assert w.counting("finance_flag") == []
    # The ticked-flags form and its "no longer fires" choice survive the cursor too.
    everything = walk(client, "/finance/flags/", "include_resolved=true&sort=status")
    with_resolved = [f.pk for f in sorted(flags, key=ORDERS["status"])]
    assert everything.first + everything.second == with_resolved[:100]
    assert everything.back == with_resolved[:50]
    assert parse_qs(everything.next_query)["include_resolved"] == ["true"]
    assert everything.counting("finance_flag") == []


def _contracts(agency, n: int = 60) -> list[Contract]:
    return [
        ContractFactory(
            agency=agency,
            code=f"K{n - i:03d}",
            start=dt.date(2020, 1, 1) + dt.timedelta(days=i % 7),
            end=dt.date(2026, 1, 1) + dt.timedelta(days=i % 5),
            total=Decimal("1000.00") * (i % 4 + 1),
            status="closed" if i % 10 == 9 else "active",
        )
        for i in range(n)
    ]


def test_the_contract_list_walks_by_cursor_in_every_order_and_counts_nothing(agency, director, login_client):
    contracts = _contracts(agency, 66)
    client = login_client(director)
    active = [c for c in contracts if c.status == "active"]
    orders = {
        "start": sorted(active, key=lambda c: (-c.start.toordinal(), c.code, c.pk)),
        "code": sorted(active, key=lambda c: (c.code, c.pk)),
        "end": sorted(active, key=lambda c: (c.end, c.code, c.pk)),
        "total": sorted(active, key=lambda c: (-c.total, c.code, c.pk)),
    }
    for sort, rows in orders.items():
        expected = [c.pk for c in rows]
        assert len(expected) > 50
        w = walk(client, "/finance/", f"status=active&sort={sort}")
        assert (w.first, w.second, w.back) == (expected[:50], expected[50:], expected[:50]), sort
        assert parse_qs(w.next_query)["sort"] == [sort] and parse_qs(w.next_query)["status"] == ["active"]
        assert w.counting("finance_contract") == [], sort
    # The search survives the cursor: K0xx are the 66 codes, K06x only seven of them.
    w = walk(client, "/finance/", "q=K0&sort=code")
    assert parse_qs(w.next_query)["q"] == ["K0"]


def _periods(contract, n: int = 64) -> list[ReconciliationPeriod]:
    """``n`` monthly-ish periods of ``contract`` with no lines, plus March 2025 with three."""
    ReconciliationPeriod.objects.bulk_create(
        ReconciliationPeriod(
            agency=contract.agency,
            contract=contract,
            start=dt.date(2020, 1, 1) + dt.timedelta(days=(i // 2) * 10),
            end=dt.date(2020, 1, 10) + dt.timedelta(days=(i // 2) * 10 + i % 2),
            status="closed" if i % 7 == 6 else "open",
        )
        for i in range(n)
    )
    body = "交易日期,金额,对方户名,摘要\n2025-03-03,-10.00,甲,x\n2025-03-04,-20.00,乙,y\n2025-03-05,-30.00,丙,z\n"
    result = reconciliation_services.statement_import(
        contract=contract,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        data=body.encode(),
        filename="bank.csv",
        user=None,
    )
    assert result.ok
    StatementLine.objects.filter(period__start=dt.date(2025, 3, 1), amount=Decimal("-30.00")).update(
        explanation="手续费"
    )
    return list(ReconciliationPeriod.objects.filter(contract=contract))


def test_the_reconciliation_periods_walk_by_cursor_with_their_filters_and_per_row_counts(
    contract, finance, login_client
):
    periods = _periods(contract)
    client = login_client(finance)
    newest = [p.pk for p in sorted(periods, key=lambda p: (p.start, p.pk), reverse=True)]
    w = walk(client, "/finance/reconciliation/")
    assert (w.first, w.second, w.back) == (newest[:50], newest[50:], newest[:50])
    # No COUNT(*) of the periods; the per-row counts are subqueries of the page's own rows.
    assert not [sql for sql in w.queries if 'AS "__count"' in sql]
    page_sql = [
        sql for sql in w.queries if 'FROM "finance_reconciliationperiod"' in sql and "LIMIT 51" in sql
    ]
    assert len(page_sql) == 3 and all("GROUP BY" not in sql.split(" FROM ")[-1] for sql in page_sql)
    march = client.get("/finance/reconciliation/").context["page"].object_list[0]
    assert (march.start, march.line_count, march.matched_count, march.explained_count) == (
        dt.date(2025, 3, 1),
        3,
        0,
        1,
    )
    assert {p.line_count for p in client.get(f"/finance/reconciliation/?{w.next_query}").context["page"]} == {
        0
    }
    # Filters and sorts ride along: open periods by end date.
    open_by_end = [
        p.pk for p in sorted((p for p in periods if p.status == "open"), key=lambda p: (p.end, p.pk))
    ]
    w = walk(client, "/finance/reconciliation/", "status=open&ordering=end")
    assert (w.first, w.back) == (open_by_end[:50], open_by_end[:50])
    assert w.second == open_by_end[50:]
    assert parse_qs(w.next_query)["ordering"] == ["end"]
    # Sorted through the contract (a relation): numbered pages of 51 rows read, still no count.
    w = walk(client, "/finance/reconciliation/", "ordering=contract")
    assert "page=2" in w.next_query and len(w.first) == 50 and len(w.second) == len(periods) - 50
    assert sorted(w.first + w.second) == sorted(p.pk for p in periods) and w.back == w.first
    assert not [sql for sql in w.queries if 'AS "__count"' in sql]


def test_a_periods_bank_lines_walk_by_cursor_with_the_state_filter(contract, finance, login_client):
    rows = "".join(f"2025-03-{1 + i % 28:02d},-{i + 1}.00,单位{i},往来\n" for i in range(70))
    result = reconciliation_services.statement_import(
        contract=contract,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        data=("交易日期,金额,对方户名,摘要\n" + rows).encode(),
        filename="bank.csv",
        user=finance,
    )
    assert result.ok
    period = ReconciliationPeriod.objects.get(contract=contract)
    StatementLine.objects.filter(period=period, amount__in=[Decimal("-1.00"), Decimal("-2.00")]).update(
        explanation="手续费"
    )
    client = login_client(finance)
    unmatched = list(
        StatementLine.objects.filter(period=period, explanation="")
        .order_by("date", "id")
        .values_list("pk", flat=True)
    )
    assert len(unmatched) == 68
    w = walk(client, f"/finance/reconciliation/periods/{period.pk}/", "state=unmatched")
    assert (w.first, w.second, w.back) == (unmatched[:50], unmatched[50:], unmatched[:50])
    assert parse_qs(w.next_query)["state"] == ["unmatched"]
    # The only counts are the period's summary (bounded by the one period): none pages the lines.
    line_counts = w.counting("finance_statementline")
    assert len(line_counts) == 3 and all(
        'AS "lines"' in sql and '"period_id" = ' in sql for sql in line_counts
    )
    assert not [sql for sql in w.queries if 'AS "__count" FROM "finance_statementline"' in sql]


def _ledger(contract, n: int = 64) -> list:
    line = contract.budget_lines.get(code="A1")
    return [
        ExpenditureFactory(
            budget_line=line,
            date=dt.date(2025, 2, 1) + dt.timedelta(days=i % 9),
            amount=Decimal(i + 1),
            payee="赣州文具店" if i % 8 else "赣州印刷厂",
        )
        for i in range(n)
    ]


def test_the_filtered_ledger_walks_by_cursor_and_adds_up_a_bounded_number_of_rows(
    contract, finance, login_client, monkeypatch
):
    rows = _ledger(contract)
    client = login_client(finance)
    stationer = sorted(
        (e for e in rows if e.payee == "赣州文具店"), key=lambda e: (e.date, e.pk), reverse=True
    )
    expected = [e.pk for e in stationer]
    assert len(expected) == 56
    w = walk(client, "/finance/ledger/", "payee=文具&status=posted")
    assert (w.first, w.second, w.back) == (expected[:50], expected[50:], expected[:50])
    assert parse_qs(w.next_query)["payee"] == ["文具"] and parse_qs(w.next_query)["status"] == ["posted"]
    # Within the bound the totals are exact: 56 rows, Σ of their amounts, read through a LIMIT.
    totals = [sql for sql in w.queries if "COUNT(" in sql.upper() and '"finance_expenditure"' in sql]
    assert len(totals) == 3 and all("LIMIT 10001" in sql for sql in totals), totals
    total = sum(e.amount for e in stationer)
    assert re.search(r"<dd>56</dd>", w.second_html) and f"{total:,.2f}" in w.second_html
    # Beyond the bound the page says so and sums nothing; the full sums come on request.
    monkeypatch.setattr("finance.views.LEDGER_TOTALS_LIMIT", 10)
    with CaptureQueriesContext(connection) as queries:
        capped = client.get("/finance/ledger/?payee=文具&status=posted&sort=amount").content.decode()
    counting = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"finance_expenditure"' in q["sql"]
    ]
    assert len(counting) == 1 and "LIMIT 11" in counting[0]
    assert "More than 10" in capped and f"{total:,.2f}" not in capped
    full_link = re.search(r'href="\?([^"]*totals=all)"', capped).group(1).replace("&amp;", "&")
    assert parse_qs(full_link)["payee"] == ["文具"] and parse_qs(full_link)["sort"] == ["amount"]
    full = client.get(f"/finance/ledger/?{full_link}").content.decode()
    assert re.search(r"<dd>56</dd>", full) and f"{total:,.2f}" in full and "More than" not in full
    # The download keeps the filter and leaves the totals switch out.
    assert "sort=amount&amp;format=csv" in full and "totals=all&amp;format" not in full


@pytest.mark.parametrize("lang", ["zh-hans"])
def test_the_capped_ledger_totals_read_in_chinese(contract, finance, login_client, monkeypatch, lang):
    _ledger(contract, 12)
    monkeypatch.setattr("finance.views.LEDGER_TOTALS_LIMIT", 10)
    html = login_client(finance).get("/finance/ledger/?status=posted", HTTP_ACCEPT_LANGUAGE=lang)
    text = html.content.decode()
    assert "超过 10 行" in text and "统计并合计全部行" in text
