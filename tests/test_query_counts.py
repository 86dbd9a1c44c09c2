"""Every list page and dashboard runs the same number of queries at 3 and at 30 rows of each kind.

One agency (``tests/overview/test_dashboards.py: world``) grown by ``grow`` (people with a spell,
a certificate, a training record, a supervision plan and a session this month; expenditures,
flags and bank lines) plus, here, service records, training events, submissions waiting for
approval and an imported ledger file, each ``n`` times. Every page is read once to warm the
per-process caches (content types, the session), the shared cache is emptied (the minute-old
panels are computed afresh), then counted. The counts are pinned exactly: a change that adds a
query per row fails at the second size, and one that adds a fixed query shows here to be
accepted on purpose. The home pages are pinned, cold and warm, in tests/overview/test_dashboards.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ImportBatch, Job
from finance.services import ledger_import
from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.overview.test_dashboards import (
    grow,
    world,  # noqa: F401  (a fixture)
)
from tests.training.factories import TrainingEventFactory, TrainingRecordFactory

#: (persona, page) → queries, the same at both sizes. Where a persona may not open a page the
#: permission matrix pins its status instead.
EXPECTED = {
    ("director", "/finance/"): 12,  # keyset pages: no COUNT(*) of the contracts
    ("finance", "/finance/"): 9,
    ("auditor", "/finance/"): 7,
    ("director", "/finance/ledger/"): 14,
    ("finance", "/finance/ledger/"): 11,
    ("auditor", "/finance/ledger/"): 9,
    ("finance", "/finance/ledger/?sort=-amount"): 11,
    ("finance", "/finance/ledger/?status=posted"): 11,
    ("director", "contract"): 19,
    ("finance", "contract"): 16,
    ("auditor", "contract"): 13,
    ("finance", "import"): 11,
    ("finance", "/finance/ledger/import/"): 10,
    ("director", "/finance/flags/"): 15,  # keyset pages: no COUNT(*) of the queue
    ("auditor", "/finance/flags/"): 9,
    ("director", "/finance/reconciliation/"): 12,  # keyset pages: no COUNT(*) of the periods
    ("finance", "/finance/reconciliation/"): 10,
    ("director", "/staff/"): 12,  # keyset pages: no COUNT(*) of the roster
    ("supervisor", "/staff/"): 7,
    ("director", "/staff/certificates/"): 12,
    ("director", "/staff/retention/"): 13,
    ("director", "/supervision/"): 14,
    ("supervisor", "/supervision/"): 9,
    ("staff", "/supervision/"): 9,
    ("director", "/supervision/plans/"): 15,
    ("director", "/supervision/compliance/"): 19,
    ("director", "/training/records/"): 12,
    ("supervisor", "/training/records/"): 8,
    ("director", "/training/events/"): 13,
    ("director", "/training/approvals/"): 12,  # keyset pages: no COUNT(*)
    ("director", "/training/compliance/"): 15,
    ("director", "/training/compliance/?sort=staff_no"): 17,
    ("director", "/training/compliance/?status=at_risk"): 15,
    ("director", "/training/summary/"): 13,
    ("staff", "/training/my/"): 13,
    (
        "director",
        "/delivery/activities/",
    ): 16,  # the filters' staff (and a bounded count of them), contract and target choices
    ("staff", "/delivery/activities/"): 9,  # the filters' contract and target choices
    ("director", "/delivery/workload/"): 15,
    ("director", "/members/"): 14,
    ("director", "/access-log/"): 12,
    ("director", "/confidential-reads/"): 12,
    ("director", "/reports/"): 12,
}


def _more(w, agency, staff_member, finance, n: int, start: int) -> None:
    """``n`` service records, training events and pending submissions, and an ``n``-row ledger file."""
    contract = w["contract"]
    today = timezone.localdate()
    target = TargetFactory(contract=contract, code=f"T-{start}")
    for i in range(n):
        ActivityFactory(target=target, staff=staff_member, date=contract.start + dt.timedelta(days=i % 50))
        TrainingEventFactory(agency=agency, start_date=today - dt.timedelta(days=i + 1))
        TrainingRecordFactory(
            staff=staff_member,
            status="pending",
            submitted_by=staff_member.user,
            date=today - dt.timedelta(days=i + 1),
        )
    header = (
        "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no,staff_no,posted_on"
    )
    rows = [f"{contract.start.isoformat()},{i + 1}.00,A1,Shop,Paper {i},,,Q-{start + i},," for i in range(n)]
    body = ("\r\n".join([header, *rows]) + "\r\n").encode()
    assert ledger_import(contract=contract, data=body, filename=f"q{start}.csv", user=finance).ok


def _url(page: str, w) -> str:
    if page == "contract":
        return f"/finance/contracts/{w['contract'].pk}/"
    if page == "import":
        batch = ImportBatch.objects.filter(kind="ledger").order_by("-id").first()
        return f"/finance/ledger/imports/{batch.pk}/"
    return page


def _counts(personas, w, login_client) -> dict:
    counts = {}
    clients = {}
    for persona, page in EXPECTED:
        client = clients.setdefault(persona, login_client(personas[persona]))
        url = _url(page, w)
        assert client.get(url).status_code == 200, (persona, url)  # warm the per-process caches
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (persona, url)
        counts[(persona, page)] = len(queries)
    return counts


@pytest.mark.parametrize("size", [3, 30])
def test_every_list_page_and_dashboard_costs_the_same_queries_at_3_and_30_rows(
    size,
    personas,
    world,  # noqa: F811
    agency,
    supervisor_member,
    staff_member,
    finance,
    login_client,
):
    grow(world, agency, supervisor_member, finance, size)
    _more(world, agency, staff_member, finance, size, 0)
    counts = _counts(personas, world, login_client)
    assert {key: n for key, n in counts.items() if n != EXPECTED[key]} == {}


#: The supervision pages, with the compliance page paged two supervisees at a time so that its
#: second page exists at both sizes: every page costs the same whatever the page and the size.
SUPERVISION_EXPECTED = {
    ("director", "/supervision/"): 14,
    ("director", "/supervision/?state=awaiting&sort=duration"): 14,
    ("supervisor", "/supervision/"): 9,
    ("staff", "/supervision/"): 9,
    # Three (plans, spells and the minutes summed a row per supervisee-month) give the whole
    # list's totals, on every page; filtered, the same three also choose the people with a
    # matching month before paging, so the filtered pages cost no more than the unfiltered.
    ("director", "/supervision/compliance/"): 19,
    ("director", "/supervision/compliance/ page 2"): 19,
    ("director", "/supervision/compliance/?status=short"): 19,
    ("director", "/supervision/compliance/?status=short page 2"): 19,
    ("director", "/supervision/compliance/?status=in_progress&supervisor=陈督导"): 19,
    ("director", "/supervision/compliance/?status=in_progress&supervisor=陈督导 page 2"): 19,
    ("supervisor", "/supervision/compliance/"): 13,
    ("supervisor", "/supervision/compliance/ page 2"): 13,
    ("supervisor", "/supervision/compliance/?status=short"): 13,
    ("supervisor", "/supervision/compliance/?status=short page 2"): 13,
}


@pytest.mark.parametrize("size", [3, 30])
def test_the_supervision_pages_cost_the_same_queries_at_3_and_30_rows(
    size,
    personas,
    world,  # noqa: F811
    agency,
    supervisor_member,
    finance,
    login_client,
    monkeypatch,
):
    from supervision import views as supervision_views

    monkeypatch.setattr(supervision_views, "COMPLIANCE_PER_PAGE", 2)
    grow(world, agency, supervisor_member, finance, size)
    counts, clients = {}, {}
    for persona, page in SUPERVISION_EXPECTED:
        client = clients.setdefault(persona, login_client(personas[persona]))
        url = page
        if page.endswith(" page 2"):
            first = client.get(page.removesuffix(" page 2"))
            assert first.context["page"].has_next, (persona, page)
            url = f"{first.request['PATH_INFO']}?{first.context['page'].next_query}"
        assert client.get(url).status_code == 200, (persona, url)  # warm the per-process caches
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (persona, url)
        assert response.context["page"].object_list, (persona, url)
        counts[(persona, page)] = len(queries)
    assert {key: n for key, n in counts.items() if n != SUPERVISION_EXPECTED[key]} == {}


#: My reports (``/reports/files/``) per persona, the same at both sizes: the makers' roles and
#: memberships are read in one go and a file is checked once per maker and parameters, so a
#: page of report jobs costs the same whatever the number of rows.
REPORT_FILES_EXPECTED = {
    "director": 23,  # four makers: their roles and memberships in two queries, each check once (and the auditor grant the file was made under, once)
    "finance": 10,
    "auditor": 9,  # and the grant the files were made under
    "staff": 5,
}


@pytest.mark.parametrize("size", [3, 30])
def test_my_reports_costs_the_same_queries_at_3_and_30_report_jobs(
    size, personas, agency, director, login_client
):
    from core.report_jobs import JOB_KIND
    from core.reports import get
    from finance.services import auditor_grant
    from tests.finance.factories import ContractFactory

    contract = ContractFactory(agency=agency, code="XF-Q")
    auditor_grant(contract=contract, auditor=personas["auditor"], granted_by=director)
    made = {
        "director": {"kind": "annual", "year": 2025},
        "finance": {"kind": "contract", "contract": "XF-Q"},
        "auditor": {"kind": "contract", "contract": "XF-Q"},
        "staff": {"kind": "annual", "year": 2024},
    }
    for i in range(size):  # interleaved: every maker is on the director's first page
        for persona, params in made.items():
            status = ("succeeded", "failed", "running")[i % 3]
            Job.objects.create(
                agency=agency,
                created_by=personas[persona],
                kind=JOB_KIND,
                status=status,
                # The access it was made under, recorded as the Reports page records it.
                params={
                    **params,
                    "format": "pdf",
                    **get(params["kind"]).made_under(personas[persona], params),
                },
                result={"path": f"agency_{agency.pk}/reports/{i}/f.pdf"} if status == "succeeded" else {},
            )
    counts = {}
    for persona in REPORT_FILES_EXPECTED:
        client = login_client(personas[persona])
        assert client.get("/reports/files/").status_code == 200  # warm the per-process caches
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/reports/files/")
        assert response.status_code == 200
        rows = response.context["page"].object_list
        assert len(rows) == min(50, 4 * size if persona == "director" else size)
        # A staff member may not run the annual report: their file is closed, every other is open.
        opened = {
            (row.job.created_by.username, bool(row.download_url))
            for row in rows
            if row.job.status == "succeeded"
        }
        makers = {row.job.created_by for row in rows}
        assert opened == {(user.username, user != personas["staff"]) for user in makers}
        counts[persona] = len(queries)
    assert counts == REPORT_FILES_EXPECTED
