"""The log-a-session form on a phone: only people who fit, current supervisees first, a search box."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import PHONE
from tests.factories import SpellFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_supervisor_finds_a_supervisee_by_typing_and_never_sees_a_leaver(
    page_for, agency, supervisor, supervisor_member, staff_member, other_staff_member
):
    leaver = StaffMemberFactory(agency=agency, staff_no="S050", name="离职社工")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2020, 1, 1), exit_date=dt.date(2024, 6, 30), exit_reason="salary"
    )
    page = page_for(supervisor, viewport=PHONE, language="zh-hans")
    page.goto(f"{page.base}/supervision/sessions/new/")
    present = page.locator("#id_attendees label")
    assert [t.strip() for t in present.all_inner_texts()] == ["李社工 (S200)", "王社工 (S300)"]
    assert "离职社工" not in page.locator("main").inner_text()

    search = page.get_by_role("searchbox", name="搜索姓名或员工编号").first
    search.fill("王")
    assert [el.inner_text().strip() for el in present.all() if el.is_visible()] == ["王社工 (S300)"]
    search.fill("")
    assert all(el.is_visible() for el in present.all())
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
