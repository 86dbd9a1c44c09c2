"""DUPLICATE_INVOICE across contracts when some of them disable it (docs/rules.md, disabled_rules).

The group of an invoice is made of the charges of the contracts that run the rule: a contract
that disabled it never has its expenditures raised by another contract's scan, and the group
fires only while a duplicate remains among the contracts that check it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.flags.services import contract_disabled_rules_update, flag_set_status, flags_scan_contract
from finance.models import Flag, FlagEvent
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory, evidence_pdf

REASON = "本项目的发票由资助方统一核验"
CODES = {"A": "JX-XF-2025-01", "B": "JX-XF-2025-02", "C": "JX-XF-2025-03"}


def charge(contract, voucher, day):
    """300.00 of invoice A-77 from Print Shop (spelled differently: one invoice after normalisation)."""
    return ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        voucher_no=voucher,
        date=dt.date(2025, 3, day),
        amount=Decimal("300.00"),
        invoice_no="A-77" if day % 2 else "a-77",
        payee="Print Shop" if day % 2 else "print shop",
        payment_method="bank",
    )


@pytest.fixture
def third_contract(agency):
    contract = ContractFactory(agency=agency, code=CODES["C"], total=Decimal("1000.00"))
    BudgetLineFactory(contract=contract, code="A1", name="服务活动", amount=Decimal("1000.00"))
    return contract


@pytest.fixture
def set_rules(director, django_capture_on_commit_callbacks):
    """The director's change, with the scans it starts run at once."""

    def change(contract, disabled):
        with django_capture_on_commit_callbacks(execute=True):
            contract_disabled_rules_update(contract=contract, user=director, disabled=disabled)
        contract.refresh_from_db()

    return change


def flags() -> list[tuple]:
    """Every DUPLICATE_INVOICE flag: (owner, active, status, linked vouchers, linked contracts,
    stored vouchers, stored contract codes)."""
    return [
        (
            flag.contract.code,
            flag.active,
            flag.status,
            sorted(flag.expenditures.values_list("voucher_no", flat=True)),
            sorted(flag.contracts.values_list("code", flat=True)),
            flag.vouchers,
            flag.contract_codes,
        )
        for flag in Flag.objects.filter(rule="DUPLICATE_INVOICE").select_related("contract").order_by("pk")
    ]


def duplicate_invoice(result) -> list[list[str]]:
    return [flag.vouchers for flag in result.flags if flag.rule == "DUPLICATE_INVOICE"]


A, B, C = CODES["A"], CODES["B"], CODES["C"]


