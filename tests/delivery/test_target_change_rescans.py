"""A change of a contract's targets that the delivery rules read scans the contract again at once.

The delivery findings are part of the contract's scan (delivery/flags.py). A target's measure or
code, changed through the contract file (``contract_load`` and ``load_contract``), the director's
target page, the API or the admin, queues the contract's scan once the change commits; the same
targets loaded again, or a new quantity or name (which no rule reads), queue nothing.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Job
from delivery.models import Target
from delivery.services import TargetSpec, target_update
from finance.flags.services import flags_scan_contract
from finance.models import Contract, Flag
from finance.services import contract_load
from tests.delivery.factories import ActivityFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "JX-XF-2025-09"
REASON = "资助方改为按服务个案数考核"


def document(cs_measure: str = "activities", cs_quantity: int = 40) -> dict:
    """The contract file: HV 300 visits counted in activities, CS 40 counted in ``cs_measure``."""
    return {
        "code": CODE, "title": "信丰县农村留守儿童关爱保护服务项目", "funder": "信丰县民政局",
        "start": "2025-01-01", "end": "2025-12-31", "total": "1000.00",
        "budget_lines": [{"code": "A1", "name": "服务活动", "category": "activities", "amount": "1000.00"}],
        "targets": [
            {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 300},
            {"code": "CS", "name": "个案服务", "measure": cs_measure, "quantity": cs_quantity},
        ],
    }  # fmt: skip


@pytest.fixture
def loaded(agency, staff_member) -> Contract:
    """The contract with 10 children of CS each seen once for 30 minutes (thin, were CS counted in
    cases), scanned: no THIN_CASES flag while CS counts activities."""
    contract = contract_load(agency=agency, data=document(), filename="c.json").contract
    cs = contract.targets.get(code="CS")
    for child in range(10):
        ActivityFactory(
            target=cs, staff=staff_member, date=dt.date(2025, 3, 3 + child), duration_minutes=30,
            case_code=f"XF-C{child:02d}", activity_no=f"CS-{child:02d}",
        )  # fmt: skip
    flags_scan_contract(contract=contract)
    return contract


def thin_cases() -> list[tuple]:
    """Every THIN_CASES flag: (pk, active, target)."""
    return [
        (flag.pk, flag.active, flag.evidence.get("target"))
        for flag in Flag.objects.filter(rule="THIN_CASES").order_by("pk")
    ]


def scans() -> list[tuple[str, str]]:
    codes = dict(Contract.objects.values_list("pk", "code"))
    return [
        (codes[job.params["contract"]], job.status)
        for job in Job.objects.filter(kind="finance.flags_scan").order_by("pk")
    ]


def _by_file(*, agency, director, measure, **_):
    contract_load(agency=agency, data=document(measure), filename="c.json", user=director)


def _by_command(*, agency, measure, tmp_path, **_):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document(measure), ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(path), "--agency", agency.slug)


def _by_service(*, director, target, measure, **_):
    target_update(target=target, spec=TargetSpec("CS", "个案服务", measure, 40), user=director, reason=REASON)


def _on_the_page(*, director, target, measure, login_client, **_):
    url = reverse("delivery-target-update", args=[target.contract_id, target.pk])
    form = {"code": "CS", "name": "个案服务", "measure": measure, "quantity": 40, "reason": REASON}
    assert login_client(director).post(url, form).status_code == 302


def _by_api(*, director, target, measure, login_api, **_):
    response = login_api(director).patch(
        f"/api/v1/delivery/targets/{target.pk}/", {"measure": measure, "reason": REASON}, format="json"
    )
    assert response.status_code == 200, response.content


def _in_the_admin(*, target, measure, rf, **_):
    from django.contrib import admin

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    target.measure = measure
    admin.site._registry[Target].save_model(request, target, form=None, change=True)


PATHS = {
    "contract file (contract_load)": _by_file,
    "contract file (manage.py load_contract)": _by_command,
    "target_update": _by_service,
    "the director's target page": _on_the_page,
    "API PATCH": _by_api,
    "admin": _in_the_admin,
}


@pytest.fixture(params=list(PATHS))
def write_measure(
    request, agency, director, login_api, login_client, rf, tmp_path, django_capture_on_commit_callbacks
):
    """``write_measure("cases")``: CS's measure through one path, the scans it queues run."""
    path = PATHS[request.param]

    def write(measure: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            path(
                agency=agency, director=director, target=Target.objects.get(code="CS"), measure=measure,
                login_api=login_api, login_client=login_client, rf=rf, tmp_path=tmp_path,
            )  # fmt: skip

    return write


def test_a_target_counted_in_cases_raises_thin_cases_at_once_and_back_in_activities_resolves_it(
    loaded, write_measure
):
    assert thin_cases() == []

    write_measure("cases")
    assert Target.objects.get(code="CS").measure == "cases"
    assert scans() == [(CODE, "succeeded")]
    ((pk, *_),) = thin_cases()
    assert thin_cases() == [(pk, True, "CS")]

    write_measure("activities")
    assert scans() == [(CODE, "succeeded"), (CODE, "succeeded")]
    assert thin_cases() == [(pk, False, "CS")]


def test_writing_the_same_measure_again_queues_no_scan(loaded, write_measure):
    write_measure("activities")
    assert Job.objects.count() == 0


def test_a_contract_file_loaded_again_with_the_same_targets_queues_no_scan(
    agency, loaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=document(), filename="c.json")
    assert callbacks == []
    assert Job.objects.count() == 0


def test_a_new_quantity_is_recorded_as_a_revision_and_queues_no_scan(
    agency, loaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=document(cs_quantity=45), filename="c2.json")
    assert list(loaded.target_revisions.values_list("code", "action", "after__quantity")) == [
        ("CS", "changed", 45)
    ]
    assert callbacks == []
    assert Job.objects.count() == 0


def test_a_target_code_changed_is_scanned_and_the_flag_follows_the_new_code(
    agency, loaded, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document("cases"), filename="c.json", user=director)
    ((pk, *_),) = thin_cases()
    with django_capture_on_commit_callbacks(execute=True):
        target_update(
            target=Target.objects.get(code="CS"), spec=TargetSpec("CS1", "个案服务", "cases", 40), user=director,
            reason="与资助方的指标编号一致",
        )  # fmt: skip
    assert scans() == [(CODE, "succeeded"), (CODE, "succeeded")]
    # The subject names the target: the old flag no longer fires, a new one does.
    (_old, (new, *_)) = thin_cases()
    assert thin_cases() == [(pk, False, "CS"), (new, True, "CS1")]
    assert new > pk
