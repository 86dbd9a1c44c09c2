"""DUPLICATE_INVOICE (finance/rules/duplicate_invoice.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

from tests.finance.rules.ledger import Book, D, found


def test_duplicate_invoice_in_one_contract_is_found_on_exactly_the_two_charges(base):
    a = base.add(
        date=dt.date(2025, 4, 8), amount="930.00", payee="赣州文具店", invoice_no="04419823", line="M1"
    )
    b = base.add(
        date=dt.date(2025, 6, 10),
        amount="930.00",
        payee="赣州 文具店",
        invoice_no="０４４１９８２３",
        line="M1",
    )
    findings = base.scan()
    assert found(findings) == [("DUPLICATE_INVOICE", (a, b))]
    f = findings[0]
    assert f.evidence["invoice_no"] == "04419823"
    assert f.evidence["amounts"] == ["930.00", "930.00"]
    assert (
        f.message % f.params
        == "Invoice 04419823 from 赣州文具店 is charged twice (2 expenditures, 1,860.00 in all)"
    )


def test_duplicate_invoice_across_two_contracts_of_the_agency(base):
    own = base.add(
        date=dt.date(2025, 4, 8), amount="500.00", payee="Print Shop", invoice_no="A-77", line="M1"
    )
    other = base.add(
        date=dt.date(2025, 4, 9), amount="500.00", payee="print shop", invoice_no="a-77", contract="C2"
    )
    findings = base.scan()
    assert found(findings) == [("DUPLICATE_INVOICE", tuple(sorted((own, other))))]
    assert findings[0].params["contracts"] == "C1, C2"
    assert findings[0].subject == "inv:printshop|a-77"


def test_same_invoice_number_from_different_payees_is_no_duplicate():
    book = Book()
    book.add(date=D, amount="10.00", payee="甲", invoice_no="1")
    book.add(date=D, amount="11.00", payee="乙", invoice_no="1")
    assert book.scan(["DUPLICATE_INVOICE"]) == []


def test_a_reversal_carrying_the_invoice_number_is_not_a_second_charge():
    book = Book()
    book.add(date=D, amount="10.00", payee="甲", invoice_no="1")
    book.add(date=D, amount="-10.00", payee="甲", invoice_no="1")
    assert book.scan(["DUPLICATE_INVOICE"]) == []


def test_a_contract_that_does_not_run_the_rule_has_no_charge_in_the_group():
    """Another contract's disabled_rules: its charges neither join this contract's group nor
    make it fire (docs/rules.md, disabled_rules)."""
    book = Book()
    own = book.add(date=D, amount="300.00", payee="Print Shop", invoice_no="A-77")
    book.add(date=D, amount="300.00", payee="Print Shop", invoice_no="A-77", contract="C2")
    assert found(book.scan(["DUPLICATE_INVOICE"])) == [("DUPLICATE_INVOICE", (own, own + 1))]
    book.rules_off = {"C2": {"DUPLICATE_INVOICE"}}
    assert book.scan(["DUPLICATE_INVOICE"]) == []
    book.rules_off = {"C2": {"WEEKEND_HOLIDAY"}}  # another rule off: C2 still checks invoices
    assert found(book.scan(["DUPLICATE_INVOICE"])) == [("DUPLICATE_INVOICE", (own, own + 1))]


def test_the_group_covers_only_the_contracts_that_run_the_rule():
    book = Book()
    own = book.add(date=D, amount="300.00", payee="Print Shop", invoice_no="A-77")
    book.add(date=D, amount="300.00", payee="Print Shop", invoice_no="A-77", contract="C2")
    third = book.add(date=D, amount="300.00", payee="print shop", invoice_no="a-77", contract="C3")
    book.rules_off = {"C2": {"DUPLICATE_INVOICE", "WEEKEND_HOLIDAY"}}
    findings = book.scan(["DUPLICATE_INVOICE"])
    assert found(findings) == [("DUPLICATE_INVOICE", (own, third))]
    assert findings[0].params["contracts"] == "C1, C3"
    assert findings[0].params["count"] == 2
    assert findings[0].subject == "inv:printshop|a-77"
