"""seed_demo's finance part: the agency's three contracts (two current, last year's closed), one
of the outsider agency, exact counts at a fixed today (the demo's dates follow it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

import finance.flags.demo
from core.demo import DemoContext
from core.models import ImportBatch
from core.services import agency_create, member_create
from finance import demo
from finance.models import (
    AuditorGrant,
    BudgetLine,
    Contract,
    Disbursement,
    Expenditure,
    Flag,
    StaffAssignment,
)
from finance.rules import all_rules
from staff import demo as staff_demo

#: The real planting, kept before the ``ctx`` fixture replaces it.
PLANT = finance.flags.demo.plant_irregularities

pytestmark = pytest.mark.django_db

#: The day the pinned counts are for: the data window is 1 January to 30 November 2026.
TODAY = dt.date(2026, 12, 1)
Y = TODAY.year


def _context(today: dt.date) -> DemoContext:
    """The staff seeder has run; the flags work's planted irregularities are left out here."""
    agency = agency_create(name="信丰", slug="xf")
    outsider_agency = agency_create(name="安远", slug="ay")
    users = {
        name: member_create(agency=agency, username=name, password=None, roles=roles)
        for name, roles in [
            ("director", ["director"]),
            ("finance", ["finance"]),
            ("supervisor", ["supervisor", "staff"]),
            ("staff", ["staff"]),
            ("auditor", ["auditor"]),
        ]
    }
    users["outsider"] = member_create(
        agency=outsider_agency, username="outsider", password=None, roles=["director"]
    )
    context = DemoContext(
        agency=agency, outsider_agency=outsider_agency, users=users, today=today, log=lambda msg: None
    )
    staff_demo.seed(context)
    return context


@pytest.fixture
def ctx(monkeypatch):
    """The staff seeder has run; the flags work's planted irregularities are left out here."""
    context = _context(TODAY)
    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", lambda ctx: None)
    return context


@pytest.mark.parametrize(
    ("today", "months", "purchases", "tranches"),
    [
        # 1 January to 30 November: 11 pay days, 250 × 334/365 purchases, both tranches.
        (TODAY, 11, 229, 2),
        # 1 January to 31 May: 5 pay days, 250 × 151/365 purchases, the first tranche.
        (dt.date(2026, 6, 15), 5, 103, 1),
        # January: 1 to 9 January, no pay day yet (the 10th), 250 × 9/365 purchases, no tranche.
        (dt.date(2027, 1, 10), 0, 6, 0),
    ],
)
def test_the_demo_agency_gets_two_current_contracts_with_what_happened_so_far_and_last_years(
    monkeypatch, today, months, purchases, tranches
):
    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", lambda ctx: None)
    ctx = _context(today)
    demo.seed(ctx)
    y = today.year
    contracts = list(Contract.objects.filter(agency=ctx.agency).order_by("code"))
    assert [(c.code, c.status) for c in contracts] == [
        (f"JX-AY-{y}-01", "active"), (f"JX-XF-{y - 1}-01", "closed"), (f"JX-XF-{y}-01", "active"),
    ]  # fmt: skip
    assert [c.total for c in contracts] == [Decimal(n) for n in ("240000.00", "300000.00", "300000.00")]
    for contract in contracts:
        lines = BudgetLine.objects.filter(contract=contract)
        assert sum(line.amount for line in lines) == contract.total
        assert StaffAssignment.objects.filter(contract=contract).count() == 2
        assert Expenditure.objects.filter(contract=contract, amount__lt=0).count() == 1
        if contract.status == "closed":
            # A whole year: 12 salaries of two people, 250 purchases, one refund, both tranches.
            assert Expenditure.objects.filter(contract=contract).count() == 24 + 250 + 1
            assert Disbursement.objects.filter(contract=contract).count() == 2
            continue
        # Two people's salaries of the months paid so far, the purchases so far, one refund;
        # the first contract also has last month's 12 purchases from an imported file.
        imported = 12 if contract.code == f"JX-XF-{y}-01" else 0
        assert Expenditure.objects.filter(contract=contract).count() == 2 * months + purchases + 1 + imported
        assert Disbursement.objects.filter(contract=contract).count() == tranches
    rows = 2 * (2 * months + purchases + 1) + 12 + 275
    assert BudgetLine.objects.filter(agency=ctx.agency).count() == 6 + 6 + 6
    assert Expenditure.objects.filter(agency=ctx.agency).count() == rows
    assert Expenditure.history.filter(agency=ctx.agency).count() == rows
    window_end = ctx.window_end
    assert not Expenditure.objects.filter(agency=ctx.agency, date__gt=window_end).exists()
    assert not Expenditure.objects.filter(agency=ctx.agency, posted_on__gt=window_end).exists()


def test_the_demo_has_one_imported_and_one_refused_ledger_file(ctx):
    demo.seed(ctx)
    batches = list(ImportBatch.objects.filter(agency=ctx.agency, kind="ledger").order_by("id"))
    assert [(b.target, b.status, b.row_count, b.file_name) for b in batches] == [
        (f"JX-XF-{Y}-01", "imported", 12, f"JX-XF-{Y}-01-11月明细账.csv"),
        (f"JX-AY-{Y}-01", "failed", 2, f"JX-AY-{Y}-01-11月明细账.csv"),
    ]
    imported = Expenditure.objects.filter(import_batch=batches[0])
    assert imported.count() == 12
    # Last month's purchases, on its working days.
    dates = sorted(imported.values_list("date", flat=True))
    assert dates[0] == dt.date(Y, 11, 2) and dates[-1] == dt.date(Y, 11, 30)
    assert all(d.weekday() < 5 for d in dates)
    assert [(e["row"], e["column"]) for e in batches[1].errors] == [(2, "日期"), (3, "预算科目")]
    assert batches[0].created_by == ctx.users["finance"]


