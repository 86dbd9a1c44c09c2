"""Finance officer: a ledger with a mistake, the fix, the import, a flag dismissed, the contract PDF."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from finance.flags.services import flags_scan_contract
from finance.models import Expenditure, Flag
from tests.e2e.helpers import main_text, open_menu_item
from tests.finance.factories import BudgetLineFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no\n"
# Spreadsheet row 3 (the header is row 1) names a budget line the contract does not have; row 4
# is a cash payment of 1,500.00, above the default cash limit of 1,000.00.
BAD_LEDGER = (
    HEADER
    + "2025-03-05,320.00,A1,赣州文具店,文具,INV-001,bank,V-001\n"
    + "2025-03-12,450.00,Z9,信丰县客运站,家访交通费,INV-002,bank,V-002\n"
    + "2025-03-19,1500.00,A1,县城印刷厂,宣传册印刷,INV-003,cash,V-003\n"
)
FIXED_LEDGER = BAD_LEDGER.replace(",Z9,", ",A1,")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_finance_officer_fixes_a_ledger_imports_it_dismisses_a_flag_and_downloads_the_pack(
    page_for, finance, agency, tmp_path
):
    contract = ContractFactory(agency=agency, code="JX-XF-2025-01", total=Decimal("300000.00"))
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("90000.00"), position=0)
    page = page_for(finance)

    # Upload the ledger with the mistake: the page names the row and the bad value, imports nothing.
    open_menu_item(page, "Ledger import")
    assert page.get_by_role("heading", name="Ledger import", exact=True).is_visible()
    page.get_by_label("Contract").select_option("JX-XF-2025-01")
    page.get_by_label("Ledger file").set_input_files(str(write(tmp_path, "ledger.csv", BAD_LEDGER)))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    errors = page.get_by_role("alert").inner_text()
    assert "row 3" in errors
    assert "Z9" in errors
    assert page.get_by_role("button", name="Import these rows").count() == 0
    assert Expenditure.objects.count() == 0

    # The corrected file passes the check; the preview shows what would be added, then it is imported.
    page.get_by_label("Contract").select_option("JX-XF-2025-01")
    page.get_by_label("Ledger file").set_input_files(str(write(tmp_path, "ledger-fixed.csv", FIXED_LEDGER)))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    preview = main_text(page)
    assert "2,270.00" in preview  # money is grouped by thousands in both languages
    assert "row 3" not in preview
    assert Expenditure.objects.count() == 0
    page.get_by_role("button", name="Import these rows").click()
    page.wait_for_url("**/finance/ledger/?contract=*")
    assert "V-003" in main_text(page)
    assert Expenditure.objects.filter(contract=contract).count() == 3

    # The import queued the contract's scan after commit; should the live server's job not have
    # run yet, scan the contract as `manage.py scan_flags` would.
    if not Flag.objects.filter(contract=contract, rule="CASH_LIMIT").exists():
        flags_scan_contract(contract=contract)
    flag = Flag.objects.get(contract=contract, rule="CASH_LIMIT")

    # Open the flag from the queue and dismiss it with a note.
    page.goto(f"{page.base}/finance/flags/")
    assert page.get_by_role("heading", name="Irregularity flags").is_visible()
    page.get_by_role("row").filter(has_text="Cash payment over the limit").get_by_role("link").click()
    page.wait_for_url(f"**/finance/flags/{flag.pk}/")
    assert "V-003" in main_text(page)
    triage = page.locator("form[action$='/triage/']")
    triage.get_by_label("Status").select_option("dismissed")
    triage.get_by_label("Note").fill("县城印刷厂不收银行转账；有收据，已核实。")
    triage.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/finance/flags/{flag.pk}/")
    assert "Flag updated." in page.get_by_role("status").inner_text()
    facts = page.locator("dl.facts").first.inner_text()
    assert "Dismissed" in facts
    assert "县城印刷厂不收银行转账" in main_text(page)
    flag.refresh_from_db()
    assert flag.status == "dismissed"

    # The contract pack: the PDF download is a PDF.
    page.goto(f"{page.base}/finance/reconciliation/contracts/{contract.pk}/pack/")
    assert "JX-XF-2025-01" in page.get_by_role("heading", level=1).inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes()[:4] == b"%PDF"
