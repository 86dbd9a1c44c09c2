"""A delivery rule named in the contract's ``disabled_rules`` is not run by the scan."""

from __future__ import annotations

import datetime as dt

import pytest

from delivery.flags import contract_findings
from delivery.models import FlagActivity
from finance.flags.services import contract_disabled_rules_update, flag_set_status, flags_scan_contract
from finance.models import Flag
from tests.delivery.factories import ActivityFactory
from tests.finance.factories import evidence_pdf

pytestmark = pytest.mark.django_db

REASON = "本项目的小组活动连续开展，单日时长属实"


@pytest.fixture
def planted(targets, staff_member):
    """A visit after the contract (ACTIVITY_OUTSIDE_PERIOD) and 601 minutes in a day (ACTIVITY_OVERLOAD)."""
    hv = targets["HV"]
    ActivityFactory(target=hv, staff=staff_member, activity_no="LATE-1", date=dt.date(2026, 1, 3))
    for number, minutes in (("DAY-1", 300), ("DAY-2", 301)):
        ActivityFactory(target=hv, staff=staff_member, activity_no=number, date=dt.date(2025, 5, 6),
                        duration_minutes=minutes)  # fmt: skip
    return hv.contract


def test_a_disabled_delivery_rule_is_not_run_and_comes_back_as_the_same_flag(planted, director):
    contract = planted
    before = [f.rule for f in contract_findings(contract)]
    assert before.count("ACTIVITY_OVERLOAD") == 1 and before.count("ACTIVITY_OUTSIDE_PERIOD") == 1
    flags_scan_contract(contract=contract)
    overload = Flag.objects.get(rule="ACTIVITY_OVERLOAD")
    flag_set_status(
        flag=overload, user=director, status="explained", note="两场活动连续进行", evidence=evidence_pdf()
    )

    contract_disabled_rules_update(contract=contract, user=director, disabled={"ACTIVITY_OVERLOAD": REASON})
    contract.refresh_from_db()
    after = [f.rule for f in contract_findings(contract)]
    assert after == [rule for rule in before if rule != "ACTIVITY_OVERLOAD"]
    result = flags_scan_contract(contract=contract)
    assert result.resolved == 1 and result.created == 0
    overload.refresh_from_db()
    assert (overload.active, overload.status) == (False, "explained")
    assert Flag.objects.get(rule="ACTIVITY_OUTSIDE_PERIOD").active

    contract_disabled_rules_update(contract=contract, user=director, disabled={})
    contract.refresh_from_db()
    result = flags_scan_contract(contract=contract)
    assert result.created == 0
    assert Flag.objects.filter(rule="ACTIVITY_OVERLOAD").count() == 1
    overload.refresh_from_db()
    assert (overload.active, overload.status) == (True, "explained")
    assert FlagActivity.objects.filter(flag=overload).count() == 2


def test_disabling_every_delivery_rule_reads_no_activities(planted, director, django_assert_num_queries):
    from delivery.rules import RULE_ORDER

    contract_disabled_rules_update(
        contract=planted, user=director, disabled={code: "本合同不考核服务指标" for code in RULE_ORDER}
    )
    planted.refresh_from_db()
    with django_assert_num_queries(0):
        assert contract_findings(planted) == []
