"""The permission matrix: every API endpoint and page, every role plus the outsider.

The demo agency (overview.demo.seed) is loaded once for this module inside a transaction that is
rolled back at the end. For every registered API list endpoint and every persona the status
is pinned; every row a list returns belongs to the caller's agency, and person-scoped rows of
a staff member are their own; every detail of the demo agency answers 404 to the outsider,
for reads and for writes; every page either renders or refuses, never errors, and pages of
the demo agency's records are 404 to the outsider.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

PERSONAS = ("director", "finance", "supervisor", "staff", "auditor", "outsider")

# (director, finance, supervisor, staff, auditor, outsider) status of GET /api/v1/<prefix>/ —
# roles.md: the outsider is a director of another agency, so they get the director's status
# but only ever see their own agency's rows.
API_LISTS = {
    "members": (200, 403, 403, 403, 403, 200),
    "jobs": (200, 200, 200, 200, 200, 200),
    "staff": (200, 200, 200, 200, 403, 200),
    "spells": (200, 403, 200, 200, 403, 200),
    "qualifications": (200, 403, 200, 200, 403, 200),
    "retention": (200, 403, 403, 403, 403, 200),
    "qualification-summary": (200, 403, 200, 200, 403, 200),
    "training-events": (200, 403, 200, 200, 403, 200),
    "training-records": (200, 403, 200, 200, 403, 200),
    "training-compliance": (200, 403, 200, 200, 403, 200),
    "supervision-sessions": (200, 403, 200, 200, 403, 200),
    "supervision-action-items": (200, 403, 200, 200, 403, 200),
    "supervision-plans": (200, 403, 200, 200, 403, 200),
    "supervision-compliance": (200, 403, 200, 200, 403, 200),
    "finance/funders": (200, 200, 403, 403, 200, 200),
    "finance/contracts": (200, 200, 403, 403, 200, 200),
    "finance/budget-lines": (200, 200, 403, 403, 200, 200),
    "finance/revisions": (200, 200, 403, 403, 200, 200),
    "finance/disbursements": (200, 200, 403, 403, 200, 200),
    "finance/assignments": (200, 200, 403, 403, 200, 200),
    "finance/expenditures": (200, 200, 403, 403, 200, 200),
    "finance/imports": (200, 200, 403, 403, 200, 200),
    "finance/flags": (200, 200, 403, 403, 200, 200),
    "finance/reconciliation/periods": (200, 200, 403, 403, 200, 200),
    "finance/reconciliation/statements": (200, 200, 403, 403, 200, 200),
    "finance/reconciliation/lines": (200, 200, 403, 403, 200, 200),
    "finance/reconciliation/matches": (200, 200, 403, 403, 200, 200),
    # roles.md: targets and progress for everyone (auditors: granted contracts); activity records
    # for all but auditors (progress only); activity imports are the director's.
    "delivery/targets": (200, 200, 200, 200, 200, 200),
    "delivery/activities": (200, 200, 200, 200, 403, 200),
    "delivery/imports": (200, 200, 403, 403, 200, 200),  # finance and auditors: an empty list
}


def _registry():
    import config.urls  # noqa: F401  (registers every app's viewsets)
    from core.api import router

    return {prefix: viewset for prefix, viewset, _basename in router.registry}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                from overview.demo import seed

                seed(password="matrix-pass-2025", force=True, log=lambda *_: None)
            from django.contrib.auth import get_user_model

            users = {p: get_user_model().objects.get(username=p) for p in PERSONAS}
            yield users
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def as_persona(demo, db):
    def make(persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo[persona])
        return client

    return make


def test_every_registered_endpoint_is_in_the_matrix():
    assert sorted(_registry()) == sorted(API_LISTS)


def _rows(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else None


def _agency_of_row(model, pk):
    obj = model._default_manager.filter(pk=pk).first()
    return getattr(obj, "agency_id", None) if obj is not None else None


@pytest.mark.parametrize("prefix", sorted(API_LISTS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_api_list_status_and_rows_stay_in_the_callers_agency(demo, as_persona, prefix, persona):
    from core.models import agency_of

    expected = API_LISTS[prefix][PERSONAS.index(persona)]
    response = as_persona(persona).get(f"/api/v1/{prefix}/", {"page_size": 500})
    assert response.status_code == expected, response.content[:300]
    rows = _rows(response) if expected == 200 else None
    if not rows:
        return
    viewset = _registry()[prefix]
    model = viewset.queryset.model if getattr(viewset, "queryset", None) is not None else None
    if model is None or "id" not in rows[0]:
        return
    mine = agency_of(demo[persona]).pk
    foreign = [row["id"] for row in rows if _agency_of_row(model, row["id"]) != mine]
    assert foreign == [], f"{prefix} shows {len(foreign)} rows of another agency to {persona}"


@pytest.mark.parametrize(
    "prefix", ["staff", "spells", "qualifications", "training-records", "supervision-plans"]
)
def test_a_staff_member_lists_only_their_own_person_records(demo, as_persona, prefix):
    from staff.models import StaffMember

    own = StaffMember.objects.get(user=demo["staff"])
    rows = _rows(as_persona("staff").get(f"/api/v1/{prefix}/", {"page_size": 500}))
    assert rows, f"the staff persona should see their own {prefix}"
    model = _registry()[prefix].queryset.model
    for row in rows:
        obj = model._default_manager.get(pk=row["id"])
        person = obj if isinstance(obj, StaffMember) else getattr(obj, "staff", None) or obj.supervisee
        assert person == own


def test_the_auditor_sees_exactly_the_granted_contract(demo, as_persona):
    from finance.models import AuditorGrant

    granted = sorted(g.contract.code for g in AuditorGrant.objects.filter(user=demo["auditor"]))
    rows = _rows(as_persona("auditor").get("/api/v1/finance/contracts/"))
    assert sorted(row["code"] for row in rows) == granted
    assert len(granted) == 1


def _demo_objects(demo):
    """One record of the demo agency per registered detail endpoint."""
    from core.models import agency_of

    agency = agency_of(demo["director"])
    objects = []
    for prefix, viewset in sorted(_registry().items()):
        queryset = getattr(viewset, "queryset", None)
        if queryset is None or "retrieve" not in dir(viewset):
            continue
        obj = queryset.model._default_manager.filter(agency=agency).order_by("pk").first()
        if obj is not None:
            objects.append((prefix, obj.pk))
    return objects


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_the_outsider_gets_404_for_every_record_of_another_agency(demo, as_persona, method):
    client = as_persona("outsider")
    outcomes = {}
    for prefix, pk in _demo_objects(demo):
        response = getattr(client, method)(f"/api/v1/{prefix}/{pk}/", {}, format="json")
        outcomes[prefix] = response.status_code
    # A 405 says only that the endpoint takes no such method, for any record.
    wrong = {prefix: status for prefix, status in outcomes.items() if status not in (404, 405)}
    assert wrong == {}
    assert list(outcomes.values()).count(404) >= (15 if method == "get" else 5)


def _pages():
    """Every named page URL without parameters, and every one with a single pk."""
    simple, with_pk = [], []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if route.startswith(("api/", "admin/", "i18n/", "^")) or ("<" not in route and "(" in route):
                    continue
                if "<" not in route:
                    simple.append("/" + route)
                elif route.count("<") == 1 and "<int:pk>" in route:
                    with_pk.append((entry.name, "/" + route))

    walk(get_resolver().url_patterns)
    return sorted(set(simple)), sorted(set(with_pk))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_without_error_for_every_persona(demo, db, persona):
    client = Client(raise_request_exception=False)
    client.force_login(demo[persona])
    simple, _ = _pages()
    statuses = {}
    for url in simple:
        if url in ("/logout/",):
            continue
        statuses[url] = client.get(url).status_code
    errors = {url: status for url, status in statuses.items() if status >= 500}
    assert errors == {}
    assert set(statuses.values()) <= {200, 302, 403, 404, 405}
    assert len(statuses) >= 25


def test_record_pages_of_another_agency_are_404_for_the_outsider(demo, db):
    from core.models import agency_of

    client = Client(raise_request_exception=False)
    client.force_login(demo["outsider"])
    agency = agency_of(demo["director"])
    _, with_pk = _pages()
    models_by_page = _page_models()
    checked = {}
    for name, route in with_pk:
        model = models_by_page.get(name)
        if model is None:
            continue
        obj = model._default_manager.filter(agency=agency).order_by("pk").first()
        if obj is None:
            continue
        checked[name] = client.get(route.replace("<int:pk>", str(obj.pk))).status_code
    # 405: a POST-only action page; it answers the same for every record, seen or not.
    wrong = {name: status for name, status in checked.items() if status not in (404, 405)}
    assert wrong == {}
    assert len(checked) >= 8


def _page_models():
    """Which model a ``<int:pk>`` page shows, from its URL name's prefix."""
    mapping = {
        "staff-detail": "staff.StaffMember",
        "staff-edit": "staff.StaffMember",
        "staff-spell-edit": "staff.EmploymentSpell",
        "staff-qualification-edit": "staff.Qualification",
        "staff-qualification-verify": "staff.Qualification",
        "staff-qualification-scan": "staff.Qualification",
        "training-event-detail": "training.TrainingEvent",
        "training-event-edit": "training.TrainingEvent",
        "training-attendance": "training.TrainingEvent",
        "training-transcript": "staff.StaffMember",
        "supervision-session-detail": "supervision.SupervisionSession",
        "supervision-session-update": "supervision.SupervisionSession",
        "supervision-session-amend": "supervision.SupervisionSession",
        "supervision-plan-update": "supervision.SupervisionPlan",
        "finance-contract-detail": "finance.Contract",
        "finance-contract-pack": "finance.Contract",
        "finance-flag-detail": "finance.Flag",
        "record-history": None,
        "job-detail": "core.Job",
    }
    return {name: apps.get_model(label) for name, label in mapping.items() if label}
