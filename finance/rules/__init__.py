"""The irregular fund-use rules of flag-rules.md: one small function per rule code, a registry.

``run_rules(frame, policy, context)`` runs every registered rule on a prepared expenditure frame
(``prepare_frame``) and returns the findings; ``REGISTRY`` lists the rules with their code,
severity, title and description (shown in the interface). Adding a rule touches one module here
and one test file.
"""

from __future__ import annotations

from django.utils.translation import gettext

from finance.rules import benford, budget, duplicates, payments, period, personnel  # noqa: F401  (registers)
from finance.rules.base import (
    FRAME_COLUMNS,
    REGISTRY,
    SEVERITIES,
    Finding,
    Rule,
    RuleContext,
    money_str,
    money_text,
    normalise_text,
    prepare_frame,
    to_cents,
)

#: Rule codes in the order of flag-rules.md (critical first).
RULE_ORDER = (
    "LINE_OVERSPEND",
    "CONTRACT_OVERSPEND",
    "TRANSFER_LIMIT",
    "OUTSIDE_PERIOD",
    "DUPLICATE_INVOICE",
    "GHOST_PERSONNEL",
    "ADMIN_CAP",
    "PERSONNEL_CAP",
    "DUPLICATE_PAYMENT",
    "SPLIT_PURCHASE",
    "CASH_LIMIT",
    "MISSING_RECEIPT",
    "INELIGIBLE_ITEM",
    "UNASSIGNED_PERSONNEL",
    "PAYEE_IS_STAFF",
    "SPENDING_SURGE",
    "ROUND_AMOUNT",
    "WEEKEND_HOLIDAY",
    "LATE_POSTING",
    "BENFORD",
)
assert set(RULE_ORDER) == set(REGISTRY), "every rule of flag-rules.md is registered exactly once"


def all_rules() -> list[Rule]:
    """Every rule, in the order of flag-rules.md."""
    return [REGISTRY[code] for code in RULE_ORDER]


def get_rule(code: str) -> Rule:
    return REGISTRY[code]


def run_rules(frame, policy: dict, context: RuleContext, codes=None) -> list[Finding]:
    """Every (or the named) rule's findings on one contract's prepared frame."""
    findings: list[Finding] = []
    for rule in all_rules():
        if codes is None or rule.code in codes:
            findings.extend(rule(frame, policy, context))
    return findings


def render_message(message: str, params: dict | None) -> str:
    """A stored finding message in the active language (msgid + params, rendered now)."""
    try:
        return gettext(message) % (params or {})
    except (KeyError, TypeError, ValueError):
        # A translation with a broken placeholder must not hide the finding.
        return message % (params or {})


__all__ = [
    "FRAME_COLUMNS",
    "REGISTRY",
    "RULE_ORDER",
    "SEVERITIES",
    "Finding",
    "Rule",
    "RuleContext",
    "all_rules",
    "get_rule",
    "money_str",
    "money_text",
    "normalise_text",
    "prepare_frame",
    "render_message",
    "run_rules",
    "to_cents",
]
