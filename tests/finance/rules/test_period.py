"""OUTSIDE_PERIOD, SPENDING_SURGE, LATE_POSTING, WEEKEND_HOLIDAY."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.finance.rules.ledger import Book, found

D = dt.date(2025, 3, 3)


def test_outside_period_is_found_on_exactly_the_early_and_late_expenditures(base):
    early = base.add(date=dt.date(2024, 12, 31), amount="321.45", payee="早到供应商")
    late = base.add(date=dt.date(2026, 2, 2), amount="123.45", payee="迟到供应商")
    assert found(base.scan()) == [("OUTSIDE_PERIOD", (early,)), ("OUTSIDE_PERIOD", (late,))]


@pytest.mark.parametrize(
    ("day", "fires"),
    [
        (dt.date(2024, 12, 31), True),
        (dt.date(2025, 1, 1), False),
        (dt.date(2026, 1, 30), False),  # end + closeout_days (30)
        (dt.date(2026, 1, 31), True),
    ],
)
def test_outside_period_boundaries(day, fires):
    book = Book()
    row = book.add(date=day, amount="10.00")
    assert found(book.scan(["OUTSIDE_PERIOD"])) == ([("OUTSIDE_PERIOD", (row,))] if fires else [])


@pytest.mark.parametrize(("last", "fires"), [("327.27", False), ("327.28", True)])
def test_spending_surge_compares_the_last_window_with_the_average_window(last, fires):
    # 365-day period, 30-day windows, factor 3: fires when last × 365 > 3 × 30 × total.
    book = Book()
    book.add(date=D, amount="1000.00", line="A1")
    book.add(date=dt.date(2025, 12, 15), amount=last, line="A1", payee="年底供应商")
    findings = book.scan()
    assert found(findings) == ([("SPENDING_SURGE", ())] if fires else [])
    if fires:
        assert findings[0].evidence["last_window"] == last
        assert findings[0].evidence["period_total"] == str(Decimal("1000.00") + Decimal(last))


def test_spending_surge_needs_a_period_of_at_least_three_windows():
    book = Book()
    book.add(date=D, amount="10.00", line="A1")
    book.add(date=dt.date(2025, 12, 15), amount="5000.01", line="A1")
    assert found(book.scan(["SPENDING_SURGE"])) == [("SPENDING_SURGE", ())]
    assert book.scan(["SPENDING_SURGE"], surge_window_days=122) == []  # 365 < 3 × 122


def test_spending_surge_ignores_close_out_spending_after_the_end():
    book = Book()
    book.add(date=D, amount="1000.00", line="A1")
    book.add(date=dt.date(2026, 1, 5), amount="5000.00", line="A1")
    assert book.scan(["SPENDING_SURGE"]) == []


def test_late_posting_is_found_on_exactly_that_expenditure(base):
    row = base.add(date=dt.date(2025, 5, 6), amount="88.88", payee="迟记账", posted_on=dt.date(2025, 6, 6))
    assert found(base.scan()) == [("LATE_POSTING", (row,))]


@pytest.mark.parametrize(("days", "fires"), [(29, False), (30, False), (31, True)])
def test_late_posting_boundaries(days, fires):
    book = Book()
    row = book.add(date=D, amount="10.00", posted_on=D + dt.timedelta(days=days))
    findings = book.scan(["LATE_POSTING"])
    assert found(findings) == ([("LATE_POSTING", (row,))] if fires else [])
    if fires:
        assert findings[0].evidence["days_late"] == 31


def test_weekend_and_holiday_expenditures_are_found_and_make_up_days_are_not(base):
    saturday = base.add(date=dt.date(2025, 3, 8), amount="66.60", payee="周末商店")
    national_day = base.add(date=dt.date(2025, 10, 1), amount="77.70", payee="国庆商店")
    base.add(date=dt.date(2025, 9, 28), amount="55.50", payee="调休商店")  # Sunday, official working day
    findings = base.scan()
    assert found(findings) == [("WEEKEND_HOLIDAY", (saturday,)), ("WEEKEND_HOLIDAY", (national_day,))]
    by_id = {f.expenditure_ids[0]: f for f in findings}
    assert by_id[national_day].evidence["kind"] == "holiday"
    assert by_id[national_day].evidence["holiday"] == "National Day"
    assert by_id[saturday].evidence["kind"] == "weekend"
    assert by_id[saturday].evidence["calendar"] == "official"


def test_weekend_rule_falls_back_to_plain_weekends_for_years_the_calendar_lacks():
    book = Book()
    saturday = book.add(date=dt.date(2040, 6, 2), amount="10.00")
    book.add(date=dt.date(2040, 6, 4), amount="10.00")  # Monday
    findings = book.scan(["WEEKEND_HOLIDAY"])
    missing, weekend = findings
    assert (missing.expenditure_ids, missing.evidence) == ((), {"missing_years": [2040]})
    assert missing.params == {"years": "2040"}
    assert found([weekend]) == [("WEEKEND_HOLIDAY", (saturday,))]
    assert weekend.evidence["calendar"] == "weekends-only"
    assert weekend.evidence["calendar_missing_year"] == 2040
    assert weekend.evidence["calendar_finding"] == missing.subject


def test_the_agencys_calendar_from_the_context_decides_holidays_and_make_up_days():
    entered = {
        2027: {
            dt.date(2027, 10, 1): ("holiday", "国庆节"),  # a Friday
            dt.date(2027, 9, 26): ("workday", "国庆节"),  # a Sunday worked
        }
    }
    book = Book(start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31), calendar=entered)
    holiday = book.add(date=dt.date(2027, 10, 1), amount="10.00")
    book.add(date=dt.date(2027, 9, 26), amount="10.00")
    saturday = book.add(date=dt.date(2027, 9, 25), amount="10.00")
    findings = book.scan(["WEEKEND_HOLIDAY"])
    assert [(f.expenditure_ids, f.evidence.get("kind")) for f in findings] == [
        ((saturday,), "weekend"),
        ((holiday,), "holiday"),
    ]
    assert {f.evidence["calendar"] for f in findings} == {"official"}
