"""A change of a contract's policy, through any path, scans the contract again (docs/rules.md).

The contract file (the service, the web upload and ``load_contract``), the API, the policy page's
service and the director's disabled rules all queue the contract's scan once the change commits,
and only when the effective policy changed: a flag of a rule just disabled, a DUPLICATE_INVOICE
flag shared with another contract too, leaves the queue at once, and comes back, the same flag,
when the rule is re-enabled.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import Job
from finance.flags.services import contract_policy_update, flags_scan_contract
from finance.models import Contract, Flag
from finance.services import contract_load, contract_save
from tests.factories import UserFactory
from tests.finance.factories import ExpenditureFactory

REASON = "本项目的发票由资助方统一核验"
WEEKEND_REASON = "周末入户探访是本项目的服务内容"
A, B = "JX-XF-2025-01", "JX-XF-2025-02"


def document(code: str, policy: dict | None = None) -> dict:
    """The contract file of ``code``: 1,000.00 in 2025, one activities line A1."""
    return {
        "code": code, "title": f"社区服务 {code}", "funder": "县民政局", "start": "2025-01-01",
        "end": "2025-12-31", "total": "1000.00", "currency": "CNY", "policy": policy or {},
        "budget_lines": [{"code": "A1", "name": "服务活动", "category": "activities", "amount": "1000.00"}],
    }  # fmt: skip


def charge(contract: Contract, voucher: str, day: int, **fields) -> None:
    """300.00 of invoice A-77 from Print Shop, by bank, on a weekday of March 2025 unless told."""
    values = {
        "date": dt.date(2025, 3, day),
        "amount": Decimal("300.00"),
        "invoice_no": "A-77",
        "payee": "Print Shop",
        "payment_method": "bank",
        **fields,
    }
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), voucher_no=voucher, **values)


def scans() -> list[tuple[str, str]]:
    """Every scan job queued so far: (contract code, status), in order."""
    codes = dict(Contract.objects.values_list("pk", "code"))
    return [
        (codes[job.params["contract"]], job.status)
        for job in Job.objects.filter(kind="finance.flags_scan").order_by("pk")
    ]


def shared_flags() -> list[tuple]:
    """Every DUPLICATE_INVOICE flag: (pk, owner, active, linked vouchers, linked contracts)."""
    return [
        (
            flag.pk,
            flag.contract.code,
            flag.active,
            sorted(flag.expenditures.values_list("voucher_no", flat=True)),
            sorted(flag.contracts.values_list("code", flat=True)),
        )
        for flag in Flag.objects.filter(rule="DUPLICATE_INVOICE").select_related("contract").order_by("pk")
    ]


@pytest.fixture
def keeper(agency):
    """A small agency's director who also keeps the books: the API's contract writes are a
    finance officer's, and only a director may change ``disabled_rules``."""
    return UserFactory(username="dora", first_name="Dora", agency_roles=(agency, ["director", "finance"]))


@pytest.fixture
def loaded(agency) -> dict[str, Contract]:
    """Contracts A and B, loaded from their files, each charging invoice A-77 once; A's scan
    raised the one shared DUPLICATE_INVOICE flag (A's)."""
    contracts = {}
    for code in (A, B):
        contracts[code] = contract_load(agency=agency, data=document(code), filename=f"{code}.json").contract
    charge(contracts[A], "V-1", 5)
    charge(contracts[B], "W-1", 6)
    flags_scan_contract(contract=contracts[A])
    return contracts


# --- each path that writes a policy, with the policy it writes --------------------------------


def _file_by_service(*, agency, keeper, contract, policy, **_):
    contract_load(agency=agency, data=document(contract.code, policy), filename="c.json", user=keeper)


