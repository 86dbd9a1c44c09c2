"""A new agency's setup checklist on the director's home page: each step links to where it
is done and disappears when it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.services import member_invite
from core.setup import SetupStep, pending_setup_steps, register_setup_step, setup_steps
from tests.factories import StaffMemberFactory, SupervisionPlanFactory
from tests.finance.factories import ContractFactory
from training.services import policy_set

pytestmark = pytest.mark.django_db

ALL = ["staff-imported", "contracts-loaded", "training-requirements", "supervision-plans", "people-invited"]


def steps_on_home(client) -> list[str]:
    for panel in client.get(reverse("home")).context["panels"]:
        if panel["template"] == "core/panel_setup.html":
            return [step["key"] for step in panel["steps"]]
    return []


def test_the_apps_register_the_five_steps_in_order():
    assert [step.key for step in setup_steps()] == ALL


def test_a_new_agency_shows_every_step_with_its_link(agency, director, login_client):
    client = login_client(director)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert steps_on_home(client) == ALL
    for name in (
        "staff-import",
        "finance-contract-list",
        "training-requirements",
        "supervision-plan-create",
        "member-invite",
    ):
        assert f'href="{reverse(name)}"' in html
    assert "5 steps left." in html


def test_each_step_disappears_when_it_is_done_and_then_the_panel(agency, director, login_client):
    client = login_client(director)
    lead = StaffMemberFactory(agency=agency, staff_no="S1")
    assert steps_on_home(client) == ALL[1:]
    ContractFactory(agency=agency, code="JX-1")
    assert steps_on_home(client) == ALL[2:]
    policy_set(agency=agency, annual_minimum_hours=None)
    assert steps_on_home(client) == ALL[3:]
    supervisee = StaffMemberFactory(agency=agency, staff_no="S2")
    SupervisionPlanFactory(supervisee=supervisee, supervisor=lead, start=dt.date(2025, 1, 1))
    assert steps_on_home(client) == ["people-invited"]
    member_invite(agency=agency, username="frank", roles=["finance"])
    assert steps_on_home(client) == []
    assert "Set up your agency" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["finance", "supervisor", "staff", "auditor"])
def test_only_directors_see_the_checklist(persona, personas, login_client):
    assert steps_on_home(login_client(personas[persona])) == []


def test_each_agency_has_its_own_checklist(agency, director, outsider, outsider_member, login_client):
    ContractFactory(agency=agency, code="JX-1", total=Decimal("1000.00"))
    assert "contracts-loaded" not in steps_on_home(login_client(director))
    outsider_steps = steps_on_home(login_client(outsider))
    assert "contracts-loaded" in outsider_steps
    assert "staff-imported" not in outsider_steps


def test_an_app_may_add_a_step_and_one_without_a_page_is_skipped(agency):
    register_setup_step(SetupStep("test-extra", "Extra", "no-such-page", lambda agency: False, order=99))
    try:
        assert "test-extra" not in [step["key"] for step in pending_setup_steps(agency)]
        register_setup_step(SetupStep("test-extra", "Extra", "reports", lambda agency: False, order=99))
        assert "test-extra" in [step["key"] for step in pending_setup_steps(agency)]
    finally:
        from core import setup

        setup._STEPS.pop("test-extra")
