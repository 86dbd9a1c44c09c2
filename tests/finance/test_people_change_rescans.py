"""A change of people data the finance rules read scans the contracts it may change, at once.

Staff numbers and names, and employment spells, are kept by the staff app; a change of them
through its services (a person created, renamed or deleted, a spell added or given another
exit date, a roster import) is published (``core.people_changes``) and queues, once the change
commits, the scan of each of the agency's contracts with an expenditure naming the person, or
an equipment or services charge paid to their name (``flags_scan_people_contracts``). One scan
per contract per write, however many rows; nothing for a change no rule reads; never another
agency's contracts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin

from core.models import Job
from finance.flags.services import flags_scan_contract
from finance.models import Contract, Flag
from staff.models import EmploymentSpell, StaffMember
from staff.roster import roster_import
from staff.services import spell_update, staff_member_create, staff_member_delete, staff_member_update
from tests.factories import UserFactory
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db

HEADER = "员工编号,姓名,岗位,用工形式,入职日期,离职日期,离职原因,学历,社工专业,证书等级,证书编号,发证日期,登记有效期至"


def scans() -> list[tuple[str, str]]:
    """Every scan job queued so far: (contract code, status), in order."""
    codes = dict(Contract.objects.values_list("pk", "code"))
    return [
        (codes[job.params["contract"]], job.status)
        for job in Job.objects.filter(kind="finance.flags_scan").order_by("pk")
    ]


def flags(rule: str) -> list[tuple]:
    """Every flag of ``rule``: (pk, contract code, active, staff number in its evidence)."""
    return [
        (flag.pk, flag.contract.code, flag.active, flag.evidence.get("staff_no"))
        for flag in Flag.objects.filter(rule=rule).select_related("contract").order_by("pk")
    ]


def contract(agency, code: str) -> Contract:
    """A 2025 contract with a personnel line P and a services line S."""
    contract = ContractFactory(agency=agency, code=code)
    BudgetLineFactory(contract=contract, code="P", category="personnel", amount=Decimal("90000.00"))
    BudgetLineFactory(contract=contract, code="S", category="services", amount=Decimal("9000.00"))
    return contract


def salary(contract: Contract, member, month: int, voucher: str) -> None:
    """``member``'s salary of 4,000.00 on the 23rd of ``month`` 2025."""
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="P"), staff=member, payee=member.name,
        description="工资", date=dt.date(2025, month, 23), amount=Decimal("4000.00"), voucher_no=voucher,
    )  # fmt: skip


def service(contract: Contract, payee: str, voucher: str) -> None:
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="S"), payee=payee, description="督导服务",
        date=dt.date(2025, 4, 8), amount=Decimal("1800.00"), voucher_no=voucher,
        invoice_no=f"INV-{voucher}", payment_method="bank",
    )  # fmt: skip


@pytest.fixture
def books(agency, staff_member, other_staff_member, outsider_agency, outsider_member) -> dict[str, Contract]:
    """A pays 李社工 (S200) in June and 王社工 (S300) in May; B pays 王社工 in July and a
    services invoice to 赵 敏; C pays nobody on staff. The other agency's contract X pays its own
    S200 and a services invoice to 赵敏. Everything scanned: no flag."""
    books = {code: contract(agency, code) for code in ("A", "B", "C")}
    salary(books["A"], staff_member, 6, "A-1")
    salary(books["A"], other_staff_member, 5, "A-2")
    salary(books["B"], other_staff_member, 7, "B-1")
    service(books["B"], "赵 敏", "B-2")
    service(books["C"], "县印刷厂", "C-1")
    books["X"] = contract(outsider_agency, "X")
    salary(books["X"], outsider_member, 6, "X-1")
    service(books["X"], "赵敏", "X-2")
    for each in books.values():
        flags_scan_contract(contract=each)
    assert list(Flag.objects.values_list("rule", "contract__code", "message")) == []
    return books


def test_ending_employment_before_a_salary_raises_ghost_personnel_at_once_and_restoring_resolves_it(
    books, staff_member, director, django_capture_on_commit_callbacks
):
    spell = staff_member.spells.get()
    with django_capture_on_commit_callbacks(execute=True):
        spell_update(spell=spell, by=director, exit_date=dt.date(2025, 3, 31), exit_reason="career")
    assert scans() == [("A", "succeeded")]
    ((pk, *_),) = flags("GHOST_PERSONNEL")
    assert flags("GHOST_PERSONNEL") == [(pk, "A", True, "S200")]

    with django_capture_on_commit_callbacks(execute=True):
        spell_update(spell=spell, by=director, exit_date=None, exit_reason="")
    assert scans() == [("A", "succeeded"), ("A", "succeeded")]
    assert flags("GHOST_PERSONNEL") == [(pk, "A", False, "S200")]


def test_a_spell_or_person_saved_with_nothing_a_rule_reads_changed_queues_nothing(
    books, staff_member, director, django_capture_on_commit_callbacks
):
    spell = staff_member.spells.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        spell_update(spell=spell, by=director, position="项目主管", exit_notes="")
        spell_update(spell=spell, by=director, hire_date=dt.date(2022, 3, 1))
        staff_member_update(member=staff_member, by=director, phone="13800000000", position="督导")
        staff_member_update(member=staff_member, by=director, name="李社工", staff_no="S200")
    assert callbacks == []
    assert Job.objects.count() == 0


