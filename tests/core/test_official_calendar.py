"""The official calendar as the agency's data: filled from chinesecalendar for the years it knows,
entered by a director for the years it does not, used by the weekend rule, and a December
warning when next year's is missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.checks import run_checks

from core.models import OfficialCalendarDay, OfficialCalendarYear
from core.official_calendar import calendar_for, calendar_year_save
from finance.flags.services import flags_scan_contract
from finance.models import Flag
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db

HOLIDAYS_2027 = "2027-01-01..2027-01-03 元旦\n2027-10-01..2027-10-07 国庆节\n"
WORKDAYS_2027 = "2027-09-26 国庆节\n2027-10-09 国庆节\n"


@pytest.fixture
def contract_into_2027(agency):
    contract = ContractFactory(
        agency=agency, code="XF-2026-09", start=dt.date(2026, 7, 1), end=dt.date(2027, 6, 30)
    )
    line = BudgetLineFactory(contract=contract, code="A1", amount=Decimal("50000.00"))
    spend = {
        "sunday_2027": dt.date(2027, 9, 26),  # a make-up working day once 2027 is entered
        "saturday_2027": dt.date(2027, 3, 6),
        "national_day_2027": dt.date(2027, 10, 1),  # a Friday: only the calendar knows it
        "national_day_2026": dt.date(2026, 10, 1),
    }
    ids = {
        key: ExpenditureFactory(budget_line=line, date=day, amount=Decimal("120.00")).pk
        for key, day in spend.items()
    }
    return contract, ids


def _weekend_flags(contract):
    return {
        flag.subject: flag
        for flag in Flag.objects.filter(contract=contract, rule="WEEKEND_HOLIDAY", active=True)
    }


def test_a_year_the_package_knows_is_filled_on_first_use(agency):
    calendar = calendar_for(agency, [2025])
    assert calendar[2025][dt.date(2025, 10, 1)] == ("holiday", "National Day")
    assert calendar[2025][dt.date(2025, 9, 28)] == ("workday", "National Day")
    year = OfficialCalendarYear.objects.get(agency=agency)
    assert (year.year, year.source) == (2025, "package")
    assert OfficialCalendarDay.objects.filter(calendar=year, kind="holiday").count() == 28
    calendar_for(agency, [2025])
    assert OfficialCalendarYear.objects.count() == 1


def test_a_contract_running_into_a_year_without_a_calendar_gets_one_info_finding_naming_it(
    contract_into_2027,
):
    contract, ids = contract_into_2027
    flags_scan_contract(contract=contract)
    flags = _weekend_flags(contract)
    missing = flags["XF-2026-09:calendar-missing"]
    assert (missing.severity, missing.evidence) == ("info", {"missing_years": [2027]})
    assert "2027" in missing.text
    by_expenditure = {
        tuple(f.expenditures.values_list("pk", flat=True)): f for f in flags.values() if f is not missing
    }
    # 2027: plain weekends only, with the missing-calendar finding in the evidence.
    assert set(by_expenditure) == {
        (ids["sunday_2027"],),
        (ids["saturday_2027"],),
        (ids["national_day_2026"],),
    }
    sunday = by_expenditure[(ids["sunday_2027"],)]
    assert sunday.evidence["calendar"] == "weekends-only"
    assert sunday.evidence["calendar_missing_year"] == 2027
    assert sunday.evidence["calendar_finding"] == "XF-2026-09:calendar-missing"
    assert by_expenditure[(ids["national_day_2026"],)].evidence["calendar"] == "official"


def test_a_director_enters_next_years_calendar_and_the_flags_follow_it(
    contract_into_2027, director, login_client, django_capture_on_commit_callbacks
):
    contract, ids = contract_into_2027
    flags_scan_contract(contract=contract)
    client = login_client(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/calendar/2027/",
            {"notice": "国办发明电〔2026〕7号", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027},
        )
    assert response.status_code == 302
    year = OfficialCalendarYear.objects.get(agency=contract.agency, year=2027)
    assert (year.source, year.notice, year.updated_by) == ("entered", "国办发明电〔2026〕7号", director)
    assert year.days.filter(kind="holiday").count() == 10
    assert list(year.days.filter(kind="workday").values_list("date", flat=True)) == [
        dt.date(2027, 9, 26),
        dt.date(2027, 10, 9),
    ]
    flags = _weekend_flags(contract)
    assert "XF-2026-09:calendar-missing" not in flags
    flagged = {tuple(f.expenditures.values_list("pk", flat=True)) for f in flags.values()}
    assert flagged == {(ids["saturday_2027"],), (ids["national_day_2027"],), (ids["national_day_2026"],)}
    page = client.get("/calendar/").content.decode()
    assert "国办发明电〔2026〕7号" in page


@pytest.mark.parametrize(
    ("holidays", "workdays", "field", "message"),
    [
        (
            "2027-10-01 国庆节",
            "2027-10-04 国庆节",
            "workdays",
            "A make-up working day is a Saturday or Sunday",
        ),
        ("2028-01-01 元旦", "", "holidays", "These dates are not in 2027: 2028-01-01."),
        (
            "2027-10-01..2027-10-03 国庆节",
            "2027-10-02 国庆节",
            "workdays",
            "both a holiday and a working day",
        ),
        ("十月一日 国庆节", "", "holidays", "Line 1: write a date or a range"),
        ("2027-10-01 国庆节\n2027-10-01 国庆节", "", "holidays", "Listed twice: 2027-10-01."),
    ],
)
def test_the_calendar_form_refuses_impossible_days_with_a_clear_message(
    director, login_client, holidays, workdays, field, message
):
    response = login_client(director).post("/calendar/2027/", {"holidays": holidays, "workdays": workdays})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert OfficialCalendarYear.objects.filter(year=2027).count() == 0


@pytest.mark.parametrize("persona", ["finance", "supervisor", "staff", "auditor"])
def test_only_directors_reach_the_calendar_pages(persona, personas, login_client):
    client = login_client(personas[persona])
    assert client.get("/calendar/").status_code == 404
    assert client.post("/calendar/2027/", {"holidays": HOLIDAYS_2027}).status_code == 404


def test_one_agencys_calendar_never_changes_anothers(agency, outsider_agency):
    calendar_year_save(
        agency=outsider_agency, year=2027, holidays=[(dt.date(2027, 3, 3), "Local day")], workdays=[]
    )
    assert 2027 not in calendar_for(agency, [2027])
    assert calendar_for(outsider_agency, [2027])[2027] == {dt.date(2027, 3, 3): ("holiday", "Local day")}


def _calendar_warnings():
    return [m for m in run_checks(databases=["default"]) if m.id == "core.W101"]


def test_a_system_check_warns_in_december_when_next_years_calendar_is_missing(agency, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 12, 1))
    (warning,) = _calendar_warnings()
    assert "No official calendar for 2027 for 1 agencies (xinfeng)" in warning.msg
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 30))
    assert _calendar_warnings() == []


def test_the_december_warning_stops_once_the_year_is_entered(agency, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 12, 15))
    calendar_year_save(agency=agency, year=2027, holidays=[(dt.date(2027, 1, 1), "元旦")], workdays=[])
    assert _calendar_warnings() == []


def test_the_packages_holiday_names_read_in_the_readers_language():
    """chinesecalendar names its holidays in English; pages name them in the active language."""
    import chinese_calendar
    from django.utils import translation

    from core.official_calendar import PACKAGE_HOLIDAY_NAMES, holiday_name

    assert {holiday.value for holiday in chinese_calendar.Holiday} <= set(PACKAGE_HOLIDAY_NAMES)
    with translation.override("zh-hans"):
        assert [holiday_name(h.value) for h in chinese_calendar.Holiday] == [
            "元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节", "抗战胜利纪念日",
        ]  # fmt: skip
        assert holiday_name("国庆节") == "国庆节"  # a name a director entered stays as written
    with translation.override("en"):
        assert holiday_name("National Day") == "National Day"


def test_a_holiday_flag_names_the_holiday_in_the_readers_language(agency):
    """The stored finding keeps the package's English name; it is rendered in the reader's language."""
    from django.utils import translation

    contract = ContractFactory(
        agency=agency, code="XF-2025-10", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    line = BudgetLineFactory(contract=contract, code="A1", amount=Decimal("50000.00"))
    ExpenditureFactory(
        budget_line=line, date=dt.date(2025, 10, 1), amount=Decimal("120.00"), voucher_no="V-1"
    )
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(contract=contract, rule="WEEKEND_HOLIDAY")
    assert flag.params["holiday"] == "National Day"
    with translation.override("zh-hans"):
        assert flag.text == "凭证 V-1 的日期为 2025-10-01，是法定节假日（国庆节）"
    with translation.override("en"):
        assert flag.text == "Voucher V-1 is dated 2025-10-01, a public holiday (National Day)"
