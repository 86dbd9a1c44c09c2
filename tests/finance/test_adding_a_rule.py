"""A rule is one file: a module dropped into finance.rules is found, ordered, scanned, and its
policy key becomes a contract policy key, with nothing else edited."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

import finance.rules
from finance.flags.services import flags_scan_contract
from finance.models import Flag
from finance.policy import default_policy, validate_policy
from finance.rules import REGISTRY, RuleDeclarationError, all_rules
from tests.finance.factories import ExpenditureFactory

PETTY_COFFEE = '''
"""PETTY_COFFEE: coffee bought on the contract above the coffee limit (a throw-away rule)."""

from decimal import Decimal

from finance.rules.base import PolicyKey, Rule, cents_floor, expenditure_findings, money_str
from finance.rules.examples import DemoExample


def petty_coffee(frame, policy, context):
    limit = cents_floor(policy["coffee_limit"])
    rows = frame[frame["description"].str.contains("咖啡") & (frame["amount"] > limit)]
    return expenditure_findings(
        rows,
        "PETTY_COFFEE",
        "Voucher %(voucher)s buys coffee for %(amount)s",
        lambda row: {"amount": money_str(row.amount)},
        lambda row: {"coffee_limit": money_str(limit)},
    )


RULE = Rule(
    code="PETTY_COFFEE",
    severity="info",
    position=15,
    about="expenditure",
    title="Coffee",
    description="Coffee above the coffee limit.",
    func=petty_coffee,
    policy=(PolicyKey("coffee_limit", "decimal", Decimal("50.00"), "Coffee limit"),),
    example=lambda world: DemoExample(),
)
'''

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule_folder(tmp_path):
    """A second folder of the finance.rules package, for modules written by a test; afterwards
    the package and its registry are as before."""
    path = list(finance.rules.__path__)
    finance.rules.__path__.append(str(tmp_path))
    yield tmp_path
    finance.rules.__path__[:] = path
    sys.modules.pop("finance.rules.petty_coffee", None)
    REGISTRY.reload(finance.rules)


def test_a_rule_in_one_new_file_runs_in_the_scan_in_its_place_and_adds_its_policy_key(rule_folder, contract):
    (rule_folder / "petty_coffee.py").write_text(textwrap.dedent(PETTY_COFFEE), encoding="utf-8")
    REGISTRY.reload(finance.rules)

    codes = [rule.code for rule in all_rules()]
    assert len(codes) == 21
    assert codes[16:19] == ["ROUND_AMOUNT", "PETTY_COFFEE", "WEEKEND_HOLIDAY"]
    assert default_policy()["coffee_limit"] == Decimal("50.00")
    assert validate_policy({"coffee_limit": "80"}) == {"coffee_limit": "80"}

    a1 = contract.budget_lines.get(code="A1")
    ExpenditureFactory(
        budget_line=a1,
        date=dt.date(2025, 3, 5),
        amount=Decimal("120.00"),
        description="团队咖啡",
        voucher_no="V-1",
    )
    ExpenditureFactory(
        budget_line=a1,
        date=dt.date(2025, 3, 6),
        amount=Decimal("30.00"),
        description="咖啡",
        voucher_no="V-2",
    )
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(rule="PETTY_COFFEE")
    assert (flag.severity, flag.vouchers, flag.text) == (
        "info",
        ["V-1"],
        "Voucher V-1 buys coffee for 120.00",
    )
    assert flag.evidence == {"coffee_limit": "50.00"}

    contract.policy = {"coffee_limit": "200"}
    contract.save()
    flags_scan_contract(contract=contract)
    flag.refresh_from_db()
    assert flag.active is False


def test_without_the_file_the_rule_and_its_policy_key_are_gone(rule_folder):
    REGISTRY.reload(finance.rules)
    assert "PETTY_COFFEE" not in REGISTRY
    assert "coffee_limit" not in default_policy()
    with pytest.raises(ValidationError, match="unknown policy key coffee_limit"):
        validate_policy({"coffee_limit": "80"})


def test_a_new_file_that_reuses_a_code_is_refused_and_the_registry_is_left_as_it_was(rule_folder):
    copied = PETTY_COFFEE.replace('code="PETTY_COFFEE"', 'code="CASH_LIMIT"')
    (rule_folder / "petty_coffee.py").write_text(textwrap.dedent(copied), encoding="utf-8")
    with pytest.raises(
        RuleDeclarationError, match="declares rule 'CASH_LIMIT'; a rule module is named after"
    ):
        REGISTRY.reload(finance.rules)
    assert len(REGISTRY) == 20 and REGISTRY["CASH_LIMIT"].func.__module__ == "finance.rules.cash_limit"
