"""Delivery fixtures: the finance contract with three targets, and a visit of the staff persona."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.finance.conftest import contract, granted, other_contract, outsider_contract  # noqa: F401


@pytest.fixture
def targets(contract):  # noqa: F811  (the finance fixture, imported above)
    """HV 入户探访 300 activities, CS 个案服务 40 cases, GP 小组活动 500 participants."""
    return {
        "HV": TargetFactory(
            contract=contract, code="HV", name="入户探访", measure="activities", quantity=300
        ),
        "CS": TargetFactory(
            contract=contract, code="CS", name="个案服务", measure="cases", quantity=40, position=1
        ),
        "GP": TargetFactory(
            contract=contract, code="GP", name="小组活动", measure="participants", quantity=500, position=2
        ),
    }


@pytest.fixture
def visit(targets, staff_member):
    """The staff persona's home visit of 5 March 2025: case XF-C-001, 90 minutes, a note."""
    return ActivityFactory(
        target=targets["CS"],
        staff=staff_member,
        activity_no="HV-0001",
        date=dt.date(2025, 3, 5),
        duration_minutes=90,
        case_code="XF-C-001",
        location="大塘埠镇",
        note="入户了解孩子近况",
    )


@pytest.fixture
def other_visit(targets, other_staff_member):
    """A colleague's visit (not supervised by the supervisor persona)."""
    return ActivityFactory(
        target=targets["HV"], staff=other_staff_member, activity_no="HV-0002", case_code="XF-C-002"
    )
