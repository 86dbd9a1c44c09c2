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
    assert found(findings) == [("WEEKEND_HOLIDAY", (saturday,))]
    assert findings[0].evidence["calendar"] == "weekends-only"
    assert "plain weekends" in findings[0].evidence["calendar_note"]
