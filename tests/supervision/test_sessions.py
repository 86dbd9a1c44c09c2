"""Logging sessions: validation, warnings, acknowledgement, locking and amendments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from supervision import services
from supervision.models import SessionAmendment, SupervisionSession
from supervision.services import Attendee
from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_logged_session_records_attendance_and_action_items(session_a, staff_member):
    assert session_a.attendances.get().staff == staff_member
    assert session_a.action_items.get().text == "Read the safeguarding protocol"
    assert session_a.locked_at is None
    assert session_a.warnings == []


def test_a_session_in_the_future_is_refused(supervisor_member, staff_member, log_session):
    with pytest.raises(ValidationError) as exc:
        log_session(supervisor_member, [staff_member], dt.date(2026, 11, 29))
    assert "date" in errors_of(exc)
    assert SupervisionSession.objects.count() == 0


@pytest.mark.parametrize(("minutes", "ok"), [(9, False), (10, True), (480, True), (481, False)])
def test_duration_must_be_between_ten_minutes_and_eight_hours(
    supervisor_member, staff_member, log_session, minutes, ok
):
    if ok:
        assert log_session(supervisor_member, [staff_member], dt.date(2025, 3, 3), minutes=minutes).pk
    else:
        with pytest.raises(ValidationError) as exc:
            log_session(supervisor_member, [staff_member], dt.date(2025, 3, 3), minutes=minutes)
        assert "A session lasts between 10 minutes and 8 hours." in str(exc.value)


def test_a_supervisor_cannot_supervise_themselves(supervisor_member, log_session):
    with pytest.raises(ValidationError) as exc:
        log_session(supervisor_member, [supervisor_member], dt.date(2025, 3, 3))
    assert "A supervisor cannot supervise themselves." in errors_of(exc)["attendees"]


def test_attendees_must_be_employed_on_the_session_date(supervisor_member, staff_member, log_session):
    # staff_member was hired on 2022-03-01
    with pytest.raises(ValidationError) as exc:
        log_session(supervisor_member, [staff_member], dt.date(2022, 2, 28))
    assert errors_of(exc)["attendees"] == ["Not employed on 2022-02-28: 李社工."]


def test_a_leaver_cannot_attend_after_the_exit_date(agency, supervisor_member, log_session):
    leaver = StaffMemberFactory(agency=agency, name="离职社工")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2023, 1, 1), exit_date=dt.date(2025, 1, 31), exit_reason="salary"
    )
    assert log_session(supervisor_member, [leaver], dt.date(2025, 1, 31)).pk
    with pytest.raises(ValidationError):
        log_session(supervisor_member, [leaver], dt.date(2025, 2, 1))


def test_staff_of_another_agency_cannot_attend(supervisor_member, outsider_member, log_session):
    with pytest.raises(ValidationError) as exc:
        log_session(supervisor_member, [outsider_member], dt.date(2025, 3, 3))
    assert errors_of(exc)["attendees"] == ["Not staff of this agency: Outsider Worker."]


@pytest.mark.parametrize("ref", ["张小明", "Zhang Wei", "ZhangWei", "XF 2025 014", "XF--2025", "-XF-1"])
def test_case_references_that_could_be_names_are_refused(supervisor_member, staff_member, log_session, ref):
    with pytest.raises(ValidationError) as exc:
        log_session(
            supervisor_member, [staff_member], dt.date(2025, 3, 3), cases_discussed=1, case_refs=[ref]
        )
    assert "case_refs" in errors_of(exc)


def test_anonymised_case_references_are_accepted(supervisor_member, staff_member, log_session):
    session = log_session(
        supervisor_member,
        [staff_member],
        dt.date(2025, 3, 3),
        cases_discussed=2,
        case_refs=["XF-2025-014", "A7"],
    )
    assert session.case_refs == ["XF-2025-014", "A7"]


def test_a_lower_certificate_level_is_a_warning_not_a_refusal(supervisor_member, staff_member, log_session):
    QualificationFactory(staff=supervisor_member, level="assistant_social_worker", issued=dt.date(2020, 1, 1))
    QualificationFactory(staff=staff_member, level="social_worker", issued=dt.date(2024, 1, 1))
    session = log_session(supervisor_member, [staff_member], dt.date(2025, 3, 3))
    assert session.pk
    assert session.warnings == ["The supervisor's certificate level is below that of 李社工."]


def test_overlapping_sessions_of_one_supervisor_are_a_warning(
    supervisor_member, staff_member, other_staff_member, log_session
):
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 3), start=dt.time(9, 0), minutes=60)
    second = log_session(supervisor_member, [other_staff_member], dt.date(2025, 3, 3), start=dt.time(9, 30))
    third = log_session(supervisor_member, [other_staff_member], dt.date(2025, 3, 3), start=dt.time(10, 30))
    assert second.warnings == ["Overlaps another session of this supervisor (2025-03-03 09:00)."]
    assert third.warnings == []


def test_the_session_locks_when_every_present_supervisee_has_acknowledged(
    supervisor_member, staff_member, other_staff_member, log_session, staff_user
):
    from tests.factories import UserFactory

    other_user = UserFactory(username="grace", agency_roles=(staff_member.agency, ["staff"]))
    other_staff_member.user = other_user
    other_staff_member.save()
    absent = StaffMemberFactory(agency=staff_member.agency, name="缺席社工")
    SpellFactory(staff=absent, hire_date=dt.date(2020, 1, 1))
    session = log_session(
        supervisor_member,
        [Attendee(staff_member), Attendee(other_staff_member), Attendee(absent, present=False)],
        dt.date(2025, 3, 3),
        modality="group",
    )
    services.session_acknowledge(session=session, user=staff_user)
    session.refresh_from_db()
    assert session.locked_at is None
    services.session_acknowledge(session=session, user=other_user)
    session.refresh_from_db()
    assert session.locked_at is not None


def test_only_a_present_supervisee_can_acknowledge(session_a, supervisor):
    with pytest.raises(ValidationError):
        services.session_acknowledge(session=session_a, user=supervisor)


def test_a_locked_session_cannot_be_edited_only_amended(session_a, staff_user, supervisor):
    services.session_acknowledge(session=session_a, user=staff_user)
    with pytest.raises(ValidationError) as exc:
        services.session_update(session=session_a, user=supervisor, notes="rewritten")
    assert "locked" in str(exc.value)
    session_a.refresh_from_db()
    assert session_a.notes == "Confidential: worker is struggling with case XF-2025-014."


def test_an_amendment_keeps_the_original_and_the_reason(session_a, staff_user, supervisor):
    services.session_acknowledge(session=session_a, user=staff_user)
    amendment = services.session_amend(
        session=session_a, user=supervisor, reason="Duration was mistyped", duration_minutes=90
    )
    session_a.refresh_from_db()
    assert session_a.duration_minutes == 90
    assert session_a.locked_at is not None
    assert amendment.before == {"duration_minutes": 60}
    assert amendment.after == {"duration_minutes": 90}
    assert SessionAmendment.objects.get().reason == "Duration was mistyped"


def test_an_amendment_needs_a_reason(session_a, staff_user, supervisor):
    services.session_acknowledge(session=session_a, user=staff_user)
    with pytest.raises(ValidationError):
        services.session_amend(session=session_a, user=supervisor, reason="  ", duration_minutes=90)
    assert SessionAmendment.objects.count() == 0


def test_an_unlocked_session_cannot_be_amended(session_a, supervisor):
    with pytest.raises(ValidationError):
        services.session_amend(session=session_a, user=supervisor, reason="x", duration_minutes=90)


def test_editing_before_locking_clears_earlier_acknowledgements(
    session_a, supervisor, staff_member, other_staff_member, staff_user
):
    session_a.attendances.update(acknowledged_at=dt.datetime(2025, 3, 11, tzinfo=dt.UTC))
    services.session_update(
        session=session_a, user=supervisor, attendees=[staff_member, other_staff_member], duration_minutes=70
    )
    session_a.refresh_from_db()
    assert session_a.duration_minutes == 70
    assert session_a.attendances.filter(acknowledged_at__isnull=False).count() == 0
    assert session_a.attendances.count() == 2


def test_an_amendment_shows_each_field_and_value_by_its_label_not_its_code(session_a, staff_user, supervisor):
    services.session_acknowledge(session=session_a, user=staff_user)
    amendment = services.session_amend(
        session=session_a,
        user=supervisor,
        reason="Wrong modality and focus",
        modality="peer",
        focus_areas=["ethics", "self_care"],
    )
    assert amendment.after == {"modality": "peer", "focus_areas": ["ethics", "self_care"]}
    assert amendment.changes == [
        ("modality", "Individual", "Peer"),
        ("focus areas", None, "Ethics、Self-care"),
    ]
    shown = SessionAmendment.history_display("after", amendment.after)
    assert shown == "modality：Peer；focus areas：Ethics、Self-care"


def test_a_sessions_history_and_detail_page_show_focus_areas_by_label(
    session_a, staff_user, supervisor, director, client
):
    from core.selectors import record_history

    services.session_acknowledge(session=session_a, user=staff_user)
    services.session_amend(
        session=session_a, user=supervisor, reason="Focus was missed", focus_areas=["child_safeguarding"]
    )
    changes = [change for entry in record_history(session_a) for change in entry.changes]
    assert ("focus areas", None, "Child safeguarding") in changes
    client.force_login(director)
    page = client.get(f"/supervision/sessions/{session_a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "督导重点: —<br>" in html and "督导重点: 儿童保护<br>" in html
    assert "child_safeguarding" not in html