def _file_by_command(*, agency, contract, policy, tmp_path, **_):
    path = tmp_path / f"{contract.code}.json"
    path.write_text(json.dumps(document(contract.code, policy), ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(path), "--agency", agency.slug)


def _api_patch(*, keeper, contract, policy, login_api, **_):
    response = login_api(keeper).patch(
        f"/api/v1/finance/contracts/{contract.pk}/", {"policy": policy}, format="json"
    )
    assert response.status_code == 200, response.content


def _policy_service(*, keeper, contract, policy, **_):
    contract_policy_update(contract=contract, user=keeper, overrides=policy)


PATHS = {
    "contract file (contract_load)": _file_by_service,
    "contract file (manage.py load_contract)": _file_by_command,
    "API PATCH": _api_patch,
    "policy overrides (contract_policy_update)": _policy_service,
}


@pytest.fixture(params=list(PATHS))
def write_policy(request, agency, keeper, login_api, tmp_path, django_capture_on_commit_callbacks):
    """``write_policy(contract, policy)`` through one path, with the scans it queues run at once."""
    path = PATHS[request.param]

    def write(contract: Contract, policy: dict) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            path(
                agency=agency,
                keeper=keeper,
                contract=contract,
                policy=policy,
                login_api=login_api,
                tmp_path=tmp_path,
            )

    return write


def test_disabling_duplicate_invoice_on_the_other_contract_takes_the_shared_flag_out_at_once(
    loaded, write_policy
):
    ((pk, *_),) = shared_flags()
    assert shared_flags() == [(pk, A, True, ["V-1", "W-1"], [A, B])]

    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}})
    assert Contract.objects.get(code=B).policy == {"disabled_rules": {"DUPLICATE_INVOICE": REASON}}
    # B's scan, which scanned A again for the rule: only B's charge and A's remain, no duplicate.
    assert scans() == [(B, "succeeded")]
    assert shared_flags() == [(pk, A, False, ["V-1", "W-1"], [A, B])]
    assert Flag.objects.filter(active=True).count() == 0

    write_policy(loaded[B], {})
    assert scans() == [(B, "succeeded"), (B, "succeeded")]
    assert shared_flags() == [(pk, A, True, ["V-1", "W-1"], [A, B])]
    assert Flag.objects.count() == 1


def test_disabling_duplicate_invoice_on_the_flags_own_contract_takes_it_out_and_back(loaded, write_policy):
    ((pk, *_),) = shared_flags()

    write_policy(loaded[A], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}})
    assert scans() == [(A, "succeeded")]
    assert shared_flags() == [(pk, A, False, ["V-1", "W-1"], [A, B])]
    # B's own scan does not raise it again: A's charge is not checked any more.
    flags_scan_contract(contract=loaded[B])
    assert shared_flags() == [(pk, A, False, ["V-1", "W-1"], [A, B])]

    write_policy(loaded[A], {})
    assert scans() == [(A, "succeeded"), (A, "succeeded")]
    assert shared_flags() == [(pk, A, True, ["V-1", "W-1"], [A, B])]


def test_writing_the_same_policy_again_queues_no_scan(loaded, write_policy):
    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}})
    assert len(scans()) == 1
    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}})
    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": f"  {REASON} "}})  # stored trimmed
    assert len(scans()) == 1
    assert Flag.objects.filter(active=True).count() == 0


def test_a_contract_file_loaded_again_unchanged_queues_no_scan(
    agency, loaded, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(document(B), ensure_ascii=False), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=document(B), filename="b.json")
        call_command("load_contract", str(path), "--agency", agency.slug)
    assert callbacks == []
    assert Job.objects.count() == 0
    assert shared_flags()[0][2] is True


def test_a_policy_value_written_differently_but_equal_queues_no_scan(
    agency, loaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document(B, {"cash_limit": "800"}), filename="b.json")
    assert scans() == [(B, "succeeded")]
    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document(B, {"cash_limit": "800.00"}), filename="b.json")
    assert scans() == [(B, "succeeded")]


def test_a_finance_officers_upload_that_leaves_disabled_rules_out_keeps_them_and_queues_no_scan(
    agency, loaded, director, finance, django_capture_on_commit_callbacks
):
    disabled = {"disabled_rules": {"DUPLICATE_INVOICE": REASON}}
    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document(B, disabled), filename="b.json", user=director)
        contract_load(agency=agency, data=document(B), filename="b.json", user=finance, approve=False)
    assert Contract.objects.get(code=B).policy == disabled
    assert scans() == [(B, "succeeded")]
    assert Flag.objects.filter(active=True).count() == 0