def test_a_disables_and_bs_scan_raises_none_of_as_expenditures(contract, other_contract, set_rules):
    charge(contract, "V-1", 5)
    charge(other_contract, "W-1", 6)
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(rule="DUPLICATE_INVOICE")
    assert flags() == [(A, True, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]

    set_rules(contract, {"DUPLICATE_INVOICE": REASON})
    # Out of the queue, kept as it was last found.
    assert flags() == [(A, False, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]
    result = flags_scan_contract(contract=other_contract)
    counts = (result.created, result.updated, result.reopened, result.unchanged, result.resolved)
    assert counts == (0, 0, 0, 0, 0)
    assert duplicate_invoice(result) == []
    assert flags() == [(A, False, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]

    # A duplicate among B's own charges: B's finding covers B's expenditures only, on the same
    # flag, which becomes B's (A no longer has a charge in it).
    charge(other_contract, "W-2", 7)
    result = flags_scan_contract(contract=other_contract)
    assert duplicate_invoice(result) == [["W-1", "W-2"]]
    assert flags() == [(B, True, "open", ["W-1", "W-2"], [B], ["W-1", "W-2"], [B])]
    flag_now = Flag.objects.get(rule="DUPLICATE_INVOICE")
    assert flag_now.pk == flag.pk
    assert flag_now.params["contracts"] == B and flag_now.params["count"] == 2
    assert flag_now.text == "Invoice a-77 from print shop is charged twice (2 expenditures, 600.00 in all)"
    # A's next scan leaves B's finding alone.
    result = flags_scan_contract(contract=contract)
    assert duplicate_invoice(result) == []
    assert flags() == [(B, True, "open", ["W-1", "W-2"], [B], ["W-1", "W-2"], [B])]


def test_b_disables_and_the_flag_a_raised_with_b_stops_firing(contract, other_contract, set_rules):
    charge(contract, "V-1", 5)
    charge(other_contract, "W-1", 6)
    flags_scan_contract(contract=contract)  # A raises the flag: it is A's
    assert flags() == [(A, True, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]

    # B's scan does not own the flag: A, which still names it, is scanned again for the rule.
    set_rules(other_contract, {"DUPLICATE_INVOICE": REASON})
    assert flags() == [(A, False, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]
    result = flags_scan_contract(contract=contract)
    assert duplicate_invoice(result) == []
    assert result.resolved == 0
    flags_scan_contract(contract=other_contract)
    assert flags() == [(A, False, "open", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]
    assert Flag.objects.filter(active=True, expenditures__voucher_no="W-1").count() == 0


def test_when_both_disable_the_rule_no_scan_raises_the_invoice(contract, other_contract, set_rules):
    charge(contract, "V-1", 5)
    charge(contract, "V-2", 7)
    charge(other_contract, "W-1", 6)
    flags_scan_contract(contract=contract)
    assert flags() == [(A, True, "open", ["V-1", "V-2", "W-1"], [A, B], ["V-1", "W-1", "V-2"], [A, B])]

    set_rules(other_contract, {"DUPLICATE_INVOICE": REASON})
    # Still a duplicate in A (V-1, V-2): the flag now covers A's charges only.
    assert flags() == [(A, True, "open", ["V-1", "V-2"], [A], ["V-1", "V-2"], [A])]
    set_rules(contract, {"DUPLICATE_INVOICE": REASON})
    assert flags() == [(A, False, "open", ["V-1", "V-2"], [A], ["V-1", "V-2"], [A])]
    for scanned in (contract, other_contract, contract):
        assert duplicate_invoice(flags_scan_contract(contract=scanned)) == []
    assert flags() == [(A, False, "open", ["V-1", "V-2"], [A], ["V-1", "V-2"], [A])]


def test_a_duplicate_left_among_the_other_contracts_stays_raised_and_moves_to_one_of_them(
    contract, other_contract, third_contract, set_rules, finance
):
    charge(contract, "V-1", 5)
    charge(other_contract, "W-1", 6)
    charge(third_contract, "X-1", 7)
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(rule="DUPLICATE_INVOICE")
    flag_set_status(
        flag=flag, user=finance, status="explained", note="三家资助方分摊同一张发票", evidence=evidence_pdf()
    )
    assert flags() == [
        (A, True, "explained", ["V-1", "W-1", "X-1"], [A, B, C], ["V-1", "W-1", "X-1"], [A, B, C])
    ]

    set_rules(contract, {"DUPLICATE_INVOICE": REASON})
    # B and C still charge the invoice twice: the same flag, about them, reopened (the
    # expenditures behind it changed), and B's now.
    assert flags() == [(B, True, "open", ["W-1", "X-1"], [B, C], ["W-1", "X-1"], [B, C])]
    assert Flag.objects.get(pk=flag.pk).events.filter(kind=FlagEvent.Kind.REOPENED).count() == 1
    result = flags_scan_contract(contract=contract)
    assert duplicate_invoice(result) == [] and result.resolved == 0
    assert flags() == [(B, True, "open", ["W-1", "X-1"], [B, C], ["W-1", "X-1"], [B, C])]

    set_rules(contract, {})
    assert flags() == [(B, True, "open", ["V-1", "W-1", "X-1"], [A, B, C], ["V-1", "W-1", "X-1"], [A, B, C])]
    assert Flag.objects.get(rule="DUPLICATE_INVOICE").pk == flag.pk


def test_reenabling_on_a_brings_back_the_same_flag_with_its_status_and_history(
    contract, other_contract, set_rules, finance
):
    charge(contract, "V-1", 5)
    charge(other_contract, "W-1", 6)
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(rule="DUPLICATE_INVOICE")
    flag_set_status(
        flag=flag, user=finance, status="explained", note="两家资助方各承担一半", evidence=evidence_pdf()
    )

    set_rules(contract, {"DUPLICATE_INVOICE": REASON})
    flags_scan_contract(contract=other_contract)
    assert flags() == [(A, False, "explained", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]

    set_rules(contract, {})
    assert flags() == [(A, True, "explained", ["V-1", "W-1"], [A, B], ["V-1", "W-1"], [A, B])]
    assert list(Flag.objects.filter(rule="DUPLICATE_INVOICE").values_list("pk", flat=True)) == [flag.pk]
    flag.refresh_from_db()
    assert flag.note == "两家资助方各承担一半"
    assert [(e.kind, e.to_status) for e in flag.events.order_by("at", "pk")] == [
        ("raised", "open"),
        ("status", "explained"),
        ("evidence", ""),
    ]
    history = flag.history.order_by("history_date", "history_id")
    assert [(h.history_type, h.status, h.active) for h in history] == [
        ("+", "open", True),
        ("~", "explained", True),
        ("~", "explained", False),
    ]
    # And B's scan keeps it as it is.
    result = flags_scan_contract(contract=other_contract)
    assert duplicate_invoice(result) == [["V-1", "W-1"]]
    assert (result.created, result.unchanged) == (0, 1)
