"""The audit trail: who changed what, when, before and after; directors browse it per record."""

import datetime as dt

import pytest
from django.test import Client

from staff.models import StaffMember
from tests.factories import SpellFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_a_change_through_a_request_keeps_who_when_before_and_after(agency, director):
    member = StaffMemberFactory(agency=agency, staff_no="S900", name="周社工", position="一线社工")
    client = Client()
    client.force_login(director)

    # Simulate a request-bound change so HistoryRequestMiddleware records the user.
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    request = RequestFactory().get("/")
    request.user = director
    HistoricalRecords.context.request = request
    try:
        member.position = "项目主管"
        member.save()
    finally:
        del HistoricalRecords.context.request

    versions = list(member.history.order_by("history_date", "history_id"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert versions[1].history_user == director
    delta = versions[1].diff_against(versions[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("position", "一线社工", "项目主管")]

    page = client.get(f"/history/staff/staffmember/{member.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "一线社工 → 项目主管" in html
    assert "alice" in html


def test_deleting_a_record_keeps_its_last_state(agency):
    member = StaffMemberFactory(agency=agency, staff_no="S901", name="吴社工")
    spell = SpellFactory(staff=member, hire_date=dt.date(2020, 1, 1))
    pk = spell.pk
    spell.delete()
    last = member.spells.model.history.filter(id=pk).order_by("-history_date").first()
    assert last.history_type == "-"
    assert last.hire_date == dt.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("finance", 404),
        ("supervisor", 404),
        ("staff", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_only_directors_of_the_agency_browse_history(personas, login_client, persona, status):
    member = StaffMember.objects.get(staff_no="S300", agency__slug="xinfeng")
    response = login_client(personas[persona]).get(f"/history/staff/staffmember/{member.pk}/")
    assert response.status_code == status


def test_history_of_an_unknown_model_is_not_found(director, login_client):
    assert login_client(director).get("/history/auth/user/1/").status_code == 404
    assert login_client(director).get("/history/nope/nothing/1/").status_code == 404


def test_history_shows_field_labels_and_display_values_not_codes(agency, director):
    member = StaffMemberFactory(agency=agency, staff_no="S902", name="钱社工", employment_type="full_time")
    member.employment_type = "part_time"
    member.sw_degree = True
    member.save()
    client = Client()
    client.force_login(director)
    zh = client.get(
        f"/history/staff/staffmember/{member.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "<strong>用工形式</strong>: 全职 → 兼职" in zh
    assert f"<strong>机构</strong>: — → {agency.name}" in zh
    assert "full_time" not in zh and "part_time" not in zh
    en = client.get(f"/history/staff/staffmember/{member.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>employment type</strong>: Full time → Part time" in en
    assert f"<strong>agency</strong>: — → {agency.name}" in en


def test_a_contract_policy_in_history_is_spelled_out_by_its_labels(agency, director):
    from tests.finance.factories import ContractFactory

    contract = ContractFactory(agency=agency, policy={})
    contract.policy = {"overspend_action": "warn"}
    contract.save()
    client = Client()
    client.force_login(director)
    zh = client.get(
        f"/history/finance/contract/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "overspend_action" not in zh
    assert "手工录入导致预算科目超支时：警告" in zh
