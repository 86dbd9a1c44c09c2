"""Who may read and triage flags (roles.md): directors and finance officers read and triage,
auditors read flags of granted contracts only, everyone else sees nothing, and no one sees
another agency's flags."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

import finance.flags.api
import finance.flags.panels  # noqa: F401
from finance.flags.services import flags_scan_contract
from finance.models import Flag
from tests.finance.factories import ExpenditureFactory

LIST = "/api/v1/finance/flags/"


def _expense(contract, **kw):
    defaults = {"amount": Decimal("500.00"), "invoice_no": "INV-1", "payment_method": "bank"}
    defaults.update(kw)
    return ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), **defaults)


@pytest.fixture
def flags(contract, other_contract, outsider_contract, granted, personas):
    _expense(contract, voucher_no="V-1", invoice_no="DUP", date=dt.date(2025, 3, 5))
    _expense(contract, voucher_no="V-2", invoice_no="DUP", date=dt.date(2025, 4, 9))
    _expense(other_contract, voucher_no="W-1", date=dt.date(2025, 3, 8))  # a Saturday
    _expense(outsider_contract, voucher_no="O-1", date=dt.date(2025, 3, 8))
    for c in (contract, other_contract, outsider_contract):
        flags_scan_contract(contract=c)
    return {
        "granted": Flag.objects.get(contract=contract),
        "other": Flag.objects.get(contract=other_contract),
        "outsider": Flag.objects.get(contract=outsider_contract),
    }


VISIBLE = {
    "director": {"granted", "other"},
    "finance": {"granted", "other"},
    "auditor": {"granted"},
    "outsider": {"outsider"},
}


@pytest.mark.parametrize("persona", ["director", "finance", "auditor", "supervisor", "staff", "outsider"])
def test_flag_list_shows_each_role_exactly_what_it_may_read(persona, personas, flags, login_api):
    response = login_api(personas[persona]).get(LIST)
    if persona not in VISIBLE:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {flags[name].pk for name in VISIBLE[persona]}


@pytest.mark.parametrize("persona", ["director", "finance", "auditor", "supervisor", "staff", "outsider"])
@pytest.mark.parametrize("which", ["granted", "other"])
def test_flag_detail_is_404_for_flags_one_may_not_read(persona, which, personas, flags, login_api):
    response = login_api(personas[persona]).get(f"{LIST}{flags[which].pk}/")
    if persona in ("supervisor", "staff"):
        assert response.status_code == 403
    elif which in VISIBLE[persona]:
        assert response.status_code == 200
        assert response.json()["rule"] == flags[which].rule
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 200),
        ("auditor", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("outsider", 404),
    ],
)
def test_only_directors_and_finance_officers_triage(persona, expected, personas, flags, login_api):
    flag = flags["granted"]
    response = login_api(personas[persona]).post(
        f"{LIST}{flag.pk}/triage/", {"status": "dismissed", "note": "Known supplier re-issue."}, format="json"
    )
    assert response.status_code == expected
    flag.refresh_from_db()
    assert flag.status == ("dismissed" if expected == 200 else "open")
    if expected == 200:
        assert response.json()["events"][-1]["note"] == "Known supplier re-issue."


def test_triage_without_a_note_is_refused_with_the_api_error_shape(personas, flags, login_api):
    response = login_api(personas["finance"]).post(
        f"{LIST}{flags['granted'].pk}/triage/", {"status": "dismissed"}, format="json"
    )
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]


def test_explaining_through_the_api_without_evidence_is_refused_naming_the_field(personas, flags, login_api):
    flag = flags["granted"]
    response = login_api(personas["finance"]).post(
        f"{LIST}{flag.pk}/triage/", {"status": "explained", "note": "see invoice"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["evidence"]
    flag.refresh_from_db()
    assert flag.status == "open"


def test_explaining_on_the_page_without_evidence_says_to_attach_it(personas, flags, login_client):
    flag = flags["granted"]
    response = login_client(personas["finance"]).post(
        reverse("finance-flag-triage", args=[flag.pk]), {"status": "explained", "note": "see invoice"}
    )
    assert response.status_code == 200
    assert "Attach the evidence" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"


def test_assign_a_flag_to_the_director_and_back_to_nobody(personas, flags, login_api):
    client = login_api(personas["finance"])
    flag = flags["granted"]
    assert (
        client.post(
            f"{LIST}{flag.pk}/assign/", {"assignee": "alice", "note": "please look"}, format="json"
        ).status_code
        == 200
    )
    flag.refresh_from_db()
    assert flag.assignee == personas["director"]
    assert client.post(f"{LIST}{flag.pk}/assign/", {"assignee": "erin"}, format="json").status_code == 400
    assert client.post(f"{LIST}{flag.pk}/assign/", {"assignee": ""}, format="json").status_code == 200
    flag.refresh_from_db()
    assert flag.assignee is None


def test_evidence_is_checked_by_content(personas, flags, login_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_api(personas["finance"])
    url = f"{LIST}{flags['granted'].pk}/triage/"
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        url, {"status": "explained", "note": "see invoice", "evidence": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]
    real = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(
        url, {"status": "explained", "note": "see invoice", "evidence": real}, format="multipart"
    )
    assert response.status_code == 200
    assert [a["content_type"] for a in response.json()["attachments"]] == ["application/pdf"]


def test_flag_list_query_count_is_fixed(personas, flags, login_api, django_assert_num_queries):
    client = login_api(personas["director"])
    client.get(LIST)
    with django_assert_num_queries(2):
        client.get(LIST)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 200),
        ("auditor", 200),
        ("supervisor", 404),
        ("staff", 404),
        ("outsider", 200),
    ],
)
def test_flag_queue_page(persona, expected, personas, flags, login_client):
    response = login_client(personas[persona]).get(reverse("finance-flag-list"))
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert ("Invoice DUP" in body) == (persona in ("director", "finance", "auditor"))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 200),
        ("auditor", 404),
        ("supervisor", 404),
        ("staff", 404),
        ("outsider", 404),
    ],
)
def test_flag_detail_page_of_a_flag_on_a_contract_not_granted(
    persona, expected, personas, flags, login_client
):
    response = login_client(personas[persona]).get(reverse("finance-flag-detail", args=[flags["other"].pk]))
    assert response.status_code == expected


def test_triage_page_flow_and_contract_summary(personas, flags, login_client, contract):
    client = login_client(personas["finance"])
    flag = flags["granted"]
    response = client.post(
        reverse("finance-flag-triage", args=[flag.pk]), {"status": "dismissed", "note": ""}
    )
    assert response.status_code == 200
    assert "a note is required" in response.content.decode()
    response = client.post(
        reverse("finance-flag-triage", args=[flag.pk]), {"status": "dismissed", "note": "ok"}
    )
    assert response.status_code == 302
    summary = client.get(reverse("finance-flag-contract", args=[contract.pk]))
    assert summary.status_code == 200
    assert "DUPLICATE_INVOICE" in summary.content.decode()


def test_auditor_cannot_triage_through_the_pages(personas, flags, login_client):
    client = login_client(personas["auditor"])
    flag = flags["granted"]
    assert client.get(reverse("finance-flag-detail", args=[flag.pk])).status_code == 200
    response = client.post(
        reverse("finance-flag-triage", args=[flag.pk]), {"status": "dismissed", "note": "x"}
    )
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == "open"


def test_bulk_dismiss_with_a_note(personas, flags, login_client):
    client = login_client(personas["director"])
    ids = [flags["granted"].pk, flags["other"].pk, flags["outsider"].pk]
    response = client.post(
        reverse("finance-flag-bulk"), {"flags": ids, "action": "dismiss", "note": "reviewed"}
    )
    assert response.status_code == 302
    assert sorted(Flag.objects.values_list("status", flat=True)) == ["dismissed", "dismissed", "open"]


def test_policy_page_shows_defaults_and_saving_rescans(
    personas, flags, login_client, contract, django_capture_on_commit_callbacks
):
    client = login_client(personas["finance"])
    url = reverse("finance-contract-policy", args=[contract.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The default in its unit, with thousands separators (it was "Default: 1000.00").
    assert "Default: 1,000.00 yuan. In yuan. Used by: Cash payment over the limit." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"cash_limit": "100.00"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.policy == {"cash_limit": "100.00"}
    assert login_client(personas["auditor"]).post(url, {"cash_limit": "1"}).status_code == 404


def test_dashboard_panel_lists_open_flags_critical_first(personas, flags, login_client):
    body = login_client(personas["finance"]).get(reverse("home")).content.decode()
    assert "Open irregularity flags" in body
    assert body.index("Invoice DUP") < body.index("W-1")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/phish", "//evil.example/phish", "https:/\\evil.example", "javascript:alert(1)"],
)
def test_bulk_triage_never_follows_a_next_target_off_the_site(personas, flags, login_client, target):
    client = login_client(personas["director"])
    response = client.post(
        reverse("finance-flag-bulk"),
        {"flags": [flags["granted"].pk], "action": "dismiss", "note": "reviewed", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("finance-flag-list")


def test_bulk_triage_follows_a_next_target_on_the_site(personas, flags, login_client):
    client = login_client(personas["director"])
    response = client.post(
        reverse("finance-flag-bulk"),
        {
            "flags": [flags["granted"].pk],
            "action": "dismiss",
            "note": "reviewed",
            "next": "/finance/flags/?status=open",
        },
    )
    assert response["Location"] == "/finance/flags/?status=open"
