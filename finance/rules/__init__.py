"""The irregular fund-use rules of docs/rules.md: one module per rule code, found by a registry.

Each rule lives in its own module (``line_overspend.py`` for ``LINE_OVERSPEND``) and declares
there its code, severity, position, title and explanation, the policy keys it reads with their
defaults, the rule function and its demo example (``finance.rules.base.Rule``). Adding a rule is
one module here and one test file; ``REGISTRY`` finds it, derives the order of docs/rules.md
(severity, then position) and refuses a duplicate code.

``run_rules(frame, policy, context)`` runs every registered rule on a prepared expenditure frame
(``prepare_frame``) and returns the findings. Rule modules use pandas and the helpers of
``base``; they import no models (an import-linter contract checks it).
"""

from __future__ import annotations

import sys

from django.utils.translation import gettext

from finance.rules.base import (
    FRAME_COLUMNS,
    SEVERITIES,
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    RuleDeclarationError,
    money_str,
    money_text,
    normalise_text,
    prepare_frame,
    to_cents,
)
from finance.rules.registry import Registry

REGISTRY = Registry()
REGISTRY.discover(sys.modules[__name__])

#: Rule codes in the order of docs/rules.md (critical first), as the rules declared at start-up.
RULE_ORDER = REGISTRY.order()


def all_rules() -> list[Rule]:
    """Every rule, in the order of docs/rules.md."""
    return REGISTRY.ordered()


def get_rule(code: str) -> Rule:
    return REGISTRY[code]


def rule_policy_keys() -> dict[str, PolicyKey]:
    """The policy keys the rules read, with their kinds and defaults (``finance.policy`` adds the
    keys no rule reads)."""
    return REGISTRY.policy_keys()


def run_rules(frame, policy: dict, context: RuleContext, codes=None) -> list[Finding]:
    """Every (or the named) rule's findings on one contract's prepared frame."""
    findings: list[Finding] = []
    for rule in all_rules():
        if codes is None or rule.code in codes:
            findings.extend(rule(frame, policy, context))
    return findings


def render_message(message: str, params: dict | None) -> str:
    """A stored finding message in the active language (msgid + params, rendered now).
    ``finance.models.flags.flag_message`` first gives coded parameters (a category, a holiday)
    their names in the active language."""
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
    "PolicyKey",
    "Rule",
    "RuleContext",
    "RuleDeclarationError",
    "all_rules",
    "get_rule",
    "money_str",
    "money_text",
    "normalise_text",
    "prepare_frame",
    "render_message",
    "rule_policy_keys",
    "run_rules",
    "to_cents",
]
