"""Small steps the journeys share: following the main menu (collapsed on a phone) and reading pages."""

from __future__ import annotations


def open_menu_item(page, name: str) -> None:
    """Click the main-menu link called ``name``, opening the collapsed menu first on a phone and
    then the menu group holding the link (a long menu folds each area under its name)."""
    # include_hidden: a link inside a closed group is outside the accessibility tree until opened.
    link = page.locator("header nav").get_by_role("link", name=name, exact=True, include_hidden=True)
    toggle = page.locator("label[for=nav-toggle]")
    if not link.is_visible() and toggle.is_visible():
        toggle.click()
    if not link.is_visible():
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()
    page.wait_for_load_state()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
