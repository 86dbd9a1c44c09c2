"""A change of what a contract's findings depend on, through any path, scans it again (docs/rules.md).

The contract file (the service, the web upload and ``load_contract``), the API, the contract page,
the policy page's service, the director's disabled rules, a budget revision's approval and the
admin all queue the contract's scan once the change commits, and only when its effective policy,
period, total, approved budget lines or assignments (or, delivery, its targets: tests/delivery)
changed: a flag of a rule just disabled, a DUPLICATE_INVOICE flag shared with another contract
too, leaves the queue at once, and comes back, the same flag, when the rule is re-enabled; an
expenditure now outside the period is flagged at once; a line given more by a revision is
overspent no more. One save queues one scan, whatever it changed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Job
from finance.flags.services import contract_policy_update, flags_scan_contract
from finance.models import Contract, Flag
from finance.services import contract_load, contract_save
from tests.factories import UserFactory
from tests.finance.factories import ExpenditureFactory

REASON = "本项目的发票由资助方统一核验"
WEEKEND_REASON = "周末入户探访是本项目的服务内容"
A, B = "JX-XF-2025-01", "JX-XF-2025-02"


def document(code: str, policy: dict | None = None, **fields) -> dict:
    """The contract file of ``code``: 1,000.00 in 2025, one activities line A1 (unless ``fields``
    say otherwise)."""
    return {
        "code": code, "title": f"社区服务 {code}", "funder": "县民政局", "start": "2025-01-01",
        "end": "2025-12-31", "total": "1000.00", "currency": "CNY", "policy": policy or {},
        "budget_lines": [{"code": "A1", "name": "服务活动", "category": "activities", "amount": "1000.00"}],
        **fields,
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


# --- the period ---------------------------------------------------------------------------------


def _period_by_file(*, agency, keeper, contract, start, **_):
    contract_load(agency=agency, data=document(contract.code, start=start), filename="c.json", user=keeper)


def _period_by_command(*, agency, contract, start, tmp_path, **_):
    path = tmp_path / f"{contract.code}.json"
    path.write_text(json.dumps(document(contract.code, start=start), ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(path), "--agency", agency.slug)


def _period_by_api(*, keeper, contract, start, login_api, **_):
    response = login_api(keeper).patch(
        f"/api/v1/finance/contracts/{contract.pk}/", {"start": start}, format="json"
    )
    assert response.status_code == 200, response.content


def _period_on_the_page(*, keeper, contract, start, login_client, **_):
    form = {
        "title": contract.title, "funder_name": "县民政局", "start": start, "end": "2025-12-31",
        "currency": "CNY", "status": contract.status,
    }  # fmt: skip
    response = login_client(keeper).post(reverse("finance-contract-update", args=[contract.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]


PERIOD_PATHS = {
    "contract file (contract_load)": _period_by_file,
    "contract file (manage.py load_contract)": _period_by_command,
    "API PATCH": _period_by_api,
    "contract page": _period_on_the_page,
}


@pytest.fixture(params=list(PERIOD_PATHS))
def write_start(
    request, agency, keeper, login_api, login_client, tmp_path, django_capture_on_commit_callbacks
):
    """``write_start(contract, "2025-04-01")`` through one path, with the scans it queues run."""
    path = PERIOD_PATHS[request.param]

    def write(contract: Contract, start: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            path(
                agency=agency, keeper=keeper, contract=Contract.objects.get(pk=contract.pk), start=start,
                login_api=login_api, login_client=login_client, tmp_path=tmp_path,
            )  # fmt: skip

    return write


def outside_period() -> list[tuple]:
    """Every OUTSIDE_PERIOD flag: (pk, contract, active, vouchers)."""
    return list(
        Flag.objects.filter(rule="OUTSIDE_PERIOD")
        .order_by("pk")
        .values_list("pk", "contract__code", "active", "vouchers")
    )


def test_a_period_moved_past_an_expenditure_flags_it_at_once_and_moved_back_resolves_it(loaded, write_start):
    flags_scan_contract(contract=loaded[B])
    assert outside_period() == []

    write_start(loaded[B], "2025-04-01")  # W-1 is dated 6 March 2025
    assert Contract.objects.get(code=B).start == dt.date(2025, 4, 1)
    assert scans() == [(B, "succeeded")]
    ((pk, *_),) = outside_period()
    assert outside_period() == [(pk, B, True, ["W-1"])]

    write_start(loaded[B], "2025-01-01")
    assert scans() == [(B, "succeeded"), (B, "succeeded")]
    assert outside_period() == [(pk, B, False, ["W-1"])]


def test_writing_the_same_period_again_queues_no_scan(loaded, write_start):
    write_start(loaded[B], "2025-01-01")
    assert Job.objects.count() == 0


# --- the budget: an approved revision -----------------------------------------------------------

TWO_LINES = [
    {"code": "A1", "name": "服务活动", "category": "activities", "amount": "500.00"},
    {"code": "A2", "name": "培训督导", "category": "training_supervision", "amount": "500.00"},
]
MOVED = [{**TWO_LINES[0], "amount": "700.00"}, {**TWO_LINES[1], "amount": "300.00"}]


@pytest.fixture
def overspent(agency) -> Contract:
    """Contract A with lines A1 and A2 of 500.00 each, A1 charged 600.00: one LINE_OVERSPEND."""
    contract = contract_load(
        agency=agency, data=document(A, budget_lines=TWO_LINES), filename="a.json"
    ).contract
    charge(contract, "V-1", 5)
    charge(contract, "V-2", 7, invoice_no="A-78")
    flags_scan_contract(contract=contract)
    return contract


def line_overspend() -> list[tuple]:
    """Every LINE_OVERSPEND flag: (pk, line, active)."""
    return list(
        Flag.objects.filter(rule="LINE_OVERSPEND").order_by("pk").values_list("pk", "line_code", "active")
    )


def _proposed(contract: Contract, keeper):
    from finance.services import revision_propose

    return revision_propose(
        contract=contract,
        reason="A2 的培训改为线上，经费调入服务活动",
        deltas={"A1": "200", "A2": "-200"},
        user=keeper,
    )


def _budget_by_command(*, agency, contract, tmp_path, **_):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(document(contract.code, budget_lines=MOVED), ensure_ascii=False), encoding="utf-8"
    )
    call_command("load_contract", str(path), "--agency", agency.slug)


def _budget_by_file(*, agency, keeper, contract, **_):
    contract_load(
        agency=agency, data=document(contract.code, budget_lines=MOVED), filename="a.json", user=keeper
    )


def _revision_by_service(*, keeper, contract, **_):
    from finance.services import revision_decide

    revision_decide(revision=_proposed(contract, keeper), user=keeper, approve=True)


def _revision_on_the_page(*, keeper, contract, login_client, **_):
    revision = _proposed(contract, keeper)
    response = login_client(keeper).post(
        reverse("finance-revision-decide", args=[revision.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302


def _revision_by_api(*, keeper, contract, login_api, **_):
    revision = _proposed(contract, keeper)
    response = login_api(keeper).post(f"/api/v1/finance/revisions/{revision.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content


BUDGET_PATHS = {
    "contract file (manage.py load_contract, approved at once)": _budget_by_command,
    "contract file (a director's contract_load)": _budget_by_file,
    "revision_decide": _revision_by_service,
    "revision approved on its page": _revision_on_the_page,
    "revision approved through the API": _revision_by_api,
}


@pytest.mark.parametrize("path", list(BUDGET_PATHS))
def test_a_revision_made_effective_that_covers_the_overspend_resolves_the_same_flag_at_once(
    path, agency, keeper, overspent, login_api, login_client, tmp_path, django_capture_on_commit_callbacks
):
    ((pk, *_),) = line_overspend()
    assert line_overspend() == [(pk, "A1", True)]
    with django_capture_on_commit_callbacks(execute=True):
        BUDGET_PATHS[path](
            agency=agency, keeper=keeper, contract=overspent, login_api=login_api, login_client=login_client,
            tmp_path=tmp_path,
        )  # fmt: skip
    assert dict(overspent.budget_lines.values_list("code", "approved_amount")) == {
        "A1": Decimal("700.00"),
        "A2": Decimal("300.00"),
    }
    assert scans() == [(A, "succeeded")]
    assert line_overspend() == [(pk, "A1", False)]


def test_a_proposed_revision_queues_no_scan_until_a_director_approves_it(
    agency, finance, director, overspent, django_capture_on_commit_callbacks
):
    from finance.services import revision_decide

    ((pk, *_),) = line_overspend()
    with django_capture_on_commit_callbacks(execute=True):
        result = contract_load(
            agency=agency,
            data=document(A, budget_lines=MOVED),
            filename="a.json",
            user=finance,
            approve=False,
        )
    assert result.revision.status == "proposed"
    assert Job.objects.count() == 0
    assert line_overspend() == [(pk, "A1", True)]

    with django_capture_on_commit_callbacks(execute=True):
        revision_decide(revision=result.revision, user=director, approve=False, note="请先说明调整依据")
    assert Job.objects.count() == 0  # a rejection changes no amount

    with django_capture_on_commit_callbacks(execute=True):
        revision = _proposed(overspent, finance)
        revision_decide(revision=revision, user=director, approve=True)
    assert scans() == [(A, "succeeded")]
    assert line_overspend() == [(pk, "A1", False)]


# --- one save, one scan ---------------------------------------------------------------------------


def test_a_contract_file_changing_period_budget_and_policy_at_once_queues_one_scan(
    agency, overspent, django_capture_on_commit_callbacks
):
    changed = document(A, {"cash_limit": "100.00"}, start="2025-03-06", budget_lines=MOVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=changed, filename="a.json")
    assert len(callbacks) == 1
    assert scans() == [(A, "succeeded")]
    assert line_overspend()[0][2] is False
    assert outside_period()[0][1:] == (A, True, ["V-1"])
    # Loaded again unchanged: nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=changed, filename="a.json")
    assert callbacks == []
    assert len(scans()) == 1


def test_a_ledger_import_and_a_period_change_in_one_transaction_queue_one_scan(
    agency, overspent, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from finance.services import contract_save, ledger_import

    ledger = "date,amount,budget_line,payee,description,voucher_no\n2025-03-09,50.00,A2,Tea House,茶歇,V-3\n"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        imported = ledger_import(contract=overspent, data=ledger.encode(), filename="l.csv")
        contract_save(agency=agency, contract=overspent, start=dt.date(2025, 3, 6))
    assert imported.ok, imported.error_lines()
    assert len(callbacks) == 1
    assert scans() == [(A, "succeeded")]
    assert [flag[1:] for flag in outside_period()] == [(A, True, ["V-1"])]


# --- the admin --------------------------------------------------------------------------------


def test_a_period_changed_in_the_admin_is_scanned_at_once(loaded, rf, django_capture_on_commit_callbacks):
    from django.contrib import admin

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    contract = Contract.objects.get(code=B)
    contract.start = dt.date(2025, 4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Contract].save_model(request, contract, form=None, change=True)
    assert scans() == [(B, "succeeded")]
    assert [flag[1:] for flag in outside_period()] == [(B, True, ["W-1"])]


# --- the history of disabled_rules on every path -----------------------------------------------


def test_every_path_records_the_coded_reason_of_a_disabled_rules_change(
    loaded, write_policy, keeper, login_client
):
    from tests.finance.test_disabled_rules import history_reasons

    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}})
    write_policy(loaded[B], {"disabled_rules": {"DUPLICATE_INVOICE": REASON}, "cash_limit": "800.00"})
    write_policy(loaded[B], {})
    contract = Contract.objects.get(code=B)
    stored = list(
        contract.history.order_by("-history_date", "-history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    assert stored == [
        'disabled_rules:[["enabled","DUPLICATE_INVOICE"]]',
        None,  # the cash limit only
        f'disabled_rules:[["disabled","DUPLICATE_INVOICE","{REASON}"]]',
        None,
    ]
    client = login_client(keeper)
    assert history_reasons(client, contract, "zh-hans") == [
        "重新启用 发票重复报销（DUPLICATE_INVOICE）",
        "",
        f"停用 发票重复报销（DUPLICATE_INVOICE）：{REASON}",
        "",
    ]
    assert history_reasons(client, contract, "en") == [
        "Re-enabled Invoice charged twice (DUPLICATE_INVOICE)",
        "",
        f"Disabled Invoice charged twice (DUPLICATE_INVOICE): {REASON}",
        "",
    ]


def test_disabled_rules_changed_in_the_admin_keep_the_coded_reason(
    loaded, rf, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    contract = Contract.objects.get(code=B)
    contract.policy = {"disabled_rules": {"DUPLICATE_INVOICE": REASON}}
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Contract].save_model(request, contract, form=None, change=True)
    assert contract.history.latest("history_date", "history_id").history_change_reason == (
        f'disabled_rules:[["disabled","DUPLICATE_INVOICE","{REASON}"]]'
    )


def test_a_budget_line_changed_in_the_admins_inline_is_scanned_once_with_the_contract(
    overspent, rf, django_capture_on_commit_callbacks
):
    """The inline's lines are saved after the contract (``save_related``): compared again then,
    and a scan already queued by ``save_model`` in the same request is not queued twice."""
    from types import SimpleNamespace

    from django.contrib import admin
    from django.db import transaction

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    contract_admin = admin.site._registry[Contract]
    contract = Contract.objects.get(code=A)
    form = SimpleNamespace(instance=contract, save_m2m=lambda: None)
    ((pk, *_),) = line_overspend()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        contract.end = dt.date(2025, 11, 30)
        contract_admin.save_model(request, contract, form=form, change=True)
        contract.budget_lines.filter(code="A1").update(name="社区服务活动")  # as the inline saves it
        contract_admin.save_related(request, form, formsets=[], change=True)
    assert len(callbacks) == 1
    assert scans() == [(A, "succeeded")]
    assert Flag.objects.get(pk=pk).params["name"] == "社区服务活动"


def test_a_budget_line_changed_alone_in_the_admins_inline_is_scanned(
    overspent, rf, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    from django.contrib import admin

    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    contract_admin = admin.site._registry[Contract]
    contract = Contract.objects.get(code=A)
    form = SimpleNamespace(instance=contract, save_m2m=lambda: None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_admin.save_model(request, contract, form=form, change=True)
        assert Job.objects.count() == 0  # nothing of the contract itself changed
        contract.budget_lines.filter(code="A1").update(category="personnel")
        contract_admin.save_related(request, form, formsets=[], change=True)
    assert len(callbacks) == 1
    assert scans() == [(A, "succeeded")]


# --- assignments --------------------------------------------------------------------------------

STAFFED = [
    {"code": "P1", "name": "项目社工薪酬", "category": "personnel", "amount": "500.00"},
    {"code": "A1", "name": "服务活动", "category": "activities", "amount": "500.00"},
]
FIRST_QUARTER = {"staff_no": "S200", "start": "2025-01-01", "end": "2025-03-31", "fte": "1"}


@pytest.fixture
def unassigned(agency, staff_member) -> Contract:
    """Contract A whose only assignment (S200, first quarter) does not cover S200's May salary:
    one UNASSIGNED_PERSONNEL flag."""
    data = document(A, budget_lines=STAFFED, assignments=[FIRST_QUARTER])
    contract = contract_load(agency=agency, data=data, filename="a.json").contract
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="P1"), voucher_no="P-5", date=dt.date(2025, 5, 6),
        amount=Decimal("300.00"), payee="李社工", staff=staff_member,
    )  # fmt: skip
    flags_scan_contract(contract=contract)
    return contract


def unassigned_personnel() -> list[tuple]:
    return list(
        Flag.objects.filter(rule="UNASSIGNED_PERSONNEL")
        .order_by("pk")
        .values_list("pk", "vouchers", "active")
    )


def test_an_assignment_extended_through_the_api_resolves_the_same_flag_at_once(
    unassigned, keeper, login_api, django_capture_on_commit_callbacks
):
    ((pk, *_),) = unassigned_personnel()
    assert unassigned_personnel() == [(pk, ["P-5"], True)]
    assignment = unassigned.assignments.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = login_api(keeper).patch(
            f"/api/v1/finance/assignments/{assignment.pk}/", {"end": "2025-12-31"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert scans() == [(A, "succeeded")]
    assert unassigned_personnel() == [(pk, ["P-5"], False)]


def test_an_assignment_added_by_the_contract_file_resolves_the_flag_and_the_same_file_again_queues_nothing(
    agency, unassigned, django_capture_on_commit_callbacks
):
    ((pk, *_),) = unassigned_personnel()
    second = {**FIRST_QUARTER, "start": "2025-04-01", "end": "2025-12-31"}
    data = document(A, budget_lines=STAFFED, assignments=[FIRST_QUARTER, second])
    with django_capture_on_commit_callbacks(execute=True):
        assert contract_load(agency=agency, data=data, filename="a.json").assignments_added == 1
    assert scans() == [(A, "succeeded")]
    assert unassigned_personnel() == [(pk, ["P-5"], False)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract_load(agency=agency, data=data, filename="a.json")
    assert callbacks == []
    assert len(scans()) == 1


def test_an_assignment_changed_in_the_admin_is_scanned_at_once(
    unassigned, rf, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    from finance.models import StaffAssignment

    ((pk, *_),) = unassigned_personnel()
    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)
    assignment = unassigned.assignments.get()
    assignment.end = dt.date(2025, 6, 30)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[StaffAssignment].save_model(request, assignment, form=None, change=True)
    assert scans() == [(A, "succeeded")]
    assert unassigned_personnel() == [(pk, ["P-5"], False)]
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[StaffAssignment].save_model(request, assignment, form=None, change=True)
    assert len(scans()) == 1
