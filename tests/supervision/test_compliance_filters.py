"""The compliance page's status and supervisor filters choose the supervisees before paging:
every page holds up to 50 people with a matching month, the pages walk matching people only,
and the figures shown are those of the report's engine (``compliance_rows``).

The agency: 陈督导 (S100) supervises W000–W059, 周督导 (S400) W060–W119 and S300 (since 2023,
no sessions: short January–November, December in progress). Plans from 1 November 2026 ask for
120 minutes a month, none of them individual, except W030's (60 individual). A 120-minute group
session on 5 November is attended by every tenth (W000, W010, …): met in November, except
W030 (no individual minutes); one on 3 December by every fourth (W000, W004, …): met in
December. W007 moves to 周督导 on 1 December; W119 joined on 15 November (November not
counted). Today is 10 December 2026: December is in progress for those short of it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from supervision import views
from supervision.selectors import (
    ComplianceTotals,
    compliance_matches,
    compliance_page_rows,
    compliance_rows,
    compliance_totals,
)
from tests.factories import SpellFactory, StaffMemberFactory, SupervisionPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 10)
URL = "/supervision/compliance/?year=2026"


def W(i: int) -> str:
    return f"W{i:03d}"


#: The people each filter keeps, in staff-number order (S300 sorts before the W's).
SHORT = ["S300"] + [W(i) for i in range(120) if (i % 10 != 0 or i == 30) and i != 119]
IN_PROGRESS = ["S300"] + [W(i) for i in range(120) if i % 4 != 0]
MET = [W(i) for i in range(120) if i % 4 == 0 or (i % 10 == 0 and i != 30)]
SHORT_UNDER_ZHOU = ["S300"] + [W(i) for i in range(60, 119) if i % 10 != 0]
SHORT_UNDER_CHEN = [W(i) for i in range(60) if i % 10 != 0 or i == 30]
IN_PROGRESS_UNDER_ZHOU = ["S300", W(7)] + [W(i) for i in range(60, 120) if i % 4 != 0]


@pytest.fixture
def december_2026(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def hundred_and_twenty(agency, supervisor_member, other_supervisor_member, log_session, december_2026):
    workers = []
    for i in range(120):
        worker = StaffMemberFactory(agency=agency, staff_no=W(i), name=f"社工{i:03d}")
        SpellFactory(staff=worker, hire_date=dt.date(2026, 11, 15) if i == 119 else dt.date(2025, 1, 1))
        SupervisionPlanFactory(
            supervisee=worker,
            supervisor=supervisor_member if i < 60 else other_supervisor_member,
            start=dt.date(2026, 11, 1),
            required_minutes=120,
            required_individual_minutes=60 if i == 30 else 0,
        )
        workers.append(worker)
    SupervisionPlanFactory(
        supervisee=workers[7],
        supervisor=other_supervisor_member,
        start=dt.date(2026, 12, 1),
        required_minutes=120,
        required_individual_minutes=0,
    )
    log_session(supervisor_member, workers[::10], dt.date(2026, 11, 5), 120, "group", today=TODAY)
    log_session(supervisor_member, workers[::4], dt.date(2026, 12, 3), 120, "group", today=TODAY)
    return workers


def walk(client, url: str) -> list:
    """Every page of ``url``, following the "next" links to the last."""
    pages = [client.get(url)]
    while pages[-1].context["page"].has_next:
        pages.append(client.get(f"/supervision/compliance/?{pages[-1].context['page'].next_query}"))
        assert len(pages) < 10
    return pages


def people(response) -> list[str]:
    return [g["staff_no"] for g in response.context["groups"]]


def test_the_short_filter_pages_fifty_short_supervisees_at_a_time_and_no_one_else(
    director, hundred_and_twenty, login_client
):
    assert len(SHORT) == 109
    pages = walk(login_client(director), f"{URL}&status=short")
    assert [people(p) for p in pages] == [SHORT[:50], SHORT[50:100], SHORT[100:]]
    assert [len(people(p)) for p in pages] == [50, 50, 9]
    for page in pages:
        assert {r["state"] for r in page.context["rows"]} == {"short"}
    assert [p.has_previous for p in (page.context["page"] for page in pages)] == [False, True, True]
    # S300 is short January to November (11 months), each W on page 1 in November only.
    first = pages[0]
    assert len(first.context["rows"]) == 60
    for page in pages:  # the whole list's figures, on every page
        assert "109 supervisees; 119 supervisee-months short in 2026 (0 met, 0 in progress)." in (
            page.content.decode()
        )
    assert [r["month"] for r in first.context["rows"] if r["staff_no"] == "W030"] == ["2026-11"]
    for absent in ("W000", "W010", "W119"):  # met in November, or November not counted
        assert all(absent not in people(p) for p in pages)


def test_the_previous_link_of_a_filtered_page_goes_back_to_the_same_people(
    director, hundred_and_twenty, login_client
):
    client = login_client(director)
    first, second = walk(client, f"{URL}&status=short")[:2]
    back = client.get(f"/supervision/compliance/?{second.context['page'].previous_query}")
    assert people(back) == people(first) == SHORT[:50]
    assert back.context["state"] == "short"


def test_the_in_progress_and_met_filters_page_their_own_people(director, hundred_and_twenty, login_client):
    client = login_client(director)
    in_progress = walk(client, f"{URL}&status=in_progress")
    assert [people(p) for p in in_progress] == [IN_PROGRESS[:50], IN_PROGRESS[50:]]
    assert [len(people(p)) for p in in_progress] == [50, 41]
    for page in in_progress:
        assert {(r["month"], r["state"]) for r in page.context["rows"]} == {("2026-12", "in_progress")}
    assert "W119" in people(in_progress[1])  # December counted: a whole month's spell

    met = walk(client, f"{URL}&status=met")
    assert len(met) == 1 and met[0].context["paged"] is False
    assert people(met[0]) == MET
    assert len(MET) == 35
    assert {r["state"] for r in met[0].context["rows"]} == {"met"}
    # W000 met both months; W010 November only; W004 December only.
    assert [
        (r["staff_no"], r["month"])
        for r in met[0].context["rows"]
        if r["staff_no"] in ("W000", "W004", "W010")
    ] == [("W000", "2026-11"), ("W000", "2026-12"), ("W004", "2026-12"), ("W010", "2026-11")]


def test_the_status_and_supervisor_filters_together_keep_the_months_of_that_supervisor(
    director, hundred_and_twenty, login_client
):
    client = login_client(director)
    zhou = walk(client, f"{URL}&status=short&supervisor=周督导")
    assert [people(p) for p in zhou] == [SHORT_UNDER_ZHOU[:50], SHORT_UNDER_ZHOU[50:]]
    assert [len(people(p)) for p in zhou] == [50, 4]
    for page in zhou:
        assert {(r["supervisor"], r["state"]) for r in page.context["rows"]} == {("周督导", "short")}
    # W007's short November is under 陈督导: not on 周督导's short pages, on 陈督导's.
    assert all("W007" not in people(p) for p in zhou)
    chen = walk(client, f"{URL}&status=short&supervisor=陈督导")
    assert [people(p) for p in chen] == [SHORT_UNDER_CHEN[:50], SHORT_UNDER_CHEN[50:]]
    assert [len(people(p)) for p in chen] == [50, 5]
    assert "W007" in people(chen[0])
    # W007's December in progress is under 周督导.
    pages = walk(client, f"{URL}&status=in_progress&supervisor=周督导")
    assert [people(p) for p in pages] == [IN_PROGRESS_UNDER_ZHOU]
    assert len(IN_PROGRESS_UNDER_ZHOU) == 47
    assert [(r["month"], r["supervisor"]) for r in pages[0].context["rows"] if r["staff_no"] == "W007"] == [
        ("2026-12", "周督导")
    ]


def test_the_supervisor_filter_alone_pages_the_people_with_a_month_under_them(
    director, hundred_and_twenty, login_client
):
    pages = walk(login_client(director), f"{URL}&supervisor=周督导")
    expected = ["S300", W(7), *[W(i) for i in range(60, 120)]]
    assert [people(p) for p in pages] == [expected[:50], expected[50:]]
    assert [r["month"] for r in pages[0].context["rows"] if r["staff_no"] == "W007"] == ["2026-12"]


@pytest.mark.parametrize("state", ["short", "in_progress", "met"])
def test_the_figures_on_a_filtered_page_are_those_of_the_unfiltered_page(
    state, director, hundred_and_twenty, login_client
):
    client = login_client(director)
    unfiltered = {(r["staff_no"], r["month"]): r for page in walk(client, URL) for r in page.context["rows"]}
    assert len(unfiltered) == 12 + 119 * 2 + 1  # S300: all 2026; W000–W118: November, December; W119
    filtered = [r for page in walk(client, f"{URL}&status={state}") for r in page.context["rows"]]
    assert filtered == [r for r in unfiltered.values() if r["state"] == state]
    for row in filtered:
        assert row == unfiltered[(row["staff_no"], row["month"])]


def test_a_supervisor_filters_their_own_supervisees_only(
    supervisor, other_supervisor, hundred_and_twenty, login_client
):
    chen = walk(login_client(supervisor), f"{URL}&status=short")
    assert [people(p) for p in chen] == [SHORT_UNDER_CHEN[:50], SHORT_UNDER_CHEN[50:]]
    # 周督导 sees W007 too (a plan of theirs), with its months under 陈督导 as they are.
    zhou = walk(login_client(other_supervisor), f"{URL}&status=short")
    expected = ["S300", W(7), *SHORT_UNDER_ZHOU[1:]]
    assert [people(p) for p in zhou] == [expected[:50], expected[50:]]
    assert [len(people(p)) for p in zhou] == [50, 5]
    assert [(r["month"], r["supervisor"]) for r in zhou[0].context["rows"] if r["staff_no"] == "W007"] == [
        ("2026-11", "陈督导")
    ]
    # A supervisor's filter names only their own supervisees' supervisors.
    assert walk(login_client(supervisor), f"{URL}&status=short")[0].context["supervisors"] == [
        "周督导",
        "陈督导",
    ]


@pytest.mark.parametrize("persona", ["finance", "staff", "auditor"])
def test_other_roles_may_not_filter_the_compliance_page(persona, personas, hundred_and_twenty, login_client):
    assert login_client(personas[persona]).get(f"{URL}&status=short").status_code == 403


def test_a_director_of_another_agency_finds_nobody(outsider, hundred_and_twenty, login_client):
    client = login_client(outsider)
    response = client.get(f"{URL}&status=short")
    assert response.status_code == 200
    assert response.context["rows"] == [] and response.context["page"].object_list == []
    assert "Nobody matches these filters." in response.content.decode()
    assert "社工" not in response.content.decode()
    with translation.override("zh-hans"):
        zh = client.get(f"{URL}&status=short", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "没有符合筛选条件的人员。" in zh.content.decode()


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_people_chosen_are_exactly_those_with_a_month_compliance_page_rows_keeps(
    year, agency, supervisor_member, hundred_and_twenty, staff_member, log_session
):
    """With S200 (陈督导 since 2022) too: 60 individual minutes in March 2025, 120 in February
    2026; in 2025 the W's have no plan yet, S200 and S300 twelve months."""
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 4), today=TODAY)
    log_session(supervisor_member, [staff_member], dt.date(2026, 2, 4), 120, today=TODAY)
    rows = compliance_rows(agency=agency, year=year, today=TODAY)
    seventy = [w.pk for w in hundred_and_twenty[:70]]
    for scope in (None, seventy):
        scoped = [r for r in rows if scope is None or r["staff_no"] in {W(i) for i in range(70)}]
        for who in ("", "陈督导", "周督导"):
            for state in ("", "met", "short", "in_progress"):
                kept = compliance_page_rows(scoped, today=TODAY, supervisor=who, state=state)
                chosen = compliance_matches(
                    agency=agency, year=year, supervisee_ids=scope, today=TODAY, supervisor=who, state=state
                )[0]
                expected = sorted({r["staff_no"] for r in kept})
                assert list(chosen.values_list("staff_no", flat=True)) == expected, (
                    scope is None,
                    who,
                    state,
                )
    if year == 2026:
        short = compliance_matches(agency=agency, year=year, today=TODAY, state="short")[0]
        assert short.count() == 110  # SHORT and S200


