"""The scan against the database: stored flags, scan_flags output, re-scan and reopen."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from finance.flags.services import contract_policy_update, flag_set_status, flags_scan_contract
from finance.models import Flag, FlagEvent
from tests.finance.factories import ExpenditureFactory, evidence_pdf


def dup(contract, voucher, date, amount="930.00", invoice="04419823", payee="赣州文具店", line="A1"):
    return ExpenditureFactory(
        budget_line=contract.budget_lines.get(code=line),
        voucher_no=voucher,
        date=date,
        amount=Decimal(amount),
        invoice_no=invoice,
        payee=payee,
        payment_method="bank",
    )


def scan_json(**options) -> dict:
    out = io.StringIO()
    call_command("scan_flags", format="json", stdout=out, **options)
    return json.loads(out.getvalue())


@pytest.fixture
def duplicated(contract):
    a = dup(contract, "V-0107", dt.date(2025, 3, 5))
    b = dup(contract, "V-0388", dt.date(2025, 4, 9))
    return a, b


def test_scan_flags_json_has_exactly_the_shape_of_cli_md(agency, contract, duplicated):
    assert scan_json(contract="JX-XF-2025-01") == {
        "flags": [
            {
                "rule": "DUPLICATE_INVOICE",
                "severity": "critical",
                "contracts": ["JX-XF-2025-01"],
                "budget_line": None,
                "vouchers": ["V-0107", "V-0388"],
                "message": "Invoice 04419823 from 赣州文具店 is charged twice (2 expenditures, 1,860.00 in all)",
                "evidence": {"invoice_no": "04419823", "amounts": ["930.00", "930.00"]},
                "status": "open",
                "activities": [],
                "target": None,
            }
        ],
        "summary": {"critical": 1, "warning": 0, "info": 0},
    }
    flag = Flag.objects.get()
    assert set(flag.expenditures.all()) == set(duplicated)
    assert [e.kind for e in flag.events.all()] == ["raised"]


def test_a_rescan_never_duplicates_and_keeps_a_triaged_status(agency, contract, duplicated, finance):
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    flag_set_status(flag=flag, user=finance, status="dismissed", note="Entered twice; reversed in April.")
    result = flags_scan_contract(contract=contract)
    assert result.created == 0 and result.unchanged == 1 and result.reopened == 0
    assert Flag.objects.count() == 1
    assert scan_json()["flags"][0]["status"] == "dismissed"


def test_a_rescan_reopens_a_flag_whose_expenditures_changed(agency, contract, duplicated, finance):
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    flag_set_status(
        flag=flag,
        user=finance,
        status="explained",
        note="Two deliveries on one invoice.",
        evidence=evidence_pdf(),
    )
    third = dup(contract, "V-0400", dt.date(2025, 5, 7), amount="10.00")
    result = flags_scan_contract(contract=contract)
    flag.refresh_from_db()
    assert result.reopened == 1
    assert flag.status == "open"
    assert flag.vouchers == ["V-0107", "V-0388", "V-0400"]
    assert third in flag.expenditures.all()
    kinds = list(FlagEvent.objects.filter(flag=flag).values_list("kind", "from_status", "to_status"))
    assert kinds == [
        ("raised", "", "open"),
        ("status", "open", "explained"),
        ("evidence", "", ""),
        ("reopened", "explained", "open"),
    ]


def test_a_changed_amount_also_reopens(agency, contract, duplicated, finance):
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    flag_set_status(flag=flag, user=finance, status="confirmed")
    a, _b = duplicated
    a.amount = Decimal("931.00")
    a.save()
    flags_scan_contract(contract=contract)
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_flag_that_no_longer_fires_is_kept_but_left_out_of_the_output(
    agency, contract, duplicated, finance
):
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    flag_set_status(flag=flag, user=finance, status="confirmed", note="")
    a, _b = duplicated
    a.status = "void"
    a.void_reason = "entered twice"
    a.save()
    assert scan_json()["flags"] == []
    flag.refresh_from_db()
    assert (flag.active, flag.status) == (False, "confirmed")


def test_the_same_invoice_in_two_contracts_is_one_flag_about_both(agency, contract, other_contract):
    dup(contract, "V-1", dt.date(2025, 3, 5), amount="500.00", invoice="A-77", payee="Print Shop")
    dup(other_contract, "W-1", dt.date(2025, 3, 6), amount="500.00", invoice="a-77", payee="print shop")
    document = scan_json()
    assert [(f["rule"], f["contracts"], f["vouchers"]) for f in document["flags"]] == [
        ("DUPLICATE_INVOICE", ["JX-XF-2025-01", "JX-XF-2025-02"], ["V-1", "W-1"])
    ]
    assert Flag.objects.count() == 1


def test_voided_expenditures_are_not_scanned(agency, contract):
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        amount=Decimal("1500.00"),
        payment_method="cash",
        invoice_no="X",
        status="void",
        void_reason="typo",
    )
    assert scan_json()["flags"] == []


def test_scan_flags_text_output_and_unknown_contract(agency, contract, duplicated):
    out = io.StringIO()
    call_command("scan_flags", stdout=out)
    assert "[critical] DUPLICATE_INVOICE JX-XF-2025-01 (open): Invoice 04419823" in out.getvalue()
    assert "1 critical, 0 warning, 0 info" in out.getvalue()
    with pytest.raises(CommandError) as excinfo:
        call_command("scan_flags", contract="NOPE", stdout=io.StringIO(), stderr=io.StringIO())
    assert excinfo.value.returncode == 1
    assert "There is no contract NOPE" in str(excinfo.value)


def test_a_note_is_required_to_dismiss_or_explain(agency, contract, duplicated, finance):
    from django.core.exceptions import ValidationError

    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    for status in ("dismissed", "explained"):
        with pytest.raises(ValidationError):
            flag_set_status(flag=flag, user=finance, status=status, note="  ")
    flag.refresh_from_db()
    assert flag.status == "open"


def test_changing_the_policy_rescans_the_contract(
    agency, contract, finance, django_capture_on_commit_callbacks
):
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        amount=Decimal("900.00"),
        payment_method="cash",
        invoice_no="R-1",
    )
    flags_scan_contract(contract=contract)
    assert Flag.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        contract_policy_update(contract=contract, user=finance, overrides={"cash_limit": "800.00"})
    flag = Flag.objects.get()
    assert flag.rule == "CASH_LIMIT"
    assert flag.evidence["cash_limit"] == "800.00"


def test_an_auditor_learns_of_the_other_contract_but_not_its_code_vouchers_or_amounts(
    agency, contract, other_contract, granted, personas, login_api, login_client
):
    dup(contract, "V-1", dt.date(2025, 3, 5), amount="500.00", invoice="A-77", payee="Print Shop")
    dup(other_contract, "W-1", dt.date(2025, 3, 6), amount="500.00", invoice="a-77", payee="print shop")
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()

    seen = login_api(personas["auditor"]).get(f"/api/v1/finance/flags/{flag.pk}/").json()
    assert (seen["contracts"], seen["vouchers"], seen["evidence"]) == (
        ["JX-XF-2025-01"],
        ["V-1"],
        {"invoice_no": "A-77"},
    )
    assert seen["message"] == (
        "Invoice A-77 from Print Shop, charged to JX-XF-2025-01, is also charged to another contract "
        "of the agency that you may not see"
    )
    page = login_client(personas["auditor"]).get(f"/finance/flags/{flag.pk}/").content.decode()
    assert "JX-XF-2025-02" not in page and "W-1" not in page

    full = login_api(personas["finance"]).get(f"/api/v1/finance/flags/{flag.pk}/").json()
    assert (full["contracts"], full["vouchers"]) == (["JX-XF-2025-01", "JX-XF-2025-02"], ["V-1", "W-1"])
    flag.refresh_from_db()
    assert flag.contract_codes == ["JX-XF-2025-01", "JX-XF-2025-02"]  # nothing was saved


def test_explaining_needs_evidence_attached_now_or_before(agency, contract, duplicated, finance):
    from django.core.exceptions import ValidationError

    from finance.flags.services import flag_add_evidence

    flags_scan_contract(contract=contract)
    flag = Flag.objects.get()
    with pytest.raises(ValidationError) as refused:
        flag_set_status(flag=flag, user=finance, status="explained", note="Two deliveries on one invoice.")
    assert list(refused.value.message_dict) == ["evidence"]
    flag.refresh_from_db()
    assert flag.status == "open" and list(flag.events.values_list("kind", flat=True)) == ["raised"]
    # Confirming or dismissing needs none; a document attached earlier is evidence for later.
    flag_set_status(flag=flag, user=finance, status="confirmed", note="")
    flag_add_evidence(flag=flag, user=finance, file=evidence_pdf("delivery-notes.pdf"))
    flag_set_status(flag=flag, user=finance, status="explained", note="Two deliveries on one invoice.")
    flag.refresh_from_db()
    assert flag.status == "explained" and flag.attachments.count() == 1


@pytest.mark.django_db
def test_a_stored_date_beyond_pandas_calendar_does_not_fail_the_scan(contract, staff_member):
    """Files refuse such years now; a record kept from before (or typed through the admin) is
    held at the edge of the scans' calendar: still far ahead or long ago for every rule."""
    from delivery.models import ServiceActivity
    from staff.models import EmploymentSpell
    from tests.delivery.factories import ActivityFactory, TargetFactory

    EmploymentSpell.objects.filter(staff=staff_member).update(
        exit_date=dt.date(3025, 6, 30), exit_reason="career"
    )
    far = dup(contract, "V-FAR", dt.date(3025, 3, 5), invoice="FAR-1")
    target = TargetFactory(contract=contract, code="HV")
    ActivityFactory(target=target, staff=staff_member, activity_no="HV-9", date=dt.date(1025, 3, 5))
    flags_scan_contract(contract=contract)
    outside = Flag.objects.get(rule="OUTSIDE_PERIOD")
    assert list(outside.expenditures.values_list("pk", flat=True)) == [far.pk]
    assert Flag.objects.filter(rule="ACTIVITY_OUTSIDE_PERIOD").count() == 1
    assert ServiceActivity.objects.count() == 1
