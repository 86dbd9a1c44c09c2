"""Field-level limits on what a staff member can change, and concurrent triage of one flag."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.flags.services import flag_add_evidence, flag_set_status, flags_scan_contract
from finance.models import Expenditure, Flag, FlagEvent
from staff.models import StaffMember
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory, evidence_pdf
from training.models import TrainingRecord


@pytest.fixture
def finance_setup(agency):
    contract = ContractFactory(agency=agency, code="JX-SEC-01", total=Decimal("100000.00"))
    line = BudgetLineFactory(contract=contract, code="A1", category="activities", amount=Decimal("100000.00"))
    expenditure = ExpenditureFactory(
        budget_line=line, amount=Decimal("1500.00"), payment_method="cash", voucher_no="V-1", invoice_no="9"
    )
    return contract, expenditure


@pytest.mark.django_db
def test_a_staff_member_cannot_patch_their_own_roster_record(personas, staff_member, login_api):
    response = login_api(personas["staff"]).patch(
        f"/api/v1/staff/{staff_member.pk}/", {"name": "Someone else", "position": "主任"}, format="json"
    )
    assert response.status_code == 403
    staff_member.refresh_from_db()
    assert (staff_member.name, staff_member.position) == ("李社工", "一线社工")


@pytest.mark.django_db
def test_a_staff_member_cannot_patch_another_persons_record(personas, other_staff_member, login_api):
    response = login_api(personas["staff"]).patch(
        f"/api/v1/staff/{other_staff_member.pk}/", {"name": "Changed"}, format="json"
    )
    assert response.status_code == 404
    assert StaffMember.objects.get(pk=other_staff_member.pk).name == "王社工"


@pytest.mark.django_db
def test_a_staff_member_cannot_approve_their_own_submitted_training(personas, staff_member, login_api):
    client = login_api(personas["staff"])
    created = client.post(
        "/api/v1/training-records/",
        {"date": "2025-03-05", "title": "儿童保护线上课程", "hours": "6.5", "provider": "省社工协会"},
        format="json",
    )
    assert created.status_code == 201, created.content
    record = TrainingRecord.objects.get(pk=created.json()["id"])
    assert record.status == "pending"
    client.patch(
        f"/api/v1/training-records/{record.pk}/", {"status": "approved", "hours": "60"}, format="json"
    )
    approve = client.post(f"/api/v1/training-records/{record.pk}/approve/", {}, format="json")
    assert approve.status_code in (403, 404)
    record.refresh_from_db()
    assert (record.status, record.hours) == ("pending", Decimal("6.5"))


@pytest.mark.django_db
def test_no_non_finance_role_can_change_an_expenditure(personas, finance_setup, login_api):
    _contract, expenditure = finance_setup
    for persona in ("director", "supervisor", "staff", "auditor", "outsider"):
        response = login_api(personas[persona]).patch(
            f"/api/v1/finance/expenditures/{expenditure.pk}/", {"amount": "1.00"}, format="json"
        )
        assert response.status_code in (403, 404, 405), persona
        void = login_api(personas[persona]).post(
            f"/api/v1/finance/expenditures/{expenditure.pk}/void/", {"reason": "x"}, format="json"
        )
        assert void.status_code in (403, 404), persona
    expenditure.refresh_from_db()
    assert (expenditure.amount, expenditure.status) == (Decimal("1500.00"), Expenditure.Status.POSTED)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_triage_of_one_flag_keeps_every_note(finance_setup, finance, director):
    contract, _expenditure = finance_setup
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(rule="CASH_LIMIT")
    # Explaining needs evidence (flag-rules.md): the receipt is attached before the two decide.
    flag_add_evidence(flag=flag, user=finance, file=evidence_pdf("receipt.pdf"))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def triage(user, status, note):
        try:
            barrier.wait()
            flag_set_status(flag=Flag.objects.get(pk=flag.pk), user=user, status=status, note=note)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection (CONN_MAX_AGE would keep it open)

    threads = [
        threading.Thread(target=triage, args=(finance, "explained", "receipt found in the March folder")),
        threading.Thread(
            target=triage, args=(director, "confirmed", "cash above the limit, to be corrected")
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    notes = sorted(FlagEvent.objects.filter(flag=flag, kind="status").values_list("note", flat=True))
    assert notes == ["cash above the limit, to be corrected", "receipt found in the March folder"]
    flag.refresh_from_db()
    assert flag.status in ("explained", "confirmed")
    assert flag.note in notes
