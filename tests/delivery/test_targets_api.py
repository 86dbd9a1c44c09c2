"""Editing targets through the API: directors add and change them (each change a revision, as on
the contract page), everyone else reads; validation errors answer the API's one error shape."""

from __future__ import annotations

import pytest

from delivery.models import Target, TargetRevision

pytestmark = pytest.mark.django_db

ALL = ("director", "finance", "supervisor", "staff", "auditor", "outsider")
URL = "/api/v1/delivery/targets/"


@pytest.fixture
def world(personas, targets, visit, granted, other_contract):
    """Targets HV/CS/GP on the granted contract (CS has the staff persona's visit), none elsewhere."""
    return {"contract": targets["HV"].contract, "other_contract": other_contract, "targets": targets}


def _new(contract, **extra) -> dict:
    return {"contract": contract.code, "code": "GW", "name": "小组工作", "measure": "activities",
            "quantity": 24, "reason": "补充协议新增", **extra}  # fmt: skip


def test_a_director_adds_a_target_kept_as_an_added_revision(world, login_api, director):
    response = login_api(director).post(URL, _new(world["other_contract"]), format="json")
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("contract", "code", "name", "measure", "quantity")} == {
        "contract": "JX-XF-2025-02", "code": "GW", "name": "小组工作", "measure": "activities", "quantity": 24,
    }  # fmt: skip
    assert "reason" not in body
    assert body["progress"]["achieved"] == 0
    target = Target.objects.get(contract=world["other_contract"], code="GW")
    revision = TargetRevision.objects.get(target=target)
    assert (revision.action, revision.source, revision.reason, revision.changed_by) == (
        "added", "manual", "补充协议新增", director,
    )  # fmt: skip
    assert revision.after == {"code": "GW", "name": "小组工作", "measure": "activities", "quantity": 24}


