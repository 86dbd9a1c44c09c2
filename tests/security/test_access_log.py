"""The log of refused requests (401, 403, 429 always; 404 for signed-in users) and its page."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.urls import URLResolver, get_resolver

from core.access_log import record_pages
from core.models import RefusedRequest
from finance.services import ledger_import
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_api_call_without_credentials_is_logged_as_401_without_its_query_string(client):
    response = client.get("/api/v1/staff/?search=%E6%9D%8E&page=2")
    assert response.status_code == 401
    entry = RefusedRequest.objects.get()
    assert (entry.status, entry.method, entry.path) == (401, "GET", "/api/v1/staff/")
    assert entry.user is None and entry.agency is None


def test_a_bad_token_is_logged_as_401(client):
    response = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert list(RefusedRequest.objects.values_list("status", "path")) == [(401, "/api/v1/jobs/")]


def test_a_forbidden_api_call_is_logged_with_the_token_user_and_agency(client, auditor, agency, token_for):
    response = client.get("/api/v1/members/", HTTP_AUTHORIZATION=token_for(auditor))
    assert response.status_code == 403
    entry = RefusedRequest.objects.get()
    assert (entry.status, entry.user, entry.agency) == (403, auditor, agency)


def test_a_signed_in_users_404_is_logged_but_an_anonymous_404_is_not(
    client, login_client, staff_user, agency
):
    assert client.get("/wp-admin/setup.php").status_code == 404
    assert RefusedRequest.objects.count() == 0
    response = login_client(staff_user).get("/members/")  # director-only page: 404 for others
    assert response.status_code == 404
    entry = RefusedRequest.objects.get()
    assert (entry.status, entry.path, entry.user, entry.agency) == (404, "/members/", staff_user, agency)


def test_a_record_of_another_agency_answers_404_and_is_logged(login_api, director, outsider_member):
    response = login_api(director).get(f"/api/v1/staff/{outsider_member.pk}/")
    assert response.status_code == 404
    assert list(RefusedRequest.objects.values_list("status", "user")) == [(404, director.pk)]


def test_a_locked_out_login_is_logged_as_429(client, director):
    statuses = [
        client.post("/login/", {"username": "alice", "password": "wrong"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the account
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert (
        list(RefusedRequest.objects.values_list("status", "method", "path")) == [(429, "POST", "/login/")] * 2
    )


def test_successful_requests_are_not_logged(login_client, director):
    assert login_client(director).get("/").status_code == 200
    assert RefusedRequest.objects.count() == 0


def test_a_database_failure_while_logging_never_changes_the_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(RefusedRequest.objects, "create", broken)
    response = client.get("/api/v1/staff/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    monkeypatch.undo()
    assert RefusedRequest.objects.count() == 0


def test_a_very_long_path_is_cut_to_the_column(login_client, director):
    path = "/" + "x" * 700 + "/"
    assert login_client(director).get(path).status_code == 404
    assert RefusedRequest.objects.get().path == path[:500]


def _refusal(user, agency, status, path="/api/v1/staff/"):
    return RefusedRequest.objects.create(user=user, agency=agency, method="GET", path=path, status=status)


def test_directors_list_their_agencys_refusals_only(
    login_client, director, staff_user, agency, outsider, outsider_agency
):
    _refusal(staff_user, agency, 404, "/members/")
    _refusal(None, None, 401)
    _refusal(outsider, outsider_agency, 403, "/api/v1/outsider-secret/")
    response = login_client(director).get("/access-log/")
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [(r.status, r.path) for r in rows] == [(404, "/members/")]
    html = response.content.decode()
    assert "/members/" in html
    assert "outsider-secret" not in html


def test_the_access_log_filters_by_status(login_client, director, staff_user, agency):
    _refusal(staff_user, agency, 404)
    _refusal(staff_user, agency, 403)
    _refusal(staff_user, agency, 403)
    page = login_client(director).get("/access-log/?status=403").context["page"]
    assert [r.status for r in page.object_list] == [403, 403]
    page = login_client(director).get("/access-log/?status=999").context["page"]
    assert page.paginator.count == 3


def test_the_access_log_is_paginated_by_fifty(login_client, director, staff_user, agency):
    RefusedRequest.objects.bulk_create(
        RefusedRequest(user=staff_user, agency=agency, method="GET", path=f"/x/{n}/", status=404)
        for n in range(60)
    )
    client = login_client(director)
    assert len(client.get("/access-log/").context["page"].object_list) == 50
    assert len(client.get("/access-log/?page=2").context["page"].object_list) == 10


def test_the_access_log_page_runs_a_fixed_number_of_queries(
    login_client, director, staff_user, agency, django_assert_max_num_queries
):
    for n in range(20):
        _refusal(staff_user, agency, 404, f"/y/{n}/")
    client = login_client(director)
    client.get("/access-log/")  # warm caches (content types, permissions)
    with django_assert_max_num_queries(12):
        response = client.get("/access-log/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["finance", "supervisor", "staff", "auditor"])
def test_other_roles_get_404_for_the_access_log(login_client, personas, persona):
    response = login_client(personas[persona]).get("/access-log/")
    assert response.status_code == 404


def test_an_outsider_director_sees_only_their_own_agency(login_client, outsider, staff_user, agency):
    _refusal(staff_user, agency, 404)
    page = login_client(outsider).get("/access-log/").context["page"]
    assert page.paginator.count == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/access-log/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_only_directors_read_the_log_through_the_queryset(personas, staff_user, agency):
    _refusal(staff_user, agency, 404)
    visible = {name: RefusedRequest.objects.for_user(user, "view").count() for name, user in personas.items()}
    assert visible == {"director": 1, "finance": 0, "supervisor": 0, "staff": 0, "auditor": 0, "outsider": 0}
    assert RefusedRequest.objects.for_user(personas["director"], "change").count() == 0


# --- probing is visible to the agency it was aimed at (roles.md) -------------------------------


def _probe_urls(staff_member, session_pk, contract_pk, import_pk):
    return [
        f"/api/v1/staff/{staff_member.pk}/",
        f"/staff/{staff_member.pk}/",
        f"/staff/{staff_member.pk}/edit/",
        f"/training/transcript/{staff_member.pk}/",
        f"/supervision/staff/{staff_member.pk}/log.pdf",
        f"/supervision/sessions/{session_pk}/",
        f"/history/supervision/supervisionsession/{session_pk}/",
        f"/finance/contracts/{contract_pk}/",
        f"/api/v1/finance/contracts/{contract_pk}/",
        f"/finance/ledger/imports/{import_pk}/",
        f"/delivery/contracts/{contract_pk}/targets/",
        f"/delivery/contracts/{contract_pk}/targets/new/",
    ]


@pytest.fixture
def targets(agency, supervisor_member, staff_member):
    from supervision.services import session_create
    from tests.finance.factories import ContractFactory

    session = session_create(
        agency=agency,
        user=supervisor_member.user,
        supervisor=supervisor_member,
        date=__import__("datetime").date(2025, 3, 10),
        start_time=__import__("datetime").time(9, 0),
        duration_minutes=60,
        modality="individual",
        attendees=[staff_member],
        notes="Confidential.",
        today=__import__("datetime").date(2025, 3, 10),
    )
    contract = ContractFactory(agency=agency)
    refused = ledger_import(contract=contract, data="日期,金额\r\nx,y\r\n".encode(), filename="a.csv").batch
    return _probe_urls(staff_member, session.pk, contract.pk, refused.pk)


def test_every_page_that_names_a_record_says_which_model_it_is():
    """A page whose URL holds a record's key (``pk``, ``staff_pk``) declares its model in its
    app's ``record_models``, or a probe of another agency's record through it would be logged
    for the prober's agency only (the history page and the API name their models themselves)."""
    missing = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if not str(entry.pattern).startswith("api/"):
                    walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                keys = set(entry.pattern.converters)
                if {"pk", "staff_pk"} & keys and "app_label" not in keys and entry.name not in record_pages():
                    missing.append(f"{entry.name} ({prefix}{entry.pattern})")

    walk(get_resolver().url_patterns)
    assert missing == []


