"""seed_demo's delivery part: targets for every contract, the activities so far, every rule planted
(exact counts at a fixed today: the demo's dates follow it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from core.demo import DemoContext
from core.services import agency_create, member_create
from delivery import demo
from delivery.models import ServiceActivity, Target
from delivery.rules import RULE_ORDER
from delivery.selectors import contract_progress
from finance import demo as finance_demo
from finance.models import Contract, Flag
from staff import demo as staff_demo

pytestmark = pytest.mark.django_db

#: The day the pinned counts are for: the data window is 1 January to 30 November 2026.
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def ctx(monkeypatch):
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
        agency=agency, outsider_agency=outsider_agency, users=users, today=TODAY, log=lambda msg: None
    )
    staff_demo.seed(context)
    import finance.flags.demo

    monkeypatch.setattr(finance.flags.demo, "plant_irregularities", lambda ctx: None)
    finance_demo.seed(context)
    return context


def test_the_demo_gives_every_contract_targets_and_its_activities_so_far_with_every_delivery_rule(ctx):
    demo.seed(ctx)
    contracts = list(Contract.objects.filter(agency=ctx.agency))
    for contract in contracts:
        assert {"HV", "CS", "GP", "HR"} <= set(contract.targets.values_list("code", flat=True))
        months = {
            d.month
            for d in contract.activities.values_list("date", flat=True)
            if d.year == contract.start.year
        }
        if contract.status == "closed":  # last year's: a whole year, every target reached
            assert months == set(range(1, 13))
            assert all(p.achieved for p in contract_progress(contract, as_of=contract.end))
            continue
        # The current contracts: January to November, each target about where it should be by now.
        assert months == set(range(1, 12))
        assert not contract.activities.filter(date__gt=dt.date(2026, 11, 30)).exists()
        progress = contract_progress(contract, as_of=TODAY)
        assert {p.status for p in progress} <= {"on_track", "met"}, contract.code
    assert sorted((c.code, c.activities.count()) for c in contracts) == [
        ("JX-AY-2026-01", 340), ("JX-XF-2025-01", 728), ("JX-XF-2026-01", 672),
    ]  # fmt: skip
    fired = set(Flag.objects.filter(agency=ctx.agency, active=True).values_list("rule", flat=True))
    assert set(RULE_ORDER) <= fired
    # One planted example of each: the ordinary records trip no rule but unassigned work.
    for rule in ("ACTIVITY_OUTSIDE_PERIOD", "ACTIVITY_DURING_TRAINING", "DUPLICATE_ACTIVITY", "TARGET_SURGE",
                 "THIN_CASES"):  # fmt: skip
        assert Flag.objects.filter(agency=ctx.agency, rule=rule, active=True).count() == 1, rule
    # The overloaded day spans two contracts: each contract's flag lists its own activities.
    assert Flag.objects.filter(agency=ctx.agency, rule="ACTIVITY_OVERLOAD", active=True).count() == 2
    assert ServiceActivity.objects.filter(agency=ctx.outsider_agency).count() == 20
    assert Target.objects.filter(agency=ctx.outsider_agency).count() == 4
    assert not ServiceActivity.objects.filter(agency=ctx.agency, case_code__regex=r"[^A-Za-z0-9-]").exists()


def test_the_large_demo_gives_every_contract_targets_and_one_activity_per_five_ledger_rows(db):
    import datetime as dt

    from core.demo import DemoContext as Context
    from core.models import Agency
    from overview import demo as overview_demo

    ctx = Context(
        agency=None,
        outsider_agency=None,
        users={},
        size="large",
        today=dt.date(2026, 6, 1),
        log=lambda m: None,
    )
    counts = overview_demo.seed_large(ctx, scale=0.002, password="demo-pass-2025")
    agency = Agency.objects.get(slug=overview_demo.LARGE_SLUG)
    contracts = Contract.objects.filter(agency=agency).count()
    assert Target.objects.filter(agency=agency).count() == 4 * contracts
    per_contract = (counts["expenditures"] // 5) // contracts
    activities = ServiceActivity.objects.filter(agency=agency)
    staffed = Contract.objects.filter(agency=agency, assignments__isnull=False).distinct().count()
    assert activities.count() == staffed * sum(int(per_contract * s) for s in (0.45, 0.3, 0.05, 0.2))
    assert not activities.exclude(staff__contract_assignments__contract=models.F("contract")).exists()