def test_a_director_changes_a_target_with_a_reason_and_the_revision_keeps_before_and_after(
    world, login_api, director
):
    hv = world["targets"]["HV"]
    response = login_api(director).patch(
        f"{URL}{hv.pk}/", {"quantity": 320, "reason": "补充协议"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["quantity"] == 320
    hv.refresh_from_db()
    assert (hv.quantity, hv.name, hv.measure) == (320, "入户探访", "activities")
    revision = TargetRevision.objects.get(target=hv)
    assert (revision.action, revision.reason, revision.changed_by) == ("changed", "补充协议", director)
    assert (revision.before["quantity"], revision.after["quantity"]) == (300, 320)


def test_a_patch_without_a_reason_is_refused_in_the_error_shape_and_changes_nothing(
    world, login_api, director
):
    hv = world["targets"]["HV"]
    response = login_api(director).patch(f"{URL}{hv.pk}/", {"quantity": 320}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert error["fields"] == {"reason": ["Give the reason for the change."]}
    hv.refresh_from_db()
    assert hv.quantity == 300
    assert not TargetRevision.objects.exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"code": "CS"}, {"non_field_errors": ["Another target of this contract has this code."]}),
        ({"quantity": 0}, {"non_field_errors": ["The quantity must be a whole number above zero."]}),
        ({"quantity": "many"}, {"quantity": ["A valid integer is required."]}),
        ({"measure": "visits"}, {"measure": ['"visits" is not a valid choice.']}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
    ],
)
def test_invalid_target_changes_name_the_field_and_change_nothing(world, login_api, director, change, fields):
    hv = world["targets"]["HV"]
    response = login_api(director).patch(f"{URL}{hv.pk}/", {**change, "reason": "更正"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    hv.refresh_from_db()
    assert (hv.code, hv.name, hv.measure, hv.quantity) == ("HV", "入户探访", "activities", 300)
    assert not TargetRevision.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"code": "HV"}, {"non_field_errors": ["Another target of this contract has this code."]}),
        ({"contract": "AY-2025-01"}, {"contract": ["Object with code=AY-2025-01 does not exist."]}),
        ({"contract": "NOPE"}, {"contract": ["Object with code=NOPE does not exist."]}),
        ({"quantity": -3}, {"quantity": ["Ensure this value is greater than or equal to 0."]}),
    ],
)
def test_an_invalid_new_target_is_refused_and_nothing_is_added(
    world, login_api, director, outsider_contract, body, fields
):
    before = Target.objects.count()
    response = login_api(director).post(URL, {**_new(world["contract"]), **body}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert Target.objects.count() == before
    assert not TargetRevision.objects.exists()


def test_a_target_stays_with_its_contract(world, login_api, director):
    hv = world["targets"]["HV"]
    response = login_api(director).patch(
        f"{URL}{hv.pk}/", {"contract": "JX-XF-2025-02", "reason": "移动"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "contract": ["A target stays with its contract; add one to the other."]
    }


def test_targets_are_not_deleted_through_the_api(world, login_api, director):
    hv = world["targets"]["HV"]
    response = login_api(director).delete(f"{URL}{hv.pk}/")
    assert response.status_code == 405
    assert response.json()["error"]["message"].startswith("Targets are not deleted")
    assert Target.objects.filter(pk=hv.pk).exists()
    put = login_api(director).put(f"{URL}{hv.pk}/", _new(world["contract"]), format="json")
    assert put.status_code == 405
    assert put.json()["error"]["message"] == "Change part of a target with PATCH, giving the reason."


@pytest.mark.parametrize(
    ("persona", "post", "patch"),
    [
        ("director", 201, 200),
        ("finance", 403, 403),
        ("supervisor", 403, 403),
        ("staff", 403, 403),
        ("auditor", 403, 403),  # reads the granted contract's targets, never writes them
        ("outsider", 400, 404),  # a director elsewhere: our contract is unknown, our target unseen
    ],
)
def test_only_a_director_of_the_agency_writes_targets(world, personas, login_api, persona, post, patch):
    client = login_api(personas[persona])
    hv = world["targets"]["HV"]
    assert client.post(URL, _new(world["contract"]), format="json").status_code == post
    assert (
        client.patch(f"{URL}{hv.pk}/", {"quantity": 310, "reason": "调整"}, format="json").status_code
        == patch
    )
    hv.refresh_from_db()
    assert hv.quantity == (310 if persona == "director" else 300)
    assert Target.objects.filter(code="GW").count() == (1 if persona == "director" else 0)


def test_an_auditor_reads_only_granted_targets_with_progress_never_case_codes(world, login_api, auditor):
    from tests.delivery.factories import TargetFactory

    TargetFactory(contract=world["other_contract"], code="OT", name="其他指标")
    response = login_api(auditor).get(URL)
    rows = response.json()["results"]
    assert {row["code"] for row in rows} == {"HV", "CS", "GP"}
    cs = next(row for row in rows if row["code"] == "CS")
    assert cs["progress"]["achieved"] == 1
    assert "XF-C-001" not in response.content.decode() and "入户了解孩子近况" not in response.content.decode()
    other = Target.objects.get(code="OT")
    assert login_api(auditor).get(f"{URL}{other.pk}/").status_code == 404


def _list_queries(client):
    """A function counting the queries of one target list request by ``client`` (after a first
    request, which writes the login's own bookkeeping)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    count()
    return count


def test_the_target_list_takes_the_same_queries_for_3_or_9_targets(world, login_api, director):
    from tests.delivery.factories import TargetFactory

    client = login_api(director)
    count = _list_queries(client)
    three = count()
    for n in range(6):
        TargetFactory(contract=world["contract"], code=f"N{n}", position=3 + n)
    assert len(client.get(URL).json()["results"]) == 9
    assert count() == three


def test_the_target_list_takes_the_same_queries_for_targets_over_1_or_4_contracts_with_each_progress(
    world, login_api, director, staff_member
):
    import datetime as dt

    from delivery.selectors import contract_progress
    from tests.delivery.factories import ActivityFactory, TargetFactory
    from tests.finance.factories import ContractFactory

    client = login_api(director)
    count = _list_queries(client)
    one = count()
    agency = world["contract"].agency
    for n in range(3):
        contract = ContractFactory(agency=agency, code=f"MORE-{n}", start=dt.date(2025, 1, 1))
        target = TargetFactory(contract=contract, code=f"M{n}", measure="participants", quantity=10)
        ActivityFactory(target=target, staff=staff_member, date=dt.date(2025, 2, 1), participants=n + 2)
        ActivityFactory(target=target, staff=staff_member, date=dt.date(2025, 2, 2), participants=1)
    assert count() == one
    rows = client.get(URL).json()["results"]
    assert len(rows) == 6
    by_code = {row["code"]: row["progress"] for row in rows}
    assert [by_code[f"M{n}"]["achieved"] for n in range(3)] == [3, 4, 5]
    for contract in {target.contract for target in Target.objects.all()}:
        for item in contract_progress(contract):
            expected = {
                k: v for k, v in item.as_json().items() if k not in ("code", "name", "measure", "quantity")
            }
            assert by_code[item.code] == expected
