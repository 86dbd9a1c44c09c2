"""Confidential notes: who reads them, that every read is logged, and where they never appear."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import SensitiveRead

pytestmark = pytest.mark.django_db

NOTES = "Confidential: worker is struggling with case XF-2025-014."


def reads(channel=None):
    qs = SensitiveRead.objects.all()
    if channel:
        qs = qs.filter(channel=channel)
    return list(qs.values_list("user__username", "object_id", "channel"))


def test_the_supervisor_reading_notes_on_the_page_is_logged(supervisor, session_a, login_client):
    response = login_client(supervisor).get(f"/supervision/sessions/{session_a.pk}/")
    assert NOTES in response.content.decode()
    assert reads() == [("carol", str(session_a.pk), "page")]


def test_an_attendee_reads_the_notes_and_the_read_is_logged(staff_user, session_a, login_client):
    response = login_client(staff_user).get(f"/supervision/sessions/{session_a.pk}/")
    assert NOTES in response.content.decode()
    assert "Read the safeguarding protocol" in response.content.decode()
    assert reads() == [("dave", str(session_a.pk), "page")]


def test_a_director_reads_notes_over_the_api_and_the_read_is_logged(director, session_a, login_api):
    body = login_api(director).get(f"/api/v1/supervision-sessions/{session_a.pk}/").json()
    assert body["notes"] == NOTES
    assert body["action_items"][0]["text"] == "Read the safeguarding protocol"
    assert reads() == [("alice", str(session_a.pk), "api")]


def test_directors_can_review_the_reads(director, supervisor, session_a, login_client):
    login_client(supervisor).get(f"/supervision/sessions/{session_a.pk}/")
    page = login_client(director).get("/confidential-reads/").content.decode()
    assert "Carol" in page or "carol" in page
    assert str(session_a) in page


def test_lists_never_carry_notes_and_reading_a_list_is_not_a_read(
    director, session_a, login_api, login_client
):
    body = login_api(director).get("/api/v1/supervision-sessions/").json()
    assert "notes" not in body["results"][0]
    assert NOTES not in login_client(director).get("/supervision/").content.decode()
    assert reads() == []


def test_notes_are_not_searchable(director, session_a, login_api, login_client):
    assert login_api(director).get("/api/v1/supervision-sessions/?search=struggling").json()["count"] == 0
    page = login_client(director).get("/supervision/?q=struggling").content.decode()
    assert "No supervision sessions match" in page


@pytest.mark.parametrize("persona", ["finance", "auditor"])
def test_finance_officers_and_auditors_cannot_open_or_list_sessions(
    persona, personas, session_a, login_api, login_client
):
    user = personas[persona]
    assert login_client(user).get(f"/supervision/sessions/{session_a.pk}/").status_code == 404
    assert login_api(user).get("/api/v1/supervision-sessions/").status_code == 403
    assert login_api(user).get("/api/v1/supervision-action-items/").status_code == 403
    assert reads() == []


def test_another_supervisor_cannot_open_the_session(
    other_supervisor, other_supervisor_member, session_a, login_client, login_api
):
    assert login_client(other_supervisor).get(f"/supervision/sessions/{session_a.pk}/").status_code == 404
    assert login_api(other_supervisor).get(f"/api/v1/supervision-sessions/{session_a.pk}/").status_code == 404
    assert reads() == []


def test_the_log_pdf_includes_only_notes_the_reader_may_read(
    supervisor, staff_member, session_a, other_supervisor_member, log_session, login_client
):
    # Frank also supervised the staff persona once: the staff persona's supervisor (Carol)
    # may print the log, but not read Frank's notes.
    frank_session = log_session(
        other_supervisor_member, [staff_member], dt.date(2025, 3, 20), notes="Frank's notes"
    )
    response = login_client(supervisor).get(f"/supervision/staff/{staff_member.pk}/log.pdf?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert reads("report") == [("carol", str(session_a.pk), "report")]
    assert str(frank_session.pk) not in {r[1] for r in reads()}


def test_the_supervisee_reading_their_own_log_reads_every_session(
    staff_user, staff_member, session_a, login_client
):
    assert login_client(staff_user).get(f"/supervision/staff/{staff_member.pk}/log.pdf").status_code == 200
    assert reads("report") == [("dave", str(session_a.pk), "report")]


def test_linking_a_login_later_shows_the_person_their_past_sessions(agency, supervisor_member, director):
    import datetime as dt

    from supervision.models import SupervisionSession
    from supervision.services import session_create
    from tests.factories import SpellFactory, StaffMemberFactory, UserFactory

    worker = StaffMemberFactory(agency=agency, staff_no="S777", name="赵社工")
    SpellFactory(staff=worker, hire_date=dt.date(2020, 1, 1))
    session = session_create(
        agency=agency,
        user=supervisor_member.user,
        supervisor=supervisor_member,
        date=dt.date(2024, 5, 6),
        start_time=dt.time(9, 0),
        duration_minutes=60,
        attendees=[worker],
    )
    login = UserFactory(username="zhao", agency_roles=(agency, ["staff"]))
    assert not SupervisionSession.objects.for_user(login, "view").filter(pk=session.pk).exists()

    worker.user = login
    worker.save()

    assert SupervisionSession.objects.for_user(login, "view").filter(pk=session.pk).exists()
