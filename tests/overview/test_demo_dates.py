"""The demo follows today's date: contracts of today's year, every record dated in the data
window (1 January to the end of last month; in January, to yesterday), and still one planted
example of every finance and delivery rule, whatever the date."""

from __future__ import annotations

import datetime as dt

import pytest

from core.demo_window import data_window
from core.models import Agency
from delivery.models import ServiceActivity
from delivery.rules import RULE_ORDER
from finance.flags import demo as flags_demo
from finance.models import Contract, Disbursement, Expenditure, Flag
from finance.rules import all_rules
from overview import demo
from supervision.models import SupervisionSession
from training.models import TrainingEvent, TrainingRecord

DATES = [dt.date(2026, 12, 1), dt.date(2026, 6, 15), dt.date(2027, 1, 10)]


@pytest.fixture(params=DATES, ids=str)
def seeded(request, db, settings):
    settings.DEBUG = True
    demo.seed(password="demo-pass-2025", log=lambda m: None, today=request.param)
    return request.param


def test_the_data_window_ends_last_month_or_yesterday_in_january():
    assert data_window(dt.date(2026, 12, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 11, 30))
    assert data_window(dt.date(2026, 6, 15)) == (dt.date(2026, 1, 1), dt.date(2026, 5, 31))
    assert data_window(dt.date(2026, 3, 31)) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert data_window(dt.date(2027, 1, 10)) == (dt.date(2027, 1, 1), dt.date(2027, 1, 9))
    assert data_window(dt.date(2027, 1, 1)) == (dt.date(2027, 1, 1), dt.date(2027, 1, 1))


def _contracts_are_of_todays_year_and_active_and_last_years_is_closed(seeded):
    y = seeded.year
    demo_agency = Agency.objects.get(slug=demo.DEMO_SLUG)
    contracts = Contract.objects.filter(agency=demo_agency).order_by("code")
    assert [(c.code, c.status, c.start, c.end) for c in contracts] == [
        (f"JX-AY-{y}-01", "active", dt.date(y, 1, 1), dt.date(y, 12, 31)),
        (f"JX-XF-{y - 1}-01", "closed", dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31)),
        (f"JX-XF-{y}-01", "active", dt.date(y, 1, 1), dt.date(y, 12, 31)),
    ]
    outsider = Contract.objects.get(agency__slug=demo.OUTSIDER_SLUG)
    assert (outsider.code, outsider.status, outsider.start, outsider.end) == (
        f"AY-QH-{y}-01",
        "active",
        dt.date(y, 1, 1),
        dt.date(y, 12, 31),
    )


def _every_record_is_dated_before_this_month_or_before_today_in_january(seeded):
    limit = (
        seeded - dt.timedelta(days=1) if seeded.month == 1 else seeded.replace(day=1) - dt.timedelta(days=1)
    )
    dated = [
        (Expenditure, "date"), (Expenditure, "posted_on"), (Disbursement, "date"), (ServiceActivity, "date"),
        (TrainingRecord, "date"), (TrainingEvent, "end_date"), (SupervisionSession, "date"),
    ]  # fmt: skip
    for model, field in dated:
        assert model.objects.exists(), model
        assert not model.objects.filter(**{f"{field}__gt": limit}).exists(), (model.__name__, field)
    # The current contracts hold only what happened since 1 January of this year.
    current = Expenditure.objects.filter(contract__start__year=seeded.year)
    assert (
        not current.filter(date__lt=dt.date(seeded.year, 1, 1)).exclude(voucher_no__startswith="F-").exists()
    )
    # The refused import's rows stay out; the imported file is last month's (in January, this one's).
    imported = Expenditure.objects.filter(import_batch__isnull=False)
    assert imported.count() == 12
    assert {d.month for d in imported.values_list("date", flat=True)} == {limit.month}


def _the_scan_finds_every_rules_planted_example(seeded):
    demo_agency = Agency.objects.get(slug=demo.DEMO_SLUG)
    flags = list(Flag.objects.filter(agency=demo_agency, active=True).select_related("contract"))
    current = list(Contract.objects.filter(agency=demo_agency, start__year=seeded.year).order_by("code"))
    # The order finance/demo.py plants in: the first project first.
    current = sorted(
        current,
        key=lambda c: ["JX-XF-01", "JX-AY-01"].index(c.code.replace(f"-{seeded.year}", "")),
    )
    closed = Contract.objects.get(agency=demo_agency, status="closed")

    class Ctx:
        agency = demo_agency
        window_start, window_end = data_window(seeded)

    world = flags_demo.demo_world(Ctx, current, closed)
    planted, n = {}, 0
    for code, example in flags_demo.demo_examples(world):
        vouchers = set()
        for row in example.rows:
            n += 1
            vouchers.add(f"F-{n:04d}")
            # Every example on a current contract is dated in the window (OUTSIDE_PERIOD's before it).
            if row.contract != closed.code and code != "OUTSIDE_PERIOD":
                assert Ctx.window_start <= row.date <= Ctx.window_end, (code, row.date)
        planted[code] = (vouchers, {row.contract for row in example.rows} | set(example.policy))
    assert n == Expenditure.objects.filter(agency=demo_agency, voucher_no__startswith="F-").count() == 538
    for rule in all_rules():
        vouchers, places = planted[rule.example_from or rule.code]
        fired = [flag for flag in flags if flag.rule == rule.code]
        assert any(
            set(flag.vouchers) & vouchers if flag.vouchers else flag.contract.code in places for flag in fired
        ), rule.code
    fired = {flag.rule for flag in flags}
    assert set(RULE_ORDER) <= fired
    for rule in ("ACTIVITY_OUTSIDE_PERIOD", "ACTIVITY_DURING_TRAINING", "DUPLICATE_ACTIVITY", "TARGET_SURGE",
                 "THIN_CASES", "ACTIVITY_STAFF_NOT_EMPLOYED"):  # fmt: skip
        assert [f.rule for f in flags].count(rule) == 1, rule
    assert [f.rule for f in flags].count("ACTIVITY_OVERLOAD") == 2


def test_the_demo_follows_todays_date_and_keeps_every_rules_example(seeded):
    """One seeding per date (a whole demo takes half a minute), three checks."""
    _contracts_are_of_todays_year_and_active_and_last_years_is_closed(seeded)
    _every_record_is_dated_before_this_month_or_before_today_in_january(seeded)
    _the_scan_finds_every_rules_planted_example(seeded)
