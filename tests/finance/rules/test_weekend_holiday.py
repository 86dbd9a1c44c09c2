"""WEEKEND_HOLIDAY (finance/rules/weekend_holiday.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

from tests.finance.rules.ledger import Book, found


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
