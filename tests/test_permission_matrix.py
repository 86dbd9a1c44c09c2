"""The permission matrix: every API endpoint and page, every role plus the outsider.

The demo agency (overview.demo.seed) is loaded once for this module inside a transaction that is
rolled back at the end. For every registered API list endpoint and every persona the status
is pinned; every row a list returns belongs to the caller's agency, and person-scoped rows of
a staff member are their own; every detail of the demo agency answers 404 to the outsider,
for reads and for writes; every write of the router answers its exact status for every persona
(``WRITE_MATRIX``); every page answers its exact status per persona (``PAGE_MATRIX``), and pages
of the demo agency's records are 404 to the outsider.
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
    if method == "delete":
        # Only endpoints that name a destroy service route DELETE (the rest answer 405 for any
        # record): each of those must answer the outsider 404.
        deleting = [prefix for prefix in outcomes if hasattr(_registry()[prefix], "destroy")]
        assert deleting and all(outcomes[prefix] == 404 for prefix in deleting)
    else:
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


# GET of every page without parameters → status for (director, finance, supervisor, staff,
# auditor, outsider). 302: the login page sends a signed-in user home; 405: a POST-only page.
PAGE_MATRIX = {
    "/account/": (200, 200, 200, 200, 200, 200),
    "/account/language/": (405, 405, 405, 405, 405, 405),
    "/account/password/": (200, 200, 200, 200, 200, 200),
    "/account/tokens/revoke-all/": (405, 405, 405, 405, 405, 405),
    "/password-reset/": (200, 200, 200, 200, 200, 200),
    "/password-reset/done/": (200, 200, 200, 200, 200, 200),
    "/password-reset/sent/": (200, 200, 200, 200, 200, 200),
    "/": (200, 200, 200, 200, 200, 200),
    "/access-log/": (200, 404, 404, 404, 404, 200),
    "/calendar/": (200, 404, 404, 404, 404, 200),
    "/confidential-reads/": (200, 404, 404, 404, 404, 200),
    "/finance/": (200, 200, 404, 404, 200, 200),
    "/finance/contracts/load/": (404, 200, 404, 404, 404, 404),
    "/finance/contracts/new/": (403, 200, 404, 404, 403, 403),
    "/finance/flags/": (200, 200, 404, 404, 200, 200),
    "/finance/flags/bulk/": (405, 405, 405, 405, 405, 405),
    "/finance/ledger/": (200, 200, 404, 404, 200, 200),
    "/finance/ledger/import/": (200, 200, 404, 404, 404, 200),
    "/finance/reconciliation/": (200, 200, 404, 404, 200, 200),
    "/health/": (200, 200, 200, 200, 200, 200),
    "/login/": (302, 302, 302, 302, 302, 302),
    "/members/": (200, 404, 404, 404, 404, 200),
    "/members/new/": (200, 404, 404, 404, 404, 200),
    "/reports/": (200, 200, 200, 200, 200, 200),
    # My reports: everyone's own report jobs (a director's: the agency's), never another agency's.
    "/reports/files/": (200, 200, 200, 200, 200, 200),
    "/staff/": (200, 200, 200, 200, 403, 200),
    "/staff/certificates/": (200, 403, 200, 200, 403, 200),
    "/staff/import/": (200, 404, 404, 404, 404, 200),
    "/staff/new/": (200, 404, 404, 404, 404, 200),
    "/staff/retention/": (200, 404, 404, 404, 404, 200),
    "/supervision/": (200, 403, 200, 200, 403, 200),
    "/supervision/compliance/": (200, 403, 200, 403, 403, 200),
    "/supervision/plans/": (200, 403, 200, 403, 403, 200),
    "/supervision/plans/new/": (200, 403, 403, 403, 403, 200),
    "/supervision/sessions/new/": (403, 403, 200, 403, 403, 403),
    "/training/approvals/": (200, 404, 200, 404, 404, 200),
    "/training/compliance/": (200, 404, 200, 404, 404, 200),
    "/training/events/": (200, 404, 200, 200, 404, 200),
    "/training/events/new/": (200, 404, 404, 404, 404, 200),
    "/training/import/": (200, 404, 404, 404, 404, 200),
    "/training/my/": (200, 404, 200, 200, 404, 200),
    "/training/my/submit/": (404, 404, 200, 200, 404, 404),
    "/training/records/": (200, 404, 200, 404, 404, 200),
    "/training/requirements/": (200, 404, 404, 404, 404, 200),
    "/training/summary/": (200, 404, 404, 404, 404, 200),
    "/delivery/activities/": (200, 200, 200, 200, 404, 200),
    "/delivery/activities/import/": (200, 404, 404, 404, 404, 200),
    "/delivery/activities/new/": (200, 404, 200, 200, 404, 200),
    "/delivery/workload/": (200, 404, 200, 404, 404, 200),
}  # fmt: skip


def test_the_page_matrix_covers_every_page():
    simple, _ = _pages()
    assert sorted(url for url in simple if url != "/logout/") == sorted(PAGE_MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_its_exact_status_for_every_persona(demo, db, persona):
    client = Client(raise_request_exception=False)
    client.force_login(demo[persona])
    index = PERSONAS.index(persona)
    got = {url: client.get(url).status_code for url in PAGE_MATRIX}
    assert got == {url: statuses[index] for url, statuses in PAGE_MATRIX.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_reports_lists_exactly_the_report_jobs_each_persona_may_see(demo, db, persona):
    from core.models import Job, agency_of
    from core.report_jobs import JOB_KIND

    jobs = {
        who: Job.objects.create(
            agency=agency_of(user), created_by=user, kind=JOB_KIND, params={"kind": "annual", "year": 2025}
        ).pk
        for who, user in demo.items()
    }
    client = Client(raise_request_exception=False)
    client.force_login(demo[persona])
    response = client.get("/reports/files/")
    assert response.status_code == 200
    listed = sorted(row.job.pk for row in response.context["page"].object_list if row.job.pk in jobs.values())
    # roles.md: a job is its starter's; a director sees every one of the agency, never another's.
    if persona == "director":
        expected = sorted(pk for who, pk in jobs.items() if who != "outsider")
    else:
        expected = [jobs[persona]]
    assert listed == expected


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


# --- DELETE of records that history relies on -------------------------------------------------

#: Endpoints whose DELETE really deletes, and why that rewrites no history. Every other
#: endpoint's DELETE of a demo record must answer 400 or 405 to the persona who writes there.
LEGITIMATE_DELETES = {
    # Undoing a match of a bank-statement line while its period is open: the statement line
    # and the expenditure stay, the history keeps the match; a closed period answers 400.
    "finance/reconciliation/matches": "undo a match in an open reconciliation period",
}

#: Which demo record to try where the service refuses only some records: the ones history
#: relies on (a person with spells, an event with attendance, a reviewed training record).
_HISTORY_RECORDS = {
    "staff": lambda qs: qs.filter(spells__isnull=False),
    "training-events": lambda qs: qs.filter(attendance__isnull=False),
    "training-records": lambda qs: qs.exclude(status="pending"),
}


def _writer(prefix: str) -> str:
    return "finance" if prefix.startswith("finance/") else "director"


def _history_objects(demo):
    from core.models import agency_of

    agency = agency_of(demo["director"])
    found = {}
    for prefix, viewset in sorted(_registry().items()):
        queryset = getattr(viewset, "queryset", None)
        if queryset is None or "retrieve" not in dir(viewset) or prefix in LEGITIMATE_DELETES:
            continue
        qs = queryset.model._default_manager.filter(agency=agency)
        qs = _HISTORY_RECORDS.get(prefix, lambda q: q)(qs)
        obj = qs.order_by("pk").first()
        if obj is not None:
            found[prefix] = (queryset.model, obj.pk)
    return found


#: Endpoints that route DELETE but whose service refuses every record history relies on (400):
#: only a record entered in error, before anything refers to it, is deleted.
CONDITIONAL_DELETES = {
    "staff": "a person without spells, certificates or any record",
    "training-events": "an event without attendance",
    "training-records": "a pending submission",
}


def test_only_the_listed_endpoints_route_delete_and_every_other_answers_405():
    registry = _registry()
    routed = sorted(prefix for prefix, viewset in registry.items() if hasattr(viewset, "destroy"))
    assert routed == sorted([*LEGITIMATE_DELETES, *CONDITIONAL_DELETES])


@pytest.mark.parametrize("prefix", sorted(API_LISTS))
def test_delete_on_an_endpoint_without_a_destroy_service_answers_405_with_a_reason(demo, as_persona, prefix):
    viewset = _registry()[prefix]
    if hasattr(viewset, "destroy"):
        return
    client = as_persona(_writer(prefix))
    path = f"/api/v1/{prefix}/999999/" if "retrieve" in dir(viewset) else f"/api/v1/{prefix}/"
    response = client.delete(path)
    assert response.status_code == 405, response.content[:200]
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed" and error["message"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_of_any_record_history_relies_on_is_refused_for_every_persona(demo, as_persona, persona):
    client = as_persona(persona)
    objects = _history_objects(demo)
    assert len(objects) >= 18
    outcomes = {}
    for prefix, (model, pk) in objects.items():
        response = client.delete(f"/api/v1/{prefix}/{pk}/")
        outcomes[prefix] = response.status_code
        assert model._default_manager.filter(pk=pk).exists(), f"DELETE {prefix} as {persona} deleted it"
        if response.status_code in (400, 405):
            error = response.json()["error"]
            assert error["status"] == response.status_code and error["message"].strip()
    if persona == "outsider":
        assert set(outcomes.values()) <= {404, 405}
        return
    assert set(outcomes.values()) <= {400, 403, 404, 405}
    writes_here = {prefix: status for prefix, status in outcomes.items() if _writer(prefix) == persona}
    assert all(status in (400, 405) for status in writes_here.values()), writes_here


def test_delete_refusals_say_what_to_do_instead(demo, as_persona):
    objects = _history_objects(demo)
    director, finance = as_persona("director"), as_persona("finance")
    expected = {
        "supervision-plans": "ended, not deleted",
        "staff": "Record an exit date instead",
        "training-events": "attendance records credit its hours",
        "training-records": "only a pending submission can be deleted",
        "spells": "never deleted",
        "finance/expenditures": "void one with a reason",
    }
    for prefix, words in expected.items():
        client = finance if prefix.startswith("finance/") else director
        message = client.delete(f"/api/v1/{prefix}/{objects[prefix][1]}/").json()["error"]["message"]
        assert words in message, (prefix, message)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_delete_sent_to_a_record_page_answers_405_and_changes_nothing(demo, db, persona):
    client = Client(raise_request_exception=False)
    client.force_login(demo[persona])
    from core.models import agency_of

    agency = agency_of(demo["director"])
    _, with_pk = _pages()
    checked = 0
    for name, route in with_pk:
        model = _page_models().get(name)
        if model is None:
            continue
        obj = model._default_manager.filter(agency=agency).order_by("pk").first()
        if obj is None:
            continue
        response = client.delete(route.replace("<int:pk>", str(obj.pk)))
        assert response.status_code == 405, (route, response.status_code)
        assert model._default_manager.filter(pk=obj.pk).exists()
        checked += 1
    assert checked >= 8


# --- every write, every persona, exact statuses ---------------------------------------------
#
# Generated from the router: every route (list, detail, custom @action) × every HTTP method the
# viewset takes × every persona, in the manner of NetBox's API test cases. Writes carry an empty
# body, so a status says who may write and no more: 400 = allowed (the body is then checked),
# 403 = the role may not, 404 = the record is out of the caller's reach, 405 = the endpoint
# takes no such method. Each request runs in a savepoint that is rolled back. Detail routes use
# the demo agency's first record. WRITE_MATRIX pins every (route, method) exactly.

WRITE_METHODS = ("post", "put", "patch", "delete")


def _routes():
    """(prefix, route name, kind, method) of every write the router offers; kind is
    "list" or "detail" (custom actions are named by their URL name)."""
    from core.api import router

    prefixes = {viewset: prefix for prefix, viewset in _registry().items()}
    found = set()
    for pattern in router.urls:
        regex = str(pattern.pattern)
        prefix = prefixes.get(getattr(pattern.callback, "cls", None))
        if prefix is None or "(?P<format>" in regex:
            continue  # the API root, and the ``.json`` suffix twins of each route
        rest = regex.removeprefix(f"^{prefix}/").removesuffix("$")
        detail = rest.startswith("(?P<pk>")
        action_path = rest.split(")/", 1)[1] if detail else rest
        for method in WRITE_METHODS:
            found.add((prefix, "detail" if detail else "list", action_path.strip("/"), method))
    return sorted(found)


def _route_url(demo, prefix, kind, action_path):
    from core.models import agency_of

    url = f"/api/v1/{prefix}/"
    if kind == "detail":
        viewset = _registry()[prefix]
        model = viewset.queryset.model
        agency = agency_of(demo["director"])
        obj = model._default_manager.filter(agency=agency).order_by("pk").first()
        url += f"{obj.pk if obj is not None else 999999}/"
    if action_path:
        url += f"{action_path}/"
    return url


def _write_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _write_status(client, url, method):
    with transaction.atomic():
        response = getattr(client, method)(url, {}, format="json")
        transaction.set_rollback(True)
    return response.status_code


# (prefix, route kind, custom action or "", method) → status for
# (director, finance, supervisor, staff, auditor, outsider). Detail rows use the demo agency's
# first record, so a staff member gets 404 for a record that is not theirs, and the outsider
# 404 for every record of another agency.
WRITE_MATRIX = {
    ("finance/assignments", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/assignments", "detail", "", "patch"): (403, 200, 403, 403, 403, 404),
    ("finance/assignments", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/assignments", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/assignments", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/assignments", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/assignments", "list", "", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/assignments", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/budget-lines", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/budget-lines", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/budget-lines", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/contracts", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/contracts", "detail", "", "patch"): (403, 200, 403, 403, 403, 404),
    ("finance/contracts", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/contracts", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/contracts", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/contracts", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/contracts", "list", "", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/contracts", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/disbursements", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/disbursements", "list", "", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/disbursements", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/expenditures", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "reverse", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "reverse", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "reverse", "post"): (403, 201, 403, 403, 403, 404),
    ("finance/expenditures", "detail", "reverse", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "void", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "void", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "detail", "void", "post"): (403, 400, 403, 403, 403, 404),
    ("finance/expenditures", "detail", "void", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/expenditures", "list", "", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/expenditures", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "", "post"): (403, 403, 403, 403, 403, 403),
    ("finance/flags", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "assign", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "assign", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "assign", "post"): (200, 200, 403, 403, 403, 404),
    ("finance/flags", "detail", "assign", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "triage", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "triage", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "detail", "triage", "post"): (400, 400, 403, 403, 403, 404),
    ("finance/flags", "detail", "triage", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/flags", "list", "", "post"): (403, 403, 403, 403, 403, 403),
    ("finance/flags", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/funders", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/funders", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/funders", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "detail", "", "post"): (403, 403, 403, 403, 403, 403),
    ("finance/imports", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "", "post"): (403, 403, 403, 403, 403, 403),
    ("finance/imports", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "upload", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "upload", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/imports", "list", "upload", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/imports", "list", "upload", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/lines", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "explain", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "explain", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "explain", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/lines", "detail", "explain", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "match", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "match", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "match", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/lines", "detail", "match", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "unexplain", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "unexplain", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "detail", "unexplain", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/lines", "detail", "unexplain", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/lines", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/lines", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "detail", "", "delete"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/matches", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/matches", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "detail", "confirm", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "detail", "confirm", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "detail", "confirm", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/matches", "detail", "confirm", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/matches", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/matches", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/periods", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "auto-match", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "auto-match", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "auto-match", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/periods", "detail", "auto-match", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "close", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "close", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "close", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/periods", "detail", "close", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "confirm-all", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "confirm-all", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "detail", "confirm-all", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/reconciliation/periods", "detail", "confirm-all", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/periods", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/periods", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/statements", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/reconciliation/statements", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "upload", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "upload", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/reconciliation/statements", "list", "upload", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/reconciliation/statements", "list", "upload", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "", "post"): (403, 405, 403, 403, 403, 403),
    ("finance/revisions", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "approve", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "approve", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "approve", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/revisions", "detail", "approve", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "reject", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "reject", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "detail", "reject", "post"): (404, 404, 403, 403, 404, 404),
    ("finance/revisions", "detail", "reject", "put"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("finance/revisions", "list", "", "post"): (403, 400, 403, 403, 403, 403),
    ("finance/revisions", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("jobs", "detail", "", "delete"): (405, 405, 405, 405, 405, 405),
    ("jobs", "detail", "", "patch"): (405, 405, 405, 405, 405, 405),
    ("jobs", "detail", "", "post"): (403, 403, 403, 403, 403, 403),
    ("jobs", "detail", "", "put"): (405, 405, 405, 405, 405, 405),
    ("jobs", "list", "", "delete"): (405, 405, 405, 405, 405, 405),
    ("jobs", "list", "", "patch"): (405, 405, 405, 405, 405, 405),
    ("jobs", "list", "", "post"): (403, 403, 403, 403, 403, 403),
    ("jobs", "list", "", "put"): (405, 405, 405, 405, 405, 405),
    ("members", "detail", "", "delete"): (405, 403, 403, 403, 403, 405),
    ("members", "detail", "", "patch"): (200, 403, 403, 403, 403, 404),
    ("members", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("members", "detail", "", "put"): (400, 403, 403, 403, 403, 404),
    ("members", "list", "", "delete"): (405, 403, 403, 403, 403, 405),
    ("members", "list", "", "patch"): (405, 403, 403, 403, 403, 405),
    ("members", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("members", "list", "", "put"): (405, 403, 403, 403, 403, 405),
    ("qualification-summary", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("qualification-summary", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("qualification-summary", "list", "", "post"): (405, 403, 403, 403, 403, 405),
    ("qualification-summary", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "detail", "", "delete"): (405, 403, 405, 405, 403, 405),  # a history record: never deleted (204 or 500 before)
    ("qualifications", "detail", "", "patch"): (200, 403, 403, 404, 403, 404),
    ("qualifications", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("qualifications", "detail", "", "put"): (400, 403, 403, 404, 403, 404),
    ("qualifications", "detail", "verify", "delete"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "detail", "verify", "patch"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "detail", "verify", "post"): (200, 403, 403, 404, 403, 404),
    ("qualifications", "detail", "verify", "put"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("qualifications", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("qualifications", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("retention", "list", "", "delete"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "", "patch"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "", "post"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "", "put"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "breakdown", "delete"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "breakdown", "patch"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "breakdown", "post"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "breakdown", "put"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "trend", "delete"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "trend", "patch"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "trend", "post"): (405, 403, 403, 403, 403, 405),
    ("retention", "list", "trend", "put"): (405, 403, 403, 403, 403, 405),
    ("spells", "detail", "", "delete"): (405, 403, 405, 405, 403, 405),  # a history record: never deleted (204 or 500 before)
    ("spells", "detail", "", "patch"): (200, 403, 403, 404, 403, 404),
    ("spells", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("spells", "detail", "", "put"): (400, 403, 403, 404, 403, 404),
    ("spells", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("spells", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("spells", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("spells", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("staff", "detail", "", "delete"): (400, 403, 403, 404, 403, 404),
    ("staff", "detail", "", "patch"): (200, 403, 403, 404, 403, 404),
    ("staff", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("staff", "detail", "", "put"): (400, 403, 403, 404, 403, 404),
    ("staff", "list", "", "delete"): (405, 405, 405, 405, 403, 405),
    ("staff", "list", "", "patch"): (405, 405, 405, 405, 403, 405),
    ("staff", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("staff", "list", "", "put"): (405, 405, 405, 405, 403, 405),
    ("supervision-action-items", "detail", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-action-items", "detail", "", "patch"): (403, 403, 200, 404, 403, 404),
    ("supervision-action-items", "detail", "", "post"): (403, 403, 405, 403, 403, 403),
    ("supervision-action-items", "detail", "", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-action-items", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-action-items", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-action-items", "list", "", "post"): (403, 403, 400, 403, 403, 403),
    ("supervision-action-items", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-compliance", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-compliance", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-compliance", "list", "", "post"): (405, 403, 403, 403, 403, 405),
    ("supervision-compliance", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-plans", "detail", "", "delete"): (405, 403, 405, 405, 403, 405),  # a history record: never deleted (204 or 500 before)
    ("supervision-plans", "detail", "", "patch"): (200, 403, 403, 403, 403, 404),
    ("supervision-plans", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("supervision-plans", "detail", "", "put"): (400, 403, 403, 403, 403, 404),
    ("supervision-plans", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-plans", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-plans", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("supervision-plans", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "", "patch"): (403, 403, 200, 403, 403, 404),
    ("supervision-sessions", "detail", "", "post"): (403, 403, 405, 403, 403, 403),
    ("supervision-sessions", "detail", "", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "acknowledge", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "acknowledge", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "acknowledge", "post"): (400, 403, 400, 200, 403, 404),
    ("supervision-sessions", "detail", "acknowledge", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "amend", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "amend", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "detail", "amend", "post"): (403, 403, 400, 403, 403, 404),
    ("supervision-sessions", "detail", "amend", "put"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-sessions", "list", "", "post"): (403, 403, 400, 403, 403, 403),
    ("supervision-sessions", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("training-compliance", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("training-compliance", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-compliance", "list", "", "post"): (405, 403, 405, 405, 403, 405),
    ("training-compliance", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("training-events", "detail", "", "delete"): (400, 403, 403, 403, 403, 404),  # an event with attendance is kept (204 or 500 before)
    ("training-events", "detail", "", "patch"): (200, 403, 403, 403, 403, 404),
    ("training-events", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("training-events", "detail", "", "put"): (400, 403, 403, 403, 403, 404),
    ("training-events", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("training-events", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-events", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("training-events", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "", "delete"): (400, 403, 403, 404, 403, 404),  # a reviewed record is kept (204 or 500 before)
    ("training-records", "detail", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "", "post"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "", "put"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "approve", "delete"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "approve", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "approve", "post"): (400, 403, 403, 404, 403, 404),
    ("training-records", "detail", "approve", "put"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "reject", "delete"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "reject", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-records", "detail", "reject", "post"): (400, 403, 403, 404, 403, 404),
    ("training-records", "detail", "reject", "put"): (405, 403, 405, 405, 403, 405),
    ("training-records", "list", "", "delete"): (405, 403, 405, 405, 403, 405),
    ("training-records", "list", "", "patch"): (405, 403, 405, 405, 403, 405),
    ("training-records", "list", "", "post"): (400, 403, 400, 400, 403, 400),
    ("training-records", "list", "", "put"): (405, 403, 405, 405, 403, 405),
    ("delivery/activities", "detail", "", "delete"): (405, 405, 405, 405, 403, 405),
    ("delivery/activities", "detail", "", "patch"): (200, 403, 200, 404, 403, 404),
    ("delivery/activities", "detail", "", "post"): (405, 403, 405, 405, 403, 405),
    ("delivery/activities", "detail", "", "put"): (405, 405, 405, 405, 403, 405),
    ("delivery/activities", "list", "", "delete"): (405, 405, 405, 405, 403, 405),
    ("delivery/activities", "list", "", "patch"): (405, 405, 405, 405, 403, 405),
    ("delivery/activities", "list", "", "post"): (400, 403, 400, 400, 403, 400),
    ("delivery/activities", "list", "", "put"): (405, 405, 405, 405, 403, 405),
    ("delivery/imports", "detail", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "detail", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "detail", "", "post"): (403, 403, 403, 403, 403, 403),
    ("delivery/imports", "detail", "", "put"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "", "delete"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "", "patch"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "", "post"): (403, 403, 403, 403, 403, 403),
    ("delivery/imports", "list", "", "put"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "upload", "delete"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "upload", "patch"): (405, 405, 403, 403, 405, 405),
    ("delivery/imports", "list", "upload", "post"): (400, 403, 403, 403, 403, 400),
    ("delivery/imports", "list", "upload", "put"): (405, 405, 403, 403, 405, 405),
    # roles.md: directors write targets (PATCH needs a reason, so an empty body is 400), everyone
    # else reads; targets are never deleted and PUT is refused (PATCH with a reason instead).
    ("delivery/targets", "detail", "", "delete"): (405, 405, 405, 405, 405, 405),
    ("delivery/targets", "detail", "", "patch"): (400, 403, 403, 403, 403, 404),
    ("delivery/targets", "detail", "", "post"): (405, 403, 403, 403, 403, 405),
    ("delivery/targets", "detail", "", "put"): (405, 405, 405, 405, 405, 405),
    ("delivery/targets", "list", "", "delete"): (405, 405, 405, 405, 405, 405),
    ("delivery/targets", "list", "", "patch"): (405, 405, 405, 405, 405, 405),
    ("delivery/targets", "list", "", "post"): (400, 403, 403, 403, 403, 400),
    ("delivery/targets", "list", "", "put"): (405, 405, 405, 405, 405, 405),
    ("supervision-plans", "detail", "end", "delete"): (405, 403, 405, 405, 403, 405),
    ("supervision-plans", "detail", "end", "patch"): (405, 403, 405, 405, 403, 405),
    ("supervision-plans", "detail", "end", "post"): (400, 403, 403, 403, 403, 404),
    ("supervision-plans", "detail", "end", "put"): (405, 403, 405, 405, 403, 405),
}  # fmt: skip


def test_the_write_matrix_covers_every_route_and_method_of_the_router():
    assert sorted(_routes()) == sorted(WRITE_MATRIX)


@pytest.mark.parametrize(
    "route", sorted(WRITE_MATRIX), ids=lambda r: " ".join(filter(None, (r[3].upper(), r[0], r[1], r[2])))
)
def test_every_write_answers_its_exact_status_for_every_persona(demo, db, route):
    prefix, kind, action_path, method = route
    url = _route_url(demo, prefix, kind, action_path)
    got = tuple(_write_status(_write_client(demo[persona]), url, method) for persona in PERSONAS)
    assert dict(zip(PERSONAS, got, strict=True)) == dict(zip(PERSONAS, WRITE_MATRIX[route], strict=True)), url
