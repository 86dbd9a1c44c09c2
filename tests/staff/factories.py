"""Helpers for building staff records in tests (on top of tests/factories.py)."""

from __future__ import annotations

import datetime as dt

from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory


def person(agency, staff_no, *spells, employment_type="full_time", cert=None, cert_issued=None, **fields):
    """A staff member with spells given as ``(hire, exit, reason)`` tuples of ISO dates.

    ``cert`` is a qualification level, issued on ``cert_issued`` (ISO date).
    """
    member = StaffMemberFactory(agency=agency, staff_no=staff_no, employment_type=employment_type, **fields)
    for hire, exit_, reason in spells:
        SpellFactory(
            staff=member,
            hire_date=dt.date.fromisoformat(hire),
            exit_date=dt.date.fromisoformat(exit_) if exit_ else None,
            exit_reason=reason or "",
        )
    if cert:
        QualificationFactory(
            staff=member,
            level=cert,
            kind="" if cert != "other" else "Counselling",
            issued=dt.date.fromisoformat(cert_issued),
            registration_expires=None,
        )
    return member
