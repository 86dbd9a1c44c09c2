"""Finance pages speak to people: rules by their title and explanation, evidence labelled and
formatted, the policy as a labelled table with units, numbers grouped by thousands in Chinese
too, and one sign for remaining money with its formula written out."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from finance.flags.services import flags_scan_contract
from finance.models import Flag
from finance.reports.pack import budget_section
from finance.rules import all_rules
from tests.finance.factories import ExpenditureFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def text(response) -> str:
    """The page's visible text, white space collapsed."""
    html = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def cash_flag(contract):
    """1,500.00 paid in cash on A1 (the default cash limit is 1,000.00): one CASH_LIMIT flag."""
    ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        amount=Decimal("1500.00"),
        payment_method="cash",
        voucher_no="X-1",
        invoice_no="INV-9",
        date=dt.date(2025, 3, 5),
    )
    flags_scan_contract(contract=contract)
    return Flag.objects.get(contract=contract, rule="CASH_LIMIT")


def test_the_flag_queue_lists_every_rule_by_title_and_explanation_in_both_languages(
    director, login_client, contract
):
    client = login_client(director)
    zh = text(client.get(reverse("finance-flag-list"), **ZH))
    en = text(client.get(reverse("finance-flag-list"), **EN))
    assert (
        "现金支付超限 警告 一笔大额款项以现金支付，没有银行流水记录。通常是供应商不接受转账；"
        "需要附收据并说明原因。" in zh
    )
    assert (
        "Cash payment over the limit Warning A large payment was made in cash, which leaves "
        "no bank trail. Usually a supplier who would not take a transfer; it needs a receipt and a reason."
        in en
    )
    for rule in all_rules():
        with translation.override("zh-hans"):
            assert f"{rule.title} " in zh and str(rule.description) in zh, rule.code
        assert f"{rule.title} " in en and str(rule.description) in en, rule.code
    # The code is no text on the page (an internal name): only the title's tooltip and anchor.
    assert "CASH_LIMIT" not in zh and "CASH_LIMIT" not in en
    html = client.get(reverse("finance-flag-list"), **EN).content.decode()
    assert 'id="rule-CASH_LIMIT" title="CASH_LIMIT">Cash payment over the limit</strong>' in html


def test_a_flag_shows_why_it_matters_and_its_evidence_labelled_and_formatted(
    director, login_client, cash_flag
):
    client = login_client(director)
    url = reverse("finance-flag-detail", args=[cash_flag.pk])
    zh = text(client.get(url, **ZH))
    en = text(client.get(url, **EN))
    assert "规则 现金支付超限 风险说明 一笔大额款项以现金支付，没有银行流水记录。" in zh
    assert "金额 1,500.00 现金支付限额 1,000.00 支付方式 现金" in zh
    assert "Rule Cash payment over the limit Why it matters A large payment was made in cash" in en
    assert "CASH_LIMIT" not in zh and "CASH_LIMIT" not in en
    assert "Amount 1,500.00 Cash limit 1,000.00 Payment method Cash" in en
    assert "cash_limit" not in zh and "payment_method" not in en
    # The machines' copy keeps its keys and plain numbers.
    assert cash_flag.evidence == {"amount": "1500.00", "cash_limit": "1000.00", "payment_method": "cash"}


def test_the_policy_page_is_a_labelled_table_with_units_defaults_and_the_rules_that_use_each_value(
    auditor, director, login_client, contract
):
    contract.policy = {"cash_limit": "800.00"}
    contract.save(update_fields=["policy"])
    from finance.services import auditor_grant

    auditor_grant(contract=contract, auditor=auditor, granted_by=director, expires_on=None)
    client = login_client(auditor)
    url = reverse("finance-contract-policy", args=[contract.pk])
    zh = text(client.get(url, **ZH))
    en = text(client.get(url, **EN))
    assert (
        "单笔现金支付上限 800.00元 本合同单独设置 1,000.00元 默认值：1,000.00元。单位：元。"
        "用于：现金支付超限。" in zh
    )
    assert (
        "Largest cash payment 800.00 yuan set for this contract 1,000.00 yuan "
        "Default: 1,000.00 yuan. In yuan. Used by: Cash payment over the limit." in en
    )
    assert "['" not in zh and "['" not in en  # no Python list of keywords
    assert "cash_limit" not in zh and "cash_limit" not in en  # keys are no text on the page
    # The ineligible words are matched as written (Chinese and English); they fold into a list.
    assert "不可列支关键词（每行一个） 14 个词 烟 、 酒 、 礼品" in zh
    assert "Ineligible words (one per line) 14 words 烟 , 酒 , 礼品" in en
    assert "默认值：14 个词。每行一个词。用于：疑似不可列支项目。" in zh


