"""DUPLICATE_INVOICE, DUPLICATE_PAYMENT, SPLIT_PURCHASE."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, found

D = dt.date(2025, 3, 3)


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


def test_duplicate_payment_is_found_on_the_repeated_payments_only(base):
    a = base.add(date=dt.date(2025, 6, 3), amount="456.78", payee="重复收款方")
    b = base.add(date=dt.date(2025, 6, 10), amount="456.78", payee="重复收款方")
    c = base.add(date=dt.date(2025, 6, 17), amount="456.78", payee="重复收款方")
    assert found(base.scan()) == [("DUPLICATE_PAYMENT", (a, b, c))]


@pytest.mark.parametrize(("gap", "fires"), [(6, True), (7, True), (8, False)])
def test_duplicate_payment_window_boundaries(gap, fires):
    book = Book()
    a = book.add(date=D, amount="100.00", payee="甲")
    b = book.add(date=D + dt.timedelta(days=gap), amount="100.00", payee="甲")
    assert found(book.scan(["DUPLICATE_PAYMENT"])) == ([("DUPLICATE_PAYMENT", (a, b))] if fires else [])


def test_duplicate_payment_skips_a_group_that_is_one_duplicate_invoice_group_and_personnel():
    book = Book()
    book.add(date=D, amount="100.00", payee="甲", invoice_no="X1")
    book.add(date=D, amount="100.00", payee="甲", invoice_no="X1")
    book.add(date=D, amount="3000.00", payee="王", line="P1", invoice_no="")
    book.add(date=D, amount="3000.00", payee="王", line="P1", invoice_no="")
    assert book.scan(["DUPLICATE_PAYMENT"]) == []
    assert len(book.scan(["DUPLICATE_INVOICE"])) == 1


def test_split_purchase_is_found_on_the_run_and_nothing_else(base):
    a = base.add(date=dt.date(2025, 7, 1), amount="2600.10", payee="拆分供应商", line="A1")
    b = base.add(date=dt.date(2025, 7, 8), amount="2399.90", payee="拆分供应商", line="A1")
    findings = base.scan()
    assert found(findings) == [("SPLIT_PURCHASE", (a, b))]
    assert findings[0].evidence["total"] == "5000.00"


@pytest.mark.parametrize(
    ("second", "gap", "fires"),
    [("2399.99", 7, False), ("2400.00", 7, True), ("2400.00", 8, False), ("2400.01", 1, True)],
)
def test_split_purchase_boundaries(second, gap, fires):
    book = Book()
    a = book.add(date=D, amount="2600.00", payee="甲")
    b = book.add(date=D + dt.timedelta(days=gap), amount=second, payee="甲")
    assert found(book.scan(["SPLIT_PURCHASE"])) == ([("SPLIT_PURCHASE", (a, b))] if fires else [])


def test_split_purchase_ignores_purchases_at_the_threshold_and_single_purchases():
    book = Book()
    book.add(date=D, amount="5000.00", payee="甲")
    book.add(date=D, amount="4999.99", payee="甲")
    assert book.scan(["SPLIT_PURCHASE"]) == []
