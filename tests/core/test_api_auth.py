"""Token login, the error shape, and the schema and Swagger UI served without a CDN."""

import pytest
from knox.crypto import hash_token
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_login_returns_a_token_that_authenticates_requests(api_client, director):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert sorted(response.json()) == ["expiry", "token"]
    stored = AuthToken.objects.get(user=director)
    assert stored.digest == hash_token(response.json()["token"])

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    members = api_client.get("/api/v1/members/")
    assert members.status_code == 200
    assert [m["username"] for m in members.json()["results"]] == ["alice"]


def test_each_token_login_issues_a_new_token_and_both_work(api_client, director):
    first = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    second = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert first.json()["token"] != second.json()["token"]
    assert AuthToken.objects.filter(user=director).count() == 2
    for answer in (first, second):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        assert api_client.get("/api/v1/members/").status_code == 200


def test_token_login_with_a_wrong_password_is_refused_in_the_error_shape(api_client, director):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid"
    assert error["fields"] == {"non_field_errors": ["Unable to log in with the given username and password."]}
    assert AuthToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ({}, "application/json", "username"),
        ({"username": "alice"}, "application/json", "password"),
        ({"username": ["alice"], "password": 5}, "application/json", "username"),
    ],
)
def test_malformed_token_requests_name_the_missing_or_bad_field(
    api_client, director, body, content_type, field
):
    response = api_client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_token_request_that_is_not_json_is_a_clear_400(api_client, director):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert "JSON parse error" in response.json()["error"]["message"]


def test_user_without_agency_cannot_get_a_token(api_client, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("loner", password=PASSWORD)
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "loner", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == [
        "This account is not a member of any agency."
    ]


def test_api_without_credentials_is_refused(api_client, director):
    response = api_client.get("/api/v1/members/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_with_a_bad_token_is_refused(api_client, director):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = api_client.get("/api/v1/members/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_openapi_schema_is_served_as_json(client, director):
    client.force_login(director)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/members/" in schema["paths"]


def test_swagger_ui_is_served_from_our_own_static_files(client, director):
    client.force_login(director)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert client.get("/api/docs/?script=").status_code == 200
    assert "cdn" not in html.lower()
    assert "https://" not in html


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
@pytest.mark.parametrize("url", ["/api/schema/?format=json", "/api/docs/", "/api/docs/?script="])
def test_the_api_schema_and_swagger_ui_need_a_signed_in_user(client, db, settings, debug, url):
    settings.DEBUG = debug
    response = client.get(url)
    assert response.status_code == 401
    assert b"/api/v1/members/" not in response.content
