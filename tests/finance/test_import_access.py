"""Who reads which ledger and bank-statement imports (docs/roles.md: expenditures, imports and
bank reconciliation are read by the director and the finance officer, and by an auditor only for
the contracts granted to them), on the import's page, the home panel, the inbox and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import ImportBatch
from finance.panels import contracts_panel
from finance.selectors import finance_imports_for
from finance.services import ledger_import
from overview.inbox import inbox_for

BAD_LEDGER = "日期,金额,预算科目,收款方,摘要,凭证号\r\n2025-03-05,800.00,Z9,店,纸,G-1\r\n".encode()


@pytest.fixture
def refused(contract, other_contract, finance, granted):
    """A refused ledger file on the granted contract and one on the contract not granted."""
    mine = ledger_import(contract=contract, data=BAD_LEDGER, filename="granted.csv", user=finance).batch
    theirs = ledger_import(
        contract=other_contract, data=BAD_LEDGER.replace(b"G-1", b"G-2"), filename="secret.csv", user=finance
    ).batch
    assert ImportBatch.objects.filter(status=ImportBatch.Status.FAILED).count() == 2
    return mine, theirs


@pytest.mark.parametrize(
    ("role", "sees"),
    [("director", 2), ("finance", 2), ("auditor", 1), ("supervisor", 0), ("staff_user", 0), ("outsider", 0)],
)
def test_each_role_reads_the_imports_its_contracts_allow(role, sees, refused, request):
    user = request.getfixturevalue(role)
    visible = set(finance_imports_for(user).values_list("pk", flat=True))
    assert len(visible) == sees
    if role == "auditor":
        assert visible == {refused[0].pk}


@pytest.mark.parametrize(
    ("role", "granted_status", "other_status"),
    [
        ("director", 200, 200),
        ("finance", 200, 200),
        ("auditor", 200, 404),
        ("supervisor", 404, 404),
        ("staff_user", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_an_import_page_opens_only_for_who_may_read_its_contract(
    role, granted_status, other_status, refused, login_client, request
):
    client = login_client(request.getfixturevalue(role))
    mine, theirs = refused
    assert client.get(reverse("finance-import-detail", args=[mine.pk])).status_code == granted_status
    response = client.get(reverse("finance-import-detail", args=[theirs.pk]))
    assert response.status_code == other_status
    if other_status == 404:
        assert "secret.csv" not in response.content.decode()


def test_the_auditors_home_panel_lists_only_the_granted_contracts_imports(refused, auditor, rf):
    request = rf.get("/")
    request.user = auditor
    panel = contracts_panel(request)
    assert [batch.file_name for batch in panel["imports"]] == ["granted.csv"]


def test_refused_imports_wait_in_the_inbox_of_those_who_import_not_the_auditors(
    refused, auditor, finance, director
):
    assert "imports" not in {item.key for item in inbox_for(auditor)}  # its link is the upload page
    assert {item.key: item.count for item in inbox_for(finance)}["imports"] == 2
    assert {item.key: item.count for item in inbox_for(director)}["imports"] == 2


def test_the_api_lists_the_same_imports_as_the_pages(refused, auditor, finance, login_client):
    url = "/api/v1/finance/imports/"
    listed = login_client(auditor).get(url).json()
    names = [row["file_name"] for row in listed.get("results", listed)]
    assert names == ["granted.csv"]
    listed = login_client(finance).get(url).json()
    assert sorted(row["file_name"] for row in listed.get("results", listed)) == ["granted.csv", "secret.csv"]


@pytest.mark.parametrize(
    ("role", "link", "form"),
    [("director", True, False), ("finance", True, True), ("auditor", False, False)],
)
def test_every_link_from_a_refused_import_opens_for_who_follows_it(
    role, link, form, refused, login_client, request
):
    """The director's inbox item leads to the import pages: none of them may end in a 404."""
    client = login_client(request.getfixturevalue(role))
    mine, _theirs = refused
    detail = client.get(reverse("finance-import-detail", args=[mine.pk])).content.decode()
    assert (f'href="{reverse("finance-import")}"' in detail) is link
    for item in inbox_for(request.getfixturevalue(role)):
        assert client.get(item.url).status_code == 200, item.url
    if link:
        page = client.get(reverse("finance-import"))
        assert page.status_code == 200
        assert "granted.csv" in page.content.decode() and "secret.csv" in page.content.decode()
        assert ('enctype="multipart/form-data"' in page.content.decode()) is form


def test_a_director_may_read_the_import_page_but_not_upload(refused, director, contract, login_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login_client(director).post(
        reverse("finance-import"), {"contract": contract.pk, "file": SimpleUploadedFile("l.csv", BAD_LEDGER)}
    )
    assert response.status_code == 404
    assert ImportBatch.objects.count() == 2
