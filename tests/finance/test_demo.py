"""seed_demo's finance part: three contracts of the agency, one of the outsider agency, exact counts."""

from __future__ import annotations

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


@pytest.fixture
def ctx(monkeypatch):
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
    context = DemoContext(agency=agency, outsider_agency=outsider_agency, users=users, log=lambda msg: None)
    staff_demo.seed(context)
    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", lambda ctx: None)
    return context


def test_the_demo_agency_gets_three_contracts_with_budgets_money_staff_and_ledgers(ctx):
    demo.seed(ctx)
    year = ctx.today.year - 1
    contracts = list(Contract.objects.filter(agency=ctx.agency).order_by("code"))
    assert [c.code for c in contracts] == [f"JX-AY-{year}-01", f"JX-XF-{year}-01", f"JX-XF-{year}-02"]
    assert [c.total for c in contracts] == [Decimal("240000.00"), Decimal("300000.00"), Decimal("180000.00")]
    for contract in contracts:
        lines = BudgetLine.objects.filter(contract=contract)
        assert sum(line.amount for line in lines) == contract.total
        assert Disbursement.objects.filter(contract=contract).count() == 2
        assert StaffAssignment.objects.filter(contract=contract).count() == 2
        # 12 monthly salaries for each of the two assigned people, 250 purchases, one refund;
        # the first contract also has December's 12 purchases from an imported file.
        imported = 12 if contract.code == f"JX-XF-{year}-01" else 0
        assert Expenditure.objects.filter(contract=contract).count() == 24 + 250 + 1 + imported
        assert Expenditure.objects.filter(contract=contract, amount__lt=0).count() == 1
    assert BudgetLine.objects.filter(agency=ctx.agency).count() == 6 + 6 + 4
    assert Expenditure.objects.filter(agency=ctx.agency).count() == 3 * 275 + 12
    assert Expenditure.history.filter(agency=ctx.agency).count() == 3 * 275 + 12


def test_the_demo_has_one_imported_and_one_refused_ledger_file(ctx):
    demo.seed(ctx)
    year = ctx.today.year - 1
    batches = list(ImportBatch.objects.filter(agency=ctx.agency, kind="ledger").order_by("id"))
    assert [(b.target, b.status, b.row_count) for b in batches] == [
        (f"JX-XF-{year}-01", "imported", 12),
        (f"JX-XF-{year}-02", "failed", 2),
    ]
    assert Expenditure.objects.filter(import_batch=batches[0]).count() == 12
    assert [(e["row"], e["column"]) for e in batches[1].errors] == [(2, "日期"), (3, "预算科目")]
    assert batches[0].created_by == ctx.users["finance"]


def test_the_demo_auditor_is_granted_exactly_the_first_contract(ctx):
    demo.seed(ctx)
    grants = list(AuditorGrant.objects.filter(agency=ctx.agency))
    assert len(grants) == 1
    assert (
        grants[0].user == ctx.users["auditor"] and grants[0].contract.code == f"JX-XF-{ctx.today.year - 1}-01"
    )
    assert list(Contract.objects.for_user(ctx.users["auditor"]).values_list("code", flat=True)) == [
        grants[0].contract.code
    ]


def test_the_outsider_agency_gets_one_contract_of_its_own(ctx):
    demo.seed(ctx)
    outsider = Contract.objects.get(agency=ctx.outsider_agency)
    assert outsider.code == f"AY-QH-{ctx.today.year - 1}-01"
    assert outsider.total == Decimal("120000.00")
    assert BudgetLine.objects.filter(contract=outsider).count() == 3
    # 12 salaries of one outsider staff member, 60 purchases, one refund.
    assert Expenditure.objects.filter(contract=outsider).count() == 12 + 60 + 1
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
    assert seen == {"contracts": 3, "outsider": f"AY-QH-{ctx.today.year - 1}-01"}


def test_every_rule_fires_on_the_planted_demo_and_each_example_on_its_own_rows(ctx, monkeypatch):
    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", PLANT)
    demo.seed(ctx)
    flags = list(Flag.objects.filter(agency=ctx.agency, active=True))
    assert Counter(flag.rule for flag in flags) == {
        "LINE_OVERSPEND": 5, "CONTRACT_OVERSPEND": 2, "TRANSFER_LIMIT": 1, "OUTSIDE_PERIOD": 1,
        "DUPLICATE_INVOICE": 1, "GHOST_PERSONNEL": 1, "ADMIN_CAP": 1, "PERSONNEL_CAP": 1,
        "DUPLICATE_PAYMENT": 1, "SPLIT_PURCHASE": 1, "CASH_LIMIT": 10, "MISSING_RECEIPT": 1,
        "INELIGIBLE_ITEM": 1, "UNASSIGNED_PERSONNEL": 2, "PAYEE_IS_STAFF": 1, "SPENDING_SURGE": 1,
        "ROUND_AMOUNT": 1, "WEEKEND_HOLIDAY": 5, "LATE_POSTING": 1, "BENFORD": 1,
    }  # fmt: skip
    assert len(flags) == 39

    # The planted rows are numbered F-0001... in planting order; each rule fires on its example.
    world = finance.flags.demo.demo_world(ctx, ctx.shared["contracts"])
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
