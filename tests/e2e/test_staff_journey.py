"""Staff member: submits an external training with a certificate; it waits for approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.helpers import main_text, open_menu_item
from training.models import RecordStatus, TrainingRecord

pytestmark = pytest.mark.django_db(transaction=True)

# The smallest file the evidence check accepts as a PDF (it reads the first bytes).
CERTIFICATE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_staff_member_submits_external_training_with_a_certificate(
    page_for, staff_user, staff_member, tmp_path
):
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(CERTIFICATE)
    page = page_for(staff_user)

    open_menu_item(page, "My training")
    page.get_by_role("link", name="Submit external training").click()
    assert page.get_by_role("heading", name="Submit external training").is_visible()
    page.get_by_label("Title").fill("儿童保护个案管理培训")
    page.get_by_label("Provider").fill("江西省社会工作协会")
    page.get_by_label("Date").fill("2025-04-18")
    page.get_by_label("Hours").fill("6.5")
    page.get_by_label("Category").select_option("child_protection")
    page.get_by_label("Evidence").set_input_files(str(certificate))
    page.get_by_role("button", name="Save").click()

    page.wait_for_url("**/training/my/")
    assert "counts once a supervisor or the director approves it" in page.get_by_role("status").inner_text()
    row = page.get_by_role("row").filter(has_text="儿童保护个案管理培训")
    assert "Waiting for approval" in row.inner_text()
    assert "6.5" in row.inner_text()
    assert row.get_by_role("link", name="Download").count() == 1
    assert "江西省社会工作协会" in main_text(page)
    record = TrainingRecord.objects.get()
    assert record.staff == staff_member
    assert record.status == RecordStatus.PENDING
    assert record.hours == Decimal("6.5")
