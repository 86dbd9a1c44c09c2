"""Contract definitions (load_contract), the policy, and revision arithmetic."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from finance.models import BudgetRevision, Contract, Disbursement, StaffAssignment
from finance.policy import effective_policy
from finance.selectors import cumulative_rebudgeting
from finance.services import LineSpec, contract_load, contract_save, revision_decide, revision_propose

DOC = {
    "code": "JX-XF-2025-01",
    "title": "Rural vulnerable children protection services, Xinfeng county",
    "funder": "Xinfeng County Civil Affairs Bureau",
    "start": "2025-01-01",
    "end": "2025-12-31",
    "total": "300000.00",
    "currency": "CNY",
    "policy": {"admin_cap_pct": "10", "approval_threshold": "5000.00"},
    "budget_lines": [
        {"code": "P1", "name": "人员经费", "category": "personnel", "amount": "150000.00"},
        {"code": "A1", "name": "服务活动", "category": "activities", "amount": "90000.00"},
        {"code": "X1", "name": "行政管理", "category": "行政管理", "amount": "60000.00"},
    ],
    "assignments": [{"staff_no": "S200", "start": "2025-01-01", "end": "2025-12-31", "fte": "1.0"}],
    "disbursements": [{"date": "2025-01-15", "amount": "150000.00", "reference": "first tranche"}],
}


def load(agency, doc, **kw):
    return contract_load(agency=agency, data=json.dumps(doc).encode(), filename="c.json", **kw)


def test_loading_a_new_contract_creates_it_with_budget_assignments_and_disbursements(agency, staff_member):
    result = load(agency, DOC)
    contract = result.contract
    assert result.created
    assert contract.total == Decimal("300000.00") and contract.funder.name == DOC["funder"]
    assert list(contract.budget_lines.values_list("code", "category", "approved_amount")) == [
        ("P1", "personnel", Decimal("150000.00")),
        ("A1", "activities", Decimal("90000.00")),
        ("X1", "admin", Decimal("60000.00")),
    ]
    assert StaffAssignment.objects.get().fte == Decimal("1.00")
    assert Disbursement.objects.get().amount == Decimal("150000.00")
    assert contract.policy == {"admin_cap_pct": "10", "approval_threshold": "5000.00"}


def test_effective_policy_fills_defaults_with_typed_values(agency, staff_member):
    contract = load(agency, dict(DOC, policy={"cash_limit": "500", "overspend_action": "stop"})).contract
    policy = contract.effective_policy()
    assert policy["cash_limit"] == Decimal("500")
    assert policy["admin_cap_pct"] == Decimal("10")
    assert policy["personnel_cap_pct"] is None
    assert policy["closeout_days"] == 30 and isinstance(policy["closeout_days"], int)
    assert policy["overspend_action"] == "stop"
    assert "购物卡" in policy["ineligible_keywords"]
    assert effective_policy({})["overspend_action"] == "warn"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"total": "299999.99"}, "the lines add up to 300000.00, not the total 299999.99"),
        ({"end": "2024-12-31"}, "end: the end must be after the start"),
        (
            {"budget_lines": DOC["budget_lines"] + [dict(DOC["budget_lines"][0], amount="0.00")]},
            "P1 is used more than once",
        ),
        (
            {"assignments": [{"staff_no": "S999", "start": "2025-01-01", "end": "2025-12-31", "fte": "1"}]},
            "S999",
        ),
        (
            {"assignments": [{"staff_no": "S200", "start": "2024-12-01", "end": "2025-12-31", "fte": "1"}]},
            "inside the contract period",
        ),
        (
            {"assignments": [{"staff_no": "S200", "start": "2025-01-01", "end": "2025-12-31", "fte": "1.5"}]},
            "at most 1",
        ),
        ({"policy": {"cash_limit": "lots"}}, "cash_limit must be a number"),
        ({"policy": {"no_such_key": "1"}}, 'policy: unknown key "no_such_key"'),
        (
            {"budget_lines": [dict(DOC["budget_lines"][0], category="food", amount="300000.00")]},
            "budget_lines[1].category",
        ),
        ({"start": "2025/13/01"}, "start:"),
    ],
)
def test_invalid_contract_files_are_refused_with_a_clear_problem(agency, staff_member, change, message):
    doc = dict(copy.deepcopy(DOC), **change)
    with pytest.raises(ValidationError) as info:
        load(agency, doc)
    assert any(message in text for text in info.value.messages), info.value.messages
    assert Contract.objects.count() == 0


@pytest.mark.parametrize(("lang", "doc"), [("en", "formats.md"), ("zh-hans", "formats.zh-Hans.md")])
def test_list_entries_are_counted_from_1_as_the_format_docs_show(agency, staff_member, lang, doc):
    second = dict(DOC["assignments"][0], staff_no="S099")
    file = dict(copy.deepcopy(DOC), assignments=[dict(DOC["assignments"][0], fte="0"), second])
    with translation.override(lang), pytest.raises(ValidationError) as info:
        load(agency, file)
    fte, staff_no = info.value.messages
    assert (fte, staff_no) == {
        "en": (
            "assignments[1].fte: must be above 0 and at most 1",
            "assignments[2].staff_no: no staff member has the number S099",
        ),
        "zh-hans": (
            "assignments[1].fte：必须大于 0 且不超过 1",
            "assignments[2].staff_no：没有员工编号为 S099 的员工",
        ),
    }[lang]
    text = (Path(__file__).resolve().parents[2] / "docs" / doc).read_text(encoding="utf-8")
    assert f"`{fte}`" in text and f"`{staff_no}`" in text


def test_reloading_with_changed_lines_records_an_approved_revision_from_the_command_line(
    agency, staff_member
):
    load(agency, DOC)
    doc = copy.deepcopy(DOC)
    doc["budget_lines"][1]["amount"] = "80000.00"
    doc["budget_lines"][2]["amount"] = "70000.00"
    result = load(agency, doc, approve=True)
    revision = result.revision
    assert revision.status == BudgetRevision.Status.APPROVED
    assert revision.reason == "Loaded from c.json"
    assert sorted(revision.lines.values_list("budget_line__code", "delta")) == [
        ("A1", Decimal("-10000.00")),
        ("X1", Decimal("10000.00")),
    ]
    lines = dict(result.contract.budget_lines.values_list("code", "approved_amount"))
    assert lines == {"P1": Decimal("150000.00"), "A1": Decimal("80000.00"), "X1": Decimal("70000.00")}
    # The original amounts are kept; approved = original + approved revisions.
    assert result.contract.budget_lines.get(code="A1").amount == Decimal("90000.00")
    # The file's assignment and disbursement are not added twice.
    assert StaffAssignment.objects.count() == 1 and Disbursement.objects.count() == 1


def test_reloading_from_the_web_leaves_the_revision_proposed(agency, staff_member):
    load(agency, DOC)
    doc = copy.deepcopy(DOC)
    doc["total"] = "310000.00"
    doc["budget_lines"].append(
        {"code": "T1", "name": "培训督导", "category": "培训督导", "amount": "10000.00"}
    )
    result = load(agency, doc, approve=False)
    assert result.revision.status == BudgetRevision.Status.PROPOSED
    assert result.revision.total_change == Decimal("10000.00")
    contract = Contract.objects.get()
    assert contract.total == Decimal("300000.00")
    assert contract.budget_lines.get(code="T1").approved_amount == Decimal("0.00")


def test_reloading_an_unchanged_file_records_no_revision(agency, staff_member):
    load(agency, DOC)
    assert load(agency, DOC).revision is None
    assert BudgetRevision.objects.count() == 0


def test_load_contract_command_creates_and_exits_1_on_bad_file(agency, staff_member, tmp_path, capsys):
    good = tmp_path / "c.json"
    good.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(good), "--agency", "xinfeng")
    assert "Created contract JX-XF-2025-01: 3 budget lines, total 300000.00 CNY." in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("load_contract", str(bad), "--agency", "xinfeng")
    assert info.value.returncode == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        "bad.json is not valid JSON: line 1, column 2: "
        "a key in double quotes is expected here (there may be a comma after the last item)."
    )


def _load_changed_budget_by_command(tmp_path, *extra):
    """Load DOC, then a copy moving 5,000 from X1 to A1, by ``manage.py load_contract``."""
    first = tmp_path / "c.json"
    first.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(first), "--agency", "xinfeng")
    changed = copy.deepcopy(DOC)
    changed["budget_lines"][1]["amount"] = "95000.00"
    changed["budget_lines"][2]["amount"] = "55000.00"
    second = tmp_path / "c2.json"
    second.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    call_command("load_contract", str(second), "--agency", "xinfeng", *extra)
    return BudgetRevision.objects.get()


def test_load_contract_in_a_finance_officers_name_leaves_the_budget_change_for_a_director(
    agency, staff_member, finance, tmp_path, capsys
):
    revision = _load_changed_budget_by_command(tmp_path, "--user", finance.username)
    assert revision.status == BudgetRevision.Status.PROPOSED
    assert revision.proposed_by == finance
    approved = dict(Contract.objects.get().budget_lines.values_list("code", "approved_amount"))
    assert approved == {"P1": Decimal("150000.00"), "A1": Decimal("90000.00"), "X1": Decimal("60000.00")}
    assert f"Budget changes recorded as revision {revision.pk} (Proposed)." in capsys.readouterr().out


@pytest.mark.parametrize("as_director", [True, False], ids=["--user director", "no --user"])
def test_load_contract_by_a_director_or_the_administrator_approves_the_budget_change_at_once(
    agency, staff_member, director, tmp_path, as_director
):
    extra = ("--user", director.username) if as_director else ()
    revision = _load_changed_budget_by_command(tmp_path, *extra)
    assert revision.status == BudgetRevision.Status.APPROVED
    approved = dict(Contract.objects.get().budget_lines.values_list("code", "approved_amount"))
    assert approved == {"P1": Decimal("150000.00"), "A1": Decimal("95000.00"), "X1": Decimal("55000.00")}


# --- revisions ----------------------------------------------------------------------------


def test_a_director_approving_a_transfer_moves_the_approved_amounts(contract, finance, director):
    revision = revision_propose(
        contract=contract,
        reason="more activities",
        deltas={"A1": Decimal("5000"), "X1": Decimal("-5000")},
        user=finance,
    )
    approved = dict(contract.budget_lines.values_list("code", "approved_amount"))
    assert approved["A1"] == Decimal("90000.00")  # proposed changes nothing yet
    revision_decide(revision=revision, user=director, approve=True)
    approved = dict(contract.budget_lines.values_list("code", "approved_amount"))
    assert approved == {"P1": Decimal("150000.00"), "A1": Decimal("95000.00"), "X1": Decimal("55000.00")}
    revision.refresh_from_db()
    assert revision.approved_by == director and revision.status == "approved"


def test_rejected_revisions_change_nothing_and_cumulative_rebudgeting_counts_approved_transfers(
    contract, finance, director
):
    for amount, approve in ((Decimal("20000"), True), (Decimal("9000"), False), (Decimal("15000"), True)):
        revision = revision_propose(
            contract=contract, reason="r", deltas={"A1": amount, "P1": -amount}, user=finance
        )
        revision_decide(revision=revision, user=director, approve=approve)
    back = revision_propose(
        contract=contract, reason="back", deltas={"A1": Decimal("-5000"), "X1": Decimal("5000")}
    )
    revision_decide(revision=back, user=director, approve=True)
    lines = dict(contract.budget_lines.values_list("code", "approved_amount"))
    assert lines == {"P1": Decimal("115000.00"), "A1": Decimal("120000.00"), "X1": Decimal("65000.00")}
    rebudget = cumulative_rebudgeting(contract)
    # A1 +30,000 net and X1 +5,000: 35,000 moved against a 10% tolerance of 300,000 = 30,000.
    assert rebudget.moved == Decimal("35000.00")
    assert rebudget.limit == Decimal("30000.00")
    assert not rebudget.within


def test_a_transfer_must_net_to_zero(contract):
    with pytest.raises(ValidationError) as info:
        revision_propose(contract=contract, reason="x", deltas={"A1": Decimal("100")})
    assert "must net to 0.00" in str(info.value)


def test_a_revision_cannot_take_a_line_below_zero(contract):
    with pytest.raises(ValidationError):
        revision_propose(
            contract=contract, reason="x", deltas={"X1": Decimal("-60000.01"), "A1": Decimal("60000.01")}
        )


def test_a_finance_officer_cannot_approve_a_revision(contract, finance):
    revision = revision_propose(
        contract=contract, reason="x", deltas={"A1": Decimal("1"), "X1": Decimal("-1")}
    )
    with pytest.raises(PermissionDenied):
        revision_decide(revision=revision, user=finance, approve=True)


def test_a_decided_revision_cannot_be_decided_again(contract, director):
    revision = revision_propose(
        contract=contract, reason="x", deltas={"A1": Decimal("1"), "X1": Decimal("-1")}
    )
    revision_decide(revision=revision, user=director, approve=False)
    with pytest.raises(ValidationError):
        revision_decide(revision=revision, user=director, approve=True)


def test_contract_end_must_follow_start(contract):
    contract.end = dt.date(2024, 1, 1)
    with pytest.raises(ValidationError):
        contract.full_clean()


def test_two_budget_lines_of_one_name_are_refused(agency, staff_member):
    lines = copy.deepcopy(DOC["budget_lines"])
    lines[2]["name"] = "人员经费"
    with pytest.raises(ValidationError) as info:
        load(agency, dict(DOC, budget_lines=lines))
    assert info.value.messages == ["budget_lines: the name 人员经费 is used more than once"]
    assert Contract.objects.count() == 0


def test_a_contract_file_reports_every_problem_of_its_lines_at_once(agency, staff_member):
    lines = copy.deepcopy(DOC["budget_lines"])
    lines[1].update(code="P1", category="food")  # a repeated code on a line whose category is wrong
    lines[2]["amount"] = "50000.00"  # and lines that no longer add up to the total
    with pytest.raises(ValidationError) as info:
        load(agency, dict(DOC, budget_lines=lines))
    messages = info.value.messages
    assert len(messages) == 3, messages
    assert messages[0].startswith("budget_lines[2].category:")
    assert messages[1:] == [
        "budget_lines: the code P1 is used more than once",
        "budget_lines: the lines add up to 290000.00, not the total 300000.00",
    ]


def test_a_budget_from_the_page_or_the_api_may_not_give_two_lines_one_name(agency, staff_member):
    contract = load(agency, DOC).contract
    lines = [
        LineSpec("P1", "人员经费", "personnel", Decimal("150000.00")),
        LineSpec("A1", "人员经费", "activities", Decimal("150000.00")),
    ]
    with pytest.raises(ValidationError) as info:
        contract_save(agency=agency, contract=contract, lines=lines, reason="调整", user=None)
    assert info.value.messages == ["Budget-line names must be unique: 人员经费"]
    assert BudgetRevision.objects.count() == 0
    assert list(contract.budget_lines.values_list("name", flat=True)) == ["人员经费", "服务活动", "行政管理"]
