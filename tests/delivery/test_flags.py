"""Delivery rules in the flag machinery: scan_flags output, re-scans, triage and target progress."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from delivery.models import FlagActivity
from delivery.selectors import contract_progress
from finance.flags.services import flag_set_status, flags_scan_contract
from finance.models import Flag
from tests.delivery.factories import ActivityFactory
from tests.finance.factories import evidence_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(targets, staff_member):
    """A visit dated after the contract, and two visits of one day adding up to 601 minutes."""
    hv = targets["HV"]
    ActivityFactory(target=hv, staff=staff_member, activity_no="LATE-1", date=dt.date(2026, 1, 3))
    ActivityFactory(
        target=hv, staff=staff_member, activity_no="DAY-1", date=dt.date(2025, 5, 6), duration_minutes=300
    )
    ActivityFactory(
        target=hv, staff=staff_member, activity_no="DAY-2", date=dt.date(2025, 5, 6), duration_minutes=301
    )
    return hv.contract


def _scan(code: str) -> dict:
    out = io.StringIO()
    call_command("scan_flags", "--contract", code, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_scan_flags_lists_the_activities_and_target_of_delivery_findings(planted):
    document = _scan(planted.code)
    by_rule = {item["rule"]: item for item in document["flags"]}
    assert by_rule["ACTIVITY_OUTSIDE_PERIOD"]["activities"] == ["LATE-1"]
    assert by_rule["ACTIVITY_OUTSIDE_PERIOD"]["target"] == "HV"
    assert by_rule["ACTIVITY_OUTSIDE_PERIOD"]["severity"] == "critical"
    assert by_rule["ACTIVITY_OVERLOAD"]["activities"] == ["DAY-1", "DAY-2"]
    assert by_rule["ACTIVITY_OVERLOAD"]["vouchers"] == []
    assert "601 minutes" in by_rule["ACTIVITY_OVERLOAD"]["message"]
    assert all(
        item["activities"] == [] for item in document["flags"] if not item["rule"].startswith("ACTIVITY")
    )


def test_a_rescan_keeps_one_flag_per_finding_and_its_status(planted, director):
    flags_scan_contract(contract=planted)
    flag = Flag.objects.get(rule="ACTIVITY_OVERLOAD")
    flag_set_status(
        flag=flag,
        user=director,
        status="explained",
        note="两场活动连续进行，时间属实",
        evidence=evidence_pdf(),
    )
    flags_scan_contract(contract=planted)
    assert Flag.objects.filter(rule="ACTIVITY_OVERLOAD").count() == 1
    assert Flag.objects.get(rule="ACTIVITY_OVERLOAD").status == "explained"
    assert FlagActivity.objects.filter(flag=flag).count() == 2


def test_changing_a_flagged_activity_reopens_its_flag(planted, director):
    flags_scan_contract(contract=planted)
    flag = Flag.objects.get(rule="ACTIVITY_OVERLOAD")
    flag_set_status(flag=flag, user=director, status="explained", note="属实", evidence=evidence_pdf())
    planted.activities.filter(activity_no="DAY-2").update(duration_minutes=302)
    flags_scan_contract(contract=planted)
    assert Flag.objects.get(rule="ACTIVITY_OVERLOAD").status == "open"


def test_a_confirmed_flag_takes_its_activities_out_of_achieved(planted, director):
    as_of = dt.date(2025, 12, 31)
    assert {p.code: p.achieved for p in contract_progress(planted, as_of=as_of)}["HV"] == 2
    flags_scan_contract(contract=planted)
    flag = Flag.objects.get(rule="ACTIVITY_OVERLOAD")
    flag_set_status(flag=flag, user=director, status="confirmed", note="重复记录，需更正")
    assert {p.code: p.achieved for p in contract_progress(planted, as_of=as_of)}["HV"] == 0


def test_an_activity_import_is_followed_by_a_scan(
    targets, staff_member, director, settings, django_capture_on_commit_callbacks
):
    from delivery.importing import activities_import

    settings.CELERY_BROKER_URL = ""
    data = b"activity_no,date,staff_no,target,duration_minutes\nX-1,2026-02-01,S200,HV,60\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = activities_import(
            contract=targets["HV"].contract, data=data, filename="a.csv", user=director
        )
    assert result.ok
    flag = Flag.objects.get(rule="ACTIVITY_OUTSIDE_PERIOD")
    assert list(flag.activity_links.values_list("activity__activity_no", flat=True)) == ["X-1"]


def test_the_flag_queue_filters_on_a_delivery_rule(planted, login_api, director):
    flags_scan_contract(contract=planted)
    response = login_api(director).get("/api/v1/finance/flags/?rule=ACTIVITY_OVERLOAD")
    assert response.status_code == 200
    assert [row["rule"] for row in response.json()["results"]] == ["ACTIVITY_OVERLOAD"]


def test_a_delivery_flags_page_lists_its_activities_without_case_codes_or_notes(
    planted, login_client, auditor, granted
):
    from django.urls import reverse

    planted.activities.filter(activity_no="DAY-1").update(case_code="XF-C-099", note="孩子情绪低落")
    flags_scan_contract(contract=planted)
    flag = Flag.objects.get(rule="ACTIVITY_OVERLOAD")
    page = login_client(auditor).get(reverse("finance-flag-detail", args=[flag.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "DAY-1" in text and "DAY-2" in text
    assert "XF-C-099" not in text and "孩子情绪低落" not in text


@pytest.mark.parametrize(("there", "fires"), [(300, False), (301, True)])
def test_overload_adds_the_minutes_of_the_agencys_other_contracts_only(
    agency, targets, staff_member, other_contract, outsider_contract, there, fires
):
    """300 minutes here and 300 or 301 in another contract of the agency on the same day; 500
    more in another agency's contract never count. Only this contract's activity is listed."""
    from tests.delivery.factories import TargetFactory

    day = dt.date(2025, 5, 6)
    ActivityFactory(
        target=targets["HV"], staff=staff_member, activity_no="HERE-1", date=day, duration_minutes=300
    )
    elsewhere = TargetFactory(contract=other_contract, code="HV")
    ActivityFactory(
        target=elsewhere, staff=staff_member, activity_no="THERE-1", date=day, duration_minutes=there
    )
    # Another day of the other contract, and another agency's contract, change nothing.
    ActivityFactory(
        target=elsewhere, staff=staff_member, activity_no="THERE-2", date=day + dt.timedelta(days=1)
    )
    foreign = TargetFactory(contract=outsider_contract, code="HV")
    ActivityFactory(target=foreign, staff=staff_member, activity_no="FAR-1", date=day, duration_minutes=500)
    out = io.StringIO()
    code = targets["HV"].contract.code
    call_command("scan_flags", "--agency", agency.slug, "--contract", code, "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    overload = [item for item in document["flags"] if item["rule"] == "ACTIVITY_OVERLOAD"]
    if not fires:
        assert overload == []
        return
    assert [item["activities"] for item in overload] == [["HERE-1"]]
    assert "601 minutes" in overload[0]["message"]
