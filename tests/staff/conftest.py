import datetime as dt

import pytest

from tests.factories import QualificationFactory, SpellFactory


@pytest.fixture
def records(personas, staff_member, other_staff_member, supervisor_member, outsider_member):
    """A certificate and an exit for each of the agency's people, and one for the outsider."""
    SpellFactory(
        staff=other_staff_member,
        hire_date=dt.date(2020, 1, 1),
        exit_date=dt.date(2022, 12, 31),
        exit_reason="salary",
        exit_notes="Paid too little.",
    )
    return {
        "own": QualificationFactory(staff=staff_member, cert_no="OWN-1"),
        "other": QualificationFactory(staff=other_staff_member, cert_no="OTHER-1"),
        "supervisor": QualificationFactory(staff=supervisor_member, cert_no="SUP-1"),
        "outsider": QualificationFactory(staff=outsider_member, cert_no="OUT-1"),
    }
