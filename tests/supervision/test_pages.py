"""Supervision pages: the supervisor's home panel and quick log, lists, acknowledgement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from supervision.models import SupervisionSession
from tests.factories import SpellFactory, StaffMemberFactory, SupervisionPlanFactory

pytestmark = pytest.mark.django_db


def test_the_home_panel_shows_supervisees_and_overdue_items(supervisor, session_a, login_client):
    page = login_client(supervisor).get("/").content.decode()
    assert "李社工" in page
    assert "Read the safeguarding protocol" in page  # due 2025-04-01, not done: overdue
    assert 'id="quick-log"' in page


def test_the_home_panel_runs_a_fixed_number_of_queries(
    agency, supervisor, supervisor_member, staff_member, log_session, login_client, django_assert_num_queries
):
    client = login_client(supervisor)
    client.get("/")  # warm caches (content types, sessions)

    def add_supervisees(n):
        for i in range(n):
            worker = StaffMemberFactory(agency=agency)
            SpellFactory(staff=worker, hire_date=dt.date(2020, 1, 1))
            SupervisionPlanFactory(supervisee=worker, supervisor=supervisor_member, start=dt.date(2024, 1, 1))
            log_session(
                supervisor_member,
                [worker],
                timezone.localdate(),
                minutes=30 + i,
                today=timezone.localdate(),
                action_items=[{"text": f"item {i}", "due_date": dt.date(2025, 1, 1)}],
            )

    add_supervisees(2)
    cache.clear()  # the minute-old panels computed afresh (core.caching)
    # 19: the login's staff record is looked up once per request (staff.models.member_of), not per panel.
    with django_assert_num_queries(20) as ctx:  # 19 reads and the action items' read log
        client.get("/")
    first = len(ctx.captured_queries)
    add_supervisees(5)
    cache.clear()
    with django_assert_num_queries(first):
        client.get("/")


def test_the_quick_form_logs_a_session_in_one_post(supervisor, staff_member, login_client):
    today = timezone.localdate()
    response = login_client(supervisor).post(
        "/supervision/sessions/new/",
        {
            "attendees": [staff_member.pk],
            "date": today.isoformat(),
            "start_time": "00:00",
            "duration_minutes": 45,
            "modality": "individual",
            "format": "phone",
            "notes": "Short call.",
        },
    )
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/sessions/{session.pk}/"
    assert (session.duration_minutes, session.format, session.notes) == (45, "phone", "Short call.")


def test_the_quick_form_explains_a_refused_case_reference(supervisor, staff_member, login_client):
    response = login_client(supervisor).post(
        "/supervision/sessions/new/",
        {
            "attendees": [staff_member.pk],
            "date": "2025-03-03",
            "start_time": "09:00",
            "duration_minutes": 45,
            "modality": "individual",
            "format": "phone",
            "cases_discussed": 1,
            "case_refs": "张小明",
        },
    )
    assert response.status_code == 200
    assert "Not an anonymised case reference: 张小明" in response.content.decode()
    assert SupervisionSession.objects.count() == 0


def test_the_supervisee_acknowledges_from_their_list(staff_user, session_a, login_client):
    client = login_client(staff_user)
    page = client.get("/supervision/").content.decode()
    assert f"/supervision/sessions/{session_a.pk}/acknowledge/" in page
    client.post(f"/supervision/sessions/{session_a.pk}/acknowledge/", {"next": "/supervision/"})
    session_a.refresh_from_db()
    assert session_a.locked_at is not None


def test_the_session_list_runs_a_fixed_number_of_queries(
    director, supervisor_member, staff_member, log_session, login_client, django_assert_num_queries
):
    client = login_client(director)
    for day in (3, 4):
        log_session(supervisor_member, [staff_member], dt.date(2025, 3, day))
    client.get("/supervision/")
    with django_assert_num_queries(9) as ctx:  # keyset page: no COUNT(*) of the sessions
        client.get("/supervision/")
    first = len(ctx.captured_queries)
    for day in (5, 6, 7, 10):
        log_session(supervisor_member, [staff_member], dt.date(2025, 3, day))
    with django_assert_num_queries(first):
        client.get("/supervision/")


def test_the_plan_page_shows_the_supervisor_load(director, staff_member, login_client):
    page = login_client(director).get("/supervision/plans/").content.decode()
    assert "Supervisor load" in page
    assert "陈督导" in page


def test_the_compliance_page_shows_the_year(director, staff_member, login_client):
    page = login_client(director).get("/supervision/compliance/?year=2025").content.decode()
    assert "2025-03" in page


@pytest.fixture
def december_2026(monkeypatch):
    """The pages' "today": 10 December 2026, so the current month is December."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: dt.date(2026, 12, 10))


