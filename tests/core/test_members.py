"""A director invites people, passes on their one-time link, deactivates and reactivates
logins; nobody else reaches these pages, and a username used elsewhere is not revealed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.invitations import invitation_path
from core.models import Membership
from core.roles import user_roles
from core.services import api_token_issue
from staff.forms import StaffMemberForm
from tests.core.signin import log_in
from tests.factories import PASSWORD, StaffMemberFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a-Long-pass-phrase-9"


def invite(client, **fields):
    data = {"username": "frank", "first_name": "Frank", "roles": ["finance"], **fields}
    return client.post(reverse("member-invite"), data)


def invitation_url(response) -> str:
    match = re.search(r'id="invitation-url"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "no invitation link on the page"
    return match.group(1)


def test_the_director_invites_a_person_and_sees_the_link_to_pass_on(director, login_client, agency):
    client = login_client(director)
    response = invite(client, email="frank@example.org")
    frank = User.objects.get(username="frank")
    assert response.status_code == 302
    assert response.url == reverse("member-invitation", args=[frank.membership.pk])
    assert frank.membership.agency == agency
    assert user_roles(frank) == {"finance"}
    assert not frank.has_usable_password()
    page = client.get(response.url)
    url = invitation_url(page)
    assert url.startswith("http://testserver/invitation/")
    assert "It works once, within 72 hours." in page.content.decode()
    # Console e-mail is not delivery: the page, not a "sent" message, is what the director relies on.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["frank@example.org"]
    assert "/invitation/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your login at 信丰县阳光社会工作服务中心"


def test_the_invited_person_sets_a_password_once_and_signs_in(director, login_client):
    invite(login_client(director))
    frank = User.objects.get(username="frank")
    path = invitation_path(frank)
    visitor = Client()
    landing = visitor.get(path, follow=True)
    assert landing.status_code == 200
    assert "Your username is <strong>frank</strong>" in landing.content.decode()
    form_url = landing.redirect_chain[-1][0]
    done = visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("login")
    assert log_in(Client(), "frank", NEW_PASSWORD)
    again = Client().get(path, follow=True)
    assert "This invitation link does not work" in again.content.decode()


def test_an_invitation_link_expires_after_72_hours(director, login_client, monkeypatch):
    invite(login_client(director))
    frank = User.objects.get(username="frank")
    path = invitation_path(frank)
    from core.invitations import invitation_token_generator

    later = invitation_token_generator._now() + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: later)
    page = Client().get(path, follow=True)
    assert "This invitation link does not work" in page.content.decode()


def test_a_new_link_makes_the_earlier_one_stop_working(director, login_client):
    client = login_client(director)
    invite(client)
    frank = User.objects.get(username="frank")
    old = invitation_path(frank)
    response = client.post(reverse("member-invitation", args=[frank.membership.pk]))
    assert response.status_code == 302
    assert "This invitation link does not work" in Client().get(old, follow=True).content.decode()
    frank.refresh_from_db()
    assert "Choose the password" in Client().get(invitation_path(frank), follow=True).content.decode()


def test_a_password_reset_link_is_no_invitation_link(director, login_client):
    from django.contrib.auth.tokens import default_token_generator

    invite(login_client(director))
    frank = User.objects.get(username="frank")
    uid = invitation_path(frank).split("/")[2]
    forged = reverse("invitation-accept", args=[uid, default_token_generator.make_token(frank)])
    assert "This invitation link does not work" in Client().get(forged, follow=True).content.decode()


def test_the_invitation_can_link_the_persons_staff_record(director, login_client, agency, other_staff_member):
    client = login_client(director)
    form = client.get(reverse("member-invite")).content.decode()
    assert f'value="{other_staff_member.pk}">S300 王社工' in form
    invite(client, staff_record=str(other_staff_member.pk), roles=["staff"])
    other_staff_member.refresh_from_db()
    assert other_staff_member.user.username == "frank"


def test_a_username_used_in_another_agency_gets_the_same_answer_as_one_used_here(
    director, outsider, login_client, finance
):
    client = login_client(director)
    elsewhere = invite(client, username="oscar")
    here = invite(client, username="bob")
    message = "This username cannot be used; choose another one."
    assert message in elsewhere.content.decode()
    assert message in here.content.decode()
    assert elsewhere.content.decode().count(message) == here.content.decode().count(message) == 1
    assert "oscar" not in str(Membership.objects.filter(agency=director.membership.agency).values_list())


def test_the_api_answers_a_taken_username_the_same_way_wherever_it_is(director, outsider, finance, login_api):
    api = login_api(director)
    answers = [
        api.post("/api/v1/members/", {"username": name, "roles": ["staff"]}, format="json").json()
        for name in ("oscar", "bob")
    ]
    assert answers[0] == answers[1]
    assert answers[0]["error"]["fields"] == {
        "username": ["This username cannot be used; choose another one."]
    }


def test_the_api_invites_when_no_password_is_given_and_answers_the_link_once(director, login_api):
    api = login_api(director)
    response = api.post("/api/v1/members/", {"username": "frank", "roles": ["finance"]}, format="json")
    assert response.status_code == 201
    url = response.json()["invitation_url"]
    assert url.startswith("http://testserver/invitation/")
    frank = User.objects.get(username="frank")
    assert not frank.has_usable_password()
    assert api.get(f"/api/v1/members/{frank.membership.pk}/").json()["invitation_url"] is None


# --- deactivation ---------------------------------------------------------------------------


def test_deactivation_ends_the_session_and_the_token_on_the_next_request(director, finance, login_client):
    browser = Client()
    assert log_in(browser, "bob", PASSWORD)
    assert browser.get("/").status_code == 200
    _token, key = api_token_issue(user=finance)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/finance/contracts/").status_code == 200

    response = login_client(director).post(
        reverse("member-active", args=[finance.membership.pk]), {"active": "0"}
    )
    assert response.status_code == 302

    page = browser.get("/")
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))
    assert api.get("/api/v1/finance/contracts/").status_code == 401
    assert AuthToken.objects.filter(user=finance).count() == 0
    assert not log_in(Client(), "bob", PASSWORD)
    finance.refresh_from_db()
    assert finance.is_active is False
    assert Membership.objects.filter(user=finance).exists()


def test_a_reactivated_person_signs_in_again_with_their_password(director, finance, login_client):
    client = login_client(director)
    client.post(reverse("member-active", args=[finance.membership.pk]), {"active": "0"})
    client.post(reverse("member-active", args=[finance.membership.pk]), {"active": "1"})
    assert log_in(Client(), "bob", PASSWORD)


def test_a_director_cannot_deactivate_themselves(director, login_client):
    client = login_client(director)
    response = client.post(
        reverse("member-active", args=[director.membership.pk]), {"active": "0"}, follow=True
    )
    assert "You cannot deactivate your own login." in response.content.decode()
    director.refresh_from_db()
    assert director.is_active is True


def test_patching_is_active_on_the_api_deactivates_and_reactivates(director, finance, login_api):
    api_token_issue(user=finance)
    api = login_api(director)
    url = f"/api/v1/members/{finance.membership.pk}/"
    response = api.patch(url, {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    finance.refresh_from_db()
    assert finance.is_active is False
    assert AuthToken.objects.filter(user=finance).count() == 0
    assert api.patch(url, {"is_active": True}, format="json").json()["is_active"] is True
    finance.refresh_from_db()
    assert finance.is_active is True


def test_patching_your_own_is_active_is_refused(director, login_api):
    response = login_api(director).patch(
        f"/api/v1/members/{director.membership.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_active": ["You cannot deactivate your own login."]}


def test_patching_names_changes_them_and_a_username_cannot_change(director, finance, login_api):
    api = login_api(director)
    url = f"/api/v1/members/{finance.membership.pk}/"
    assert api.patch(url, {"first_name": "Robert"}, format="json").json()["first_name"] == "Robert"
    refused = api.patch(url, {"username": "robert"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"username": ["A username cannot be changed."]}


def test_a_deactivated_person_leaves_the_pickers_but_keeps_their_records(
    director, staff_user, agency, login_api
):
    from core.services import member_deactivate

    member = StaffMemberFactory(agency=agency, staff_no="S900", name="赵社工")
    member_deactivate(user=staff_user, by=director)
    choices = [user.username for user in StaffMemberForm(agency=agency).fields["user"].queryset]
    assert "dave" not in choices
    assert "alice" in choices
    # The staff record already linked to them keeps that link when edited.
    linked = StaffMemberFactory(agency=agency, staff_no="S901", name="孙社工", user=staff_user)
    form = StaffMemberForm(instance=linked, agency=agency)
    assert "dave" in [user.username for user in form.fields["user"].queryset]
    response = login_api(director).patch(f"/api/v1/staff/{member.pk}/", {"user": "dave"}, format="json")
    assert response.status_code == 400


# --- who reaches the pages --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["finance", "supervisor", "staff", "auditor"])
def test_only_directors_reach_the_member_pages(persona, personas, login_client):
    client = login_client(personas[persona])
    target = personas["finance"].membership.pk
    assert client.get(reverse("member-invite")).status_code == 404
    assert client.get(reverse("member-invitation", args=[target])).status_code == 404
    assert client.post(reverse("member-active", args=[target]), {"active": "0"}).status_code == 404
    assert User.objects.get(pk=personas["finance"].pk).is_active is True


def test_the_outsider_gets_404_for_this_agencys_members(personas, login_client, login_api):
    client = login_client(personas["outsider"])
    target = personas["finance"].membership.pk
    assert client.get(reverse("member-invitation", args=[target])).status_code == 404
    assert client.post(reverse("member-active", args=[target]), {"active": "0"}).status_code == 404
    response = login_api(personas["outsider"]).patch(
        f"/api/v1/members/{target}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 404
    assert User.objects.get(pk=personas["finance"].pk).is_active is True
