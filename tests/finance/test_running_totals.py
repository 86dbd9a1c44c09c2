"""Running ledger totals: every service that changes the posted ledger keeps them equal to it."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q

from core.db import MoneySum
from finance.models import BudgetLine, Contract, Expenditure
from finance.selectors import budget_vs_actual, contracts_burn, contracts_with_totals
from finance.services import (
    expenditure_post,
    expenditure_reverse,
    expenditure_void,
    ledger_import,
    recompute_totals,
    totals_mismatches,
)
from tests.finance.factories import ExpenditureFactory
from tests.finance.test_ledger_import import csv_bytes, good_rows

D = Decimal


def _ledger(contract):
    posted = Q(status="posted")
    return Expenditure.objects.filter(contract=contract).aggregate(
        spent=MoneySum("amount", filter=posted), refunds=MoneySum("amount", filter=posted & Q(amount__lt=0))
    )


def _post(contract, code, amount, user, **kw):
    line = contract.budget_lines.get(code=code)
    return expenditure_post(
        contract=contract,
        budget_line=line,
        date=dt.date(2025, 3, 10),
        amount=D(amount),
        payee="赣州文具店",
        description="文具",
        user=user,
        **kw,
    ).expenditure


def test_post_import_void_reverse_keep_every_stored_total_equal_to_the_ledger(contract, finance):
    first = _post(contract, "A1", "1000.00", finance, voucher_no="M-1")
    second = _post(contract, "P1", "2500.25", finance, voucher_no="M-2")
    _post(contract, "X1", "10.01", finance)
    assert ledger_import(contract=contract, data=csv_bytes(good_rows()), filename="l.csv", user=finance).ok
    expenditure_void(expenditure=first, reason="录入错误", user=finance)
    expenditure_reverse(expenditure=second, user=finance, reason="退款")
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="X1"), amount=D("5.55"))  # any ORM save

    contract.refresh_from_db()
    lines = {line.code: line.spent_total for line in contract.budget_lines.all()}
    # A1: 1,000 voided; the file's 1,234.50 + 2,000.00 − 234.50. P1: 2,500.25 reversed. X1: 10.01 + 5.55.
    assert lines == {"A1": D("3000.00"), "P1": D("0.00"), "X1": D("15.56")}
    assert contract.spent_total == D("3015.56") == _ledger(contract)["spent"]
    assert contract.refund_total == D("-2734.75") == _ledger(contract)["refunds"]
    assert (contract.posted_count, contract.void_count) == (7, 1)
    assert totals_mismatches() == []
    call_command("verify_totals")  # exit 0


def test_a_dry_run_or_a_refused_file_leaves_the_totals_alone(contract, finance):
    assert ledger_import(contract=contract, data=csv_bytes(good_rows()), filename="l.csv", dry_run=True).ok
    bad = [*good_rows(), "2025/3/8,10.00,NOPE,x,y,,,,,"]
    assert not ledger_import(contract=contract, data=csv_bytes(bad), filename="bad.csv").ok
    contract.refresh_from_db()
    assert (contract.spent_total, contract.posted_count) == (D("0.00"), 0)
    assert set(contract.budget_lines.values_list("spent_total", flat=True)) == {D("0.00")}


def test_a_stale_contract_or_line_saved_later_does_not_put_old_totals_back(contract, finance):
    stale_contract = Contract.objects.get(pk=contract.pk)
    stale_line = BudgetLine.objects.get(contract=contract, code="A1")
    _post(contract, "A1", "300.00", finance)
    stale_contract.title = "新标题"
    stale_contract.save()
    stale_line.name = "新名称"
    stale_line.save()
    contract.refresh_from_db()
    assert contract.title == "新标题"
    assert contract.spent_total == D("300.00")
    assert BudgetLine.objects.get(pk=stale_line.pk).spent_total == D("300.00")
    # The totals are not part of the records' history.
    assert not hasattr(contract.history.first(), "spent_total")


def test_the_stop_policy_reads_the_lines_running_total(contract, finance):
    contract.policy = {"overspend_action": "stop"}
    contract.save()
    _post(contract, "X1", "59999.00", finance)
    with pytest.raises(Exception, match="overspent"):
        _post(contract, "X1", "2.00", finance)
    assert BudgetLine.objects.get(contract=contract, code="X1").spent_total == D("59999.00")


def test_pages_selectors_read_the_stored_totals_not_the_ledger(contract, finance, django_assert_num_queries):
    _post(contract, "A1", "120.00", finance)
    # Rows written past the services (a seeder's COPY): the stored totals do not see them ...
    Expenditure.objects.bulk_create(
        [
            Expenditure(
                agency=contract.agency, contract=contract, budget_line=contract.budget_lines.get(code="A1"),
                date=dt.date(2025, 4, 1), amount=D("80.00"), payee="p", description="d",
            )
        ]
    )  # fmt: skip
    assert budget_vs_actual(contract).actual == D("120.00")
    assert [m.field for m in totals_mismatches()] == ["spent_total", "posted_count", "spent_total"]
    with pytest.raises(CommandError, match="3"):
        call_command("verify_totals")
    # ... until they are recomputed, as the seeders do at the end.
    assert recompute_totals([contract.pk]) == 1
    assert budget_vs_actual(contract).actual == D("200.00")
    assert contracts_with_totals(Contract.objects.filter(pk=contract.pk)).get().actual == D("200.00")
    assert contracts_burn(Contract.objects.filter(pk=contract.pk), as_of=dt.date(2025, 6, 1))[0].actual == D(
        "200.00"
    )
    assert totals_mismatches() == []
    with django_assert_num_queries(2):  # the lines, the disbursements: nothing over the ledger
        budget_vs_actual(contract)


def test_verify_totals_fix_recomputes_what_differs(contract, finance, capsys):
    _post(contract, "A1", "50.00", finance)
    Contract.objects.filter(pk=contract.pk).update(spent_total=D("1.00"))
    call_command("verify_totals", "--fix")
    assert "spent_total stored 1.00, ledger 50.00" in capsys.readouterr().out
    contract.refresh_from_db()
    assert contract.spent_total == D("50.00")
    assert totals_mismatches() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL sessions")
def test_concurrent_postings_imports_and_voids_lose_no_amount(contract, finance):
    """Eight writers at once on the same contract (two lines, an import, voids): no lost update."""
    lines = {code: contract.budget_lines.get(code=code) for code in ("A1", "P1")}
    to_void = [_post(contract, "A1", "7.00", finance) for _ in range(2)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection (CONN_MAX_AGE would keep it open)

    jobs = [
        lambda code=code: _post(contract, code, "10.01", finance) for code in ("A1", "P1", "A1", "P1", "A1")
    ]
    jobs.append(
        lambda: ledger_import(contract=contract, data=csv_bytes(good_rows()), filename="c.csv", user=finance)
    )
    jobs += [lambda e=e: expenditure_void(expenditure=e, reason="重复", user=finance) for e in to_void]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    contract.refresh_from_db()
    # 5 × 10.01 + the file's 3,000.00; the two 7.00 rows voided.
    assert contract.spent_total == D("3050.05")
    assert (contract.posted_count, contract.void_count) == (8, 2)
    assert {code: BudgetLine.objects.get(pk=line.pk).spent_total for code, line in lines.items()} == {
        "A1": D("3030.03"),
        "P1": D("20.02"),
    }
    assert totals_mismatches() == []
