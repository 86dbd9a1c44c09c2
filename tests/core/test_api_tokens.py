"""API tokens: hashed at rest, expiring, revocable one by one and all at once, listed for
their owner; logout, a password change and deactivation end them on the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.selectors import api_token_id
from core.services import api_token_issue
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # The anonymous rate (60 a minute) counts sign-ins across tests in the same cache.
    from django.core.cache import cache

    cache.clear()


def sign_in(username: str, password: str = PASSWORD) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_not_stored_only_its_digest(director):
    key = sign_in("alice")
    stored = AuthToken.objects.get(user=director)
    assert key not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128
    assert not AuthToken.objects.filter(digest=key).exists()


def test_a_token_expires_after_the_configured_days(director, settings):
    before = timezone.now()
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    stored = AuthToken.objects.get(user=director)
    assert before + dt.timedelta(days=30) <= stored.expiry <= timezone.now() + dt.timedelta(days=30)
    assert answer.json()["expiry"].startswith(timezone.localtime(stored.expiry).strftime("%Y-%m-%dT%H:%M"))


def test_the_lifetime_follows_api_token_ttl_days(director, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(days=2)}
    sign_in("alice")
    stored = AuthToken.objects.get(user=director)
    assert dt.timedelta(days=1, hours=23) < stored.expiry - timezone.now() <= dt.timedelta(days=2)


def test_an_expired_token_answers_401_and_is_deleted(director):
    key = sign_in("alice")
    AuthToken.objects.filter(user=director).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = client_with(key).get("/api/v1/members/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert AuthToken.objects.filter(user=director).count() == 0


def test_the_owner_lists_their_tokens_and_sees_which_one_is_in_use(director, finance):
    first, second = sign_in("alice"), sign_in("alice")
    sign_in("bob")
    response = client_with(second).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 2
    assert [row["current"] for row in rows] == [True, False]
    assert [row["starts_with"] for row in rows] == [second[:8], first[:8]]
    assert {len(row["id"]) for row in rows} == {16}
    assert all(first not in str(row) and second not in str(row) for row in rows)


def test_revoking_one_token_leaves_the_others_working(director):
    first, second = sign_in("alice"), sign_in("alice")
    first_id = api_token_id(AuthToken.objects.get(token_key=first[:15]))
    response = client_with(second).delete(f"/api/v1/auth/tokens/{first_id}/")
    assert response.status_code == 204
    assert client_with(first).get("/api/v1/members/").status_code == 401
    assert client_with(second).get("/api/v1/members/").status_code == 200


def test_another_persons_token_cannot_be_revoked_and_answers_404(director, outsider):
    mine = sign_in("alice")
    theirs = sign_in("oscar")
    their_id = api_token_id(AuthToken.objects.get(user=outsider))
    assert client_with(mine).delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert client_with(theirs).get("/api/v1/members/").status_code == 200


def test_logout_revokes_only_the_token_used(director):
    first, second = sign_in("alice"), sign_in("alice")
    assert client_with(first).post("/api/v1/auth/logout/").status_code == 204
    assert client_with(first).get("/api/v1/members/").status_code == 401
    assert client_with(second).get("/api/v1/members/").status_code == 200


def test_logout_all_revokes_every_token_of_the_caller_only(director, finance):
    first, second = sign_in("alice"), sign_in("alice")
    other = sign_in("bob")
    assert client_with(first).post("/api/v1/auth/logout-all/").status_code == 204
    assert AuthToken.objects.filter(user=director).count() == 0
    assert client_with(second).get("/api/v1/members/").status_code == 401
    assert client_with(other).get("/api/v1/finance/contracts/").status_code == 200


def test_logout_with_a_session_instead_of_a_token_is_a_clear_400(director, login_api):
    response = login_api(director).post("/api/v1/auth/logout/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["This request was not made with an API token."]
    }


def test_a_password_change_revokes_every_token(director):
    key = sign_in("alice")
    director.set_password("a-new-Long-pass-phrase-3")
    director.save()
    assert AuthToken.objects.filter(user=director).count() == 0
    assert client_with(key).get("/api/v1/members/").status_code == 401


def test_saving_a_user_without_changing_the_password_keeps_the_tokens(director):
    key = sign_in("alice")
    director.first_name = "Alicia"
    director.save()
    assert client_with(key).get("/api/v1/members/").status_code == 200


def test_without_a_token_the_token_endpoints_answer_401(director):
    for method, path in (("get", "/api/v1/auth/tokens/"), ("post", "/api/v1/auth/logout/")):
        response = getattr(APIClient(), method)(path)
        assert response.status_code == 401, path


def test_plain_tokens_of_an_older_installation_are_migrated_to_digests_and_keep_working(director):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("core.migrations.0006_hash_existing_api_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # DRF's table, reduced to the columns the migration reads (portable to PostgreSQL).
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s)", [old_key, director.pk])
    try:
        # The migration needs only the editor's connection (SQLite's editor refuses to open
        # inside the test's transaction).
        migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    stored = AuthToken.objects.get(user=director)
    assert stored.digest != old_key
    assert stored.expiry > timezone.now() + dt.timedelta(days=29)
    assert client_with(old_key).get("/api/v1/members/").status_code == 200


@pytest.mark.parametrize("persona", ["director", "finance", "supervisor", "staff", "auditor", "outsider"])
def test_every_persona_lists_only_their_own_tokens(persona, personas):
    keys = {name: api_token_issue(user=user)[1] for name, user in personas.items()}
    rows = client_with(keys[persona]).get("/api/v1/auth/tokens/").json()
    assert [row["starts_with"] for row in rows] == [keys[persona][:8]]
    others = [AuthToken.objects.get(user=user) for name, user in personas.items() if name != persona]
    for token in others:
        assert (
            client_with(keys[persona]).delete(f"/api/v1/auth/tokens/{api_token_id(token)}/").status_code
            == 404
        )
    assert AuthToken.objects.count() == 6
