"""A director grants an auditor a contract again once the old grant has expired (roles.md):
the expired grant is ended and kept, with its history; an active grant still refuses a second."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from finance.models import AuditorGrant, Contract
from finance.services import auditor_grant, auditor_revoke
from tests.factories import UserFactory

ALREADY = "This auditor already has access to this contract."


@pytest.fixture
def expired(contract, auditor, director):
    """A grant whose last day was yesterday (not revoked)."""
    grant = auditor_grant(contract=contract, auditor=auditor, granted_by=director)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    AuditorGrant.objects.filter(pk=grant.pk).update(expires_on=yesterday)
    grant.refresh_from_db()
    assert grant.state == "expired"
    assert Contract.objects.for_user(auditor).count() == 0
    return grant


def test_a_director_grants_the_contract_again_after_the_grant_expired(expired, contract, auditor, director):
    new = auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    assert new.pk != expired.pk
    assert new.is_active()
    assert list(Contract.objects.for_user(auditor).values_list("code", flat=True)) == [contract.code]
    assert AuditorGrant.objects.filter(contract=contract, user=auditor).count() == 2


def test_the_expired_grant_is_kept_as_ended_with_its_history(expired, contract, auditor, director):
    auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    expired.refresh_from_db()
    assert expired.revoked_at is not None
    assert expired.revoked_by == director
    assert expired.state == "expired"
    latest = expired.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == director
    assert latest.history_change_reason == AuditorGrant.ENDED_EXPIRED
    assert AuditorGrant.history_reason(latest.history_change_reason) == (
        "Ended: the grant had expired and the auditor was given a new one."
    )
    assert latest.prev_record.revoked_at is None


def test_a_second_grant_while_one_is_active_is_refused_with_a_clear_message(
    granted, contract, auditor, director
):
    with pytest.raises(ValidationError) as info:
        auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    assert info.value.messages == [ALREADY]
    granted.refresh_from_db()
    assert granted.revoked_at is None
    assert AuditorGrant.objects.filter(contract=contract, user=auditor).count() == 1


def test_a_grant_whose_last_day_is_today_is_still_active_and_refuses_a_second(contract, auditor, director):
    today = timezone.localdate()
    first = auditor_grant(contract=contract, auditor=auditor, granted_by=director, expires_on=today)

    with pytest.raises(ValidationError) as info:
        auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    assert info.value.messages == [ALREADY]
    first.refresh_from_db()
    assert first.revoked_at is None


def test_a_grant_after_a_revoked_one_leaves_the_revoked_one_as_it_was(granted, contract, auditor, director):
    auditor_revoke(grant=granted, revoked_by=director)
    granted.refresh_from_db()
    revoked_at = granted.revoked_at

    auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    granted.refresh_from_db()
    assert granted.revoked_at == revoked_at
    assert granted.state == "revoked"
    assert Contract.objects.for_user(auditor).count() == 1


def test_the_director_grants_again_on_the_page_after_expiry(
    expired, contract, auditor, director, login_client
):
    url = reverse("finance-grants", args=[contract.pk])
    client = login_client(director)

    response = client.post(url, {"auditor": auditor.pk, "expires_on": ""})

    assert response.status_code == 302
    assert Contract.objects.for_user(auditor).count() == 1
    page = client.get(url).content.decode()
    assert page.count('<span class="badge ok">active</span>') == 1
    assert page.count('<span class="badge warning">expired</span>') == 1
    assert '<span class="badge">revoked</span>' not in page


def test_the_page_refuses_a_second_grant_while_one_is_active(
    granted, contract, auditor, director, login_client
):
    url = reverse("finance-grants", args=[contract.pk])

    response = login_client(director).post(url, {"auditor": auditor.pk, "expires_on": ""})

    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [ALREADY]
    assert AuditorGrant.objects.filter(contract=contract, user=auditor).count() == 1


def test_the_history_page_reads_the_ending_of_an_expired_grant_in_chinese(
    expired, contract, auditor, director, login_client
):
    auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    page = login_client(director).get(
        f"/history/finance/auditorgrant/{expired.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert page.status_code == 200
    assert "结束：该授权已过期，已向该审计人员重新授权。" in page.content.decode()


def test_a_grant_racing_another_is_refused_by_the_database_rule_with_the_same_message(
    granted, contract, auditor, director, monkeypatch
):
    # The other director's grant was inserted after this one's checks: only the constraint sees it.
    monkeypatch.setattr(AuditorGrant, "validate_constraints", lambda self, exclude=None: None)
    monkeypatch.setattr(AuditorGrant, "is_active", lambda self, today=None: True)

    with pytest.raises(ValidationError) as info:
        auditor_grant(contract=contract, auditor=auditor, granted_by=director)

    assert info.value.messages == [ALREADY]
    assert AuditorGrant.objects.filter(contract=contract, user=auditor).count() == 1


def test_the_contract_page_shows_each_grants_state_not_an_expired_grants_ending_as_a_revocation(
    expired, contract, auditor, director, login_client
):
    auditor_grant(contract=contract, auditor=auditor, granted_by=director)
    revoked_auditor = UserFactory(
        username="ivy", first_name="Ivy", agency_roles=(contract.agency, ["auditor"])
    )
    auditor_revoke(
        grant=auditor_grant(contract=contract, auditor=revoked_auditor, granted_by=director),
        revoked_by=director,
    )
    html = login_client(director).get(reverse("finance-contract-detail", args=[contract.pk])).content.decode()
    table = html.split("Auditors granted", 1)[1].split("</table>", 1)[0]
    states = re.findall(r'<span class="badge(?: \w+)?">(\w+)</span>', table)
    assert sorted(states) == ["active", "expired", "revoked"]
    today = timezone.localdate()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    expired_row = f'<td>{today.isoformat()}</td><td>{yesterday}</td><td><span class="badge warning">expired</span>\n</td>'
    assert expired_row in table  # its ending by the new grant is not shown as a revocation
    assert f'revoked</span> <span class="nowrap">{today.isoformat()}</span>' in table
