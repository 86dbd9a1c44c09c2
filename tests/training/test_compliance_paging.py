"""/training/compliance/ a page at a time: ordered by staff number, the database picks the page's
people and only their hours are summed; the figures are those of the whole-agency computation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory
from tests.training.factories import TrainingRecordFactory
from training import compliance as engine
from training.compliance import compliance_rows

AS_OF = dt.date(2025, 12, 1)


def _certified(agency, n):
    """``n`` certified people Q000…; person i earned i % 9 + 1 hours; a third have no registration end."""
    for i in range(n):
        member = StaffMemberFactory(agency=agency, staff_no=f"Q{i:03d}", name=f"社工{i:03d}")
        SpellFactory(staff=member, hire_date=dt.date(2020, 1, 1))
        QualificationFactory(
            staff=member,
            issued=dt.date(2021, 1 + i % 12, 1),
            registration_expires=None if i % 3 == 0 else dt.date(2026, 3, 1),
        )
        TrainingRecordFactory(staff=member, date=dt.date(2024, 5, 1), hours=Decimal(i % 9 + 1))
    # Not listed: a leaver, and a person without a certificate.
    leaver = StaffMemberFactory(agency=agency, staff_no="Q-left")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2020, 1, 1), exit_date=dt.date(2025, 1, 1), exit_reason="career"
    )
    QualificationFactory(staff=leaver, issued=dt.date(2021, 1, 1))
    SpellFactory(staff=StaffMemberFactory(agency=agency, staff_no="Q-none"), hire_date=dt.date(2020, 1, 1))


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)][:9]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _expected(row) -> list[str]:
    return [
        row.staff_no,
        row.name,
        row.level_label,
        f"{row.cycle_start:%Y-%m-%d} – {row.cycle_end:%Y-%m-%d}",
        str(row.required_hours),
        str(row.earned_hours),
        str(row.shortfall_hours) if row.shortfall_hours else "—",
        str(row.days_to_cycle_end),
        row.status_label,
    ]


def test_page_two_by_staff_number_has_the_next_people_with_the_whole_computation_s_figures(
    agency, director, login_client
):
    _certified(agency, 120)
    client = login_client(director)
    whole = compliance_rows(agency, AS_OF)  # everyone, by staff number
    assert len(whole) == 120
    first = client.get(f"/training/compliance/?as_of={AS_OF}&sort=staff_no", HTTP_ACCEPT_LANGUAGE="en")
    html = first.content.decode()
    assert [r[0] for r in _rows(html)] == [f"Q{i:03d}" for i in range(50)]
    assert _rows(html) == [_expected(r) for r in whole[:50]]
    after = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
    second = client.get(f"/training/compliance/?{after}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(second) == [_expected(r) for r in whole[50:100]]
    assert [r[0] for r in _rows(second)][:2] == ["Q050", "Q051"]
    after = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', second).group(1).replace("&amp;", "&")
    third = client.get(f"/training/compliance/?{after}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(third) == [_expected(r) for r in whole[100:]]
    assert 'rel="next"' not in third


def test_by_staff_number_only_the_page_s_people_are_computed(agency, director, login_client, monkeypatch):
    _certified(agency, 60)
    seen = []
    real = engine.compliance_frame

    def spy(agency, as_of, staff_ids=None):
        seen.append(None if staff_ids is None else len(staff_ids))
        return real(agency, as_of, staff_ids)

    monkeypatch.setattr(engine, "compliance_frame", spy)
    response = login_client(director).get(f"/training/compliance/?as_of={AS_OF}&sort=staff_no")
    assert response.status_code == 200
    assert seen == [50]


def test_page_two_most_urgent_first_has_the_next_people_with_the_whole_computation_s_figures(
    agency, director, login_client
):
    _certified(agency, 70)
    whole = compliance_rows(agency, AS_OF, order="urgency")
    client = login_client(director)
    html = client.get(
        f"/training/compliance/?as_of={AS_OF}&page=2", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert _rows(html) == [_expected(r) for r in whole[50:]]
    assert len(_rows(html)) == 20
    assert "Page 2 of 2" in html


def test_the_download_still_holds_everyone(agency, director, login_client):
    _certified(agency, 60)
    response = login_client(director).get(f"/training/compliance/?as_of={AS_OF}&format=csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    assert all(f"Q{i:03d}" in text for i in range(60))
    assert "Q-left" not in text


@pytest.mark.parametrize("people", [3, 30])
def test_by_staff_number_the_queries_do_not_grow_with_the_people(
    people, agency, director, login_client, django_assert_num_queries
):
    _certified(agency, people)
    client = login_client(director)
    url = f"/training/compliance/?as_of={AS_OF}&sort=staff_no"
    client.get(url)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count("/training/transcript/") == people


def test_the_annual_minimum_table_is_paged_with_each_person_s_hours_of_the_year(
    agency, director, login_client
):
    from training.models import TrainingPolicy
    from training.selectors import annual_progress

    _certified(agency, 55)  # 55 certified, a leaver of 2025-01-01 and one without a certificate
    TrainingPolicy.objects.create(agency=agency, annual_minimum_hours=Decimal("5"))
    whole = annual_progress(agency, 2024)
    assert len(whole) == 57
    client = login_client(director)
    first = client.get("/training/compliance/?as_of=2024-12-01&status=at_risk").content.decode()
    assert 'annual_page=2">Next' in first.replace("&amp;", "&")
    second = client.get(
        "/training/compliance/?as_of=2024-12-01&status=at_risk&annual_page=2"
    ).content.decode()
    annual = second.split("Agency annual minimum", 1)[1]
    cells = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td>", annual)
    assert cells == [(f"{r['staff'].staff_no} {r['staff'].name}", str(r["earned"])) for r in whole[50:]]
    assert len(cells) == 7


def test_a_status_filter_by_staff_number_keeps_that_order_and_the_counts(agency, director, login_client):
    _certified(agency, 12)
    whole = [r for r in compliance_rows(agency, AS_OF) if r.status == "at_risk"]
    html = (
        login_client(director)
        .get(f"/training/compliance/?as_of={AS_OF}&sort=staff_no&status=at_risk", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert _rows(html) == [_expected(r) for r in whole]
    assert len(whole) > 1
    assert html.count('class="badge at_risk"') == len(whole) + 1  # the rows and the counts line
