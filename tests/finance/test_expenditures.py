"""Hand entry with the overspend action, void and reversal, concurrency, budget vs actual."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from core.reports import ReportError, get
from finance.models import Expenditure
from finance.selectors import budget_vs_actual, project_at_end
from finance.services import expenditure_post, expenditure_reverse, expenditure_void
from tests.finance.factories import ExpenditureFactory


def post(contract, line, amount, **kw):
    defaults = {"date": dt.date(2025, 3, 1), "payee": "赣州文具店", "description": "文具"}
    defaults.update(kw)
    return expenditure_post(contract=contract, budget_line=line, amount=Decimal(amount), **defaults)


def set_action(contract, action):
    contract.policy = {"overspend_action": action}
    contract.save()


def test_stop_refuses_an_entry_that_would_overspend_the_line(contract, line):
    set_action(contract, "stop")
    post(contract, line, "89000.00")
    with pytest.raises(ValidationError) as info:
        post(contract, line, "1000.01")
    assert "A1 would be overspent: 90,000.01 spent against 90,000.00 approved (0.01 over)" in str(info.value)
    post(contract, line, "1000.00")  # exactly the approved amount is allowed
    assert Expenditure.objects.count() == 2


def test_warn_saves_and_warns(contract, line):
    set_action(contract, "warn")
    result = post(contract, line, "95000.00")
    assert result.expenditure.pk and len(result.warnings) == 1
    assert "5,000.00 over" in result.warnings[0]


def test_ignore_saves_silently(contract, line):
    set_action(contract, "ignore")
    assert post(contract, line, "95000.00").warnings == []


def test_the_limit_is_the_approved_amount_including_revisions(contract, line, director):
    from finance.services import revision_decide, revision_propose

    set_action(contract, "stop")
    revision = revision_propose(
        contract=contract, reason="x", deltas={"A1": Decimal("5000"), "X1": Decimal("-5000")}
    )
    revision_decide(revision=revision, user=director, approve=True)
    post(contract, line, "95000.00")


def test_void_keeps_the_row_and_removes_it_from_actuals(contract, line, finance):
    exp = post(contract, line, "500.00").expenditure
    with pytest.raises(ValidationError):
        expenditure_void(expenditure=exp, reason="  ", user=finance)
    expenditure_void(expenditure=exp, reason="entered twice", user=finance)
    exp.refresh_from_db()
    assert exp.status == "void" and exp.void_reason == "entered twice" and exp.voided_by == finance
    assert budget_vs_actual(contract).actual == Decimal("0.00")
    assert Expenditure.objects.count() == 1


def test_reversal_posts_a_negative_counter_entry(contract, line, finance):
    exp = post(contract, line, "500.00", voucher_no="V-1").expenditure
    reversal = expenditure_reverse(expenditure=exp, user=finance, reason="returned").expenditure
    assert (
        reversal.amount == Decimal("-500.00")
        and reversal.voucher_no == "V-1-R"
        and reversal.reversal_of == exp
    )
    assert budget_vs_actual(contract).actual == Decimal("0.00")
    with pytest.raises(ValidationError):
        expenditure_reverse(expenditure=exp, user=finance)


def test_voucher_numbers_are_unique_within_a_contract(contract, line):
    post(contract, line, "1.00", voucher_no="V-9")
    with pytest.raises(ValidationError):
        post(contract, line, "1.00", voucher_no="V-9")
    post(contract, line, "1.00")
    post(contract, line, "1.00")  # empty vouchers do not collide


def test_budget_vs_actual_sums_signed_posted_amounts_and_projects_linearly(contract, line):
    p1 = contract.budget_lines.get(code="P1")
    ExpenditureFactory(budget_line=line, amount=Decimal("30000.00"))
    ExpenditureFactory(budget_line=line, amount=Decimal("-1000.00"))
    ExpenditureFactory(budget_line=line, amount=Decimal("999.00"), status="void", void_reason="x")
    ExpenditureFactory(budget_line=p1, amount=Decimal("45000.00"))
    bva = budget_vs_actual(contract, as_of=dt.date(2025, 7, 2))  # 183 of 365 days
    rows = {row.code: row for row in bva.lines}
    assert rows["A1"].actual == Decimal("29000.00")
    assert rows["A1"].remaining == Decimal("61000.00")
    assert rows["A1"].pct_spent == Decimal("32.22")
    assert rows["A1"].projected_at_end == Decimal("57841.53")  # 29000 × 365 / 183
    assert rows["X1"].pct_spent == Decimal("0.00")
    assert (bva.approved, bva.actual, bva.remaining) == (
        Decimal("300000.00"),
        Decimal("74000.00"),
        Decimal("226000.00"),
    )
    assert bva.received == Decimal("150000.00") and bva.cash_position == Decimal("76000.00")
    assert project_at_end(Decimal("10"), 0, 365) == Decimal("10.00")


def test_budget_vs_actual_report_command_prints_the_cli_json(contract, line, capsys):
    ExpenditureFactory(budget_line=line, amount=Decimal("1234.5"))
    call_command(
        "report", "budget-vs-actual", "--contract", contract.code, "--format", "json", "--agency", "xinfeng"
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"contract", "as_of", "lines", "total", "received", "cash_position"}
    assert data["contract"] == "JX-XF-2025-01"
    assert data["lines"][1] == {
        "code": "A1",
        "name": "服务活动",
        "category": "activities",
        "approved": "90000.00",
        "actual": "1234.50",
        "remaining": "88765.50",
        "pct_spent": "1.37",
        "projected_at_end": data["lines"][1]["projected_at_end"],
    }
    assert data["total"] == {"approved": "300000.00", "actual": "1234.50", "remaining": "298765.50"}
    assert data["received"] == "150000.00" and data["cash_position"] == "148765.50"


def test_budget_vs_actual_report_refuses_unknown_and_unseen_contracts(
    contract, other_contract, auditor, granted, agency
):
    build = get("budget-vs-actual").build
    with pytest.raises(ReportError):
        build(agency=agency, user=None, contract="NOPE")
    with pytest.raises(ReportError):
        build(agency=agency, user=auditor, contract=other_contract.code)
    assert build(agency=agency, user=auditor, contract=contract.code).data["contract"] == contract.code
    with pytest.raises(CommandError):
        call_command(
            "report", "budget-vs-actual", "--contract", "NOPE", "--format", "json", "--agency", "xinfeng"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_concurrent_postings_never_pass_a_stop_line(contract, line):
    set_action(contract, "stop")
    post(contract, line, "89000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            post(contract, line, "800.00")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()  # this thread's own connection (CONN_MAX_AGE would keep it open)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert budget_vs_actual(contract).lines[1].actual == Decimal("89800.00")
