"""The duplicate-invoice context asks for each other contract's invoice number once (issue 17):
its DISTINCT holds the invoice number alone, not the ledger's ordering columns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.flags.selectors import _other_contracts_sharing_invoices
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db


def test_other_contracts_invoices_are_asked_once_each_and_the_sharing_rows_come_back(agency):
    here = BudgetLineFactory(contract=ContractFactory(agency=agency, code="HERE"))
    there = BudgetLineFactory(contract=ContractFactory(agency=agency, code="THERE"))
    ExpenditureFactory(budget_line=here, invoice_no="INV-1")
    ExpenditureFactory(budget_line=here, invoice_no="inv 2")
    shared = [ExpenditureFactory(budget_line=there, invoice_no="INV-1") for _ in range(3)]
    shared.append(ExpenditureFactory(budget_line=there, invoice_no="INV2"))  # the same, normalised
    for k in range(5):
        ExpenditureFactory(budget_line=there, invoice_no=f"OTHER-{k}")
    ExpenditureFactory(budget_line=there, invoice_no="")

    with CaptureQueriesContext(connection) as queries:
        frame = _other_contracts_sharing_invoices(here.contract, own={"inv-1", "inv2"})

    assert sorted(frame["id"].tolist()) == sorted(e.pk for e in shared)
    assert set(frame["contract"]) == {"THERE"}
    distinct = [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"]]
    assert len(distinct) == 1
    # PostgreSQL reads it through a server-side cursor (DECLARE … FOR SELECT …).
    selected = distinct[0][distinct[0].index("SELECT DISTINCT") :].split(" FROM ")[0]
    assert selected == 'SELECT DISTINCT "finance_expenditure"."invoice_no" AS "invoice_no"'
