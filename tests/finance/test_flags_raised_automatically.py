"""Flags are raised after every import and every expenditure entered by hand, once committed."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Job
from finance.models import Flag
from finance.services import expenditure_post, ledger_import

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "date,amount,budget_line,payee,description,invoice_no,payment_method,voucher_no,staff_no,posted_on"


def test_a_ledger_import_raises_the_cash_limit_flag_after_commit(contract, finance, settings):
    settings.CELERY_BROKER_URL = ""
    data = "\n".join([HEADER, "2025-03-05,1500.00,A1,文具店,打印纸,88001,cash,V-1,,2025-03-05"]).encode()
    result = ledger_import(contract=contract, data=data, filename="march.csv", user=finance)
    assert result.ok, result.error_lines()
    assert list(Flag.objects.filter(rule="CASH_LIMIT").values_list("status", flat=True)) == ["open"]
    job = Job.objects.get(kind="finance.flags_scan")
    assert (job.status, job.created_by, job.params) == ("succeeded", finance, {"contract": contract.pk})


def test_a_dry_run_raises_nothing(contract, finance, settings):
    settings.CELERY_BROKER_URL = ""
    data = "\n".join([HEADER, "2025-03-05,1500.00,A1,文具店,打印纸,88001,cash,V-1,,2025-03-05"]).encode()
    ledger_import(contract=contract, data=data, filename="march.csv", user=finance, dry_run=True)
    assert Flag.objects.count() == 0
    assert Job.objects.count() == 0


def test_a_hand_entry_raises_its_flag(contract, line, finance, settings):
    settings.CELERY_BROKER_URL = ""
    expenditure_post(
        contract=contract,
        budget_line=line,
        date=dt.date(2025, 4, 8),
        amount=Decimal("1200.00"),
        payee="杂货店",
        description="活动物资",
        user=finance,
        payment_method="cash",
        invoice_no="77",
        voucher_no="V-9",
    )
    flag = Flag.objects.get(rule="CASH_LIMIT")
    assert flag.status == "open"


def test_import_ledger_exits_without_waiting_for_its_scan_which_a_worker_runs(
    contract, tmp_path, settings, capsys
):
    """cli.md: the command hands the scan to the queue and its exit never waits for it."""
    settings.JOBS_RUN_INLINE = False
    settings.CELERY_BROKER_URL = ""
    path = tmp_path / "march.csv"
    path.write_text("\n".join([HEADER, "2025-03-05,1500.00,A1,文具店,打印纸,88001,cash,V-1,,2025-03-05"]))
    call_command("import_ledger", str(path), "--contract", contract.code, "--agency", "xinfeng")
    assert "1 row imported; JX-XF-2025-01 now totals 1500.00." in capsys.readouterr().out
    assert Job.objects.get(kind="finance.flags_scan").status == "queued"
    assert Flag.objects.count() == 0
    call_command("jobs_worker", "--batch", stdout=StringIO())
    assert Job.objects.get(kind="finance.flags_scan").status == "succeeded"
    assert list(Flag.objects.values_list("rule", flat=True)) == ["CASH_LIMIT"]
