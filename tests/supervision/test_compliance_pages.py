"""The compliance page a page of supervisees at a time: the months of the people shown only,
with the figures of the report (metrics.md), filters, empty states and both languages. The
filters over a hundred and more supervisees are in test_compliance_filters.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from supervision import views
from supervision.selectors import compliance_rows
from tests.factories import SpellFactory, StaffMemberFactory, SupervisionPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 10)
URL = "/supervision/compliance/?year=2026"


@pytest.fixture
def december_2026(monkeypatch):
    """The pages' "today": 10 December 2026, so the current month (in progress) is December."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def three_supervisees(
    agency, supervisor_member, staff_member, other_supervisor_member, log_session, december_2026
):
    """S200 李社工 (陈督导, since 2022): 60 individual minutes in November; S250 张社工 (陈督导),
    hired 15 June 2026: June not counted, July met (60 individual + a 90-minute group with
    S200); S300 王社工 (周督导, since 2023-05): no sessions."""
    newcomer = StaffMemberFactory(agency=agency, staff_no="S250", name="张社工")
    SpellFactory(staff=newcomer, hire_date=dt.date(2026, 6, 15))
    SupervisionPlanFactory(supervisee=newcomer, supervisor=supervisor_member, start=dt.date(2026, 6, 15))
    log_session(supervisor_member, [staff_member], dt.date(2026, 11, 3), today=TODAY)
    log_session(supervisor_member, [newcomer], dt.date(2026, 7, 8), today=TODAY)
    log_session(supervisor_member, [staff_member, newcomer], dt.date(2026, 7, 20), 90, "group", today=TODAY)
    return newcomer


def months(staff_no: str, first: int, received: dict) -> list[tuple]:
    """(staff_no, month, received, individual, state) from month ``first`` to December 2026:
    ``received`` gives the months with minutes, every other month has none."""
    out = []
    for m in range(first, 13):
        got, individual = received.get(m, (0, 0))
        met = got >= 120 and individual >= 60
        state = "met" if met else ("in_progress" if m == 12 else "short")
        out.append((staff_no, f"2026-{m:02d}", got, individual, state))
    return out


def shown(response) -> list[tuple]:
    return [
        (r["staff_no"], r["month"], r["received_minutes"], r["individual_minutes"], r["state"])
        for r in response.context["rows"]
    ]


