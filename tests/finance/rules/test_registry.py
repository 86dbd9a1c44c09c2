"""The registry of rules: found one module per rule, ordered as the spec, duplicates refused."""

from decimal import Decimal

import pytest
from django.utils import translation

import finance.rules
from finance.policy import default_policy
from finance.rules import REGISTRY, RULE_ORDER, all_rules, render_message
from finance.rules.base import PolicyKey, Rule, RuleDeclarationError
from finance.rules.examples import DemoExample
from finance.rules.registry import Registry, rule_module_names
from tests.finance.rules.ledger import clean_book

#: The table of rules of docs/rules.md (the spec's flag-rules.md): code and severity, in its order.
SPEC_RULES = [
    ("LINE_OVERSPEND", "critical"),
    ("CONTRACT_OVERSPEND", "critical"),
    ("TRANSFER_LIMIT", "critical"),
    ("OUTSIDE_PERIOD", "critical"),
    ("DUPLICATE_INVOICE", "critical"),
    ("GHOST_PERSONNEL", "critical"),
    ("ADMIN_CAP", "warning"),
    ("PERSONNEL_CAP", "warning"),
    ("DUPLICATE_PAYMENT", "warning"),
    ("SPLIT_PURCHASE", "warning"),
    ("CASH_LIMIT", "warning"),
    ("MISSING_RECEIPT", "warning"),
    ("INELIGIBLE_ITEM", "warning"),
    ("UNASSIGNED_PERSONNEL", "warning"),
    ("PAYEE_IS_STAFF", "warning"),
    ("SPENDING_SURGE", "warning"),
    ("ROUND_AMOUNT", "info"),
    ("WEEKEND_HOLIDAY", "info"),
    ("LATE_POSTING", "info"),
    ("BENFORD", "info"),
]


def _noop(frame, policy, context):
    return []


def _rule(code="NEW_RULE", **fields) -> Rule:
    values = {
        "severity": "info",
        "position": 5,
        "about": "expenditure",
        "title": "t",
        "description": "d",
        "func": _noop,
        "example": lambda world: DemoExample(),
        **fields,
    }
    return Rule(code=code, **values)


def test_the_registry_lists_the_twenty_rules_of_the_spec_in_its_order_with_their_severity():
    assert [(r.code, r.severity) for r in all_rules()] == SPEC_RULES
    assert list(RULE_ORDER) == [code for code, _severity in SPEC_RULES]
    assert list(REGISTRY) == list(RULE_ORDER)
    assert all(str(r.description) and str(r.title) for r in all_rules())


def test_every_rule_is_its_own_module_named_after_its_code():
    names = rule_module_names(finance.rules)
    assert names == sorted(f"finance.rules.{code.lower()}" for code, _severity in SPEC_RULES)
    assert {REGISTRY[code].func.__module__ for code in RULE_ORDER} == set(names)


def test_the_order_is_severity_then_the_declared_position():
    registry = Registry()
    registry.register(_rule("LATE_INFO", severity="info", position=1))
    registry.register(_rule("SECOND_CRITICAL", severity="critical", position=20))
    registry.register(_rule("FIRST_CRITICAL", severity="critical", position=10))
    registry.register(_rule("A_WARNING", severity="warning", position=10))
    assert registry.order() == ("FIRST_CRITICAL", "SECOND_CRITICAL", "A_WARNING", "LATE_INFO")
    assert registry.rank("A_WARNING") == 2 and registry.rank("UNKNOWN") == 4


def test_a_second_rule_with_a_code_already_registered_is_refused_naming_both_modules():
    registry = Registry()
    registry.discover(finance.rules)
    with pytest.raises(RuleDeclarationError) as error:
        registry.register(_rule("LINE_OVERSPEND", severity="warning"), origin="finance.rules.copied_rule")
    assert str(error.value) == (
        "duplicate rule code LINE_OVERSPEND: declared in finance.rules.line_overspend and again in "
        "finance.rules.copied_rule; every rule needs its own code"
    )
    assert registry["LINE_OVERSPEND"].severity == "critical"
    assert len(registry) == 20


def test_two_rules_that_disagree_on_a_shared_policy_key_are_refused():
    registry = Registry()
    registry.register(_rule("ONE", policy=(PolicyKey("window_days", "int", 7),)))
    registry.register(_rule("TWO", policy=(PolicyKey("window_days", "int", 7),)))
    with pytest.raises(RuleDeclarationError, match="policy key window_days is declared as int 30"):
        registry.register(_rule("THREE", policy=(PolicyKey("window_days", "int", 30),)))
    assert list(registry.policy_keys()) == ["window_days"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"severity": "urgent"}, "unknown severity 'urgent'"),
        ({"about": "person"}, "unknown about 'person'"),
        ({"position": -1}, "position must be a whole number of zero or more"),
        ({"example": None}, "declare exactly one of example"),
        ({"example_from": "LINE_OVERSPEND"}, "declare exactly one of example"),
    ],
)
def test_a_rule_declaration_with_a_wrong_field_is_refused_with_the_reason(fields, problem):
    with pytest.raises(RuleDeclarationError, match=problem):
        _rule(**fields)


def test_a_rule_code_must_be_upper_snake_case_and_a_policy_kind_known():
    with pytest.raises(RuleDeclarationError, match="not UPPER_SNAKE_CASE"):
        _rule("line-overspend")
    with pytest.raises(RuleDeclarationError, match="unknown kind 'money'"):
        PolicyKey("limit", "money", Decimal("1"))


def test_every_rule_has_a_demo_example_or_names_the_rule_whose_example_makes_it_fire():
    shared = {r.code: r.example_from for r in all_rules() if r.example_from}
    assert shared == {
        "CONTRACT_OVERSPEND": "LINE_OVERSPEND",
        "TRANSFER_LIMIT": "LINE_OVERSPEND",
        "SPENDING_SURGE": "LINE_OVERSPEND",
    }
    assert sum(1 for r in all_rules() if r.example is not None) == 17


def test_the_policy_defaults_are_the_spec_table_derived_from_the_rules_and_the_overspend_action():
    assert default_policy() == {
        "transfer_tolerance_pct": Decimal("10"),
        "closeout_days": 30,
        "exit_grace_days": 31,
        "admin_cap_pct": Decimal("10"),
        "personnel_cap_pct": None,
        "duplicate_window_days": 7,
        "approval_threshold": Decimal("5000.00"),
        "split_window_days": 7,
        "cash_limit": Decimal("1000.00"),
        "receipt_required_above": Decimal("200.00"),
        "ineligible_keywords": [
            "烟", "酒", "礼品", "礼金", "购物卡", "罚款", "滞纳金", "娱乐", "KTV",
            "gift", "alcohol", "tobacco", "fine", "penalty",
        ],
        "surge_window_days": 30,
        "surge_factor": Decimal("3"),
        "round_amount_min": Decimal("5000"),
        "round_amount_unit": Decimal("1000"),
        "posting_grace_days": 30,
        "benford_min_count": 500,
        "overspend_action": "warn",
        "disabled_rules": {},  # flag-rules.md: [none], every rule runs
        # The delivery rules' keys (flag-rules.md), added by the delivery app.
        "activity_day_max_minutes": 600,
        "training_day_hours": Decimal("6"),
        "thin_case_pct": Decimal("20"),
        "thin_case_minutes": 45,
    }  # fmt: skip
    first, second = default_policy(), default_policy()
    first["ineligible_keywords"].append("咖啡")
    assert "咖啡" not in second["ineligible_keywords"]


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
