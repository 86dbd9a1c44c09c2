"""A person's own sign-in: the account page, their language, password change and reset, and
the login page of an installation that has no agency yet."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import Membership
from core.selectors import api_token_id
from core.services import api_token_issue, member_set_language
from tests.conftest import PERSONAS
from tests.core.signin import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-Long-pass-phrase-3"


@pytest.fixture(autouse=True)
def english_after_each_test():
    yield
    translation.activate("en")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_has_an_account_page(persona, personas, login_client):
    response = login_client(personas[persona]).get(reverse("account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Username: <strong>{personas[persona].username}</strong>" in html
    assert reverse("password_change") in html


def test_the_account_pages_need_a_login(client):
    for name in ("account", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_owner_sees_and_revokes_their_own_tokens_on_the_page(director, finance, login_client):
    mine, key = api_token_issue(user=director)
    theirs, _key = api_token_issue(user=finance)
    client = login_client(director)
    html = client.get(reverse("account")).content.decode()
    assert f"<code>{key[:8]}…</code>" in html
    assert api_token_id(theirs) not in html
    # Someone else's token id answers "no such token" and stays.
    client.post(reverse("account-token-revoke", args=[api_token_id(theirs)]))
    assert AuthToken.objects.filter(user=finance).count() == 1
    client.post(reverse("account-token-revoke", args=[api_token_id(mine)]))
    assert AuthToken.objects.filter(user=director).count() == 0


def test_revoke_all_on_the_page_ends_every_token_of_the_owner(director, finance, login_client):
    api_token_issue(user=director)
    api_token_issue(user=director)
    api_token_issue(user=finance)
    response = login_client(director).post(reverse("account-tokens-revoke-all"), follow=True)
    assert "2 API tokens revoked." in response.content.decode()
    assert AuthToken.objects.filter(user=director).count() == 0
    assert AuthToken.objects.filter(user=finance).count() == 1


# --- language -------------------------------------------------------------------------------


def test_the_stored_language_is_used_after_login_whatever_the_browser_asks(director):
    browser = Client()
    assert log_in(browser, "alice", PASSWORD)
    browser.post(reverse("account-language"), {"language": "zh-hans"})
    assert Membership.objects.get(user=director).language == "zh-hans"
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert log_in(fresh, "alice", PASSWORD)
    html = fresh.get("/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "退出" in html


def test_without_a_stored_language_the_browser_decides(director, login_client):
    html = login_client(director).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in html
    html = login_client(director).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html


def test_the_header_menu_stores_the_choice_of_a_signed_in_person(director, login_client):
    client = login_client(director)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert Membership.objects.get(user=director).language == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Membership.objects.get(user=director).language == "en"


def test_an_unknown_language_is_refused(director, login_client):
    response = login_client(director).post(reverse("account-language"), {"language": "fr"}, follow=True)
    assert "Choose one of the languages offered." in response.content.decode()
    assert Membership.objects.get(user=director).language == ""


def test_api_answers_and_exports_follow_the_stored_language(director):
    member_set_language(user=director, language="zh-hans")
    _token, key = api_token_issue(user=director)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/members/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "未找到。"


def test_reset_and_invitation_emails_are_written_in_the_recipients_language(director, finance, login_client):
    member_set_language(user=finance, language="zh-hans")
    finance.email = "bob@example.org"
    finance.save()
    Client(HTTP_ACCEPT_LANGUAGE="en").post(reverse("password_reset"), {"email": "bob@example.org"})
    assert len(mail.outbox) == 1
    assert "重置" in mail.outbox[0].subject


# --- password change and reset ----------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_revokes_tokens(director):
    api_token_issue(user=director)
    browser, other = Client(), Client()
    assert log_in(browser, "alice", PASSWORD)
    assert log_in(other, "alice", PASSWORD)
    response = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("account")
    assert browser.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert AuthToken.objects.filter(user=director).count() == 0
    assert log_in(Client(), "alice", NEW_PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reasons(director, login_client):
    response = login_client(director).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "1234", "new_password2": "1234"},
    )
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()


def test_password_reset_by_email_sets_a_new_password_once(director):
    director.email = "alice@example.org"
    director.save()
    api_token_issue(user=director)
    visitor = Client()
    response = visitor.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)
    form = visitor.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = visitor.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.url == reverse("password_reset_complete")
    assert log_in(Client(), "alice", NEW_PASSWORD)
    assert AuthToken.objects.filter(user=director).count() == 0
    assert "This link does not work" in Client().get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(director):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "If a login has this address" in response.content.decode()
    assert mail.outbox == []


def test_the_login_page_links_to_password_reset(db):
    assert reverse("password_reset") in Client().get(reverse("login")).content.decode()


# --- a fresh installation ----------------------------------------------------------------------


def test_a_fresh_installation_shows_the_command_to_run_on_the_login_page(db):
    html = Client().get(reverse("login")).content.decode()
    assert "This installation has no agency yet" in html
    assert 'python manage.py create_agency SLUG --name "NAME" --director USERNAME' in html


def test_once_an_agency_exists_the_hint_is_gone(agency):
    assert "create_agency" not in Client().get(reverse("login")).content.decode()


def test_the_hint_is_in_chinese_too(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("login")).content.decode()
    assert "python manage.py create_agency" in html
    assert "This installation has no agency yet" not in html


def test_exports_are_written_in_the_stored_language(
    finance, director, agency, login_client, settings, tmp_path
):
    from decimal import Decimal

    from tests.finance.factories import BudgetLineFactory, ContractFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    contract = ContractFactory(agency=agency, code="XF-2025-01", total=Decimal("1000.00"))
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("1000.00"))
    member_set_language(user=finance, language="zh-hans")
    query = {"contract": "XF-2025-01", "format": "csv"}
    chinese = login_client(finance).get("/reports/budget-vs-actual/", query, HTTP_ACCEPT_LANGUAGE="en")
    english = login_client(director).get("/reports/budget-vs-actual/", query, HTTP_ACCEPT_LANGUAGE="en")
    header_zh = chinese.content.decode("utf-8-sig").splitlines()[0]
    header_en = english.content.decode("utf-8-sig").splitlines()[0]
    assert "预算" in header_zh
    assert "预算" not in header_en
