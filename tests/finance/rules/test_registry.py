"""The registry of rules and the clean generated ledger."""

from django.utils import translation

from finance.rules import REGISTRY, RULE_ORDER, all_rules, render_message
from tests.finance.rules.ledger import clean_book

SPEC_SEVERITIES = {
    "LINE_OVERSPEND": "critical",
    "CONTRACT_OVERSPEND": "critical",
    "TRANSFER_LIMIT": "critical",
    "OUTSIDE_PERIOD": "critical",
    "DUPLICATE_INVOICE": "critical",
    "GHOST_PERSONNEL": "critical",
    "ADMIN_CAP": "warning",
    "PERSONNEL_CAP": "warning",
    "DUPLICATE_PAYMENT": "warning",
    "SPLIT_PURCHASE": "warning",
    "CASH_LIMIT": "warning",
    "MISSING_RECEIPT": "warning",
    "INELIGIBLE_ITEM": "warning",
    "UNASSIGNED_PERSONNEL": "warning",
    "PAYEE_IS_STAFF": "warning",
    "SPENDING_SURGE": "warning",
    "ROUND_AMOUNT": "info",
    "WEEKEND_HOLIDAY": "info",
    "LATE_POSTING": "info",
    "BENFORD": "info",
}


def test_the_registry_lists_the_twenty_rules_of_the_spec_with_their_severity():
    assert {code: rule.severity for code, rule in REGISTRY.items()} == SPEC_SEVERITIES
    assert [r.code for r in all_rules()] == list(RULE_ORDER)
    assert all(str(r.description) and str(r.title) for r in all_rules())


def test_a_clean_generated_ledger_of_several_thousand_rows_raises_nothing():
    book = clean_book(5000, seed=5)
    assert len(book.rows) == 5000
    assert book.scan() == []


def test_messages_are_rendered_at_display_time_from_key_and_params():
    message = "Voucher %(voucher)s was posted on %(posted)s"
    with translation.override("en"):
        assert render_message(message, {"voucher": "V-1", "posted": "2025-01-02"}) == (
            "Voucher V-1 was posted on 2025-01-02"
        )
