"""Real-browser journeys: Playwright (Python) driving Debian's Chromium against a live server.

No browser is downloaded: Chromium is launched by its path. Where it does not exist the
journeys are skipped with that reason. Playwright's sync API runs an event loop in the test
thread, so Django's async-safety guard is relaxed for these tests only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
    sync_playwright = None

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed"
    elif not HAVE_CHROMIUM:
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the journeys, closed when they are done.

    Package scope: while Playwright runs, the test thread has a running event loop, which would
    break ``asyncio.run``/``async_to_sync`` in tests collected after these ones.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def e2e_media_root(settings, tmp_path):
    """Uploads made through the browser (evidence, scans) land in a scratch folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def page_for(browser, live_server):
    """``page_for(user, viewport=DESKTOP, language="en")`` → a logged-in page at the live server."""
    contexts = []

    def make(user=None, *, viewport=DESKTOP, language="en", password=None):
        from tests.factories import PASSWORD

        chinese = language.startswith("zh")
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if chinese else "en-US",
            extra_http_headers={"Accept-Language": "zh-Hans" if chinese else "en"},
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base = live_server.url
        if user is not None:
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password or PASSWORD)
            page.click("form button[type=submit] >> nth=-1")
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()
