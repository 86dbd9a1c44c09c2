#!/usr/bin/env python3
"""Screenshots of every role's home page in English and Chinese, on a desktop and a phone.

    python scripts/screenshots.py [--out screenshots] [--password PW] [--keep]

Builds a scratch SQLite database under /tmp, migrates it, seeds the demo (``seed_demo``), serves it
with ``runserver`` (DEBUG=1) on a free loopback port, logs in as each demo login with Playwright
driving Debian's Chromium (launched by its path: ``CHROMIUM_PATH``, else ``chromium`` on PATH, else
/usr/bin/chromium), and saves full-page PNGs as ``<out>/<role>-<lang>-<viewport>.png`` (lang ``en`` or
``zh-hans``, viewport ``desktop`` 1280×900 or ``phone`` 390×844). Then it stops the server and
removes the scratch folder (``--keep`` leaves it, with the server log). For each shot it prints the
page's language and how far the page sticks out sideways, so a phone layout that overflows shows up
without opening the pictures.

Exit status: 0 done, 1 failed (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
#: The demo logins of overview/demo.py (DEMO_LOGINS): one per role, named after it.
ROLES = ("director", "finance", "supervisor", "staff", "auditor")
LANGUAGES = ("en", "zh-hans")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Each role's three busiest pages, shot in Chinese on a phone and in English on a desktop as
#: ``<role>-<lang>-<viewport>-<n>.png`` (n = 1, 2, 3).
BUSIEST = {
    "director": ("/staff/", "/supervision/compliance/?status=short", "/training/approvals/"),
    "finance": ("/finance/ledger/", "/finance/flags/", "/finance/contracts/1/"),
    "supervisor": ("/supervision/sessions/new/", "/supervision/plans/", "/supervision/compliance/"),
    "staff": ("/training/my/", "/supervision/", "/training/my/submit/"),
    "auditor": ("/finance/", "/finance/flags/", "/reports/"),
}
BUSY_SHOTS = (("zh-hans", "phone"), ("en", "desktop"))
DEFAULT_PASSWORD = "demo-pass-2025"  # noqa: S105 - the documented demo password (Makefile DEMO_PASSWORD)


class Failed(Exception):
    """A step failed; its message is the one line printed on stderr."""


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise Failed(f"no Chromium at {path} (apt-get install chromium, or set CHROMIUM_PATH)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, log_path: Path, *args: str) -> None:
    """Run ``manage.py args`` with its output appended to ``log_path``; raise Failed on an error."""
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    with open(log_path, "a") as log:
        result = subprocess.run(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
        raise Failed(f"manage.py {args[0]} failed ({log_path}): {tail[0]}")


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Failed(f"runserver exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise Failed(f"runserver did not answer at {url} within {seconds:.0f} s")


def shoot(base_url: str, password: str, out: Path) -> list[str]:
    """Log in as each role in each language and save the home page at both sizes, and the role's
    busiest pages (``BUSIEST``) in Chinese on a phone and in English on a desktop; one line per shot."""
    from playwright.sync_api import sync_playwright

    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        try:
            for role in ROLES:
                for language in LANGUAGES:
                    chinese = language == "zh-hans"
                    context = browser.new_context(
                        viewport=VIEWPORTS["desktop"],
                        locale="zh-CN" if chinese else "en-US",
                        extra_http_headers={"Accept-Language": "zh-Hans" if chinese else "en"},
                    )
                    page = context.new_page()
                    page.set_default_timeout(30_000)
                    page.goto(f"{base_url}/login/")
                    page.fill("input[name=username]", role)
                    page.fill("input[name=password]", password)
                    page.click("form button[type=submit] >> nth=-1")
                    page.wait_for_url(f"{base_url}/")
                    for viewport, size in VIEWPORTS.items():
                        page.set_viewport_size(size)
                        page.goto(f"{base_url}/")
                        page.wait_for_load_state("networkidle")
                        path = out / f"{role}-{language}-{viewport}.png"
                        page.screenshot(path=str(path), full_page=True)
                        lang = page.locator("html").get_attribute("lang")
                        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                        height = page.evaluate("document.documentElement.scrollHeight")
                        note = f"  OVERFLOWS by {overflow}px" if overflow > 0 else ""
                        shown = path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path
                        lines.append(f"{shown}  lang={lang}  height={height}px{note}")
                    for viewport in (v for lang_, v in BUSY_SHOTS if lang_ == language):
                        page.set_viewport_size(VIEWPORTS[viewport])
                        for n, url in enumerate(BUSIEST[role], start=1):
                            page.goto(f"{base_url}{url}")
                            page.wait_for_load_state("networkidle")
                            path = out / f"{role}-{language}-{viewport}-{n}.png"
                            page.screenshot(path=str(path), full_page=True)
                            overflow = page.evaluate(
                                "document.documentElement.scrollWidth - window.innerWidth"
                            )
                            height = page.evaluate("document.documentElement.scrollHeight")
                            note = f"  OVERFLOWS by {overflow}px" if overflow > 0 else ""
                            shown = path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path
                            lines.append(f"{shown}  {url}  height={height}px{note}")
                    context.close()
        finally:
            browser.close()
    return lines


def run(out: Path, password: str, keep: bool) -> None:
    chromium_path()
    scratch = Path(tempfile.mkdtemp(prefix="agency-screenshots-", dir="/tmp"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "MEDIA_ROOT": str(scratch / "media"),
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    server = None
    log_path = scratch / "server.log"
    try:
        print(f"Scratch database in {scratch}; migrating and seeding the demo…", flush=True)
        manage(env, log_path, "migrate", "--noinput", "-v0")
        manage(env, log_path, "seed_demo", "--password", password)
        with open(log_path, "a") as log:
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            wait_until_up(f"{base_url}/login/", server)
            print(f"Serving {base_url}/; taking screenshots…", flush=True)
            out.mkdir(parents=True, exist_ok=True)
            for line in shoot(base_url, password, out):
                print(line, flush=True)
    except BaseException:
        keep = True  # the log says what went wrong
        raise
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if keep:
            print(f"Kept {scratch} (database and server.log).")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(ROLES) * len(LANGUAGES) * len(VIEWPORTS)} screenshots in {out}/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=BASE_DIR / "screenshots", help="Folder (default: screenshots/)."
    )
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database and server log.")
    args = parser.parse_args(argv)
    try:
        run(args.out.resolve(), args.password, args.keep)
    except Failed as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