def test_a_year_that_has_not_started_chooses_nobody(agency, hundred_and_twenty):
    chosen = compliance_matches(agency=agency, year=2027, today=TODAY, state="short")[0]
    assert list(chosen) == []


def test_fifty_a_page_is_the_pages_size(hundred_and_twenty):
    assert views.COMPLIANCE_PER_PAGE == 50


def summed(pages: list) -> ComplianceTotals:
    """What adding up the rows of every page gives."""
    rows = [r for page in pages for r in page.context["rows"]]
    states = [r["state"] for r in rows]
    return ComplianceTotals(
        supervisees=len({r["staff_no"] for r in rows}),
        met=states.count("met"),
        short=states.count("short"),
        in_progress=states.count("in_progress"),
    )


def test_the_summary_line_gives_the_whole_lists_totals_on_every_page_in_both_languages(
    director, hundred_and_twenty, login_client
):
    """121 supervisees (S300, W000–W119); short: S300 January–November (11) and November of
    every W but W119 and the ten met (W000, W010, … but W030): 11 + 108; met: those ten in
    November and every fourth W in December (30); in progress: December of the others (91)."""
    client = login_client(director)
    pages = walk(client, URL)
    assert len(pages) == 3
    line = "121 supervisees; 119 supervisee-months short in 2026 (41 met, 91 in progress)."
    for page in pages:
        assert page.context["totals"] == ComplianceTotals(supervisees=121, met=41, short=119, in_progress=91)
        assert line in page.content.decode()
    # The first page's own short months are fewer (S300 and W000–W048: 11 + 45), which no longer reads as the total.
    assert sum(1 for r in pages[0].context["rows"] if r["state"] == "short") == 56
    with translation.override("zh-hans"):
        zh = client.get(
            f"/supervision/compliance/?{pages[0].context['page'].next_query}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert "共 121 名被督导者；2026 年 119 人月未达标（41 人月达标，91 人月进行中）。" in zh.content.decode()
    with translation.override("zh-hans"):
        met = client.get(f"{URL}&status=met&supervisor=陈督导", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # 陈督导's met months: November of W000, W010, W020, W040, W050; December of W000, W004, … W056.
    assert met.context["totals"] == ComplianceTotals(supervisees=17, met=20, short=0, in_progress=0)
    assert "共 17 名被督导者；2026 年 0 人月未达标（20 人月达标，0 人月进行中）。" in met.content.decode()
    one = client.get(f"{URL}&status=in_progress&supervisor=陈督导")
    assert one.context["totals"] == ComplianceTotals(supervisees=44, met=0, short=0, in_progress=44)


@pytest.mark.parametrize("persona", ["director", "supervisor", "other_supervisor"])
@pytest.mark.parametrize("who", ["", "陈督导", "周督导"])
@pytest.mark.parametrize("state", ["", "met", "short", "in_progress"])
def test_the_totals_are_what_adding_up_every_pages_rows_gives(
    persona, who, state, director, supervisor, other_supervisor, hundred_and_twenty, login_client
):
    user = {"director": director, "supervisor": supervisor, "other_supervisor": other_supervisor}
    pages = walk(login_client(user[persona]), f"{URL}&status={state}&supervisor={who}")
    assert {page.context["totals"] for page in pages} == {summed(pages)}
    if persona == "director":  # every filter keeps someone (a supervisor's may keep nobody)
        assert summed(pages).supervisees > 0


def test_a_supervisor_counts_their_own_supervisees_only(
    supervisor, other_supervisor, hundred_and_twenty, login_client
):
    """陈督导: W000–W059, November (5 met, 55 short) and December (15 met, 45 in progress), W007's
    December under 周督导 included; 周督导: S300 (11 short, 1 in progress), W007 (November short,
    December in progress), W060–W119 (November: 6 met, 53 short; December: 15 met, 45 in progress)."""
    chen = login_client(supervisor).get(URL)
    assert chen.context["totals"] == ComplianceTotals(supervisees=60, met=20, short=55, in_progress=45)
    assert (
        "60 supervisees; 55 supervisee-months short in 2026 (20 met, 45 in progress)."
        in chen.content.decode()
    )
    client = login_client(other_supervisor)
    zhou = client.get(URL)
    assert zhou.context["totals"] == ComplianceTotals(supervisees=62, met=21, short=65, in_progress=47)
    short = client.get(f"{URL}&status=short&supervisor=陈督导")  # W007's November
    assert short.context["totals"] == ComplianceTotals(supervisees=1, met=0, short=1, in_progress=0)
    assert "1 supervisee; 1 supervisee-month short in 2026 (0 met, 0 in progress)." in short.content.decode()


def test_a_director_of_another_agency_counts_nobody(
    outsider, outsider_agency, hundred_and_twenty, login_client
):
    client = login_client(outsider)
    for url in (URL, f"{URL}&status=short", f"{URL}&supervisor=陈督导"):
        response = client.get(url)
        assert response.context["totals"] == ComplianceTotals(supervisees=0, met=0, short=0, in_progress=0)
        main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
        assert '<p class="empty">' in main and "<table" not in main
        assert "supervisees;" not in main and "W000" not in main and "W119" not in main
    assert compliance_totals(agency=outsider_agency, year=2026, today=TODAY) == ComplianceTotals()


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_totals_are_those_of_the_rows_compliance_page_rows_keeps(
    year, agency, supervisor_member, hundred_and_twenty, staff_member, log_session
):
    """As for the people chosen: every scope, supervisor and state, summed over the report's rows.
    In 2026 S200 adds twelve months: February met, January and March–November short, December
    in progress."""
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 4), today=TODAY)
    log_session(supervisor_member, [staff_member], dt.date(2026, 2, 4), 120, today=TODAY)
    rows = compliance_rows(agency=agency, year=year, today=TODAY)
    seventy = [w.pk for w in hundred_and_twenty[:70]]
    for scope in (None, seventy):
        scoped = [r for r in rows if scope is None or r["staff_no"] in {W(i) for i in range(70)}]
        for who in ("", "陈督导", "周督导"):
            for state in ("", "met", "short", "in_progress"):
                kept = compliance_page_rows(scoped, today=TODAY, supervisor=who, state=state)
                _, totals = compliance_matches(
                    agency=agency, year=year, supervisee_ids=scope, today=TODAY, supervisor=who, state=state
                )
                states = [r["state"] for r in kept]
                expected = ComplianceTotals(
                    supervisees=len({r["staff_no"] for r in kept}),
                    met=states.count("met"),
                    short=states.count("short"),
                    in_progress=states.count("in_progress"),
                )
                assert totals == expected, (scope is None, who, state)
        unfiltered = compliance_totals(agency=agency, year=year, supervisee_ids=scope, today=TODAY)
        assert (
            unfiltered == compliance_matches(agency=agency, year=year, supervisee_ids=scope, today=TODAY)[1]
        )
    if year == 2026:
        assert compliance_totals(agency=agency, year=year, today=TODAY) == ComplianceTotals(
            supervisees=122, met=42, short=129, in_progress=92
        )
