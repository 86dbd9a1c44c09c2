"""The main menu: flat for a short menu, folded into groups by area for a long one (a director's)."""

from __future__ import annotations

import re

import pytest

from core.navigation import FLAT_MENU_MAX, nav_entries

pytestmark = pytest.mark.django_db


def _menu(html: str) -> str:
    return html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def _top_level(html: str) -> list[str]:
    """The menu's top-level entries as read: a group by its name + "▾", a link by its text."""
    menu = _menu(html)
    entries = []
    for match in re.finditer(r'<summary[^>]*>([^<]+)</summary>|<li><a href="[^"]+"[^>]*>([^<]+)', menu):
        group, link = match.groups()
        entries.append(f"{group.strip()} ▾" if group else link.strip())
    # links inside a group follow its summary: keep only entries not inside a <details>
    inside = {
        link.strip()
        for block in re.findall(r"<details>(.*?)</details>", menu, flags=re.S)
        for link in re.findall(r'<a href="[^"]+"[^>]*>([^<]+)', block)
    }
    return [entry for entry in entries if entry.endswith("▾") or entry not in inside]


def test_a_directors_long_menu_is_folded_into_one_group_per_area(login_client, director):
    html = login_client(director).get("/").content.decode()
    assert _top_level(html) == [
        "Home",
        "Supervision ▾",
        "Staff ▾",
        "Training ▾",
        "Finance ▾",
        "Service delivery ▾",
        "Reports",
        "My reports",
        "Administration ▾",
    ]
    finance = re.search(r"<summary>Finance</summary>\s*<ul>(.*?)</ul>", _menu(html), flags=re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", finance) == ["Contracts", "Ledger", "Flags", "Bank reconciliation"]
    admin = re.search(r"<summary>Administration</summary>\s*<ul>(.*?)</ul>", _menu(html), flags=re.S).group(1)
    assert re.findall(r'href="([^"]+)"', admin) == [
        "/members/",
        "/confidential-reads/",
        "/access-log/",
        "/calendar/",
    ]


def test_the_group_of_the_page_one_is_on_is_marked_in_the_closed_menu(login_client, director):
    html = login_client(director).get("/finance/ledger/").content.decode()
    assert '<summary class="current">Finance</summary>' in html
    assert '<a href="/finance/ledger/" aria-current="page">Ledger</a>' in html
    assert '<summary class="current">Staff</summary>' not in html


def test_the_menu_groups_are_named_in_chinese_for_a_chinese_reader(login_client, director):
    html = login_client(director).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert [entry for entry in _top_level(html) if entry.endswith("▾")] == [
        "督导 ▾",
        "员工 ▾",
        "培训 ▾",
        "财务 ▾",
        "服务交付 ▾",
        "系统管理 ▾",
    ]


def test_a_short_menu_stays_flat(login_client, auditor):
    html = login_client(auditor).get("/").content.decode()
    assert "<details>" not in _menu(html)
    assert _top_level(html) == [
        "Home",
        "Contracts",
        "Ledger",
        "Flags",
        "Bank reconciliation",
        "Reports",
        "My reports",
    ]


def test_a_group_with_one_entry_for_the_person_stays_a_plain_link(login_client, finance):
    html = login_client(finance).get("/").content.decode()
    assert _top_level(html) == ["Home", "Staff", "Finance ▾", "Service records", "Reports", "My reports"]


def test_folding_starts_past_the_flat_maximum():
    items = [
        {"label": f"L{i}", "url": f"/{i}/", "url_name": f"n{i}", "group": "G" if i else ""}
        for i in range(FLAT_MENU_MAX)
    ]
    assert [entry.get("item", {}).get("label") for entry in nav_entries(items)] == [
        f"L{i}" for i in range(FLAT_MENU_MAX)
    ]
    items.append({"label": "Extra", "url": "/x/", "url_name": "x", "group": "G"})
    folded = nav_entries(items, "/3/")
    assert [("group" in entry) for entry in folded] == [False, True]
    assert folded[1]["current"] is True
    assert [item["label"] for item in folded[1]["items"]] == [
        *(f"L{i}" for i in range(1, FLAT_MENU_MAX)),
        "Extra",
    ]
