"""Retention metrics of metrics.md on a hand-computed agency."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from staff.analytics import monthly_headcount, retention_for_year, retention_trend, spells_frame
from tests.staff.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def workforce(agency):
    """Ten people; the comments give what each contributes to 2024."""
    # Active all year, certified since 2019.
    person(agency, "A", ("2020-03-01", None, None), cert="assistant_social_worker", cert_issued="2019-06-01")
    # Leaves on 31 December: still active that day, and an exit of the year (voluntary).
    person(agency, "B", ("2021-06-01", "2024-12-31", "salary"))
    # Hired on 1 January: active on 1 January and a hire of the year.
    person(agency, "C", ("2024-01-01", None, None))
    # Hired in 2023, leaves exactly 365 days later: retained in its first year.
    person(agency, "D", ("2023-04-01", "2024-03-31", "workload"))
    # Hired in 2023, contract ends after 167 days: not retained, involuntary.
    person(agency, "E", ("2023-09-01", "2024-02-15", "contract_end"))
    # Re-hire: a first spell ending 2022, a new spell from July 2024.
    person(agency, "F", ("2018-01-01", "2022-06-30", "study"), ("2024-07-01", None, None))
    # An intern: counted nowhere.
    person(agency, "G", ("2024-03-01", "2024-08-31", "other"), employment_type="intern")
    # Certificate issued after the year: not certified at the end of 2024.
    person(agency, "H", ("2023-02-01", None, None), cert="social_worker", cert_issued="2025-01-10")
    # Certificate issued on 31 December: certified.
    person(agency, "I", ("2015-01-01", None, None), cert="senior_social_worker", cert_issued="2024-12-31")
    # Only an "other" qualification: not a social-work certificate.
    person(agency, "J", ("2022-01-01", None, None), cert="other", cert_issued="2020-01-01")
    return agency


def test_retention_for_2024_matches_the_hand_computed_figures(workforce):
    assert retention_for_year(workforce, 2024) == {
        "year": 2024,
        "headcount_start": 8,
        "headcount_end": 7,
        "average_headcount": 7.5,
        "hires": 2,
        "exits": 3,
        "voluntary_exits": 2,
        "turnover_rate": 0.4,
        "voluntary_turnover_rate": 0.2667,
        "first_year_retention": 0.6667,
        "median_tenure_years_of_leavers": 1.0,
        "certified_ratio_end": 0.2857,
        "exit_reasons": {"salary": 1, "workload": 1, "contract_end": 1},
    }


def test_the_year_after_counts_the_2024_hires_for_first_year_retention(workforce):
    metrics = retention_for_year(workforce, 2025)
    assert metrics["first_year_retention"] == 1.0  # C and F's second spell are still employed
    assert metrics["headcount_start"] == 6  # B left on 31 December 2024
    assert metrics["exits"] == 0
    assert metrics["median_tenure_years_of_leavers"] is None
    assert metrics["exit_reasons"] == {}
    assert metrics["certified_ratio_end"] == 0.5  # A, H, I of 6


def test_a_year_with_nobody_employed_has_zero_counts_and_null_rates(workforce):
    assert retention_for_year(workforce, 2010) == {
        "year": 2010,
        "headcount_start": 0,
        "headcount_end": 0,
        "average_headcount": 0.0,
        "hires": 0,
        "exits": 0,
        "voluntary_exits": 0,
        "turnover_rate": None,
        "voluntary_turnover_rate": None,
        "first_year_retention": None,
        "median_tenure_years_of_leavers": None,
        "certified_ratio_end": None,
        "exit_reasons": {},
    }


def test_the_first_spell_of_a_rehired_person_counts_as_an_exit_in_its_year(workforce):
    metrics = retention_for_year(workforce, 2022)
    assert metrics["exits"] == 1
    assert metrics["exit_reasons"] == {"study": 1}
    assert metrics["median_tenure_years_of_leavers"] == 4.49  # 1641 days / 365.25


def test_an_agency_without_staff_has_no_years_and_null_rates(agency):
    assert retention_trend(spells_frame(agency)) == []
    assert retention_for_year(agency, 2024)["turnover_rate"] is None


def test_median_tenure_of_an_even_number_of_leavers_averages_the_middle_two(agency):
    person(agency, "K", ("2024-01-01", "2024-04-10", "career"))  # 100 days
    person(agency, "L", ("2024-01-01", "2024-07-20", "career"))  # 201 days
    metrics = retention_for_year(agency, 2024)
    assert metrics["median_tenure_years_of_leavers"] == 0.41  # 150.5 / 365.25 = 0.41205
    assert metrics["exit_reasons"] == {"career": 2}
    assert metrics["turnover_rate"] == 2.0  # 2 exits / (2 + 0) / 2


def test_exit_reasons_are_ordered_by_count_then_by_the_spec_order(agency):
    person(agency, "M1", ("2020-01-01", "2024-05-01", "family"))
    person(agency, "M2", ("2020-01-01", "2024-05-01", "dismissal"))
    person(agency, "M3", ("2020-01-01", "2024-05-01", "dismissal"))
    person(agency, "M4", ("2020-01-01", "2024-05-01", "salary"))
    reasons = retention_for_year(agency, 2024)["exit_reasons"]
    assert list(reasons.items()) == [("dismissal", 2), ("salary", 1), ("family", 1)]


def test_trend_covers_every_year_from_the_first_hire(workforce):
    trend = retention_trend(spells_frame(workforce), today=__import__("datetime").date(2025, 6, 1))
    assert [row["year"] for row in trend] == list(range(2015, 2026))
    assert trend[-2] == retention_for_year(workforce, 2024)


def test_monthly_headcount_counts_spells_active_on_each_month_end(workforce):
    months = monthly_headcount(spells_frame(workforce), 2024)
    assert months[0] == {"month": "2024-01", "headcount": 8}  # all 8 of 1 January
    assert months[1] == {"month": "2024-02", "headcount": 7}  # E left 15 February
    assert months[2] == {"month": "2024-03", "headcount": 7}  # D's last day is 31 March: still counted
    assert months[3] == {"month": "2024-04", "headcount": 6}
    assert months[6] == {"month": "2024-07", "headcount": 7}  # F re-hired 1 July
    assert months[11] == {"month": "2024-12", "headcount": 7}


def test_report_retention_json_prints_the_cli_shape(workforce, capsys):
    call_command("report", "retention", "--year", "2024", "--format", "json", "--agency", workforce.slug)
    data = json.loads(capsys.readouterr().out)
    assert data == retention_for_year(workforce, 2024)
    assert list(data) == [
        "year",
        "headcount_start",
        "headcount_end",
        "average_headcount",
        "hires",
        "exits",
        "voluntary_exits",
        "turnover_rate",
        "voluntary_turnover_rate",
        "first_year_retention",
        "median_tenure_years_of_leavers",
        "certified_ratio_end",
        "exit_reasons",
    ]


def test_report_retention_csv_holds_the_years_headline_figures(workforce):
    """The facts the XLSX and PDF show (average headcount, median tenure...) are in the CSV too."""
    import csv
    import io

    from core.reports import get, render

    report = get("retention").build(agency=workforce, user=None, year=2024)
    rows = list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))
    start = rows.index(["Workforce and retention, 2024"])
    assert rows[start + 2 : start + 14] == [
        ["Headcount on 1 January", "8"],
        ["Headcount on 31 December", "7"],
        ["Average headcount", "7.5"],
        ["Hires", "2"],
        ["Exits", "3"],
        ["Voluntary exits", "2"],
        ["Turnover rate", "40.00%"],
        ["Voluntary turnover rate", "26.67%"],
        ["First-year retention", "66.67%"],
        ["Median tenure of leavers (years)", "1.0"],
        ["Certified ratio at year end", "28.57%"],
        [],
    ]
    assert rows[start + 14] == ["Exit reasons"]
