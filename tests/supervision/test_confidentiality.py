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


# --- action items are as confidential as the notes ------------------------------------------


@pytest.fixture
def absent_session(supervisor_member, staff_member, other_staff_member, log_session):
    """A group session that ``staff_member`` (login dave) missed and ``other_staff_member`` attended."""
    from supervision.services import Attendee

    return log_session(
        supervisor_member,
        [Attendee(staff_member, present=False), Attendee(other_staff_member)],
        dt.date(2025, 3, 12),
        modality="group",
    )


def test_an_action_item_cannot_be_given_to_someone_who_may_not_read_the_session(
    absent_session, staff_member, other_staff_member, supervisor_member, supervisor, login_api
):
    from django.core.exceptions import ValidationError

    from supervision import services
    from tests.factories import SpellFactory, StaffMemberFactory

    stranger = StaffMemberFactory(agency=staff_member.agency, name="陌生社工")
    SpellFactory(staff=stranger, hire_date=dt.date(2020, 1, 1))
    for owner in (staff_member, stranger):  # absent; not on the session at all
        with pytest.raises(ValidationError) as refused:
            services.action_item_create(session=absent_session, text="Follow up", owner=owner)
        assert refused.value.message_dict["owner"][0].startswith(
            f"{owner.name} was not present at this session"
        )
    response = login_api(supervisor).post(
        "/api/v1/supervision-action-items/",
        {"session": absent_session.pk, "text": "Follow up", "owner": staff_member.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "was not present" in str(response.json())
    # The supervisor and a present supervisee may own one.
    for owner in (supervisor_member, other_staff_member):
        assert (
            services.action_item_create(session=absent_session, text="Follow up", owner=owner).owner == owner
        )
    assert absent_session.action_items.count() == 2


def test_a_session_cannot_be_logged_with_an_item_for_an_absent_supervisee(
    supervisor_member, staff_member, other_staff_member, log_session
):
    from django.core.exceptions import ValidationError

    from supervision.models import SupervisionSession
    from supervision.services import Attendee

    with pytest.raises(ValidationError):
        log_session(
            supervisor_member,
            [Attendee(staff_member, present=False), Attendee(other_staff_member)],
            dt.date(2025, 3, 12),
            modality="group",
            action_items=[{"text": "Call the family", "owner": staff_member}],
        )
    assert not SupervisionSession.objects.filter(date=dt.date(2025, 3, 12)).exists()


def test_the_session_page_offers_only_people_who_may_read_it_as_owners(
    absent_session, staff_member, other_staff_member, supervisor, login_client
):
    form = login_client(supervisor).get(f"/supervision/sessions/{absent_session.pk}/").context["action_form"]
    owners = set(form.fields["owner"].queryset.values_list("name", flat=True))
    assert owners == {other_staff_member.name, absent_session.supervisor.name}


def test_an_item_of_a_session_the_owner_missed_is_not_on_their_home_page(
    absent_session, staff_member, staff_user, login_client
):
    from supervision.models import ActionItem

    # As an older record, or one whose owner was marked absent later, may be.
    ActionItem.objects.create(
        agency=absent_session.agency, session=absent_session, text="Secret follow-up", owner=staff_member
    )
    page = login_client(staff_user).get("/").content.decode()
    assert "Secret follow-up" not in page
    assert reads() == []
