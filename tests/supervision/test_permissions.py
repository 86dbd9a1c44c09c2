"""Permission matrix of every supervision page and endpoint, for every role and the outsider."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

P = ("director", "finance", "supervisor", "staff", "auditor", "outsider")


def expect(**codes):
    """Expected status per persona; unspecified personas get ``default``."""
    default = codes.pop("default")
    return [(persona, codes.get(persona, default)) for persona in P]


PAGE_CASES = [
    ("GET", "/supervision/", expect(default=200, finance=403, auditor=403)),
    ("GET", "/supervision/sessions/new/", expect(default=403, supervisor=200)),
    ("GET", "/supervision/sessions/{a}/", expect(default=404, director=200, supervisor=200, staff=200)),
    ("GET", "/supervision/sessions/{b}/", expect(default=404, director=200)),
    ("GET", "/supervision/sessions/{a}/edit/", expect(default=404, supervisor=200)),
    ("GET", "/supervision/sessions/{a}/amend/", expect(default=404, supervisor=302)),
    (
        "POST",
        "/supervision/sessions/{a}/acknowledge/",
        expect(default=404, director=302, supervisor=302, staff=302),
    ),
    ("POST", "/supervision/sessions/{a}/action-items/", expect(default=404, supervisor=302)),
    ("POST", "/supervision/action-items/{item}/toggle/", expect(default=404, supervisor=302)),
    ("GET", "/supervision/plans/", expect(default=403, director=200, supervisor=200, outsider=200)),
    ("GET", "/supervision/plans/new/", expect(default=403, director=200, outsider=200)),
    ("GET", "/supervision/plans/{plan}/edit/", expect(default=403, director=200, outsider=404)),
    ("GET", "/supervision/compliance/", expect(default=403, director=200, supervisor=200, outsider=200)),
    (
        "GET",
        "/supervision/staff/{s200}/log.pdf",
        expect(default=404, director=200, supervisor=200, staff=200),
    ),
    ("GET", "/supervision/staff/{s300}/log.pdf", expect(default=404, director=200)),
]

API_CASES = [
    ("GET", "/api/v1/supervision-sessions/", expect(default=200, finance=403, auditor=403)),
    (
        "GET",
        "/api/v1/supervision-sessions/{a}/",
        expect(default=404, director=200, supervisor=200, staff=200, finance=403, auditor=403),
    ),
    ("GET", "/api/v1/supervision-sessions/{b}/", expect(default=404, director=200, finance=403, auditor=403)),
    ("POST", "/api/v1/supervision-sessions/", expect(default=403, supervisor=201)),
    ("PATCH", "/api/v1/supervision-sessions/{a}/", expect(default=403, supervisor=200, outsider=404)),
    (
        "PATCH",
        "/api/v1/supervision-sessions/{b}/",
        expect(default=404, director=403, finance=403, auditor=403),
    ),
    ("DELETE", "/api/v1/supervision-sessions/{a}/", expect(default=405, finance=403, auditor=403)),
    (
        "POST",
        "/api/v1/supervision-sessions/{a}/acknowledge/",
        expect(default=400, staff=200, finance=403, auditor=403, outsider=404),
    ),
    ("POST", "/api/v1/supervision-sessions/{a}/amend/", expect(default=403, supervisor=400, outsider=404)),
    ("GET", "/api/v1/supervision-action-items/", expect(default=200, finance=403, auditor=403)),
    (
        "GET",
        "/api/v1/supervision-action-items/{item}/",
        expect(default=404, director=200, supervisor=200, staff=200, finance=403, auditor=403),
    ),
    ("PATCH", "/api/v1/supervision-action-items/{item}/", expect(default=403, supervisor=200, outsider=404)),
    ("POST", "/api/v1/supervision-action-items/", expect(default=403, supervisor=201)),
    ("GET", "/api/v1/supervision-plans/", expect(default=200, finance=403, auditor=403)),
    (
        "GET",
        "/api/v1/supervision-plans/{plan}/",
        expect(default=404, director=200, supervisor=200, staff=200, finance=403, auditor=403),
    ),
    ("POST", "/api/v1/supervision-plans/", expect(default=403, director=201, outsider=400)),
    ("PATCH", "/api/v1/supervision-plans/{plan}/", expect(default=403, director=200, outsider=404)),
    ("GET", "/api/v1/supervision-compliance/?year=2025", expect(default=200, finance=403, auditor=403)),
]


def _flatten(cases):
    return [(persona, method, url, code) for method, url, codes in cases for persona, code in codes]


@pytest.fixture
def world(personas, session_a, session_b, staff_member, other_staff_member, supervisor_member):
    return {
        "a": session_a.pk,
        "b": session_b.pk,
        "item": session_a.action_items.get().pk,
        "plan": staff_member.supervision_plans.get().pk,
        "s200": staff_member.pk,
        "s300": other_staff_member.pk,
    }


def _body(url, world):
    if url == "/api/v1/supervision-sessions/":
        return {
            "date": "2025-04-01",
            "start_time": "10:00",
            "duration_minutes": 60,
            "modality": "individual",
            "format": "video",
            "attendees": [{"staff": world["s200"], "present": True}],
            "notes": "Quick check-in.",
        }
    if url.endswith("/amend/"):
        return {"reason": "typo", "duration_minutes": 75}
    if url.startswith("/api/v1/supervision-sessions/"):
        return {"duration_minutes": 65}
    if url == "/api/v1/supervision-action-items/":
        return {"session": world["a"], "text": "Call the school", "due_date": "2025-05-01"}
    if url.startswith("/api/v1/supervision-action-items/"):
        return {"done": True}
    if url == "/api/v1/supervision-plans/":
        return {"supervisee": world["s300"], "supervisor": world["s200"], "start": "2025-01-01"}
    if url.startswith("/api/v1/supervision-plans/"):
        return {"required_minutes": 150}
    if url.endswith("/action-items/"):
        return {"text": "Follow up", "due_date": "2025-05-01"}
    return {}


@pytest.mark.parametrize(("persona", "method", "url", "expected"), _flatten(PAGE_CASES))
def test_page_access(persona, method, url, expected, personas, world, login_client):
    client = login_client(personas[persona])
    path = url.format(**world)
    response = client.get(path) if method == "GET" else client.post(path, _body(url, world))
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize(("persona", "method", "url", "expected"), _flatten(API_CASES))
def test_api_access(persona, method, url, expected, personas, world, login_api, monkeypatch):
    import supervision.services as services_module

    monkeypatch.setattr(services_module.timezone, "localdate", lambda: dt.date(2026, 11, 28))
    client = login_api(personas[persona])
    path = url.format(**world)
    if method == "GET":
        response = client.get(path)
    else:
        response = getattr(client, method.lower())(path, _body(url, world), format="json")
    assert response.status_code == expected, response.content[:300]


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    assert client.get("/supervision/").status_code == 302
    assert client.get(f"/supervision/sessions/{world['a']}/").status_code == 302


def test_session_lists_contain_only_what_each_persona_may_see(personas, world, login_api):
    def ids(persona):
        body = login_api(personas[persona]).get("/api/v1/supervision-sessions/").json()
        return sorted(row["id"] for row in body["results"])

    assert ids("director") == sorted([world["a"], world["b"]])
    assert ids("supervisor") == [world["a"]]
    assert ids("staff") == [world["a"]]
    assert ids("outsider") == []


def test_action_item_lists_contain_only_readable_items(personas, world, login_api):
    def count(persona):
        return login_api(personas[persona]).get("/api/v1/supervision-action-items/").json()["count"]

    assert (count("director"), count("supervisor"), count("staff"), count("outsider")) == (1, 1, 1, 0)


@pytest.mark.parametrize("action", ["view", "change", "read_notes"])
def test_object_permissions_are_read_from_the_users_own_rows_not_from_every_session(
    action, personas, session_a, session_b, supervisor, staff_user, director
):
    """``objects_with_object_perm`` finds the same sessions as guardian, by the user's own
    permission rows: the sessions table is read once (the page), never hashed whole inside the
    permission subquery as guardian's ``object_pk IN (every session's pk)`` does."""
    from guardian.shortcuts import get_objects_for_user

    from core.permissions import objects_with_object_perm
    from supervision.models import SupervisionSession

    qs = SupervisionSession.objects.filter(agency=session_a.agency)
    for user in (supervisor, staff_user, director):
        ours = objects_with_object_perm(user, qs, action)
        theirs = get_objects_for_user(
            user,
            f"supervision.{action}_supervisionsession",
            klass=qs,
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        )
        assert sorted(ours.values_list("pk", flat=True)) == sorted(theirs.values_list("pk", flat=True))
        assert str(ours.query).count('FROM "supervision_supervisionsession"') == 1
        assert str(theirs.query).count('FROM "supervision_supervisionsession"') == 2
    expected = {"view": [session_a.pk], "change": [session_a.pk], "read_notes": [session_a.pk]}
    assert (
        list(objects_with_object_perm(supervisor, qs, action).values_list("pk", flat=True))
        == expected[action]
    )
    assert list(objects_with_object_perm(director, qs, action).values_list("pk", flat=True)) == []
