"""core/registries.py: what the apps register in ready() reaches the pages they do not own."""

from __future__ import annotations

import datetime as dt

import pytest

from core import registries
from staff.models import EmploymentSpell, supervisee_ids
from tests.factories import SpellFactory

pytestmark = pytest.mark.django_db


def test_profile_sections_appear_on_the_staff_page_in_order_and_none_shows_nothing(
    monkeypatch, director, staff_member, login_client
):
    monkeypatch.setattr(registries, "_PROFILE_SECTIONS", [])

    @registries.profile_section(order=20)
    def later(request, member):
        return {"template": "training/report_transcript.html", "url": f"/later/{member.staff_no}/"}

    @registries.profile_section(order=10)
    def first(request, member):
        return {"template": "training/report_transcript.html", "url": f"/first/{member.staff_no}/"}

    @registries.profile_section(order=5)
    def hidden(request, member):
        return None

    registries.profile_section(order=1)(first)  # registering twice keeps one entry
    page = login_client(director).get(f"/staff/{staff_member.pk}/").content.decode()
    assert page.count('href="/first/S200/"') == 1
    assert page.index('href="/first/S200/"') < page.index('href="/later/S200/"')


def test_report_contract_choices_join_every_registered_source_in_order(monkeypatch, director):
    monkeypatch.setattr(registries, "_REPORT_CONTRACTS", [])
    registries.report_contracts(order=2)(lambda user: [("B-2", "B-2 later")])
    registries.report_contracts(order=1)(lambda user: [("A-1", "A-1 first"), ("A-2", "A-2 first")])
    assert registries.report_contract_choices(director) == [
        ("A-1", "A-1 first"),
        ("A-2", "A-2 first"),
        ("B-2", "B-2 later"),
    ]


def test_staffs_supervisee_rule_reads_only_what_supervision_registers(
    monkeypatch, supervisor, staff_member, other_staff_member
):
    SpellFactory(
        staff=other_staff_member,
        hire_date=dt.date(2020, 1, 1),
        exit_date=dt.date(2021, 1, 1),
        exit_reason="salary",
    )

    def seen():
        return set(EmploymentSpell.objects.for_user(supervisor, "view").values_list("staff_id", flat=True))

    assert list(supervisee_ids(supervisor).values_list("supervisee_id", flat=True)) == [staff_member.pk]
    assert seen() == {staff_member.pk, supervisor.staff_member.pk}

    monkeypatch.setattr(registries, "_SUPERVISEES", [])
    assert not supervisee_ids(supervisor).exists()
    assert seen() == {supervisor.staff_member.pk}

    monkeypatch.setattr(registries, "_SUPERVISEES", [])
    registries.supervisees_source(lambda member: EmploymentSpell.objects.filter(pk=-1).values("staff_id"))
    registries.supervisees_source(
        lambda member: EmploymentSpell.objects.filter(staff=other_staff_member).values("staff_id")
    )
    assert set(supervisee_ids(supervisor).values_list("pk", flat=True)) == {other_staff_member.pk}
    assert seen() == {supervisor.staff_member.pk, other_staff_member.pk}
