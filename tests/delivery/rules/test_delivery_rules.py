"""The eight delivery rules on hand-computed boundary cases (flag-rules.md, "Delivery rules")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from delivery.rules import RULE_ORDER, run_delivery_rules
from delivery.rules.duplicate import duplicate_activity
from delivery.rules.during_training import activity_during_training
from delivery.rules.not_employed import activity_staff_not_employed
from delivery.rules.outside_period import activity_outside_period
from delivery.rules.overload import activity_overload
from delivery.rules.target_surge import target_surge
from delivery.rules.thin_cases import thin_cases
from delivery.rules.unassigned import activity_unassigned
from finance.rules.base import Finding
from tests.delivery.rules.helpers import activities, context, policy

D = dt.date


def test_an_activity_on_the_first_and_last_day_is_inside_the_period_the_day_before_and_after_are_not():
    frame = activities(
        {"date": D(2024, 12, 31)}, {"date": D(2025, 1, 1)}, {"date": D(2025, 12, 31)}, {"date": D(2026, 1, 1)}
    )
    findings = activity_outside_period(frame, policy(), context())
    assert [f.activity_nos for f in findings] == [("A-1",), ("A-4",)]
    assert findings[0].subject == "act:1"
    assert isinstance(findings[0], Finding)
    assert findings[0].params["start"] == "2025-01-01"


def test_an_activity_on_the_exit_date_is_fine_and_the_day_after_is_flagged():
    spells = pd.DataFrame({"staff_id": [1], "hire_date": [D(2020, 1, 1)], "exit_date": [D(2025, 6, 30)]})
    frame = activities({"date": D(2025, 6, 30)}, {"date": D(2025, 7, 1)})
    findings = activity_staff_not_employed(frame, policy(), context(spells=spells))
    assert [f.activity_nos for f in findings] == [("A-2",)]
    assert findings[0].params["staff"] == "李社工 (S1)"


def test_an_activity_before_the_hire_date_or_by_someone_without_spells_is_flagged():
    spells = pd.DataFrame({"staff_id": [1], "hire_date": [D(2025, 3, 5)], "exit_date": [None]})
    frame = activities({"date": D(2025, 3, 4)}, {"date": D(2025, 3, 5)}, {"staff_id": 2})
    findings = activity_staff_not_employed(frame, policy(), context(spells=spells))
    assert [f.activity_nos for f in findings] == [("A-1",), ("A-3",)]


def test_a_rehired_person_is_employed_in_either_spell_but_not_between():
    spells = pd.DataFrame(
        {"staff_id": [1, 1], "hire_date": [D(2020, 1, 1), D(2025, 9, 1)], "exit_date": [D(2025, 3, 31), None]}
    )
    frame = activities({"date": D(2025, 3, 31)}, {"date": D(2025, 6, 1)}, {"date": D(2025, 9, 1)})
    assert [f.activity_nos for f in activity_staff_not_employed(frame, policy(), context(spells=spells))] == [
        ("A-2",)
    ]


def test_unassigned_is_checked_only_when_the_contract_has_assignments():
    frame = activities({"date": D(2025, 3, 5)}, {"date": D(2025, 7, 1)}, {"staff_id": 2})
    assert activity_unassigned(frame, policy(), context()) == []
    assignments = pd.DataFrame({"staff_id": [1], "start": [D(2025, 1, 1)], "end": [D(2025, 6, 30)]})
    findings = activity_unassigned(frame, policy(), context(assignments=assignments))
    assert [f.activity_nos for f in findings] == [("A-3",), ("A-2",)]


def test_600_minutes_in_a_day_is_allowed_and_601_is_an_overload():
    at_limit = activities({"duration_minutes": 300}, {"duration_minutes": 300})
    assert activity_overload(at_limit, policy(), context()) == []
    over = activities(
        {"duration_minutes": 300}, {"duration_minutes": 301}, {"date": D(2025, 3, 6), "duration_minutes": 601}
    )
    findings = activity_overload(over, policy(), context())
    assert [(f.activity_nos, f.params["minutes"]) for f in findings] == [
        (("A-1", "A-2"), 601),
        (("A-3",), 601),
    ]
    assert findings[0].subject == "C1:overload:1:2025-03-05"


def test_overload_counts_the_minutes_of_all_contracts_and_lists_this_contracts_activities():
    frame = activities({"duration_minutes": 400})
    day_minutes = pd.DataFrame(
        {"staff_id": [1, 1], "date": [D(2025, 3, 5), D(2025, 3, 5)], "minutes": [400, 201]}
    )
    findings = activity_overload(frame, policy(), context(day_minutes=day_minutes))
    assert [(f.activity_nos, f.params["minutes"], f.params["own"]) for f in findings] == [
        (("A-1",), 601, 400)
    ]
    day_minutes.loc[1, "minutes"] = 200
    assert activity_overload(frame, policy(), context(day_minutes=day_minutes)) == []


def test_the_overload_limit_comes_from_the_policy():
    frame = activities({"duration_minutes": 481})
    assert len(activity_overload(frame, policy(activity_day_max_minutes=480), context())) == 1


def test_training_of_exactly_training_day_hours_fills_the_day_and_less_does_not():
    training = pd.DataFrame(
        {"staff_id": [1, 1, 2], "date": [D(2025, 3, 5), D(2025, 3, 5), D(2025, 3, 5)], "tenths": [40, 20, 59]}
    )
    frame = activities({"staff_id": 1}, {"staff_id": 2}, {"staff_id": 1, "date": D(2025, 3, 6)})
    findings = activity_during_training(frame, policy(), context(training=training))
    assert [f.activity_nos for f in findings] == [("A-1",)]
    assert findings[0].params["hours"] == "6"
    assert (
        activity_during_training(frame, policy(training_day_hours=Decimal("6.5")), context(training=training))
        == []
    )


def test_a_duplicate_needs_the_same_person_day_target_case_and_duration():
    frame = activities(
        {"case_code": "XF-1"},
        {"case_code": "XF-1"},
        {"case_code": "XF-1", "duration_minutes": 61},
        {"case_code": "XF-1", "staff_id": 2},
        {"case_code": "XF-1", "target": "CS"},
        {"case_code": "XF-1", "date": D(2025, 3, 6)},
    )
    findings = duplicate_activity(frame, policy(), context())
    assert [f.activity_nos for f in findings] == [("A-1", "A-2")]
    assert findings[0].target == "HV"
    assert findings[0].subject.startswith("C1:dup:1:2025-03-05:HV:")
    assert "XF-1" not in findings[0].subject + str(findings[0].params) + str(findings[0].evidence)


def test_duplicates_with_an_empty_case_code_are_not_flagged():
    frame = activities({"case_code": ""}, {"case_code": ""}, {"case_code": ""})
    assert duplicate_activity(frame, policy(), context()) == []


def _surge(last_window: int, earlier: int) -> pd.DataFrame:
    rows = [{"date": D(2025, 12, 31) - dt.timedelta(days=i % 30)} for i in range(last_window)]
    rows += [{"date": D(2025, 1, 1) + dt.timedelta(days=i % 300)} for i in range(earlier)]
    return activities(*rows)


def test_a_surge_exactly_at_the_factor_is_not_flagged_and_just_above_is():
    # Period 365 days, window 30, factor 3: flagged when last × 365 > 3 × total × 30.
    # 73 activities, 18 in the last 30 days: 18 × 365 = 6570 = 3 × 73 × 30. Exactly at the factor.
    assert target_surge(_surge(18, 55), policy(), context()) == []
    # 19 of 74: 19 × 365 = 6935 > 3 × 74 × 30 = 6660. Above.
    findings = target_surge(_surge(19, 55), policy(), context())
    assert [(f.target, f.params["last"], f.params["average"]) for f in findings] == [("HV", 19, "6.08")]
    assert findings[0].subject == "C1:surge:HV"
    assert findings[0].activity_ids == ()


def test_a_surge_needs_ten_activities_and_a_period_of_three_windows():
    assert target_surge(_surge(9, 0), policy(), context()) == []
    assert len(target_surge(_surge(10, 0), policy(), context())) == 1
    short = context(start=D(2025, 12, 1), end=D(2026, 2, 27))  # 89 days < 3 × 30
    assert target_surge(_surge(10, 0), policy(), short) == []


def _cases(thin_minutes: int, thin: int, thick: int) -> pd.DataFrame:
    rows = [
        {"target": "CS", "measure": "cases", "case_code": f"T-{i}", "duration_minutes": thin_minutes}
        for i in range(thin)
    ]
    for i in range(thick):
        rows += [{"target": "CS", "measure": "cases", "case_code": f"K-{i}", "duration_minutes": 30}] * 2
    return activities(*rows)


def test_a_case_with_one_44_minute_activity_is_thin_and_one_of_45_minutes_is_not():
    # 3 thin of 10 cases = 30% > 20%.
    findings = thin_cases(_cases(44, 3, 7), policy(), context())
    assert [(f.target, f.params["thin"], f.params["cases"]) for f in findings] == [("CS", 3, 10)]
    assert len(findings[0].activity_ids) == 3
    assert thin_cases(_cases(45, 3, 7), policy(), context()) == []


def test_thin_cases_exactly_at_the_share_are_not_flagged_and_need_ten_cases():
    assert thin_cases(_cases(30, 2, 8), policy(), context()) == []  # 20% is not more than 20%
    assert len(thin_cases(_cases(30, 3, 8), policy(), context())) == 1  # 3 of 11 = 27%
    assert thin_cases(_cases(30, 9, 0), policy(), context()) == []  # 9 cases < 10


def test_thin_cases_reads_only_targets_counted_in_cases():
    frame = activities(*[{"case_code": f"T-{i}", "duration_minutes": 10} for i in range(12)])
    assert thin_cases(frame, policy(), context()) == []


def test_every_rule_runs_on_an_empty_frame_and_is_registered():
    assert len(RULE_ORDER) == 8
    assert run_delivery_rules(activities(), policy(), context()) == []
