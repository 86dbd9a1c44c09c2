"""Supervisor logs a session on a phone; the supervisee acknowledges it and the record locks."""

from __future__ import annotations

import pytest

from supervision.models import SupervisionSession
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import horizontal_overflow, main_text, open_menu_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_supervisor_logs_a_session_on_a_phone_and_the_supervisee_acknowledges_it(
    page_for, supervisor, staff_user, supervisor_member, staff_member
):
    phone = page_for(supervisor, viewport=PHONE)

    open_menu_item(phone, "Supervision")
    phone.get_by_role("link", name="Log a session").click()
    assert phone.get_by_role("heading", name="Log a session").is_visible()
    assert horizontal_overflow(phone) == 0
    phone.locator("#id_attendees").get_by_label("李社工 (S200)").check()
    phone.get_by_label("Duration (minutes)").fill("90")
    phone.get_by_label("Confidential notes").fill("讨论了留守儿童个案的家访安排。")
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_url("**/supervision/sessions/*/")
    assert "Session logged." in phone.get_by_role("status").inner_text()
    detail = main_text(phone)
    assert "90 minutes" in detail
    assert "awaiting acknowledgement" in detail
    assert "李社工 — not yet acknowledged" in detail
    assert horizontal_overflow(phone) == 0
    session = SupervisionSession.objects.get()
    assert session.supervisor == supervisor_member
    assert session.locked_at is None

    # The supervisee, in a browser of their own, finds the session and acknowledges it.
    page = page_for(staff_user)
    open_menu_item(page, "Supervision")
    page.get_by_role("row").filter(has_text="陈督导").get_by_role("link").click()
    page.wait_for_url(f"**/supervision/sessions/{session.pk}/")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(f"**/supervision/sessions/{session.pk}/")
    assert "you have acknowledged this session" in page.get_by_role("status").inner_text()
    assert "locked" in main_text(page)
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    session.refresh_from_db()
    assert session.locked_at is not None
