"""Supervision fixtures: a second supervisor with their own supervisee, and two sessions.

``session_a`` is led by the supervisor persona and attended by the staff persona;
``session_b`` is led by another supervisor (Frank) and attended by ``other_staff_member``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from supervision import services
from tests.factories import SpellFactory, StaffMemberFactory, SupervisionPlanFactory, UserFactory


@pytest.fixture
def other_supervisor(agency):
    return UserFactory(username="frank", first_name="Frank", agency_roles=(agency, ["supervisor", "staff"]))


@pytest.fixture
def other_supervisor_member(agency, other_supervisor, other_staff_member):
    member = StaffMemberFactory(agency=agency, staff_no="S400", name="周督导", user=other_supervisor)
    SpellFactory(staff=member, hire_date=dt.date(2018, 1, 1))
    SupervisionPlanFactory(supervisee=other_staff_member, supervisor=member, start=dt.date(2023, 5, 1))
    return member


@pytest.fixture
def log_session():
    """``log_session(supervisor, attendees, date, minutes=60, modality="individual", **kw)``."""

    def make(supervisor, attendees, date, minutes=60, modality="individual", start=dt.time(9, 0), **kwargs):
        kwargs.setdefault("notes", "Discussed case XF-2025-014 and self-care.")
        return services.session_create(
            agency=supervisor.agency,
            user=supervisor.user,
            supervisor=supervisor,
            date=date,
            start_time=start,
            duration_minutes=minutes,
            modality=modality,
            attendees=attendees,
            today=kwargs.pop("today", dt.date(2026, 11, 28)),
            **kwargs,
        )

    return make


@pytest.fixture
def session_a(supervisor_member, staff_member, log_session):
    return log_session(
        supervisor_member,
        [staff_member],
        dt.date(2025, 3, 10),
        notes="Confidential: worker is struggling with case XF-2025-014.",
        action_items=[
            {"text": "Read the safeguarding protocol", "owner": staff_member, "due_date": dt.date(2025, 4, 1)}
        ],
    )


@pytest.fixture
def session_b(other_supervisor_member, other_staff_member, log_session):
    return log_session(
        other_supervisor_member, [other_staff_member], dt.date(2025, 3, 11), notes="Other notes B."
    )