def test_editing_the_heading_without_the_policy_queues_no_scan(
    agency, loaded, keeper, login_api, django_capture_on_commit_callbacks
):
    contract = loaded[B]
    with django_capture_on_commit_callbacks(execute=True):
        response = login_api(keeper).patch(
            f"/api/v1/finance/contracts/{contract.pk}/", {"title": "社区服务（续）"}, format="json"
        )
        contract_save(agency=agency, contract=contract, title="社区服务（二期）", end=dt.date(2025, 12, 31))
    assert response.status_code == 200
    assert Job.objects.count() == 0


def test_any_other_policy_key_changed_in_a_contract_file_is_scanned_at_once(
    agency, loaded, django_capture_on_commit_callbacks
):
    charge(loaded[B], "W-2", 7, amount=Decimal("900.00"), invoice_no="C-1", payment_method="cash")
    flags_scan_contract(contract=loaded[B])
    assert Flag.objects.filter(rule="CASH_LIMIT").count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document(B, {"cash_limit": "800.00"}), filename="b.json")
    flag = Flag.objects.get(rule="CASH_LIMIT")
    assert (flag.active, flag.vouchers, flag.evidence["cash_limit"]) == (True, ["W-2"], "800.00")

    with django_capture_on_commit_callbacks(execute=True):
        contract_load(agency=agency, data=document(B), filename="b.json")
    assert list(Flag.objects.filter(rule="CASH_LIMIT").values_list("pk", "active")) == [(flag.pk, False)]
    assert scans() == [(B, "succeeded"), (B, "succeeded")]


def test_weekend_holiday_disabled_in_the_contract_file_leaves_the_queue_and_comes_back(
    agency, loaded, tmp_path, django_capture_on_commit_callbacks
):
    # 8 and 15 March 2025 are Saturdays and not official make-up working days.
    for voucher, day in (("V-S1", 8), ("V-S2", 15)):
        charge(loaded[A], voucher, day, invoice_no=f"INV-{voucher}")
    flags_scan_contract(contract=loaded[A])
    weekend = set(Flag.objects.filter(rule="WEEKEND_HOLIDAY", active=True).values_list("pk", flat=True))
    assert len(weekend) == 2
    path = tmp_path / "a.json"

    def load(policy):
        path.write_text(json.dumps(document(A, policy), ensure_ascii=False), encoding="utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_contract", str(path), "--agency", agency.slug)

    load({"disabled_rules": {"WEEKEND_HOLIDAY": WEEKEND_REASON}})
    assert Flag.objects.filter(rule="WEEKEND_HOLIDAY", active=True).count() == 0
    assert (
        set(Flag.objects.filter(rule="WEEKEND_HOLIDAY", active=False).values_list("pk", flat=True)) == weekend
    )
    assert shared_flags()[0][2] is True  # the other rules still run

    load({})
    assert (
        set(Flag.objects.filter(rule="WEEKEND_HOLIDAY", active=True).values_list("pk", flat=True)) == weekend
    )
    assert Flag.objects.filter(rule="WEEKEND_HOLIDAY").count() == 2
    assert scans() == [(A, "succeeded"), (A, "succeeded")]


def test_a_policy_changed_in_the_admin_is_scanned_at_once(loaded, rf, django_capture_on_commit_callbacks):
    from django.contrib import admin

    support = UserFactory(username="sam", is_staff=True, is_superuser=True)
    request = rf.post("/admin/")
    request.user = support
    contract_admin = admin.site._registry[Contract]
    contract = Contract.objects.get(code=B)
    contract.policy = {"disabled_rules": {"DUPLICATE_INVOICE": REASON}}
    with django_capture_on_commit_callbacks(execute=True):
        contract_admin.save_model(request, contract, form=None, change=True)
    assert scans() == [(B, "succeeded")]
    assert Flag.objects.filter(active=True).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        contract_admin.save_model(request, contract, form=None, change=True)  # unchanged
    assert len(scans()) == 1
