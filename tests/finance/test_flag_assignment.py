"""Assigning flags on the page: what the officer is told, what the history keeps, and who the
pickers and the queue's filter offer (people by name, only those a flag can go to)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from finance.flags.services import flags_bulk, flags_scan_contract
from finance.models import Flag, FlagEvent
from tests.finance.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(contract):
    line = contract.budget_lines.get(code="A1")
    ExpenditureFactory(budget_line=line, voucher_no="W-1", amount=Decimal("500.00"), date=dt.date(2025, 3, 8))
    flags_scan_contract(contract=contract)
    return Flag.objects.get(contract=contract, rule="WEEKEND_HOLIDAY")


def _assign(client, flag, assignee=""):
    response = client.post(
        reverse("finance-flag-assign", args=[flag.pk]), {"assignee": assignee, "note": ""}, follow=True
    )
    assert response.redirect_chain[-1][1] == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def _assignments(flag):
    return list(
        FlagEvent.objects.filter(flag=flag, kind=FlagEvent.Kind.ASSIGNED).values_list("assignee", flat=True)
    )


def test_assigning_names_the_person_and_unassigning_says_so(flag, finance, director, login_client):
    client = login_client(finance)
    assert _assign(client, flag, director.pk) == ["Flag assigned to Alice (alice)."]
    assert _assign(client, flag) == ["The flag is assigned to nobody now."]
    assert _assignments(flag) == [director.pk, None]
    flag.refresh_from_db()
    assert flag.assignee is None


def test_assigning_nobody_to_an_unassigned_flag_changes_nothing_and_says_so(
    flag, finance, director, login_client
):
    client = login_client(finance)
    assert _assign(client, flag) == ["Nothing changed: the flag is assigned to nobody."]
    assert _assign(client, flag, director.pk) == ["Flag assigned to Alice (alice)."]
    assert _assign(client, flag, director.pk) == [
        "Nothing changed: the flag is already assigned to Alice (alice)."
    ]
    assert _assignments(flag) == [director.pk]


def test_a_bulk_assignment_counts_only_the_flags_it_changed(flag, contract, finance, director):
    line = contract.budget_lines.get(code="A1")
    ExpenditureFactory(budget_line=line, voucher_no="W-2", amount=Decimal("600.00"), date=dt.date(2025, 3, 9))
    flags_scan_contract(contract=contract)
    weekend = Flag.objects.filter(contract=contract, rule="WEEKEND_HOLIDAY")
    assert weekend.count() == 2
    assert flags_bulk(flags=[flag], user=finance, action="assign", assignee=director) == 1
    assert flags_bulk(flags=list(weekend), user=finance, action="assign", assignee=director) == 1
    assert FlagEvent.objects.filter(kind=FlagEvent.Kind.ASSIGNED).count() == 2


@pytest.mark.parametrize("persona", ["director", "finance", "auditor"])
def test_the_queue_filters_by_the_people_a_flag_can_go_to_by_name(
    persona, personas, flag, granted, login_client
):
    page = login_client(personas[persona]).get(reverse("finance-flag-list"), HTTP_ACCEPT_LANGUAGE="en")
    field = page.context["filter"].form.fields["assignee"]
    assert [label for _value, label in field.choices] == ["Anyone", "Alice (alice)", "Bob (bob)"]


def test_the_assign_picker_shows_names(flag, finance, director, login_client):
    page = login_client(finance).get(
        reverse("finance-flag-detail", args=[flag.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    field = page.context["assign_form"].fields["assignee"]
    assert [label for _value, label in field.choices] == ["Nobody", "Alice (alice)", "Bob (bob)"]