def test_the_current_month_is_in_progress_not_short(
    director, supervisor_member, staff_member, log_session, login_client, december_2026
):
    log_session(supervisor_member, [staff_member], dt.date(2026, 11, 3))
    client = login_client(director)
    rows = client.get("/supervision/compliance/?year=2026").context["rows"]
    assert [(r["month"], r["received_minutes"], r["state"]) for r in rows[-2:]] == [
        ("2026-11", 60, "short"),
        ("2026-12", 0, "in_progress"),
    ]
    assert [r["status"] for r in rows[-2:]] == ["short", "short"]
    with translation.override("zh-hans"):
        zh = client.get("/supervision/compliance/?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = zh.content.decode()
    assert '<span class="badge in_progress">进行中</span>' in page
    assert "11 人月未达标" in page


def test_the_compliance_page_filters_by_supervisor_and_status(
    director, staff_member, other_supervisor_member, login_client, december_2026
):
    client = login_client(director)
    rows = client.get("/supervision/compliance/?year=2026&supervisor=周督导").context["rows"]
    assert {r["name"] for r in rows} == {"王社工"}
    assert len(rows) == 12
    rows = client.get("/supervision/compliance/?year=2026&status=in_progress").context["rows"]
    assert [(r["name"], r["month"]) for r in rows] == [("李社工", "2026-12"), ("王社工", "2026-12")]
    rows = client.get("/supervision/compliance/?year=2026&status=short&supervisor=陈督导").context["rows"]
    assert [r["month"] for r in rows] == [f"2026-{m:02d}" for m in range(1, 12)]
    assert client.get("/supervision/compliance/?year=2026&status=nonsense").context["state"] == ""


def test_the_phone_layout_groups_the_months_by_supervisee(
    director, staff_member, other_supervisor_member, login_client, december_2026
):
    response = login_client(director).get("/supervision/compliance/?year=2026")
    groups = response.context["groups"]
    assert [(g["name"], g["supervisor"], len(g["months"])) for g in groups] == [
        ("李社工", "陈督导", 12),
        ("王社工", "周督导", 12),
    ]
    assert response.content.decode().count('<section class="card compliance-person">') == 2


def test_the_session_pickers_list_current_supervisees_first_and_never_leavers(
    agency, supervisor, supervisor_member, staff_member, other_staff_member, login_client
):
    leaver = StaffMemberFactory(agency=agency, staff_no="S050", name="离职社工")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2020, 1, 1), exit_date=dt.date(2024, 6, 30), exit_reason="salary"
    )
    newcomer = StaffMemberFactory(agency=agency, staff_no="S010", name="赵社工")
    SpellFactory(staff=newcomer, hire_date=dt.date(2021, 1, 1))
    response = login_client(supervisor).get("/supervision/sessions/new/")
    attendees = response.context["form"].fields["attendees"]
    assert [label for _pk, label in attendees.choices] == ["李社工 (S200)", "赵社工 (S010)", "王社工 (S300)"]
    page = response.content.decode()
    assert "离职社工" not in page
    assert page.count('data-picker-label="Search name or staff no."') == 6


def test_editing_a_session_keeps_a_leaver_who_attended_it(
    agency, supervisor, supervisor_member, staff_member, log_session, login_client
):
    leaver = StaffMemberFactory(agency=agency, staff_no="S051", name="已离职")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2020, 1, 1), exit_date=dt.date(2025, 12, 31), exit_reason="salary"
    )
    session = log_session(supervisor_member, [staff_member, leaver], dt.date(2025, 3, 3))
    from supervision.selectors import picker_staff

    names = [m.name for m in picker_staff(supervisor=supervisor_member, day=dt.date(2026, 12, 1))]
    assert names == ["李社工"]
    kept = picker_staff(
        supervisor=supervisor_member,
        day=dt.date(2026, 12, 1),
        keep=session.attendances.values_list("staff_id", flat=True),
    )
    assert [m.name for m in kept] == ["李社工", "已离职"]


def test_the_session_list_counts_acknowledgements_of_the_rows_shown_without_grouping_the_agency(
    agency, director, supervisor_member, staff_member, other_staff_member, log_session, login_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.services import Attendee

    absent = StaffMemberFactory(agency=agency, staff_no="S350", name="缺席社工")
    SpellFactory(staff=absent, hire_date=dt.date(2020, 1, 1))
    session = log_session(
        supervisor_member,
        [Attendee(staff_member), Attendee(other_staff_member), Attendee(absent, present=False)],
        dt.date(2025, 3, 12),
    )
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 5))
    client = login_client(director)
    client.get("/supervision/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/supervision/")
    rows = {s.pk: (s.attendee_count, s.pending_count) for s in response.context["page"]}
    assert rows[session.pk] == (2, 2)  # the absent supervisee is neither counted nor asked
    assert sorted(rows.values()) == [(1, 1), (2, 2)]
    assert "2 to acknowledge" in response.content.decode()
    # The page's sessions are read as a page: no COUNT grouped over every session of the agency.
    listing = [
        q["sql"] for q in queries.captured_queries if 'FROM "supervision_supervisionsession"' in q["sql"]
    ]
    assert listing and not any("GROUP BY" in sql or "COUNT(" in sql for sql in listing)
