"""Login throttling, the Content Security Policy and security headers."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account_even_with_the_right_password(client, director):
    for _ in range(5):
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count(client, director):
    for _ in range(4):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    ok = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(director.pk)


def test_token_endpoint_is_throttled_by_the_same_lockout(api_client, director):
    for _ in range(5):
        api_client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code in (403, 429)
    assert "token" not in response.content.decode()


def test_pages_send_a_content_security_policy_without_inline_script(client, director):
    client.force_login(director)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert "<script>" not in html
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_swagger_ui_page_has_no_inline_script(client, director):
    client.force_login(director)
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert "<script>" not in html.replace(" ", "")
