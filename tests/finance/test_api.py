"""The finance API for disbursements, staff assignments and ledger imports, role by role (roles.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import ImportBatch
from finance.models import Disbursement, Expenditure, StaffAssignment
from finance.services import ledger_import
from tests.finance.factories import AssignmentFactory, DisbursementFactory

ALL = ("director", "finance", "supervisor", "staff", "auditor", "outsider")
LEDGER = "date,amount,budget_line,payee,description,voucher_no\r\n2025-03-05,100.00,A1,店,纸,V-1\r\n".encode()


@pytest.fixture
def money(contract, other_contract, outsider_contract, staff_member, outsider_member):
    """One disbursement (besides the contract fixture's) and one assignment on each contract."""
    DisbursementFactory(contract=other_contract, amount=Decimal("500.00"), reference="other")
    DisbursementFactory(contract=outsider_contract, amount=Decimal("700.00"), reference="outsider")
    AssignmentFactory(contract=contract, staff=staff_member)
    AssignmentFactory(contract=other_contract, staff=staff_member, fte=Decimal("0.50"))
    AssignmentFactory(contract=outsider_contract, staff=outsider_member)


# What each persona lists: contract codes of the disbursements and assignments they see.
SEEN = {
    "director": ["JX-XF-2025-01", "JX-XF-2025-02"],
    "finance": ["JX-XF-2025-01", "JX-XF-2025-02"],
    "auditor": ["JX-XF-2025-01"],
    "outsider": ["AY-2025-01"],
}


def _codes(response, contracts) -> list[str]:
    by_pk = {c.pk: c.code for c in contracts}
    return sorted(by_pk[row["contract"]] for row in response.json()["results"])


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("endpoint", ["disbursements", "assignments"])
def test_each_role_lists_only_the_money_and_staffing_it_may_read(
    persona, endpoint, personas, login_api, money, granted, contract, other_contract, outsider_contract
):
    response = login_api(personas[persona]).get(f"/api/v1/finance/{endpoint}/")
    if persona in SEEN:
        assert response.status_code == 200
        assert _codes(response, [contract, other_contract, outsider_contract]) == SEEN[persona]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", ALL)
def test_details_of_records_one_may_not_read_are_404(
    persona, personas, login_api, money, granted, other_contract
):
    disbursement = Disbursement.objects.get(contract=other_contract)
    assignment = StaffAssignment.objects.get(contract=other_contract)
    client = login_api(personas[persona])
    expected = {"director": 200, "finance": 200, "auditor": 404, "outsider": 404}.get(persona, 403)
    assert client.get(f"/api/v1/finance/disbursements/{disbursement.pk}/").status_code == expected
    assert client.get(f"/api/v1/finance/assignments/{assignment.pk}/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("finance", 201),
        ("director", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 403),
    ],
)
def test_only_finance_officers_record_disbursements(persona, status, personas, login_api, contract, granted):
    response = login_api(personas[persona]).post(
        "/api/v1/finance/disbursements/",
        {"contract": contract.pk, "date": "2025-07-15", "amount": "90000.00", "reference": "second tranche"},
        format="json",
    )
    assert response.status_code == status, response.content
    assert Disbursement.objects.filter(contract=contract).count() == (2 if status == 201 else 1)