def test_a_renamed_staff_member_scans_the_contracts_naming_them_or_paying_a_namesake(
    books, staff_member, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_member_update(member=staff_member, by=director, name="赵敏")
    # A pays the person; B pays 赵 敏 for services (the payee compared without spaces); C neither;
    # the other agency's X pays a 赵敏 too and is not scanned.
    assert sorted(scans()) == [("A", "succeeded"), ("B", "succeeded")]
    # Recorded as the scans of the director, who renamed the person.
    assert set(Job.objects.values_list("created_by__username", flat=True)) == {director.username}
    ((pk, *_),) = flags("PAYEE_IS_STAFF")
    assert flags("PAYEE_IS_STAFF") == [(pk, "B", True, "S200")]

    with django_capture_on_commit_callbacks(execute=True):
        staff_member_update(member=staff_member, by=director, name="李社工")
    assert sorted(scans()) == [("A", "succeeded")] * 2 + [("B", "succeeded")] * 2
    assert flags("PAYEE_IS_STAFF") == [(pk, "B", False, "S200")]


def test_a_new_person_named_like_a_payee_scans_that_contract_and_one_named_like_nobody_nothing(
    agency, books, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_member_create(
            agency=agency, by=director, staff_no="S400", name="周新", hire_date=dt.date(2025, 9, 1)
        )
    assert scans() == []

    with django_capture_on_commit_callbacks(execute=True):
        member = staff_member_create(
            agency=agency, by=director, staff_no="S401", name="赵敏", hire_date=dt.date(2025, 9, 1)
        )
    assert scans() == [("B", "succeeded")]
    ((pk, *_),) = flags("PAYEE_IS_STAFF")
    assert flags("PAYEE_IS_STAFF") == [(pk, "B", True, "S401")]

    # Entered in error and deleted (nothing refers to them): the namesake flag resolves.
    with django_capture_on_commit_callbacks(execute=True):
        member.spells.all().delete()
        staff_member_delete(member=member, by=director)
    assert scans() == [("B", "succeeded"), ("B", "succeeded")]
    assert flags("PAYEE_IS_STAFF") == [(pk, "B", False, "S401")]


def test_a_roster_import_of_many_rows_queues_one_scan_per_affected_contract(
    agency, books, director, django_capture_on_commit_callbacks
):
    rows = [
        "S200,李社工,一线社工,全职,2022-03-01,2025-03-31,职业发展,,,,,,",
        "S300,王社工,一线社工,全职,2023-05-01,2025-03-31,迁居,,,,,,",
        *(f"N{n:03d},新社工{n},一线社工,全职,2025-09-01,,,,,,,," for n in range(30)),
    ]
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = roster_import(data=data, filename="roster.csv", agency=agency, user=director)
    assert result.ok, result.error_lines()
    # 32 rows, 2 people who left, 30 hired: A (both paid after leaving) and B (王社工), once each.
    assert sorted(scans()) == [("A", "succeeded"), ("B", "succeeded")]
    assert sorted(flag[1:] for flag in flags("GHOST_PERSONNEL")) == [
        ("A", True, "S200"),
        ("A", True, "S300"),
        ("B", True, "S300"),
    ]

    # The people again, in another order and with new positions (no rule reads them): nothing
    # queued.
    again = [row.replace(",一线社工,", ",项目社工,") for row in reversed(rows)]
    data = ("\n".join([HEADER, *again]) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = roster_import(data=data, filename="roster-2.csv", agency=agency, user=director)
    assert result.ok, result.error_lines()
    assert result.summary["staff_updated"] == 32
    assert len(scans()) == 2


def test_another_agencys_contracts_are_never_scanned(
    books, outsider, outsider_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        spell_update(spell=outsider_member.spells.get(), by=outsider, exit_date=dt.date(2025, 3, 31),
                     exit_reason="career")  # fmt: skip
        staff_member_update(member=outsider_member, by=outsider, name="赵敏")
    assert scans() == [("X", "succeeded")]
    assert sorted(flag[1:] for flag in Flag.objects.values_list("pk", "rule", "contract__code")) == [
        ("GHOST_PERSONNEL", "X"),
        ("PAYEE_IS_STAFF", "X"),
    ]


def test_an_exit_date_or_a_name_entered_in_the_admin_scans_as_on_any_other_path(
    books, staff_member, rf, django_capture_on_commit_callbacks
):
    request = rf.post("/admin/")
    request.user = UserFactory(username="sam", is_staff=True, is_superuser=True)

    def save(model, obj) -> None:
        model_admin = admin.site._registry[model]
        with django_capture_on_commit_callbacks(execute=True):
            model_admin.save_model(request, obj, form=None, change=True)
            model_admin.save_related(request, SimpleNamespace(instance=obj, save_m2m=lambda: None), [], True)

    spell = staff_member.spells.get()
    spell.exit_date, spell.exit_reason = dt.date(2025, 3, 31), "career"
    save(EmploymentSpell, spell)
    assert scans() == [("A", "succeeded")]
    assert [flag[1:] for flag in flags("GHOST_PERSONNEL")] == [("A", True, "S200")]

    staff_member.phone = "13800000000"
    save(StaffMember, staff_member)
    assert len(scans()) == 1

    staff_member.name = "赵敏"
    save(StaffMember, staff_member)
    assert sorted(scans()) == [("A", "succeeded")] * 2 + [("B", "succeeded")]
    assert [flag[1:] for flag in flags("PAYEE_IS_STAFF")] == [("B", True, "S200")]
