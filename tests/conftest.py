"""Personas: one login per role in the agency, and an outsider director in another agency.

Every access test tries the outsider. The supervisor supervises ``staff_member`` (the staff
persona's own record) under a supervision plan; ``other_staff_member`` is a colleague whom
the supervisor does not supervise.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import (
    PASSWORD,
    AgencyFactory,
    SpellFactory,
    StaffMemberFactory,
    SupervisionPlanFactory,
    UserFactory,
)

ROLES = ("director", "finance", "supervisor", "staff", "auditor")
PERSONAS = (*ROLES, "outsider")


def pytest_collection_modifyitems(config, items):
    """Tests whose result cannot depend on the database under test run once, on SQLite
    (.ci/run runs the suite on both): ``own_sqlite`` ones make and use a SQLite file of their
    own; ``one_database`` ones check the wording and layout of every page and report file (the
    crawl of every page in a browser), which the same code renders from the same data."""
    if not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    reasons = {
        "own_sqlite": "uses a SQLite file of its own: the SQLite run covers it",
        "one_database": "wording and layout, the same on any database: the SQLite run covers it",
    }
    for item in items:
        for marker, reason in reasons.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Chinese leaves Chinese active in the thread; the next test starts afresh."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache_after_each_test():
    """Minute-old panels and API throttle counts never leak from one test into the next."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production; tests hash passwords many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency(db):
    return AgencyFactory(name="信丰县阳光社会工作服务中心", slug="xinfeng")


@pytest.fixture
def outsider_agency(db):
    return AgencyFactory(name="Other County Social Work Centre", slug="other")


@pytest.fixture
def director(agency):
    return UserFactory(username="alice", first_name="Alice", agency_roles=(agency, ["director"]))


@pytest.fixture
def finance(agency):
    return UserFactory(username="bob", first_name="Bob", agency_roles=(agency, ["finance"]))


@pytest.fixture
def supervisor(agency):
    return UserFactory(username="carol", first_name="Carol", agency_roles=(agency, ["supervisor", "staff"]))


@pytest.fixture
def staff_user(agency):
    return UserFactory(username="dave", first_name="Dave", agency_roles=(agency, ["staff"]))


@pytest.fixture
def auditor(agency):
    return UserFactory(username="erin", first_name="Erin", agency_roles=(agency, ["auditor"]))


@pytest.fixture
def outsider(outsider_agency):
    return UserFactory(username="oscar", first_name="Oscar", agency_roles=(outsider_agency, ["director"]))


@pytest.fixture
def supervisor_member(agency, supervisor):
    member = StaffMemberFactory(
        agency=agency, staff_no="S100", name="陈督导", user=supervisor, position="项目主管"
    )
    SpellFactory(staff=member, hire_date=dt.date(2019, 3, 1))
    return member


@pytest.fixture
def staff_member(agency, staff_user, supervisor_member):
    member = StaffMemberFactory(agency=agency, staff_no="S200", name="李社工", user=staff_user)
    SpellFactory(staff=member, hire_date=dt.date(2022, 3, 1))
    SupervisionPlanFactory(supervisee=member, supervisor=supervisor_member, start=dt.date(2022, 3, 1))
    return member


@pytest.fixture
def other_staff_member(agency):
    member = StaffMemberFactory(agency=agency, staff_no="S300", name="王社工")
    SpellFactory(staff=member, hire_date=dt.date(2023, 5, 1))
    return member


@pytest.fixture
def outsider_member(outsider_agency):
    member = StaffMemberFactory(agency=outsider_agency, staff_no="S200", name="Outsider Worker")
    SpellFactory(staff=member, hire_date=dt.date(2021, 1, 1))
    return member


@pytest.fixture
def personas(director, finance, supervisor, staff_user, auditor, outsider, staff_member, other_staff_member):
    """All six logins, keyed by persona name (with the staff records they need)."""
    return {
        "director": director,
        "finance": finance,
        "supervisor": supervisor,
        "staff": staff_user,
        "auditor": auditor,
        "outsider": outsider,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def login_api():
    """``login_api(user)`` returns an APIClient authenticated as that user."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def login_client(client):
    """``login_client(user)`` returns Django's test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


__all__ = ["PASSWORD", "PERSONAS", "ROLES"]
