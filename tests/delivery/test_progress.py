"""Target progress exactly as metrics.md defines it, and the ``report targets`` kind."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from delivery.selectors import contract_progress
from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.finance.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(agency, staff_member):
    """C-2025: 2025 (365 days); four targets with activities through 31 March and one in 2024."""
    contract = ContractFactory(agency=agency, code="C-2025")
    targets = {
        "HV": TargetFactory(contract=contract, code="HV", measure="activities", quantity=300),
        "CS": TargetFactory(contract=contract, code="CS", measure="cases", quantity=40, position=1),
        "GP": TargetFactory(contract=contract, code="GP", measure="participants", quantity=500, position=2),
        "HR": TargetFactory(contract=contract, code="HR", measure="hours", quantity=200, position=3),
    }
    make = lambda target, day, **kw: ActivityFactory(  # noqa: E731
        target=targets[target], staff=staff_member, date=day, **kw
    )
    # 20 home visits in January to March, one before the contract (not counted).
    for i in range(20):
        make("HV", dt.date(2025, 1, 6) + dt.timedelta(days=4 * i))
    make("HV", dt.date(2024, 12, 30))
    # 12 case activities over 9 distinct cases.
    for i, case in enumerate(
        ["C-1", "C-1", "C-2", "C-3", "C-3", "C-3", "C-4", "C-5", "C-6", "C-7", "C-8", "C-9"]
    ):
        make("CS", dt.date(2025, 2, 1) + dt.timedelta(days=i), case_code=case)
    # Group sessions: 40 + 35 + 60 participants.
    for day, people in ((dt.date(2025, 1, 20), 40), (dt.date(2025, 2, 20), 35), (dt.date(2025, 3, 20), 60)):
        make("GP", day, participants=people)
    # Hours: 50 + 70 + 45 minutes = 165 minutes = 2.75 hours; one in April, after the as-of date.
    for day, minutes in ((dt.date(2025, 3, 1), 50), (dt.date(2025, 3, 2), 70), (dt.date(2025, 3, 3), 45)):
        make("HR", day, duration_minutes=minutes)
    make("HR", dt.date(2025, 4, 2), duration_minutes=600)
    return contract


def test_progress_on_31_march_is_exactly_the_metrics_definitions(year):
    # Elapsed 1 January to 31 March: 90 days of 365.
    progress = {p.code: p for p in contract_progress(year, as_of=dt.date(2025, 3, 31))}
    hv = progress["HV"]
    assert hv.achieved == 20
    assert hv.expected_by_now == Decimal("73.97")  # 300 × 90 / 365 = 73.972…
    assert hv.pct_achieved == Decimal("0.0667")
    assert hv.projected_at_end == Decimal("81.11")  # 20 × 365 / 90 = 81.111…
    assert hv.status == "behind"  # 20 < 0.8 × 73.97
    cs = progress["CS"]
    assert (cs.achieved, cs.expected_by_now, cs.pct_achieved, cs.projected_at_end) == (
        9, Decimal("9.86"), Decimal("0.2250"), Decimal("36.50"),
    )  # fmt: skip
    assert cs.status == "on_track"  # 9 ≥ 0.8 × 9.86 = 7.888
    gp = progress["GP"]
    assert (gp.achieved, gp.expected_by_now, gp.pct_achieved, gp.projected_at_end) == (
        135, Decimal("123.29"), Decimal("0.2700"), Decimal("547.50"),
    )  # fmt: skip
    assert gp.status == "on_track"
    hr = progress["HR"]
    assert (hr.achieved, hr.expected_by_now, hr.projected_at_end) == (
        Decimal("2.75"),
        Decimal("49.32"),
        Decimal("11.15"),
    )
    assert hr.status == "behind"


def test_a_target_reaching_its_quantity_is_met(year, staff_member):
    target = TargetFactory(contract=year, code="SM", measure="activities", quantity=2)
    ActivityFactory.create_batch(2, target=target, staff=staff_member)
    assert {p.code: p.status for p in contract_progress(year, as_of=dt.date(2025, 3, 31))}["SM"] == "met"


def test_excluded_activities_leave_achieved(year):
    excluded = list(year.activities.filter(target__code="HV").values_list("pk", flat=True)[:5])
    progress = {
        p.code: p for p in contract_progress(year, as_of=dt.date(2025, 3, 31), excluded_activity_ids=excluded)
    }
    assert progress["HV"].achieved == 15


def test_the_as_of_date_is_at_most_the_contract_end(year):
    progress = {p.code: p for p in contract_progress(year, as_of=dt.date(2026, 6, 1))}
    assert progress["HV"].as_of == dt.date(2025, 12, 31)
    assert progress["HV"].expected_by_now == Decimal("300.00")
    assert progress["HR"].achieved == Decimal("12.75")


def test_report_targets_prints_the_json_of_cli_md(year):
    out = io.StringIO()
    call_command(
        "report", "targets", "--contract", "C-2025", "--as-of", "2025-03-31", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["contract"] == "C-2025"
    assert data["as_of"] == "2025-03-31"
    assert data["targets"][0] == {
        "code": "HV", "name": data["targets"][0]["name"], "measure": "activities", "quantity": 300,
        "achieved": 20, "expected_by_now": 73.97, "pct_achieved": 0.0667, "projected_at_end": 81.11,
        "status": "behind",
    }  # fmt: skip
    assert data["targets"][3]["achieved"] == 2.75


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_report_targets_renders_in_every_format(year, tmp_path, fmt):
    out = tmp_path / f"t.{fmt}"
    call_command(
        "report", "targets", "--contract", "C-2025", "--as-of", "2025-03-31", "--format", fmt, "--out", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert out.stat().st_size > 100


def test_the_contract_pack_carries_the_targets_section(year):
    from finance.reports.pack import contract_pack

    report = contract_pack(year, as_of=dt.date(2025, 3, 31))
    assert [t["code"] for t in report.data["targets"]] == ["HV", "CS", "GP", "HR"]
    assert report.data["targets"][0]["achieved"] == 20
    assert "Targets" in [section.title for section in report.sections]