def test_chinese_pages_group_money_by_thousands(finance, login_client, contract):
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="P1"), amount=Decimal("12345.60"))
    client = login_client(finance)
    zh = text(client.get(reverse("finance-ledger"), **ZH))
    assert "12,345.60" in zh
    detail = text(client.get(reverse("finance-contract-detail", args=[contract.pk]), **ZH))
    assert "300,000.00" in detail and "150,000.00" in detail


def test_remaining_has_one_sign_on_the_page_and_in_the_pack_with_its_formula(finance, login_client, contract):
    # A1: 90,000 approved, 90,500 spent: 500 over budget, so remaining is -500.00 everywhere.
    ExpenditureFactory(budget_line=contract.budget_lines.get(code="A1"), amount=Decimal("90500.00"))
    page = text(login_client(finance).get(reverse("finance-contract-detail", args=[contract.pk]), **EN))
    assert "A1 服务活动 Service activities 90,000.00 90,000.00 90,500.00 -500.00" in page
    assert "Remaining = approved - actual (negative: over budget)." in page
    table = budget_section(contract).tables[0]
    a1 = next(row for row in table.rows if row["code"] == "A1")
    assert a1["remaining"] == Decimal("-500.00")
    assert [c.label for c in table.columns][6] == "Remaining"
    assert table.note.startswith("Remaining = approved - actual (negative: over budget).")
    with translation.override("zh-hans"):
        zh_table = budget_section(contract).tables[0]
        assert zh_table.note.startswith("剩余 = 批复金额 - 实际支出（负数表示超支）。")


def test_the_pack_names_each_rule_by_its_title_and_keeps_the_code_for_machines(contract, cash_flag):
    from finance.reports.pack import contract_pack

    cash_flag.status = "confirmed"
    cash_flag.save(update_fields=["status"])
    with translation.override("zh-hans"):
        section = next(s for s in contract_pack(contract).sections if s.title == "资金使用异常预警")
        counts, confirmed = section.tables
        assert [row["rule"] for row in counts.rows] == ["现金支付超限"]
        assert confirmed.rows[0]["rule"] == "现金支付超限"
    report = contract_pack(contract)
    assert report.data["flags"]["by_rule"]["CASH_LIMIT"]["confirmed"] == 1  # machines keep the code


def test_the_flags_report_tables_name_rules_by_title_and_keep_codes_in_json(contract, cash_flag):
    from finance.reports.flags import build_flags

    with translation.override("en"):
        report = build_flags(agency=contract.agency, contract=contract.code)
        tables = report.tables()
        assert [row["rule"] for row in tables[1].rows] == ["Cash payment over the limit"]
        assert tables[0].rows[0]["rule"] == "Cash payment over the limit"
    assert report.data["flags"][0]["rule"] == "CASH_LIMIT"
    assert list(report.data["summary"]["by_rule"]) == ["CASH_LIMIT"]


def test_a_flags_history_shows_its_finding_and_rule_in_the_readers_language_not_bookkeeping(
    director, login_client, cash_flag
):
    client = login_client(director)
    url = reverse("record-history", args=["finance", "flag", cash_flag.pk])
    zh = text(client.get(url, **ZH))
    with translation.override("zh-hans"):
        finding = cash_flag.text
    assert f"发现的问题 : — → {finding}" in zh
    assert "规则 : — → 现金支付超限" in zh
    assert "金额：1,500.00；现金支付限额：1,000.00；支付方式：现金" in zh
    for bookkeeping in ("CASH_LIMIT", cash_flag.fingerprint, cash_flag.subject, "%(", "cash_limit"):
        assert bookkeeping not in zh


def test_evidence_of_the_delivery_rules_is_labelled_and_read_by_rule(staff_member):
    from finance.flags.presentation import evidence_rows

    with translation.override("zh-hans"):
        rows = evidence_rows(
            {
                "date": "2026-01-05",
                "staff_id": staff_member.pk,
                "target": "HV",
                "calendar_finding": "X:calendar-missing",
            },
            "ACTIVITY_OUTSIDE_PERIOD",
        )
        assert rows == [
            ("日期", "2026年1月5日"),
            ("员工", f"{staff_member.name} ({staff_member.staff_no})"),
            ("指标", "HV"),
        ]
        # A target surge counts activities: the same keys as the spending surge, not money.
        assert evidence_rows({"last_window": 9, "period_total": 12}, "TARGET_SURGE") == [
            ("最近一个窗口期的活动次数", "9"),
            ("合同期内的活动次数", "12"),
        ]
        assert evidence_rows({"last_window": "900.00"}, "SPENDING_SURGE") == [
            ("最近一个窗口期支出", "900.00")
        ]
        assert evidence_rows({"holiday": "National Day"}) == [("节假日", "国庆节")]
