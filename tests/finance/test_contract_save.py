"""One atomic contract save (page, API, load_contract), unknown keys of contract files, sections."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from finance import sections as sections_module
from finance.models import BudgetRevision, Contract, Funder
from finance.policy import default_policy
from finance.sections import register_contract_section
from finance.services import contract_load, contract_save
from tests.finance.test_contracts import DOC
from tests.finance.test_pages import CONTRACT_FORM, SHEET, sheet

HEADING = ("title", "start", "end", "status", "funder__name", "total")


def heading(contract: Contract) -> tuple:
    return Contract.objects.filter(pk=contract.pk).values_list(*HEADING).get()


def load(agency, doc):
    return contract_load(agency=agency, data=json.dumps(doc).encode(), filename="c.json")


@pytest.fixture
def section_registry(monkeypatch):
    """An empty section registry for the test (the real one is restored afterwards)."""
    monkeypatch.setattr(sections_module, "_SECTIONS", {})
    return sections_module._SECTIONS


# --- one transaction ---------------------------------------------------------------------------


def test_a_rejected_budget_sheet_on_the_page_leaves_the_heading_and_the_funders_unchanged(
    finance, login_client, contract
):
    before, funders = heading(contract), Funder.objects.count()
    wrong = [SHEET[0], SHEET[1], "A1,服务活动,activities,1.00", "X1,行政管理,admin,1.00"]
    data = dict(
        CONTRACT_FORM,
        code=contract.code,
        title="A changed title",
        funder_name="A new funder",
        end="2025-11-30",
        budget_sheet=sheet(wrong),
    )
    response = login_client(finance).post(reverse("finance-contract-update", args=[contract.pk]), data)
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        "The budget lines add up to 150002.00, not the contract total 300000.00."
    ]
    assert heading(contract) == before
    assert Funder.objects.count() == funders
    assert BudgetRevision.objects.count() == 0


def test_a_rejected_budget_through_the_api_leaves_the_heading_unchanged(finance, login_api, contract):
    before = heading(contract)
    response = login_api(finance).patch(
        f"/api/v1/finance/contracts/{contract.pk}/",
        {
            "title": "A changed title",
            "funder_name": "A new funder",
            "lines": [{"code": "P1", "name": "人员经费", "category": "personnel", "amount": "1.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["budget_lines"] == [
        "The budget lines add up to 1.00, not the contract total 300000.00."
    ]
    assert heading(contract) == before
    assert not Funder.objects.filter(name="A new funder").exists()


def test_budget_lines_patched_through_the_api_become_a_proposed_revision_with_the_heading(
    finance, login_api, contract
):
    lines = [
        {"code": "P1", "name": "人员经费", "category": "personnel", "amount": "150000.00"},
        {"code": "A1", "name": "服务活动", "category": "activities", "amount": "80000.00"},
        {"code": "X1", "name": "行政管理", "category": "admin", "amount": "70000.00"},
    ]
    response = login_api(finance).patch(
        f"/api/v1/finance/contracts/{contract.pk}/", {"title": "Renamed", "lines": lines}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Renamed"
    revision = BudgetRevision.objects.get(contract=contract)
    assert revision.status == "proposed"
    assert {i.budget_line.code: i.delta for i in revision.lines.all()} == {
        "A1": Decimal("-10000.00"),
        "X1": Decimal("10000.00"),
    }


def test_a_rejected_budget_in_a_contract_file_leaves_the_heading_unchanged(agency, staff_member, tmp_path):
    load(agency, DOC)
    contract = Contract.objects.get()
    before = heading(contract)
    doc = copy.deepcopy(DOC)
    doc["title"] = "A changed title"
    doc["funder"] = "A new funder"
    doc["budget_lines"][0]["amount"] = "-1.00"  # a line cannot go below zero: refused in the save
    doc["budget_lines"][1]["amount"] = "240001.00"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("load_contract", str(path), "--agency", "xinfeng")
    assert info.value.returncode == 1
    assert heading(contract) == before
    assert not Funder.objects.filter(name="A new funder").exists()
    assert BudgetRevision.objects.count() == 0


def test_contract_save_creates_with_the_funder_and_the_budget_in_one_call(agency):
    from finance.services import LineSpec

    result = contract_save(
        agency=agency,
        code="C-9",
        funder_name="安远县民政局",
        title="Home visits",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        total=Decimal("100.00"),
        lines=[LineSpec("A1", "服务活动", "activities", Decimal("100.00"))],
    )
    assert result.created and result.revision is None
    assert result.contract.funder.name == "安远县民政局"
    assert list(result.contract.budget_lines.values_list("code", "amount")) == [("A1", Decimal("100.00"))]


def test_contract_save_refuses_a_new_total_without_budget_lines(contract):
    with pytest.raises(ValidationError) as info:
        contract_save(agency=contract.agency, contract=contract, title="x", total=Decimal("1.00"))
    assert info.value.message_dict == {
        "total": ["The total changes only with the budget lines, as a budget revision."]
    }
    assert Contract.objects.get(pk=contract.pk).title != "x"


# --- unknown keys ------------------------------------------------------------------------------


def _problems(agency, doc) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load(agency, doc)
    return info.value.messages


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d.update(budget_line=d.pop("budget_lines")),
            'unknown key "budget_line" (did you mean "budget_lines"?)',
        ),
        (lambda d: d.update(polcy=d.pop("policy")), 'unknown key "polcy" (did you mean "policy"?)'),
        (lambda d: d.update(status="active"), 'unknown key "status"'),
        (
            lambda d: d["budget_lines"][1].update(amont=d["budget_lines"][1].pop("amount")),
            'budget_lines[2]: unknown key "amont" (did you mean "amount"?)',
        ),
        (
            lambda d: d["policy"].update(admin_cap="5"),
            'policy: unknown key "admin_cap" (did you mean "admin_cap_pct"?)',
        ),
        (lambda d: d["assignments"][0].update(role="社工"), 'assignments[1]: unknown key "role"'),
        (
            lambda d: d["disbursements"][0].update(referance="x"),
            'disbursements[1]: unknown key "referance" (did you mean "reference"?)',
        ),
        (lambda d: d.update(targets=[]), 'unknown key "targets"'),
    ],
)
def test_a_contract_file_with_an_unknown_key_is_refused_naming_the_key_and_its_place(
    agency, staff_member, section_registry, change, problem
):
    doc = copy.deepcopy(DOC)
    change(doc)
    assert problem in _problems(agency, doc)
    assert Contract.objects.count() == 0


def test_load_contract_with_a_misspelt_key_exits_1_naming_it_and_changes_nothing(
    agency, staff_member, tmp_path, capsys
):
    doc = copy.deepcopy(DOC)
    doc["budget_lines"][1]["amont"] = doc["budget_lines"][1].pop("amount")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("load_contract", str(path), "--agency", "xinfeng")
    assert info.value.returncode == 1
    err = capsys.readouterr().err
    assert 'budget_lines[2]: unknown key "amont" (did you mean "amount"?)' in err
    assert Contract.objects.count() == 0


def test_every_policy_key_with_a_default_is_a_known_key_of_the_file(agency, staff_member):
    policy = {key: value for key, value in default_policy().items() if value is not None}
    policy = {k: (str(v) if not isinstance(v, list | str | dict) else v) for k, v in policy.items()}
    policy["disabled_rules"] = {"WEEKEND_HOLIDAY": "周末入户探访是本项目的服务内容"}  # default: none disabled
    contract = load(agency, dict(copy.deepcopy(DOC), policy=policy)).contract
    assert set(contract.policy) == set(policy)


def test_a_policy_value_error_names_its_place(agency, staff_member):
    assert "policy: cash_limit must be a number" in _problems(
        agency, dict(copy.deepcopy(DOC), policy={"cash_limit": "lots"})
    )


# --- registered sections -----------------------------------------------------------------------


def _targets_validate(value, context):
    problems, parsed = [], []
    if not isinstance(value, list):
        return [], ["targets: must be a list"]
    for index, item in enumerate(value, start=1):
        where = f"targets[{index}]"
        problems += sections_module.unknown_keys(item, ("code", "quantity"), where)
        if not isinstance(item.get("quantity"), int) or item["quantity"] <= 0:
            problems.append(f"{where}.quantity: must be a positive whole number")
        else:
            parsed.append((item["code"], item["quantity"]))
    assert context.code == DOC["code"] and context.agency is not None
    return parsed, problems


def test_a_registered_section_is_a_known_key_validated_and_applied_in_the_same_save(
    agency, staff_member, section_registry
):
    applied = []

    def apply(*, contract, value, created, user, reason, approve):
        applied.append((contract.code, value, reason, approve))
        return len(value)

    register_contract_section("targets", validate=_targets_validate, apply=apply)
    doc = dict(copy.deepcopy(DOC), targets=[{"code": "HV", "quantity": 300}])
    result = load(agency, doc)
    assert applied == [("JX-XF-2025-01", [("HV", 300)], "Loaded from c.json", True)]
    assert result.sections == {"targets": 1}


def test_a_registered_sections_problems_refuse_the_whole_file(agency, staff_member, section_registry):
    register_contract_section("targets", validate=_targets_validate, apply=lambda **kw: None)
    doc = dict(copy.deepcopy(DOC), targets=[{"code": "HV", "quantity": 0, "measure_": "cases"}])
    problems = _problems(agency, doc)
    assert 'targets[1]: unknown key "measure_"' in problems
    assert "targets[1].quantity: must be a positive whole number" in problems
    assert Contract.objects.count() == 0


def test_a_section_refused_while_applying_rolls_back_the_whole_contract(
    agency, staff_member, section_registry
):
    def apply(*, contract, value, created, user, reason, approve):
        raise ValidationError({"targets": "HV: refused"})

    register_contract_section("targets", validate=_targets_validate, apply=apply)
    with pytest.raises(ValidationError):
        load(agency, dict(copy.deepcopy(DOC), targets=[{"code": "HV", "quantity": 3}]))
    assert Contract.objects.count() == Funder.objects.count() == 0


def test_a_section_cannot_take_a_finance_key_or_be_registered_twice(section_registry):
    with pytest.raises(ImproperlyConfigured):
        register_contract_section("budget_lines", validate=_targets_validate, apply=lambda **kw: None)
    register_contract_section("targets", validate=_targets_validate, apply=lambda **kw: None)
    with pytest.raises(ImproperlyConfigured):
        register_contract_section("targets", validate=lambda v, c: (v, []), apply=lambda **kw: None)


# --- the budget sheet's dry run refuses what the import refuses ---------------------------------


def _sheet_bytes(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_budget_sheet_reports_each_repeat_at_its_row_and_the_sum_at_once(contract, dry_run):
    from finance.services import budget_sheet_import

    lines = [SHEET[0], SHEET[1], "P1,服务活动,activities,90000.00", "X1,人员经费,admin,50000.00"]
    result = budget_sheet_import(
        contract=contract, data=_sheet_bytes(lines), filename="b.csv", dry_run=dry_run
    )
    assert not result.ok
    assert result.error_lines() == [
        "The budget lines add up to 290000.00, not the contract total 300000.00.",
        "row 3, column 科目编号: the budget-line code P1 is also on row 2",
        "row 4, column 科目名称: the budget-line name 人员经费 is also on row 2",
    ]
    assert BudgetRevision.objects.count() == 0


def test_a_budget_sheet_that_adds_up_passes_its_dry_run_and_becomes_a_revision(contract, finance):
    from finance.services import budget_sheet_import

    lines = [SHEET[0], "P1,人员经费,personnel,140000.00", "A1,服务活动,activities,100000.00", SHEET[3]]
    dry = budget_sheet_import(contract=contract, data=_sheet_bytes(lines), filename="b.csv", dry_run=True)
    assert dry.ok and dry.summary == {"lines": 3, "total": "300000.00"}
    real = budget_sheet_import(contract=contract, data=_sheet_bytes(lines), filename="b.csv", user=finance)
    assert real.ok and BudgetRevision.objects.get().pk == real.summary["revision"]
