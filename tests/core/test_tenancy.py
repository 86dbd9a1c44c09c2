"""Tenant isolation and role management on the core endpoints and pages."""

import pytest
from django.contrib.auth import get_user_model

from core.models import Membership
from core.roles import user_roles
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status", "usernames"),
    [
        ("director", 200, ["alice", "bob", "carol", "dave", "erin"]),
        ("finance", 403, None),
        ("supervisor", 403, None),
        ("staff", 403, None),
        ("auditor", 403, None),
        ("outsider", 200, ["oscar"]),
    ],
)
def test_member_list_shows_only_the_callers_agency_to_directors(
    personas, login_api, persona, status, usernames
):
    response = login_api(personas[persona]).get("/api/v1/members/")
    assert response.status_code == status
    if usernames is not None:
        assert sorted(m["username"] for m in response.json()["results"]) == usernames


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 404),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_a_member_of_another_agency_is_never_shown(personas, login_api, persona, status):
    other = personas["director"] if persona == "outsider" else personas["outsider"]
    target = Membership.objects.get(user=other)
    response = login_api(personas[persona]).get(f"/api/v1/members/{target.pk}/")
    # Directors learn nothing from a 404; other roles may not use the endpoint at all.
    assert response.status_code == status
    assert other.username not in response.content.decode()


def test_outsider_cannot_change_roles_in_another_agency(personas, login_api):
    target = Membership.objects.get(user=personas["staff"])
    response = login_api(personas["outsider"]).patch(
        f"/api/v1/members/{target.pk}/", {"roles": ["director"]}, format="json"
    )
    assert response.status_code == 404
    assert user_roles(get_user_model().objects.get(pk=personas["staff"].pk)) == {"staff"}


def test_director_creates_a_login_with_roles(personas, login_api, agency):
    response = login_api(personas["director"]).post(
        "/api/v1/members/",
        {"username": "frank", "password": "a-Long-pass-phrase-9", "roles": ["supervisor", "staff"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["staff", "supervisor"]
    frank = get_user_model().objects.get(username="frank")
    assert frank.membership.agency == agency
    assert user_roles(frank) == {"supervisor", "staff"}
    assert frank.check_password("a-Long-pass-phrase-9")


def test_unknown_role_is_refused_with_the_valid_choices(personas, login_api):
    response = login_api(personas["director"]).post(
        "/api/v1/members/",
        {"username": "frank", "password": "a-Long-pass-phrase-9", "roles": ["boss"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["roles"] == [
        "Unknown role boss; choose from director, finance, supervisor, staff, auditor."
    ]
    assert not get_user_model().objects.filter(username="frank").exists()


def test_weak_password_is_refused_and_nothing_is_created(personas, login_api):
    response = login_api(personas["director"]).post(
        "/api/v1/members/", {"username": "frank", "password": "12345678", "roles": ["staff"]}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not get_user_model().objects.filter(username="frank").exists()


def test_director_changes_roles_and_it_is_kept(personas, login_api):
    target = Membership.objects.get(user=personas["staff"])
    response = login_api(personas["director"]).patch(
        f"/api/v1/members/{target.pk}/", {"roles": ["staff", "supervisor"]}, format="json"
    )
    assert response.status_code == 200
    assert user_roles(get_user_model().objects.get(pk=personas["staff"].pk)) == {"staff", "supervisor"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("finance", 404),
        ("supervisor", 404),
        ("staff", 404),
        ("auditor", 404),
        ("outsider", 200),
    ],
)
def test_members_page_is_for_directors_only(personas, login_client, persona, status):
    response = login_client(personas[persona]).get("/members/")
    assert response.status_code == status
    if persona == "outsider":
        assert "alice" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_renders(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_a_home_page(personas, login_client, persona):
    response = login_client(personas[persona]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    expected_agency = (
        "Other County Social Work Centre" if persona == "outsider" else "信丰县阳光社会工作服务中心"
    )
    assert expected_agency in html
