"""CASH_LIMIT, MISSING_RECEIPT, INELIGIBLE_ITEM, ROUND_AMOUNT."""

import datetime as dt

import pytest

from tests.finance.rules.ledger import Book, found

D = dt.date(2025, 3, 3)


def test_cash_limit_is_found_on_exactly_the_large_cash_payment(base):
    row = base.add(date=dt.date(2025, 4, 1), amount="1200.50", payee="现金供应商", payment_method="cash")
    assert found(base.scan()) == [("CASH_LIMIT", (row,))]


@pytest.mark.parametrize(
    ("amount", "method", "fires"),
    [("1000.00", "cash", False), ("1000.01", "cash", True), ("1000.01", "bank", False)],
)
def test_cash_limit_boundaries(amount, method, fires):
    book = Book()
    row = book.add(date=D, amount=amount, payment_method=method)
    assert found(book.scan(["CASH_LIMIT"])) == ([("CASH_LIMIT", (row,))] if fires else [])


def test_missing_receipt_is_found_on_exactly_that_payment(base):
    row = base.add(date=dt.date(2025, 4, 2), amount="345.67", payee="无票供应商", invoice_no=" ")
    assert found(base.scan()) == [("MISSING_RECEIPT", (row,))]


@pytest.mark.parametrize(
    ("amount", "line", "fires"), [("200.00", "M1", False), ("200.01", "M1", True), ("5000.01", "P1", False)]
)
def test_missing_receipt_boundaries(amount, line, fires):
    book = Book()
    row = book.add(date=D, amount=amount, line=line, invoice_no="")
    assert found(book.scan(["MISSING_RECEIPT"])) == ([("MISSING_RECEIPT", (row,))] if fires else [])


def test_ineligible_item_is_found_by_description_or_payee_in_any_case_or_width(base):
    gift = base.add(date=dt.date(2025, 9, 2), amount="123.40", description="员工生日礼品", payee="礼品店甲")
    ktv = base.add(date=dt.date(2025, 9, 3), amount="234.50", payee="ＫＴＶ欢乐城", description="团建")
    fine = base.add(date=dt.date(2025, 9, 4), amount="50.10", payee="交警", description="Traffic FINE")
    base.add(date=dt.date(2025, 9, 5), amount="60.20", payee="文具", description="a box of inexpensive pens")
    findings = base.scan()
    assert found(findings) == [
        ("INELIGIBLE_ITEM", (gift,)),
        ("INELIGIBLE_ITEM", (ktv,)),
        ("INELIGIBLE_ITEM", (fine,)),
    ]
    assert [f.evidence["keywords"] for f in findings] == [["礼品"], ["KTV"], ["fine"]]


def test_ineligible_keywords_come_from_the_contract_policy():
    book = Book()
    row = book.add(date=D, amount="10.00", description="月饼")
    assert book.scan(["INELIGIBLE_ITEM"]) == []
    assert found(book.scan(["INELIGIBLE_ITEM"], ineligible_keywords=["月饼"])) == [
        ("INELIGIBLE_ITEM", (row,))
    ]


def test_round_amount_is_found_on_exactly_that_payment(base):
    row = base.add(date=dt.date(2025, 4, 3), amount="5000.00", payee="整数供应商", line="A1")
    assert found(base.scan()) == [("ROUND_AMOUNT", (row,))]


@pytest.mark.parametrize(
    ("amount", "line", "fires"),
    [
        ("4000.00", "A1", False),
        ("5000.00", "A1", True),
        ("5500.00", "A1", False),
        ("6000.01", "A1", False),
        ("6000.00", "P1", False),
    ],
)
def test_round_amount_boundaries(amount, line, fires):
    book = Book()
    row = book.add(date=D, amount=amount, line=line)
    assert found(book.scan(["ROUND_AMOUNT"])) == ([("ROUND_AMOUNT", (row,))] if fires else [])
