"""Who may read and write finance records (roles.md), through the API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from finance.models import AuditorGrant, Contract, Expenditure
from finance.services import auditor_grant, auditor_revoke
from tests.finance.factories import ExpenditureFactory

ALL = ("director", "finance", "supervisor", "staff", "auditor", "outsider")


@pytest.fixture
def ledger_rows(contract, other_contract, outsider_contract):
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), voucher_no="V-1")
    ExpenditureFactory(budget_line=other_contract.budget_lines.get(), voucher_no="V-2")
    ExpenditureFactory(budget_line=outsider_contract.budget_lines.get(), voucher_no="V-3")


EXPECTED_CONTRACTS = {
    "director": ["JX-XF-2025-01", "JX-XF-2025-02"],
    "finance": ["JX-XF-2025-01", "JX-XF-2025-02"],
    "auditor": ["JX-XF-2025-01"],
    "outsider": ["AY-2025-01"],  # a director of the other agency sees only that agency's contract
}
EXPECTED_VOUCHERS = {
    "director": ["V-1", "V-2"],
    "finance": ["V-1", "V-2"],
    "auditor": ["V-1"],
    "outsider": ["V-3"],
}


@pytest.mark.parametrize("persona", ALL)
def test_contract_and_ledger_lists_show_only_what_each_role_may_read(
    persona, personas, login_api, ledger_rows, granted
):
    client = login_api(personas[persona])
    response = client.get("/api/v1/finance/contracts/")
    if persona in EXPECTED_CONTRACTS:
        assert response.status_code == 200
        assert sorted(c["code"] for c in response.json()["results"]) == EXPECTED_CONTRACTS[persona]
        vouchers = sorted(
            e["voucher_no"] for e in client.get("/api/v1/finance/expenditures/").json()["results"]
        )
        assert vouchers == EXPECTED_VOUCHERS[persona]
    else:
        assert response.status_code in (403, 200)
        assert response.status_code == 403 or response.json()["results"] == []


@pytest.mark.parametrize("persona", ALL)
def test_contract_detail_is_404_for_those_who_may_not_see_it(
    persona, personas, login_api, login_client, contract, other_contract, granted
):
    api = login_api(personas[persona])
    page = login_client(personas[persona])
    visible = persona in ("director", "finance", "auditor")
    assert api.get(f"/api/v1/finance/contracts/{contract.pk}/").status_code == (
        200 if visible else 404 if persona != "supervisor" and persona != "staff" else 403
    )
    assert page.get(reverse("finance-contract-detail", args=[contract.pk])).status_code == (
        200 if visible else 404
    )
    # The contract not granted to the auditor is 404 for them too.
    expected_other = 200 if persona in ("director", "finance") else 404
    assert (
        page.get(reverse("finance-contract-detail", args=[other_contract.pk])).status_code == expected_other
    )


def test_outsider_gets_404_on_the_agency_contract_and_expenditure(outsider, login_api, contract, ledger_rows):
    client = login_api(outsider)
    exp = Expenditure.objects.get(voucher_no="V-1")
    assert client.get(f"/api/v1/finance/contracts/{contract.pk}/").status_code == 404
    assert client.get(f"/api/v1/finance/expenditures/{exp.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("finance", 201), ("director", 403), ("auditor", 403), ("staff", 403), ("outsider", 403)],
)
def test_only_finance_officers_post_expenditures(persona, status, personas, login_api, contract, granted):
    line = contract.budget_lines.get(code="A1")
    response = login_api(personas[persona]).post(
        "/api/v1/finance/expenditures/",
        {
            "contract": contract.pk,
            "budget_line": line.pk,
            "date": "2025-03-01",
            "amount": "100.00",
            "payee": "店",
            "description": "纸",
        },
        format="json",
    )
    assert response.status_code in ((status,) if status != 403 else (403, 400)), response.content
    assert Expenditure.objects.count() == (1 if status == 201 else 0)


def test_expenditures_cannot_be_deleted_only_voided(finance, login_api, contract):
    exp = ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"))
    client = login_api(finance)
    assert client.delete(f"/api/v1/finance/expenditures/{exp.pk}/").status_code == 405
    response = client.post(
        f"/api/v1/finance/expenditures/{exp.pk}/void/", {"reason": "duplicate"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "void"
    assert (
        client.post(
            f"/api/v1/finance/expenditures/{exp.pk}/void/", {"reason": "x"}, format="json"
        ).status_code
        == 400
    )


def test_stop_overspend_through_the_api_answers_400_with_the_error_shape(finance, login_api, contract):
    contract.policy = {"overspend_action": "stop"}
    contract.save()
    line = contract.budget_lines.get(code="A1")
    response = login_api(finance).post(
        "/api/v1/finance/expenditures/",
        {
            "contract": contract.pk,
            "budget_line": line.pk,
            "date": "2025-03-01",
            "amount": "90000.01",
            "payee": "店",
            "description": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]


def test_only_directors_approve_revisions_through_the_api(finance, director, login_api, contract):
    response = login_api(finance).post(
        "/api/v1/finance/revisions/",
        {"contract": contract.pk, "reason": "shift", "deltas": {"A1": "1000.00", "X1": "-1000.00"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert login_api(finance).post(f"/api/v1/finance/revisions/{pk}/approve/").status_code == 403
    assert login_api(director).post(f"/api/v1/finance/revisions/{pk}/approve/").status_code == 200
    assert contract.budget_lines.get(code="A1").approved_amount == Decimal("91000.00")


def test_auditor_loses_access_on_revoke(auditor, director, login_api, contract, granted):
    client = login_api(auditor)
    assert client.get(f"/api/v1/finance/contracts/{contract.pk}/").status_code == 200
    auditor_revoke(grant=granted, revoked_by=director)
    assert client.get(f"/api/v1/finance/contracts/{contract.pk}/").status_code == 404
    assert Contract.objects.for_user(auditor).count() == 0


def test_auditor_loses_access_after_expiry(auditor, director, contract):
    grant = auditor_grant(
        contract=contract, auditor=auditor, granted_by=director, expires_on=timezone.localdate()
    )
    assert Contract.objects.for_user(auditor).count() == 1
    AuditorGrant.objects.filter(pk=grant.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert Contract.objects.for_user(auditor).count() == 0
    assert Expenditure.objects.for_user(auditor).count() == 0


def test_director_manages_grants_on_the_page_and_finance_cannot(
    director, finance, auditor, login_client, contract
):
    url = reverse("finance-grants", args=[contract.pk])
    assert login_client(finance).get(url).status_code == 403
    response = login_client(director).post(url, {"auditor": auditor.pk, "expires_on": ""})
    assert response.status_code == 302
    assert Contract.objects.for_user(auditor).count() == 1


def test_ledger_page_lists_with_a_fixed_number_of_queries(
    finance, login_client, contract, django_assert_max_num_queries
):
    line = contract.budget_lines.get(code="A1")
    for i in range(30):
        ExpenditureFactory(budget_line=line, amount=Decimal(i + 1))
    client = login_client(finance)
    client.get(reverse("finance-ledger"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("finance-ledger") + "?line=A1&sort=-amount")
    assert response.status_code == 200
    assert response.content.decode().count('class="badge ok"') == 30


def test_pages_render_for_finance(finance, login_client, contract):
    client = login_client(finance)
    for name, args in [
        ("finance-contract-list", []),
        ("finance-contract-detail", [contract.pk]),
        ("finance-contract-create", []),
        ("finance-contract-update", [contract.pk]),
        ("finance-expenditure-add", [contract.pk]),
        ("finance-revision-propose", [contract.pk]),
        ("finance-import", []),
        ("finance-ledger", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_ledger_import_page_previews_then_imports(finance, login_client, contract):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_client(finance)
    data = (
        "date,amount,budget_line,payee,description,voucher_no\r\n2025-03-05,100.00,A1,店,纸,V-1\r\n".encode()
    )
    response = client.post(
        reverse("finance-import"), {"contract": contract.code, "file": SimpleUploadedFile("l.csv", data)}
    )
    assert response.status_code == 200 and Expenditure.objects.count() == 0
    token = response.context["token"]
    response = client.post(
        reverse("finance-import"),
        {"confirm": "1", "token": token, "contract_code": contract.code, "file_name": "l.csv"},
    )
    assert response.status_code == 302 and Expenditure.objects.count() == 1
