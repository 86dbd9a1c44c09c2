"""INELIGIBLE_ITEM (finance/rules/ineligible_item.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

from tests.finance.rules.ledger import Book, D, found


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