def test_a_disbursement_must_be_positive_and_answers_the_error_shape(finance, login_api, contract):
    response = login_api(finance).post(
        "/api/v1/finance/disbursements/",
        {"contract": contract.pk, "date": "2025-07-15", "amount": "-5.00"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "The request is invalid: A disbursement must be greater than zero."
    assert error["fields"] == {"non_field_errors": ["A disbursement must be greater than zero."]}
    assert Disbursement.objects.filter(contract=contract).count() == 1


def test_a_finance_officer_cannot_record_money_on_another_agencys_contract(
    finance, login_api, outsider_contract
):
    response = login_api(finance).post(
        "/api/v1/finance/disbursements/",
        {"contract": outsider_contract.pk, "date": "2025-07-15", "amount": "5.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "contract" in response.json()["error"]["fields"]
    assert Disbursement.objects.filter(contract=outsider_contract).count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("finance", 201),
        ("director", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 403),
    ],
)
def test_only_finance_officers_assign_staff(
    persona, status, personas, login_api, contract, staff_member, granted
):
    response = login_api(personas[persona]).post(
        "/api/v1/finance/assignments/",
        {
            "contract": contract.pk,
            "staff": staff_member.pk,
            "start": "2025-02-01",
            "end": "2025-06-30",
            "fte": "0.5",
        },
        format="json",
    )
    assert response.status_code == status, response.content
    assert StaffAssignment.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["staff_no"] == "S200"


def test_an_assignment_outside_the_contract_period_is_refused(finance, login_api, contract, staff_member):
    response = login_api(finance).post(
        "/api/v1/finance/assignments/",
        {
            "contract": contract.pk,
            "staff": staff_member.pk,
            "start": "2024-12-01",
            "end": "2025-06-30",
            "fte": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert (
        response.json()["error"]["message"]
        == "The request is invalid: The assignment must lie inside the contract period."
    )
    assert StaffAssignment.objects.count() == 0


def test_another_agencys_staff_member_cannot_be_assigned(finance, login_api, contract, outsider_member):
    response = login_api(finance).post(
        "/api/v1/finance/assignments/",
        {
            "contract": contract.pk,
            "staff": outsider_member.pk,
            "start": "2025-02-01",
            "end": "2025-06-30",
            "fte": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "staff" in response.json()["error"]["fields"]


def test_a_finance_officer_changes_an_assignments_fte(finance, login_api, contract, staff_member):
    assignment = AssignmentFactory(contract=contract, staff=staff_member)
    response = login_api(finance).patch(
        f"/api/v1/finance/assignments/{assignment.pk}/", {"fte": "0.75"}, format="json"
    )
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.fte == Decimal("0.75")


@pytest.fixture
def batches(contract, outsider_contract, finance, outsider):
    ledger_import(contract=contract, data=LEDGER, filename="march.csv", user=finance)
    bad = b"date,amount,budget_line,payee,description\r\n2025-03-05,1.00,Z9,S,P\r\n2025-02-30,1.00,A1,S,P\r\n"
    ledger_import(contract=contract, data=bad, filename="bad.csv", user=finance)
    ledger_import(contract=outsider_contract, data=LEDGER, filename="theirs.csv", user=outsider)


@pytest.mark.parametrize("persona", ALL)
def test_each_role_lists_only_its_agencys_ledger_imports(
    persona, personas, login_api, batches, granted, other_contract, finance
):
    ledger_import(contract=other_contract, data=LEDGER, filename="not-granted.csv", user=finance)
    response = login_api(personas[persona]).get("/api/v1/finance/imports/")
    expected = {
        "director": ["bad.csv", "march.csv", "not-granted.csv"],
        "finance": ["bad.csv", "march.csv", "not-granted.csv"],
        # The auditor holds a grant on ``contract`` only.
        "auditor": ["bad.csv", "march.csv"],
        "outsider": ["theirs.csv"],
    }
    if persona in expected:
        assert response.status_code == 200
        assert sorted(b["file_name"] for b in response.json()["results"]) == expected[persona]
    else:
        assert response.status_code == 403


def test_an_import_of_another_agency_is_404(finance, login_api, batches):
    theirs = ImportBatch.objects.get(file_name="theirs.csv")
    assert login_api(finance).get(f"/api/v1/finance/imports/{theirs.pk}/").status_code == 404


def test_a_refused_import_keeps_its_errors_for_the_finance_officer(finance, login_api, batches):
    bad = ImportBatch.objects.get(file_name="bad.csv")
    body = login_api(finance).get(f"/api/v1/finance/imports/{bad.pk}/").json()
    assert body["status"] == "failed"
    assert body["row_count"] == 2
    assert [e["text"] for e in body["errors"]] == [
        'row 2, column budget_line: "Z9" is not the code or the name of a budget line of JX-XF-2025-01',
        'row 3, column date: "2025-02-30" is not a real date (no such day in the calendar)',
    ]


def _upload(client, contract_code, data=LEDGER, dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/finance/imports/upload/",
        {
            "contract": contract_code,
            "file": SimpleUploadedFile("l.csv", data),
            "dry_run": str(dry_run).lower(),
        },
        format="multipart",
    )


def test_a_finance_officer_checks_then_imports_a_ledger_through_the_api(finance, login_api, contract):
    client = login_api(finance)
    dry = _upload(client, contract.code, dry_run=True)
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert Expenditure.objects.count() == 0 and ImportBatch.objects.count() == 0
    done = _upload(client, contract.code)
    assert done.status_code == 200
    assert done.json()["summary"] == {"rows": 1, "amount": "100.00", "new_total": "100.00"}
    assert Expenditure.objects.get().import_batch_id == done.json()["batch"]
    again = _upload(client, contract.code)
    assert again.status_code == 400 and "already imported" in again.json()["errors"][0]["message"]


@pytest.mark.parametrize("persona", ["director", "auditor", "supervisor", "staff", "outsider"])
def test_only_finance_officers_upload_ledgers(persona, personas, login_api, contract, granted):
    response = _upload(login_api(personas[persona]), contract.code)
    assert response.status_code == 403
    assert Expenditure.objects.count() == 0


def test_a_finance_officer_cannot_import_into_another_agencys_contract(finance, login_api, outsider_contract):
    response = _upload(login_api(finance), outsider_contract.code)
    assert response.status_code == 400
    assert Expenditure.objects.count() == 0
