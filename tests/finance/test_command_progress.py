"""The long commands draw their bars on a terminal and nothing when piped (cli.md, core.progress)."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from tests.core.test_progress import Terminal

LEDGER = (
    "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no,staff_no,posted_on\r\n"
    "2025-03-05,100.00,A1,赣州文具店,活动物资,,bank,V-1,,\r\n"
)


def test_import_ledger_on_a_terminal_shows_its_steps_and_prints_the_same_report(contract, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    screen, out = Terminal(), io.StringIO()
    call_command("import_ledger", str(path), "--contract", contract.code, stdout=out, stderr=screen)
    drawn = screen.getvalue()
    assert "Importing ledger.csv" in drawn and "0/4" in drawn and "reading" in drawn
    assert out.getvalue().splitlines() == [
        "Imported 1 row from ledger.csv — rows: 1, amount: 100.00, new_total: 100.00.",
        "1 row imported; JX-XF-2025-01 now totals 100.00.",
    ]


def test_import_ledger_piped_writes_nothing_on_stderr(contract, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    err = io.StringIO()
    call_command("import_ledger", str(path), "--contract", contract.code, stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""


def test_scan_flags_on_a_terminal_shows_the_contracts_and_each_scans_steps(contract):
    screen, out = Terminal(), io.StringIO()
    call_command("scan_flags", "--format", "json", stdout=out, stderr=screen)
    drawn = screen.getvalue()
    assert "Scanning contracts" in drawn and "0/1" in drawn
    assert "JX-XF-2025-01" in drawn and "reading the ledger" in drawn
    assert json.loads(out.getvalue())["summary"] == {"critical": 0, "warning": 0, "info": 0}


def test_a_report_on_a_terminal_shows_its_two_steps(contract, tmp_path):
    screen = Terminal()
    out = tmp_path / "bva.xlsx"
    call_command(
        "report", "budget-vs-actual", "--contract", contract.code, "--format", "xlsx", "--out", str(out),
        stdout=io.StringIO(), stderr=screen,
    )  # fmt: skip
    assert "budget-vs-actual" in screen.getvalue() and "gathering the figures" in screen.getvalue()
    assert out.stat().st_size > 0
