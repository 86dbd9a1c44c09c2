"""GHOST_PERSONNEL (finance/rules/ghost_personnel.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import D, found, staffed_book


def test_ghost_personnel_is_found_on_the_salary_paid_after_the_exit(base):
    base.staff.append({"staff_id": 200, "staff_no": "S200", "name": "离职者"})
    base.spells.append({"staff_id": 200, "hire_date": dt.date(2020, 1, 1), "exit_date": dt.date(2025, 3, 31)})
    base.assignments.append({"staff_id": 200, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)})
    base.add(
        date=dt.date(2025, 4, 10), amount="3456.78", line="P1", payee="离职者", staff_id=200, invoice_no=""
    )
    ghost = base.add(
        date=dt.date(2025, 5, 9), amount="3456.79", line="P1", payee="离职者", staff_id=200, invoice_no=""
    )
    findings = base.scan()
    assert found(findings) == [("GHOST_PERSONNEL", (ghost,))]
    assert findings[0].evidence["staff_no"] == "S200"


@pytest.mark.parametrize(("days_after_exit", "fires"), [(30, False), (31, False), (32, True)])
def test_ghost_personnel_exit_grace_boundaries(days_after_exit, fires):
    exit_date = dt.date(2025, 2, 28)
    book = staffed_book(exit_date=exit_date)
    row = book.add(date=exit_date + dt.timedelta(days=days_after_exit), amount="10.00", line="P1", staff_id=7)
    assert found(book.scan(["GHOST_PERSONNEL"])) == ([("GHOST_PERSONNEL", (row,))] if fires else [])


def test_ghost_personnel_before_the_hire_and_without_any_spell():
    book = staffed_book()
    book.spells[0]["hire_date"] = dt.date(2025, 3, 4)
    before = book.add(date=D, amount="10.00", line="P1", staff_id=7)
    nobody = book.add(date=D, amount="10.00", line="P1", staff_id=99)
    book.add(date=D, amount="10.00", line="A1", staff_id=99)  # not personnel
    assert found(book.scan(["GHOST_PERSONNEL"])) == [
        ("GHOST_PERSONNEL", (before,)),
        ("GHOST_PERSONNEL", (nobody,)),
    ]


def test_ghost_personnel_accepts_a_rehire_spell():
    book = staffed_book(exit_date=dt.date(2021, 1, 1))
    book.spells.append({"staff_id": 7, "hire_date": dt.date(2024, 1, 1), "exit_date": None})
    book.add(date=D, amount="10.00", line="P1", staff_id=7)
    assert book.scan(["GHOST_PERSONNEL"]) == []
