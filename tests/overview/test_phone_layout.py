"""What a 390 px phone needs from every page: list tables that stack into cards, a hidden
attribute that hides, touch targets of 44 px, and no glyph the agency's fonts lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.overview.test_dashboards import world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture
def shown(world, staff_member):  # noqa: F811
    """A target and a service record this month, so that the delivery lists have rows."""
    target = TargetFactory(contract=world["contract"], code="HV", name="入户探访")
    ActivityFactory(target=target, staff=staff_member, date=timezone.localdate())
    return world


@pytest.mark.parametrize(
    "url",
    [
        "/staff/",
        "/staff/{member}/",
        "/supervision/",
        "/delivery/activities/",
        "/delivery/workload/",
        "/delivery/contracts/{contract}/targets/",
        "/staff/certificates/",
        "/finance/",
        "/training/records/",
        "/training/compliance/",
    ],
)
def test_each_wide_list_stacks_into_labelled_cards_on_a_phone(
    login_client, director, shown, staff_member, url
):
    page = login_client(director).get(url.format(member=staff_member.pk, contract=shown["contract"].pk))
    assert page.status_code == 200
    html = page.content.decode()
    lists = [
        t for t in re.findall(r"<table class=\"table[^\"]*\">.*?</table>", html, flags=re.S) if "<thead>" in t
    ]
    assert lists
    for table in lists:
        # Every list with column heads; a narrow one (the annual minimum's five) may stay a grid.
        if table.count('<th scope="col"') <= 5:
            continue
        assert table.startswith('<table class="table stack'), table[:200]
        for row in re.findall(r"<tbody>(.*?)</tbody>", table, flags=re.S):
            for cell in re.findall(r"<td[^>]*>", row):
                # A cell names its column, or is the card's title or its links, or spans the row.
                assert re.search(r'data-label=|class="[^"]*(card-title|actions)|colspan', cell), cell


def test_the_hidden_attribute_wins_over_any_class_display():
    assert "[hidden] { display: none !important; }" in CSS


def test_touch_targets_are_44px_on_a_phone_only():
    phone = CSS.split("@media (max-width: 799px) {\n  .btn, .btn-secondary, .btn-small", 1)[1].split(
        "\n}", 1
    )[0]
    assert ".mainnav a, .pagination a, .table td a, .table td button { min-height: 44px; }" in phone
    assert ".btn-small { padding: 2px 8px; min-height: 0; font-size: 0.85em; }" in CSS  # the desktop's


def test_no_template_uses_the_stopwatch_glyph_the_fonts_lack():
    offenders = [p.name for p in TEMPLATES.rglob("*.html") if "\u23f1" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_directors_menu_links_the_refused_requests_log(login_client, director, finance, supervisor):
    assert '<a href="/access-log/">Refused requests</a>' in login_client(director).get("/").content.decode()
    for persona in (finance, supervisor):
        assert 'href="/access-log/"' not in login_client(persona).get("/").content.decode()
