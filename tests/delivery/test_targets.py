"""Targets: the contract file's ``targets`` section, revisions, and the director's edits."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from delivery.models import Target, TargetRevision
from delivery.services import TargetSpec, target_create, target_update
from finance.models import Contract
from finance.services import contract_load
from tests.delivery.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _document(**overrides):
    document = {
        "code": "JX-XF-2025-09",
        "title": "信丰县农村留守儿童关爱保护服务项目",
        "funder": "信丰县民政局",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "total": "1000.00",
        "budget_lines": [{"code": "A1", "name": "服务活动", "category": "activities", "amount": "1000.00"}],
        "targets": [
            {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 300},
            {"code": "CS", "name": "个案服务", "measure": "服务个案数", "quantity": 40},
        ],
    }
    document.update(overrides)
    return json.dumps(document, ensure_ascii=False).encode()


def test_loading_a_contract_file_creates_its_targets_without_revisions(agency):
    result = contract_load(agency=agency, data=_document(), filename="c.json")
    targets = list(result.contract.targets.values_list("code", "name", "measure", "quantity"))
    assert targets == [("HV", "入户探访", "activities", 300), ("CS", "个案服务", "cases", 40)]
    assert TargetRevision.objects.count() == 0


def test_loading_an_update_records_each_changed_target_as_a_revision(agency):
    contract_load(agency=agency, data=_document(), filename="c.json")
    update = _document(
        targets=[
            {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 320},
            {"code": "GP", "name": "小组活动", "measure": "participants", "quantity": 500},
        ]
    )
    contract_load(agency=agency, data=update, filename="c2.json")
    contract = Contract.objects.get(code="JX-XF-2025-09")
    assert sorted(contract.targets.values_list("code", "quantity")) == [("GP", 500), ("HV", 320)]
    revisions = {r.code: r for r in TargetRevision.objects.filter(contract=contract)}
    assert set(revisions) == {"HV", "GP", "CS"}
    assert revisions["HV"].action == "changed"
    assert revisions["HV"].before["quantity"] == 300
    assert revisions["HV"].after["quantity"] == 320
    assert revisions["HV"].reason == "Loaded from c2.json"
    assert revisions["HV"].source == "file"
    assert revisions["GP"].action == "added"
    assert revisions["CS"].action == "removed"


def test_loading_the_same_targets_again_records_nothing(agency):
    contract_load(agency=agency, data=_document(), filename="c.json")
    contract_load(agency=agency, data=_document(), filename="c.json")
    assert TargetRevision.objects.count() == 0


def test_a_file_without_targets_leaves_the_targets_as_they_are(agency):
    contract_load(agency=agency, data=_document(), filename="c.json")
    document = json.loads(_document())
    del document["targets"]
    contract_load(agency=agency, data=document, filename="c2.json")
    assert Target.objects.count() == 2


@pytest.mark.parametrize(
    ("targets", "problem"),
    [
        (
            [{"code": "HV", "name": "a", "measure": "activities", "quantity": 1}] * 2,
            "targets: the code HV is used more than once",
        ),
        ([{"code": "HV", "name": "a", "measure": "visits", "quantity": 1}], "targets[1].measure"),
        (
            [{"code": "HV", "name": "a", "measure": "activities", "quantity": 0}],
            "targets[1].quantity: must be a whole number above zero",
        ),
        (
            [{"code": "HV", "name": "a", "measure": "activities", "quantity": 2.5}],
            "targets[1].quantity: must be a whole number above zero",
        ),
        (
            [{"code": "HV", "name": "a", "measure": "activities", "quantity": "-3"}],
            "targets[1].quantity: must be a whole number above zero",
        ),
        ("HV", "targets: must be a list of targets"),
    ],
)
def test_invalid_targets_refuse_the_whole_contract_file(agency, targets, problem):
    with pytest.raises(ValidationError) as caught:
        contract_load(agency=agency, data=_document(targets=targets), filename="c.json")
    assert any(message.startswith(problem) for message in caught.value.messages), caught.value.messages
    assert Contract.objects.count() == 0
    assert Target.objects.count() == 0


def test_removing_a_target_with_service_records_refuses_the_file_and_changes_nothing(agency, staff_member):
    contract = contract_load(agency=agency, data=_document(), filename="c.json").contract
    ActivityFactory(target=contract.targets.get(code="CS"), staff=staff_member, case_code="XF-1")
    update = _document(
        title="新标题", targets=[{"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 1}]
    )
    with pytest.raises(ValidationError):
        contract_load(agency=agency, data=update, filename="c2.json")
    contract.refresh_from_db()
    assert contract.title == "信丰县农村留守儿童关爱保护服务项目"
    assert sorted(contract.targets.values_list("code", "quantity")) == [("CS", 40), ("HV", 300)]


def test_a_director_changes_a_target_with_a_reason_kept_as_a_revision(targets, director):
    revision = target_update(
        target=targets["HV"],
        spec=TargetSpec("HV", "入户探访", "activities", 280),
        user=director,
        reason="民政局同意调整",
    )
    assert revision.changed_by == director
    assert (revision.before["quantity"], revision.after["quantity"]) == (300, 280)
    assert targets["HV"].history.count() == 2


def test_a_target_change_needs_a_reason(targets, director):
    with pytest.raises(ValidationError):
        target_update(target=targets["HV"], spec=TargetSpec("HV", "入户探访", "activities", 1), user=director)


def test_only_a_director_changes_targets(targets, finance):
    with pytest.raises(PermissionDenied):
        target_create(contract=targets["HV"].contract, spec=TargetSpec("NEW", "新", "hours", 5), user=finance)


def test_the_database_refuses_a_target_without_quantity(contract, director):
    with pytest.raises(ValidationError):
        target_create(contract=contract, spec=TargetSpec("Z", "z", "activities", 0), user=director)


def test_a_contract_file_reports_every_problem_of_its_targets_at_once(agency):
    targets = [
        {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 3},
        {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 0},
    ]
    with pytest.raises(ValidationError) as caught:
        contract_load(agency=agency, data=_document(targets=targets), filename="c.json")
    assert caught.value.messages == [
        "targets[2].quantity: must be a whole number above zero",
        "targets: the code HV is used more than once",
        "targets: the name 入户探访 is used more than once",
    ]
    assert Contract.objects.count() == 0


def test_a_director_may_not_give_two_targets_one_name(targets, director):
    contract = targets["HV"].contract
    with pytest.raises(ValidationError) as caught:
        target_create(contract=contract, spec=TargetSpec("NEW", "入户探访", "hours", 5), user=director)
    assert caught.value.message_dict == {"name": ["Target HV already has this name."]}
    with pytest.raises(ValidationError):
        target_update(
            target=targets["GP"],
            spec=TargetSpec("GP", "入户探访", "participants", 500),
            user=director,
            reason="x",
        )
    assert sorted(contract.targets.values_list("name", flat=True)) == ["个案服务", "入户探访", "小组活动"]
    # Keeping its own name is no clash.
    assert target_update(
        target=targets["HV"], spec=TargetSpec("HV", "入户探访", "activities", 280), user=director, reason="x"
    )