def test_an_outsiders_probes_are_recorded_for_the_agency_they_were_aimed_at(
    login_client, outsider, outsider_agency, agency, targets
):
    client = login_client(outsider)
    assert [client.get(url).status_code for url in targets] == [404] * len(targets)
    rows = list(RefusedRequest.objects.order_by("id").values_list("path", "agency", "aimed_at", "user"))
    assert rows == [(url, outsider_agency.pk, agency.pk, outsider.pk) for url in targets]


def test_the_target_directors_access_log_lists_the_outsiders_probes(
    login_client, outsider, director, agency, targets
):
    client = login_client(outsider)
    for url in targets:
        client.get(url)
    page = login_client(director).get("/access-log/")
    html = page.content.decode()
    assert page.status_code == 200
    for url in targets:
        assert f"<code>{url}</code>" in html
    assert html.count("A login of another agency (oscar)") == len(targets)


def test_the_probers_own_director_still_sees_the_probes_and_nobody_else_does(
    login_client, outsider, outsider_agency, targets, finance
):
    client = login_client(outsider)
    client.get(targets[0])
    from core.selectors import refused_requests_for
    from tests.factories import UserFactory

    other_director = UserFactory(username="olga", agency_roles=(outsider_agency, ["director"]))
    assert refused_requests_for(other_director).count() == 1
    assert refused_requests_for(finance).count() == 0


def test_a_404_inside_ones_own_agency_is_not_marked_as_aimed_elsewhere(
    login_client, staff_user, director, agency
):
    assert login_client(staff_user).get(f"/staff/{director.pk + 10_000}/").status_code == 404
    assert list(RefusedRequest.objects.values_list("agency", "aimed_at")) == [(agency.pk, None)]
