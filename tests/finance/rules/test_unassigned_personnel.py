"""UNASSIGNED_PERSONNEL (finance/rules/unassigned_personnel.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import D, found, staffed_book


def test_unassigned_personnel_is_found_on_the_salary_of_someone_not_on_the_contract(base):
    base.staff.append({"staff_id": 300, "staff_no": "S300", "name": "别的项目"})
    base.spells.append({"staff_id": 300, "hire_date": dt.date(2020, 1, 1), "exit_date": None})
    row = base.add(
        date=dt.date(2025, 6, 10), amount="4321.09", line="P1", payee="别的项目", staff_id=300, invoice_no=""
    )
    assert found(base.scan()) == [("UNASSIGNED_PERSONNEL", (row,))]


@pytest.mark.parametrize(("day", "fires"), [(dt.date(2025, 6, 30), False), (dt.date(2025, 7, 1), True)])
def test_unassigned_personnel_assignment_end_boundary(day, fires):
    book = staffed_book()
    row = book.add(date=day, amount="10.00", line="P1", staff_id=7)
    assert found(book.scan(["UNASSIGNED_PERSONNEL"])) == ([("UNASSIGNED_PERSONNEL", (row,))] if fires else [])


def test_unassigned_personnel_needs_the_contract_to_have_assignments():
    book = staffed_book(assigned=False)
    book.add(date=D, amount="10.00", line="P1", staff_id=7)
    assert book.scan(["UNASSIGNED_PERSONNEL"]) == []