def test_the_demo_auditor_is_granted_exactly_the_first_contract(ctx):
    demo.seed(ctx)
    grants = list(AuditorGrant.objects.filter(agency=ctx.agency))
    assert len(grants) == 1
    assert grants[0].user == ctx.users["auditor"] and grants[0].contract.code == f"JX-XF-{Y}-01"
    assert list(Contract.objects.for_user(ctx.users["auditor"]).values_list("code", flat=True)) == [
        grants[0].contract.code
    ]


def test_the_outsider_agency_gets_one_contract_of_its_own(ctx):
    demo.seed(ctx)
    outsider = Contract.objects.get(agency=ctx.outsider_agency)
    assert outsider.code == f"AY-QH-{Y}-01"
    assert outsider.total == Decimal("120000.00")
    assert BudgetLine.objects.filter(contract=outsider).count() == 3
    # 11 salaries (to November) of one outsider staff member, 60 × 334/365 purchases, one refund.
    assert (outsider.status, outsider.start, outsider.end) == ("active", dt.date(Y, 1, 1), dt.date(Y, 12, 31))
    assert Expenditure.objects.filter(contract=outsider).count() == 11 + 55 + 1
    assert not Contract.objects.for_user(ctx.users["director"]).filter(pk=outsider.pk).exists()
    assert list(Contract.objects.for_user(ctx.users["outsider"])) == [outsider]


def test_the_demo_calls_the_flags_seeder_with_every_contract(ctx, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        finance.flags.demo,
        "plant_irregularities",
        lambda context: seen.update(
            contracts=len(context.shared["contracts"]), outsider=context.shared["outsider_contract"].code
        ),
    )
    demo.seed(ctx)
    assert seen == {"contracts": 2, "outsider": f"AY-QH-{Y}-01"}


def test_every_rule_fires_on_the_planted_demo_and_each_example_on_its_own_rows(ctx, monkeypatch):
    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", PLANT)
    demo.seed(ctx)
    flags = list(Flag.objects.filter(agency=ctx.agency, active=True))
    # At 1 December: the per-row examples on the current contracts, the whole-year ones (caps,
    # overspending, the surge, the late posting) on last year's closed contract.
    assert Counter(flag.rule for flag in flags) == {
        "LINE_OVERSPEND": 5, "CONTRACT_OVERSPEND": 1, "TRANSFER_LIMIT": 2, "OUTSIDE_PERIOD": 1,
        "DUPLICATE_INVOICE": 1, "GHOST_PERSONNEL": 1, "ADMIN_CAP": 1, "PERSONNEL_CAP": 1,
        "DUPLICATE_PAYMENT": 1, "SPLIT_PURCHASE": 3, "CASH_LIMIT": 1, "MISSING_RECEIPT": 1,
        "INELIGIBLE_ITEM": 1, "UNASSIGNED_PERSONNEL": 2, "PAYEE_IS_STAFF": 1, "SPENDING_SURGE": 1,
        "ROUND_AMOUNT": 1, "WEEKEND_HOLIDAY": 1, "LATE_POSTING": 1, "BENFORD": 1,
    }  # fmt: skip
    closed = f"JX-XF-{Y - 1}-01"
    # (and a split purchase its ordinary ledger happens to hold; no cash above the limit but the
    # planted one: the ordinary ledger keeps to it).
    assert {f.rule for f in flags if f.contract.code == closed} == {
        "LINE_OVERSPEND", "CONTRACT_OVERSPEND", "TRANSFER_LIMIT", "SPENDING_SURGE", "PERSONNEL_CAP", "LATE_POSTING",
        "SPLIT_PURCHASE",
    }  # fmt: skip
    # The holiday example is the National Day (1 October), dismissed with a note that names it.
    weekend = Flag.objects.get(agency=ctx.agency, rule="WEEKEND_HOLIDAY")
    assert weekend.status == "dismissed" and "国庆" in weekend.note
    assert [e.date for e in weekend.expenditures.all()] == [dt.date(Y, 10, 1)]
    assert len(flags) == 28

    # The planted rows are numbered F-0001... in planting order; each rule fires on its example.
    world = finance.flags.demo.demo_world(ctx, ctx.shared["contracts"], ctx.shared["closed_contract"])
    planted, n = {}, 0
    for code, example in finance.flags.demo.demo_examples(world):
        vouchers = set()
        for _row in example.rows:
            n += 1
            vouchers.add(f"F-{n:04d}")
        places = {row.contract for row in example.rows} | set(example.policy)
        planted[code] = (vouchers, places)
    assert n == Expenditure.objects.filter(agency=ctx.agency, voucher_no__startswith="F-").count() == 538
    for rule in all_rules():
        vouchers, places = planted[rule.example_from or rule.code]
        fired = [flag for flag in flags if flag.rule == rule.code]
        assert any(
            set(flag.vouchers) & vouchers if flag.vouchers else flag.contract.code in places for flag in fired
        ), rule.code
