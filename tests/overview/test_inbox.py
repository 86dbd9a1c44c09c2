"""The director's inbox: what waits for me, counted, each linking to where it is acted on, with a
count beside "Home" in the menu; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.models import ImportBatch
from finance.models import Flag
from finance.services import ledger_import, revision_propose
from overview.inbox import inbox_for
from tests.factories import QualificationFactory
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory
from tests.training.factories import TrainingRecordFactory
from training.models import RecordStatus


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def waiting(agency, director, finance, staff_member):
    """One revision proposed, two training records pending, one open flag assigned to the
    director, one registration ending in 30 days (one in 200 days does not count), one refused
    ledger import."""
    contract = ContractFactory(agency=agency, code="JX-IN-01")
    line = BudgetLineFactory(contract=contract, code="A1", amount=Decimal("1000.00"))
    revision_propose(
        contract=contract, reason="调整", deltas={"A1": Decimal("100.00")}, total_change=Decimal("100.00")
    )
    for _ in range(2):
        TrainingRecordFactory(staff=staff_member, status=RecordStatus.PENDING, submitted_by=finance)
    exp = ExpenditureFactory(budget_line=line, amount=Decimal("10.00"))
    flag = Flag.objects.create(
        agency=agency,
        rule="ROUND_AMOUNT",
        severity="info",
        subject=f"exp:{exp.pk}",
        contract=contract,
        message="m",
        fingerprint="f" * 64,
        assignee=director,
    )
    today = timezone.localdate()
    QualificationFactory(staff=staff_member, registration_expires=today + dt.timedelta(days=30))
    QualificationFactory(staff=staff_member, registration_expires=today + dt.timedelta(days=200))
    ledger_import(contract=contract, data=b"date,amount\r\nx,y\r\n", filename="bad.csv", user=finance)
    return {"contract": contract, "flag": flag}


def test_the_director_sees_each_waiting_item_counted_with_the_page_where_it_is_done(
    director, login_client, waiting
):
    items = {item.key: (item.count, item.url) for item in inbox_for(director)}
    batch = ImportBatch.objects.get(status=ImportBatch.Status.FAILED)
    assert items == {
        "revisions": (1, reverse("finance-contract-detail", args=[waiting["contract"].pk]) + "#revisions"),
        "training": (2, reverse("training-approvals")),
        "flags": (1, f"{reverse('finance-flag-list')}?assignee={director.pk}&status=open"),
        "certificates": (1, reverse("staff-expiring")),
        "imports": (1, reverse("finance-import-detail", args=[batch.pk])),
    }
    page = login_client(director).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待我处理" in page
    assert '待审批的预算调整</a> <span class="badge warning num">1</span>' in page
    assert '待审核的培训记录</a> <span class="badge warning num">2</span>' in page
    assert '指派给我的待处理预警</a> <span class="badge warning num">1</span>' in page
    assert '90 天内到期的证书登记</a> <span class="badge warning num">1</span>' in page
    assert '近 30 天被拒绝的导入</a> <span class="badge warning num">1</span>' in page
    # The menu's count beside "Home": 1 + 2 + 1 + 1 + 1.
    assert '首页 <span class="badge warning" title="待我处理">6</span>' in page


def test_the_finance_officer_sees_only_the_items_of_the_role(finance, login_client, waiting):
    assert [(item.key, item.count) for item in inbox_for(finance)] == [("flags", 0), ("imports", 1)]
    page = login_client(finance).get(reverse("finance-ledger"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'Home <span class="badge warning" title="Waiting for you">1</span>' in page


def test_nothing_waiting_says_so_and_the_menu_shows_no_count(director, login_client, agency):
    page = login_client(director).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing waits for you" in page
    assert 'title="Waiting for you"' not in page


def test_the_inbox_costs_five_queries_whatever_the_amount_waiting(
    director, waiting, staff_member, django_assert_num_queries
):
    for _ in range(20):
        TrainingRecordFactory(staff=staff_member, status=RecordStatus.PENDING)
    director.groups.all()  # roles are read once per request in pages; here warm them
    inbox_for(director)
    with django_assert_num_queries(5):
        items = inbox_for(director)
    assert sum(item.count for item in items) == 26
