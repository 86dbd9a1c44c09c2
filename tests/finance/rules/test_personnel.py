"""GHOST_PERSONNEL, UNASSIGNED_PERSONNEL, PAYEE_IS_STAFF."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, found

D = dt.date(2025, 3, 3)


def staffed_book(*, exit_date=None, assigned=True) -> Book:
    book = Book()
    book.staff.append({"staff_id": 7, "staff_no": "S007", "name": "张三"})
    book.spells.append({"staff_id": 7, "hire_date": dt.date(2020, 1, 1), "exit_date": exit_date})
    if assigned:
        book.assignments.append({"staff_id": 7, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 6, 30)})
    return book


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


def test_payee_is_staff_is_found_on_equipment_and_services_only(base):
    equipment = base.add(date=dt.date(2025, 8, 5), amount="899.00", line="E1", payee="社工 03号")
    services = base.add(date=dt.date(2025, 8, 6), amount="456.00", line="S1", payee="社工04号")
    base.add(date=dt.date(2025, 8, 7), amount="99.00", line="M1", payee="社工05号")
    findings = base.scan()
    assert found(findings) == [("PAYEE_IS_STAFF", (equipment,)), ("PAYEE_IS_STAFF", (services,))]
    assert findings[0].evidence["staff_no"] in {"S103", "S104"}
