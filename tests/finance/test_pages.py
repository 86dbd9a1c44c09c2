"""Finance pages: loading a contract file, budget sheets on the contract form, the ledger's queries."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportBatch
from finance.models import BudgetLine, BudgetRevision, Contract, Disbursement, StaffAssignment
from tests.finance.factories import ExpenditureFactory
from tests.finance.test_contracts import DOC


def contract_file(doc: dict, name: str = "contract.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(doc, ensure_ascii=False).encode(), "application/json")


def sheet(lines: list[str], name: str = "budget.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), "text/csv")


SHEET = [
    "科目编号,科目名称,类别,金额",
    "P1,人员经费,人员经费,150000.00",
    'A1,服务活动,activities,"90,000.00"',
    "X1,行政管理,admin,60000.00",
]

CONTRACT_FORM = {
    "code": "JX-XF-2025-09",
    "title": "Home visits",
    "funder_name": "信丰县民政局",
    "start": "2025-01-01",
    "end": "2025-12-31",
    "total": "300000.00",
    "currency": "CNY",
    "status": "active",
}


def test_a_finance_officer_loads_a_contract_file_on_the_page(finance, login_client, staff_member):
    response = login_client(finance).post(reverse("finance-contract-upload"), {"file": contract_file(DOC)})
    contract = Contract.objects.get(code="JX-XF-2025-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("finance-contract-detail", args=[contract.pk])
    assert list(contract.budget_lines.values_list("code", "approved_amount")) == [
        ("P1", Decimal("150000.00")),
        ("A1", Decimal("90000.00")),
        ("X1", Decimal("60000.00")),
    ]
    assert StaffAssignment.objects.get(contract=contract).staff == staff_member
    assert Disbursement.objects.get(contract=contract).amount == Decimal("150000.00")


def test_a_bad_contract_file_lists_its_problems_and_changes_nothing(finance, login_client, staff_member):
    doc = copy.deepcopy(DOC)
    doc["budget_lines"][0]["amount"] = "100.00"
    doc["assignments"][0]["staff_no"] = "S999"
    response = login_client(finance).post(reverse("finance-contract-upload"), {"file": contract_file(doc)})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [
        "budget_lines: the lines add up to 150100.00, not the total 300000.00",
        "assignments[1].staff_no: no staff member has the number S999",
    ]
    assert "no staff member has the number S999" in response.content.decode()
    assert Contract.objects.count() == BudgetLine.objects.count() == 0


def test_a_file_that_is_not_json_is_refused_on_the_page(finance, login_client):
    upload = SimpleUploadedFile("contract.json", b"code,title\r\nX,Y\r\n")
    response = login_client(finance).post(reverse("finance-contract-upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0] == (
        "contract.json is not valid JSON: line 1, column 1: "
        "a value is missing here (text in double quotes, a number, true, false or null)."
    )
    assert Contract.objects.count() == 0


@pytest.mark.parametrize("persona", ["director", "auditor", "staff", "outsider"])
def test_only_finance_officers_may_load_contract_files(persona, personas, login_client, staff_member):
    response = login_client(personas[persona]).post(
        reverse("finance-contract-upload"), {"file": contract_file(DOC)}
    )
    assert response.status_code == 404
    assert Contract.objects.count() == 0


def test_a_new_contract_takes_its_budget_from_the_uploaded_sheet(finance, login_client):
    data = dict(CONTRACT_FORM, budget_sheet=sheet(SHEET))
    response = login_client(finance).post(reverse("finance-contract-create"), data)
    assert response.status_code == 302
    contract = Contract.objects.get(code="JX-XF-2025-09")
    assert list(contract.budget_lines.values_list("code", "category", "amount")) == [
        ("P1", "personnel", Decimal("150000.00")),
        ("A1", "activities", Decimal("90000.00")),
        ("X1", "admin", Decimal("60000.00")),
    ]


def test_a_budget_sheet_with_bad_rows_lists_them_by_row_and_column_and_creates_nothing(finance, login_client):
    bad = [SHEET[0], "P1,人员经费,salaries,150000.00", "A1,服务活动,activities,abc", SHEET[3]]
    response = login_client(finance).post(
        reverse("finance-contract-create"), dict(CONTRACT_FORM, budget_sheet=sheet(bad))
    )
    assert response.status_code == 200
    errors = list(response.context["form"].non_field_errors())
    assert [e.split(":")[0] for e in errors] == ["row 2, column 类别", "row 3, column 金额"]
    assert Contract.objects.count() == BudgetLine.objects.count() == 0


def test_a_budget_sheet_that_does_not_add_up_to_the_total_creates_nothing(finance, login_client):
    response = login_client(finance).post(
        reverse("finance-contract-create"), dict(CONTRACT_FORM, total="1000.00", budget_sheet=sheet(SHEET))
    )
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        "The budget lines add up to 300000.00, not the contract total 1000.00."
    ]
    assert Contract.objects.count() == 0


def test_a_sheet_uploaded_on_an_existing_contract_waits_as_a_proposed_revision(
    finance, login_client, contract
):
    moved = [SHEET[0], SHEET[1], "A1,服务活动,activities,80000.00", "X1,行政管理,admin,70000.00"]
    data = dict(CONTRACT_FORM, code=contract.code, title=contract.title, budget_sheet=sheet(moved))
    response = login_client(finance).post(reverse("finance-contract-update", args=[contract.pk]), data)
    assert response.status_code == 302
    revision = BudgetRevision.objects.get(contract=contract)
    assert (revision.status, revision.source) == ("proposed", "file")
    assert {i.budget_line.code: i.delta for i in revision.lines.all()} == {
        "A1": Decimal("-10000.00"),
        "X1": Decimal("10000.00"),
    }
    # Nothing moves until a director approves.
    assert contract.budget_lines.get(code="A1").approved_amount == Decimal("90000.00")


def test_a_budget_sheet_is_kept_as_an_import_batch_of_its_contract(finance, login_client):
    response = login_client(finance).post(
        reverse("finance-contract-create"), dict(CONTRACT_FORM, budget_sheet=sheet(SHEET, "预算表.csv"))
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.target, batch.file_name, batch.status, batch.row_count) == (
        "budget_sheet",
        "JX-XF-2025-09",
        "预算表.csv",
        "imported",
        3,
    )
    assert batch.summary == {"lines": 3, "total": "300000.00", "revision": None}
    assert batch.created_by == finance


def test_the_same_budget_sheet_twice_on_one_contract_is_refused_as_a_repeat_and_changes_nothing(
    finance, login_client, contract
):
    client = login_client(finance)
    moved = [SHEET[0], SHEET[1], "A1,服务活动,activities,80000.00", "X1,行政管理,admin,70000.00"]
    url = reverse("finance-contract-update", args=[contract.pk])
    data = dict(CONTRACT_FORM, code=contract.code, title=contract.title)
    assert client.post(url, dict(data, budget_sheet=sheet(moved))).status_code == 302
    response = client.post(url, dict(data, title="A new title", budget_sheet=sheet(moved, "again.csv")))
    assert response.status_code == 200
    errors = list(response.context["form"].non_field_errors())
    assert len(errors) == 1
    assert errors[0].startswith("This file was already imported on ")
    assert errors[0].endswith(
        f"(as budget.csv, import {ImportBatch.objects.get().pk}); a file is imported only once."
    )
    assert BudgetRevision.objects.filter(contract=contract).count() == 1
    # The refused sheet takes the heading change back with it.
    contract.refresh_from_db()
    assert contract.title != "A new title"


def test_a_rejected_budget_sheet_leaves_the_contract_heading_unchanged(finance, login_client, contract):
    unbalanced = [SHEET[0], SHEET[1], "A1,服务活动,activities,10.00", SHEET[3]]
    data = dict(CONTRACT_FORM, code=contract.code, title="Renamed", budget_sheet=sheet(unbalanced))
    response = login_client(finance).post(reverse("finance-contract-update", args=[contract.pk]), data)
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        "The budget lines add up to 210010.00, not the contract total 300000.00."
    ]
    contract.refresh_from_db()
    assert contract.title != "Renamed"
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("rows", [5, 50])
def test_the_ledger_page_costs_the_same_queries_for_5_or_50_rows(
    rows, finance, login_client, contract, staff_member, django_assert_num_queries
):
    lines = list(contract.budget_lines.all())
    for i in range(rows):
        ExpenditureFactory(
            budget_line=lines[i % 3], amount=Decimal(i + 1), staff=staff_member, created_by=finance
        )
    client = login_client(finance)
    client.get(reverse("finance-ledger"))  # warm the session
    # The totals of the rows come from the contracts' running totals; the page is a keyset
    # page (no COUNT(*) of the ledger).
    with django_assert_num_queries(9):
        response = client.get(reverse("finance-ledger") + "?sort=-amount")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows
