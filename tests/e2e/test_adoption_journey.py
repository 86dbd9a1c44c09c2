"""A real agency starts from an empty database: ``create_agency``, the director follows the
setup checklist and invites a finance officer, who sets a password from the link, signs in,
loads a contract and imports a ledger; deactivated, their session and token stop at once."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from finance.models import Contract, Expenditure
from tests.e2e.helpers import main_text, open_menu_item

pytestmark = pytest.mark.django_db(transaction=True)

DIRECTOR_PASSWORD = "Sunshine-director-2025"
FINANCE_PASSWORD = "Ledger-keeper-2025"
ROSTER = (
    "staff_no,name,position,hire_date\nS001,陈督导,项目主管,2019-03-01\nS002,李社工,一线社工,2022-03-01\n"
)
CONTRACT = {
    "code": "JX-XF-2025-01",
    "title": "信丰县农村困境儿童保护服务",
    "funder": "信丰县民政局",
    "start": "2025-01-01",
    "end": "2025-12-31",
    "total": "100000.00",
    "budget_lines": [
        {"code": "P1", "name": "人员经费", "category": "personnel", "amount": "60000.00"},
        {"code": "A1", "name": "服务活动", "category": "activities", "amount": "40000.00"},
    ],
}
LEDGER = (
    "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no\n"
    "2025-03-05,320.00,A1,赣州文具店,文具,INV-001,bank,V-001\n"
    "2025-03-12,450.00,A1,信丰县客运站,家访交通费,INV-002,bank,V-002\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def checklist(page) -> list[str]:
    panel = page.locator(".setup-checklist")
    return panel.get_by_role("link").all_inner_texts() if panel.count() else []


def test_a_new_agency_starts_from_an_empty_database(page_for, live_server, tmp_path):
    # A fresh installation: the login page names the one command to run.
    visitor = page_for()
    visitor.goto(f"{live_server.url}/login/")
    assert "python manage.py create_agency" in main_text(visitor)

    out = io.StringIO()
    call_command(
        "create_agency",
        "xinfeng",
        "--name",
        "信丰县阳光社会工作服务中心",
        "--director",
        "zhang",
        "--password",
        DIRECTOR_PASSWORD,
        stdout=out,
    )
    assert "sign in as zhang" in out.getvalue()
    director = get_user_model().objects.get(username="zhang")

    # The director signs in and sees the whole checklist.
    page = page_for(director, password=DIRECTOR_PASSWORD)
    assert "create_agency" not in main_text(page)
    assert checklist(page) == [
        "Import the staff roster",
        "Load your service contracts",
        "Review the training requirements",
        "Make supervision plans",
        "Invite your colleagues",
    ]

    # Step: the roster.
    page.locator(".setup-checklist").get_by_role("link", name="Import the staff roster").click()
    page.get_by_label("Roster file").set_input_files(str(write(tmp_path, "roster.csv", ROSTER)))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Import now").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    assert "Import the staff roster" not in checklist(page)

    # Step: the training requirements, saved as they are.
    page.locator(".setup-checklist").get_by_role("link", name="Review the training requirements").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    assert "Review the training requirements" not in checklist(page)

    # Step: a supervision plan, 陈督导 supervising 李社工.
    page.locator(".setup-checklist").get_by_role("link", name="Make supervision plans").click()
    page.get_by_label("Supervisee").select_option(label="S002 李社工")
    page.get_by_label("Supervisor").select_option(label="S001 陈督导")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    assert checklist(page) == ["Load your service contracts", "Invite your colleagues"]

    # Step: invite the finance officer; the page shows the link to pass on.
    page.locator(".setup-checklist").get_by_role("link", name="Invite your colleagues").click()
    page.get_by_label("Username").fill("wang")
    page.get_by_label("Family name").fill("王")
    page.get_by_label("Given name").fill("会计")
    page.get_by_label("Finance officer").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/members/*/invitation/")
    link = page.locator("#invitation-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/invitation/[\w-]+/[\w-]+/", link)
    page.goto(f"{live_server.url}/")
    assert checklist(page) == ["Load your service contracts"]

    # The finance officer sets a password from the link and signs in.
    finance = page_for()
    finance.goto(link)
    assert "Your username is wang" in main_text(finance)
    finance.fill("input[name=new_password1]", FINANCE_PASSWORD)
    finance.fill("input[name=new_password2]", FINANCE_PASSWORD)
    finance.get_by_role("button", name="Save the password").click()
    finance.wait_for_url("**/login/")
    assert "Your password is set. Sign in as wang." in main_text(finance)
    finance.fill("input[name=username]", "wang")
    finance.fill("input[name=password]", FINANCE_PASSWORD)
    finance.click("form button[type=submit] >> nth=-1")
    finance.wait_for_url(f"{live_server.url}/")

    # They load the contract and import a ledger into it.
    open_menu_item(finance, "Contracts")
    finance.get_by_role("link", name="Load a contract file").click()
    finance.get_by_label("Contract definition (JSON)").set_input_files(
        str(write(tmp_path, "contract.json", json.dumps(CONTRACT, ensure_ascii=False)))
    )
    finance.get_by_role("button", name="Save").click()
    finance.wait_for_url("**/finance/contracts/*/")
    assert Contract.objects.filter(code="JX-XF-2025-01").exists()
    open_menu_item(finance, "Ledger import")
    finance.get_by_label("Contract").select_option("JX-XF-2025-01")
    finance.get_by_label("Ledger file").set_input_files(str(write(tmp_path, "ledger.csv", LEDGER)))
    finance.get_by_role("button", name="Check the file").click()
    finance.wait_for_load_state()
    finance.get_by_role("button", name="Import these rows").click()
    finance.wait_for_url("**/finance/ledger/?contract=*")
    assert "V-002" in main_text(finance)
    assert Expenditure.objects.filter(contract__code="JX-XF-2025-01").count() == 2

    # They also get an API token, as a script would.
    answer = finance.request.post(
        f"{live_server.url}/api/v1/auth/token/", data={"username": "wang", "password": FINANCE_PASSWORD}
    )
    assert answer.status == 200
    token = answer.json()["token"]
    headers = {"Authorization": f"Token {token}"}
    assert finance.request.get(f"{live_server.url}/api/v1/finance/contracts/", headers=headers).status == 200

    # Every step is done: the director's checklist is gone.
    page.goto(f"{live_server.url}/")
    assert checklist(page) == []

    # The director deactivates the finance officer.
    open_menu_item(page, "Logins and roles")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr[data-username=wang]").get_by_role("button", name="Deactivate").click()
    page.wait_for_load_state()
    assert "wang is deactivated" in main_text(page)

    # On their next request the session and the token are refused.
    finance.goto(f"{live_server.url}/finance/ledger/")
    assert "/login/" in finance.url
    refused = finance.request.get(f"{live_server.url}/api/v1/finance/contracts/", headers=headers)
    assert refused.status == 401
