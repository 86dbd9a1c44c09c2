"""The continuing-education engine of metrics.md on hand-built cycles."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from staff.models import QualificationLevel
from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory
from tests.training.factories import TrainingRecordFactory
from training.compliance import add_years, compliance_for_person, compliance_rows
from training.models import CERequirement, RecordStatus

D = dt.date
ASW = QualificationLevel.ASSISTANT_SOCIAL_WORKER
SW = QualificationLevel.SOCIAL_WORKER


@pytest.fixture
def worker(agency):
    """An assistant social worker whose registration ends 2026-06-30: cycle 2023-07-01 … 2026-06-30."""
    member = employed(agency=agency, staff_no="T1", name="张社工")
    QualificationFactory(staff=member, level=ASW, issued=D(2020, 6, 1), registration_expires=D(2026, 6, 30))
    return member


def employed(**fields):
    """A staff member employed since 2000 (metrics.md lists only people employed on D)."""
    member = StaffMemberFactory(**fields)
    SpellFactory(staff=member, hire_date=D(2000, 1, 1))
    return member


def row_for(member, as_of):
    return compliance_for_person(member.agency, member.pk, as_of)


def test_cycle_runs_from_the_day_after_expiry_minus_three_years_to_the_expiry_inclusive(worker):
    TrainingRecordFactory(staff=worker, date=D(2023, 6, 30), hours=Decimal("10"))  # outside
    TrainingRecordFactory(staff=worker, date=D(2023, 7, 1), hours=Decimal("10.5"))  # first day inside
    TrainingRecordFactory(staff=worker, date=D(2026, 6, 30), hours=Decimal("5"))  # last day inside
    TrainingRecordFactory(staff=worker, date=D(2026, 7, 1), hours=Decimal("7"))  # outside
    row = row_for(worker, D(2025, 1, 1))
    assert (row.cycle_start, row.cycle_end) == (D(2023, 7, 1), D(2026, 6, 30))
    assert row.required_hours == Decimal("72.0")
    assert row.earned_hours == Decimal("15.5")
    assert row.shortfall_hours == Decimal("56.5")
    assert row.status == "on_track"


def test_hours_exactly_at_the_requirement_are_compliant(worker):
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 10), hours=Decimal("70.5"))
    TrainingRecordFactory(staff=worker, date=D(2024, 2, 10), hours=Decimal("1.5"))
    row = row_for(worker, D(2026, 7, 5))
    assert row.earned_hours == Decimal("72.0")
    assert row.shortfall_hours == Decimal("0.0")
    assert row.status == "compliant"


def test_unapproved_and_ineligible_hours_do_not_count(worker):
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 10), hours=Decimal("20"), status=RecordStatus.PENDING)
    TrainingRecordFactory(
        staff=worker, date=D(2024, 1, 11), hours=Decimal("20"), status=RecordStatus.REJECTED
    )
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 12), hours=Decimal("20"), ce_eligible=False)
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 13), hours=Decimal("3"))
    assert row_for(worker, D(2025, 1, 1)).earned_hours == Decimal("3.0")


def test_short_after_the_cycle_end_is_overdue(worker):
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 10), hours=Decimal("30"))
    assert row_for(worker, D(2026, 6, 30)).status == "at_risk"
    row = row_for(worker, D(2026, 7, 1))
    assert row.status == "overdue"
    assert row.shortfall_hours == Decimal("42.0")


def test_short_with_the_cycle_ending_within_180_days_is_at_risk(worker):
    assert row_for(worker, D(2026, 1, 1)).status == "at_risk"  # 180 days before 2026-06-30
    assert row_for(worker, D(2025, 12, 31)).status == "on_track"  # 181 days


def test_unknown_registration_end_rolls_three_year_cycles_forward_from_issue(agency):
    member = employed(agency=agency)
    QualificationFactory(staff=member, level=SW, issued=D(2021, 6, 1), registration_expires=None)
    TrainingRecordFactory(staff=member, date=D(2024, 5, 31), hours=Decimal("40"))  # previous cycle
    TrainingRecordFactory(staff=member, date=D(2024, 6, 1), hours=Decimal("12"))  # first day of this one
    row = row_for(member, D(2025, 3, 1))
    # Days 2024-06-01 … 2027-05-31: the first and the last day of the cycle.
    assert (row.cycle_start, row.cycle_end) == (D(2024, 6, 1), D(2027, 5, 31))
    assert row.required_hours == Decimal("90.0")
    assert row.earned_hours == Decimal("12.0")
    assert row.status == "on_track"


def test_rolled_cycle_changes_on_the_issue_anniversary(agency):
    member = employed(agency=agency)
    QualificationFactory(staff=member, level=ASW, issued=D(2021, 6, 1), registration_expires=None)
    TrainingRecordFactory(staff=member, date=D(2024, 5, 31), hours=Decimal("40"))
    last_day = row_for(member, D(2024, 5, 31))
    assert (last_day.cycle_start, last_day.cycle_end) == (D(2021, 6, 1), D(2024, 5, 31))
    assert last_day.earned_hours == Decimal("40.0")
    assert last_day.status == "at_risk"  # a rolled cycle always contains D: never overdue
    first_day = row_for(member, D(2024, 6, 1))
    assert (first_day.cycle_start, first_day.cycle_end) == (D(2024, 6, 1), D(2027, 5, 31))
    assert first_day.earned_hours == Decimal("0.0")


def test_certificate_issued_after_the_date_is_not_yet_certified(agency):
    member = employed(agency=agency)
    QualificationFactory(staff=member, level=ASW, issued=D(2025, 7, 15), registration_expires=None)
    assert row_for(member, D(2025, 7, 14)) is None
    row = row_for(member, D(2025, 7, 15))
    assert (row.cycle_start, row.cycle_end) == (D(2025, 7, 15), D(2028, 7, 14))


def test_the_highest_national_level_sets_the_requirement(agency):
    member = employed(agency=agency)
    QualificationFactory(staff=member, level=ASW, issued=D(2019, 1, 1), registration_expires=D(2025, 12, 31))
    QualificationFactory(staff=member, level=SW, issued=D(2022, 3, 1), registration_expires=D(2026, 2, 28))
    QualificationFactory(
        staff=member, level=QualificationLevel.OTHER, issued=D(2023, 3, 1), registration_expires=None
    )
    row = row_for(member, D(2025, 6, 1))
    assert row.level == SW
    assert row.required_hours == Decimal("90.0")
    assert row.cycle_end == D(2026, 2, 28)


def test_people_without_a_national_certificate_are_left_out(agency, worker):
    other = employed(agency=agency)
    QualificationFactory(staff=other, level=QualificationLevel.OTHER, issued=D(2020, 1, 1))
    employed(agency=agency)
    assert [r.staff_no for r in compliance_rows(agency, D(2025, 1, 1))] == ["T1"]


def test_agency_requirements_replace_the_national_default(agency, worker):
    CERequirement.objects.create(agency=agency, level=ASW, hours_per_cycle=Decimal("100"), cycle_years=2)
    row = row_for(worker, D(2025, 1, 1))
    assert row.required_hours == Decimal("100.0")
    assert (row.cycle_start, row.cycle_end) == (D(2024, 7, 1), D(2026, 6, 30))


def test_another_agencys_records_never_count(agency, outsider_agency, worker):
    stranger = employed(agency=outsider_agency)
    TrainingRecordFactory(staff=stranger, date=D(2024, 1, 1), hours=Decimal("50"))
    assert row_for(worker, D(2025, 1, 1)).earned_hours == Decimal("0.0")
    assert compliance_rows(outsider_agency, D(2025, 1, 1)) == []


def test_adding_years_to_29_february_lands_on_28_february_in_common_years():
    import numpy as np

    days = np.array(["2020-02-29", "2021-03-31"], dtype="datetime64[D]")
    result = add_years(days, np.array([3, -1]))
    assert [str(x) for x in result] == ["2023-02-28", "2020-03-31"]


def _reference(issued, expires, as_of, years=3):
    """A plain scalar reading of metrics.md for the comparison test."""
    if expires is not None:
        return expires - relativedelta(years=years) + dt.timedelta(days=1), expires
    k = 0
    while issued + relativedelta(years=(k + 1) * years) <= as_of:
        k += 1
    start = issued + relativedelta(years=k * years)
    return start, issued + relativedelta(years=(k + 1) * years) - dt.timedelta(days=1)


def test_the_vectorised_engine_agrees_with_a_scalar_reading_for_many_people(agency):
    rng = random.Random(7)
    as_of = D(2025, 4, 15)
    expected = {}
    for i in range(60):
        member = employed(agency=agency, staff_no=f"R{i:03d}")
        issued = D(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 4800))
        expires = None if rng.random() < 0.5 else issued + dt.timedelta(days=rng.randrange(400, 5000))
        QualificationFactory(staff=member, level=ASW, issued=issued, registration_expires=expires)
        start, end = _reference(issued, expires, as_of)
        earned = Decimal("0")
        for j in range(rng.randrange(0, 6)):
            date = start + dt.timedelta(days=rng.randrange(-200, 1300))
            hours = Decimal(rng.randrange(1, 300)) / 10
            TrainingRecordFactory(staff=member, date=date, hours=hours, title=f"课程 {j}")
            if start <= date <= end:
                earned += hours
        expected[member.staff_no] = (start, end, earned)
    got = {r.staff_no: (r.cycle_start, r.cycle_end, r.earned_hours) for r in compliance_rows(agency, as_of)}
    assert got == expected


def test_report_json_has_the_cli_shape_with_numbers(agency, worker):
    TrainingRecordFactory(staff=worker, date=D(2024, 1, 10), hours=Decimal("30.5"))
    out = StringIO()
    call_command("report", "training-compliance", "--as-of", "2026-01-01", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "as_of": "2026-01-01",
        "staff": [
            {
                "staff_no": "T1",
                "name": "张社工",
                "qualification": "assistant_social_worker",
                "cycle_start": "2023-07-01",
                "cycle_end": "2026-06-30",
                "required_hours": 72,
                "earned_hours": 30.5,
                "shortfall_hours": 41.5,
                "status": "at_risk",
            }
        ],
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_report_renders_in_every_format(agency, worker, fmt, tmp_path):
    out = tmp_path / f"r.{fmt}"
    call_command("report", "training-compliance", "--as-of", "2025-01-01", "--format", fmt, "--out", str(out))
    assert out.stat().st_size > 100


def test_people_who_have_left_by_the_date_are_not_tracked(agency):
    from tests.factories import SpellFactory

    leaver = StaffMemberFactory(agency=agency, staff_no="L1", name="离职社工")
    SpellFactory(staff=leaver, hire_date=D(2019, 1, 1), exit_date=D(2024, 12, 31), exit_reason="career")
    QualificationFactory(staff=leaver, level=ASW, issued=D(2020, 6, 1), registration_expires=D(2026, 6, 30))
    stayer = StaffMemberFactory(agency=agency, staff_no="L2", name="在职社工")
    SpellFactory(staff=stayer, hire_date=D(2019, 1, 1))
    QualificationFactory(staff=stayer, level=ASW, issued=D(2020, 6, 1), registration_expires=D(2026, 6, 30))

    from training.compliance import certified_people

    assert list(certified_people(agency, D(2025, 3, 1))["staff_no"]) == ["L2"]
    assert sorted(certified_people(agency, D(2024, 12, 31))["staff_no"]) == ["L1", "L2"]


def test_cycle_start_is_the_first_day_inside_the_cycle_in_the_report_json(agency):
    member = employed(agency=agency, staff_no="T9", name="周社工")
    QualificationFactory(staff=member, level=ASW, issued=D(2018, 6, 20), registration_expires=D(2027, 6, 19))
    TrainingRecordFactory(staff=member, date=D(2024, 6, 19), hours=Decimal("9"))  # the day before: outside
    TrainingRecordFactory(staff=member, date=D(2024, 6, 20), hours=Decimal("4"))  # the first day: inside
    out = StringIO()
    call_command("report", "training-compliance", "--as-of", "2026-01-01", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())["staff"]
    assert (row["cycle_start"], row["cycle_end"], row["earned_hours"]) == ("2024-06-20", "2027-06-19", 4)


def test_people_not_employed_on_the_date_are_not_listed(agency, worker):
    never_hired = StaffMemberFactory(agency=agency, staff_no="T2")
    QualificationFactory(
        staff=never_hired, level=ASW, issued=D(2020, 1, 1), registration_expires=D(2026, 1, 1)
    )
    leaver = StaffMemberFactory(agency=agency, staff_no="T3")
    SpellFactory(staff=leaver, hire_date=D(2020, 1, 1), exit_date=D(2024, 12, 31), exit_reason="career")
    QualificationFactory(staff=leaver, level=ASW, issued=D(2020, 1, 1), registration_expires=D(2026, 1, 1))
    starter = StaffMemberFactory(agency=agency, staff_no="T4")
    SpellFactory(staff=starter, hire_date=D(2025, 1, 2))
    QualificationFactory(staff=starter, level=ASW, issued=D(2020, 1, 1), registration_expires=D(2026, 1, 1))
    assert [r.staff_no for r in compliance_rows(agency, D(2025, 1, 1))] == ["T1"]
    assert [r.staff_no for r in compliance_rows(agency, D(2025, 1, 2))] == ["T1", "T4"]