def test_a_page_computes_its_own_supervisees_and_the_next_page_the_others(
    agency, director, three_supervisees, login_client, monkeypatch
):
    monkeypatch.setattr(views, "COMPLIANCE_PER_PAGE", 2)
    client = login_client(director)
    first = client.get(URL)
    assert shown(first) == [
        *months("S200", 1, {7: (90, 0), 11: (60, 60)}),
        *months("S250", 7, {7: (150, 60)}),
    ]
    assert shown(first)[6] == ("S200", "2026-07", 90, 0, "short")
    assert shown(first)[12] == ("S250", "2026-07", 150, 60, "met")
    assert [r["supervisor"] for r in first.context["rows"]] == ["陈督导"] * 18
    page = first.context["page"]
    assert (page.has_previous, page.has_next, len(page.object_list)) == (False, True, 2)
    html = first.content.decode()
    # The whole list's, on every page: S200 short Jan–Nov, S250 Aug–Nov, S300 Jan–Nov.
    assert "3 supervisees; 26 supervisee-months short in 2026 (1 met, 3 in progress)." in html
    assert f'href="?{page.next_query}" rel="next"' in html.replace("&amp;", "&")

    second = client.get(f"/supervision/compliance/?{page.next_query}")
    assert shown(second) == months("S300", 1, {})
    assert [r["supervisor"] for r in second.context["rows"]] == ["周督导"] * 12
    assert (second.context["page"].has_previous, second.context["page"].has_next) == (True, False)
    assert (
        "3 supervisees; 26 supervisee-months short in 2026 (1 met, 3 in progress)." in second.content.decode()
    )
    assert second.content.decode().count('<section class="card compliance-person">') == 1
    # The filter offers every supervisor of the year, not only those of the page.
    assert second.context["supervisors"] == ["周督导", "陈督导"]

    # The pages together are the report's rows, figure for figure.
    report = [
        (r["staff_no"], r["month"], r["received_minutes"], r["individual_minutes"], r["status"])
        for r in compliance_rows(agency=agency, year=2026, today=TODAY)
    ]
    together = first.context["rows"] + second.context["rows"]
    assert [
        (r["staff_no"], r["month"], r["received_minutes"], r["individual_minutes"], r["status"])
        for r in together
    ] == report
    assert len(report) == 30

    with translation.override("zh-hans"):
        zh = client.get(f"/supervision/compliance/?{page.next_query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page_zh = zh.content.decode()
    assert "共 3 名被督导者；2026 年 26 人月未达标（1 人月达标，3 人月进行中）。" in page_zh
    assert '<span class="badge in_progress">进行中</span>' in page_zh
    assert '<span class="badge short">未达标</span>' in page_zh


def test_fifty_supervisees_a_page(agency, director, supervisor_member, login_client, december_2026):
    for i in range(51):
        worker = StaffMemberFactory(agency=agency, staff_no=f"P{i:03d}", name=f"社工{i}")
        SpellFactory(staff=worker, hire_date=dt.date(2025, 1, 1))
        SupervisionPlanFactory(supervisee=worker, supervisor=supervisor_member, start=dt.date(2026, 11, 1))
    client = login_client(director)
    first = client.get(URL)
    assert [g["staff_no"] for g in first.context["groups"]] == [f"P{i:03d}" for i in range(50)]
    assert len(first.context["rows"]) == 100  # November and December of each
    second = client.get(f"/supervision/compliance/?{first.context['page'].next_query}")
    assert shown(second) == [("P050", "2026-11", 0, 0, "short"), ("P050", "2026-12", 0, 0, "in_progress")]
    assert (
        "51 supervisees; 51 supervisee-months short in 2026 (0 met, 51 in progress)."
        in second.content.decode()
    )


def test_the_status_filter_chooses_the_supervisees_before_paging_so_no_page_is_short_of_them(
    director, three_supervisees, login_client, monkeypatch
):
    monkeypatch.setattr(views, "COMPLIANCE_PER_PAGE", 2)
    client = login_client(director)
    first = client.get(f"{URL}&status=met")
    assert shown(first) == [("S250", "2026-07", 150, 60, "met")]
    assert first.context["paged"] is False  # S250 is the only one with a met month: one page
    html = first.content.decode()
    assert "1 supervisee; 0 supervisee-months short in 2026 (1 met, 0 in progress)." in html
    assert "on this page" not in html and 'rel="next"' not in html
    # Two a page: S200 and S250 are short in some month, S300 in every month to November.
    short = client.get(f"{URL}&status=short")
    assert [g["staff_no"] for g in short.context["groups"]] == ["S200", "S250"]
    assert len(short.context["rows"]) == 15
    second = client.get(f"/supervision/compliance/?{short.context['page'].next_query}")
    assert second.context["state"] == "short"
    assert shown(second) == months("S300", 1, {})[:11]
    assert (second.context["page"].has_previous, second.context["page"].has_next) == (True, False)


def test_a_filter_that_nobody_matches_says_so(director, three_supervisees, login_client):
    client = login_client(director)
    response = client.get(f"{URL}&status=met&supervisor=周督导")
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "Nobody matches these filters." in html
    assert "No supervisee-months to count for this year." not in html
    with translation.override("zh-hans"):
        zh = client.get(f"{URL}&status=met&supervisor=周督导", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "没有符合筛选条件的人员。" in zh.content.decode()


def test_an_unfiltered_page_of_people_without_a_month_to_count_links_to_the_next(
    agency, director, supervisor_member, three_supervisees, login_client, monkeypatch
):
    """S210 joined on 5 December 2026 under a plan from that day: listed (under a plan, employed
    in the year) but with no whole month to count yet, so a page of S210 alone has no rows."""
    joiner = StaffMemberFactory(agency=agency, staff_no="S210", name="刘社工")
    SpellFactory(staff=joiner, hire_date=dt.date(2026, 12, 5))
    SupervisionPlanFactory(supervisee=joiner, supervisor=supervisor_member, start=dt.date(2026, 12, 5))
    monkeypatch.setattr(views, "COMPLIANCE_PER_PAGE", 1)
    client = login_client(director)
    first = client.get(URL)
    second = client.get(f"/supervision/compliance/?{first.context['page'].next_query}")
    assert [p.staff_no for p in second.context["page"].object_list] == ["S210"]
    assert second.context["rows"] == []
    html = second.content.decode()
    notice = "None of the supervisees on this page has a month to count this year; the other pages may."
    assert notice in html
    assert 'rel="next"' in html and 'rel="prev"' in html
    with translation.override("zh-hans"):
        zh = client.get(
            f"/supervision/compliance/?{first.context['page'].next_query}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert "本页的被督导者今年都没有可计算的月份；其他页可能有。" in zh.content.decode()
    # Filtered, S210 is never on a page: it has no month that could match.
    short = client.get(f"{URL}&status=short")
    assert [p.staff_no for p in short.context["page"].object_list] == ["S200"]
    after = client.get(f"/supervision/compliance/?{short.context['page'].next_query}")
    assert [p.staff_no for p in after.context["page"].object_list] == ["S250"]


def test_the_supervisor_filter_pages_that_supervisors_people_only(
    director, three_supervisees, login_client, monkeypatch
):
    monkeypatch.setattr(views, "COMPLIANCE_PER_PAGE", 2)
    client = login_client(director)
    response = client.get(f"{URL}&supervisor=周督导")
    assert shown(response) == months("S300", 1, {})
    assert response.context["paged"] is False  # one page: the figures are the whole list's
    assert (
        "1 supervisee; 11 supervisee-months short in 2026 (0 met, 1 in progress)."
        in response.content.decode()
    )
    assert "on this page" not in response.content.decode()
    # an unknown supervisor is ignored, not an empty page
    assert len(client.get(f"{URL}&supervisor=nobody").context["page"].object_list) == 2


def test_a_supervisor_pages_their_own_supervisees_only(
    supervisor, three_supervisees, login_client, monkeypatch
):
    monkeypatch.setattr(views, "COMPLIANCE_PER_PAGE", 1)
    client = login_client(supervisor)
    first = client.get(URL)
    assert {r["staff_no"] for r in first.context["rows"]} == {"S200"}
    assert first.context["supervisors"] == ["陈督导"]
    second = client.get(f"/supervision/compliance/?{first.context['page'].next_query}")
    assert {r["staff_no"] for r in second.context["rows"]} == {"S250"}
    assert second.context["page"].has_next is False


def test_a_year_without_supervisees_shows_the_empty_state(director, three_supervisees, login_client):
    response = login_client(director).get("/supervision/compliance/?year=2021")
    assert response.context["rows"] == []
    assert "No supervisee-months to count for this year." in response.content.decode()
    assert 'rel="next"' not in response.content.decode()


def test_a_made_up_cursor_shows_the_first_page(director, three_supervisees, login_client):
    response = login_client(director).get(f"{URL}&after=not-a-cursor")
    assert response.status_code == 200
    assert [g["staff_no"] for g in response.context["groups"]] == ["S200", "S250", "S300"]
