"""The delivery rules of docs/rules.md: one small pure function per rule code, a registry.

``run_delivery_rules(activities, policy, context)`` runs every rule on a prepared activities
frame (``prepare_activities``) and returns ``ActivityFinding``s, shaped like the finance rules'
findings so the flag machinery stores, explains and triages them the same way. No model imports:
the scan loads the frames.
"""

from __future__ import annotations

from delivery.rules import (  # noqa: F401  (registers)
    duplicate,
    during_training,
    not_employed,
    outside_period,
    overload,
    target_surge,
    thin_cases,
    unassigned,
)
from delivery.rules.base import (
    ACTIVITY_COLUMNS,
    REGISTRY,
    ActivityFinding,
    DeliveryContext,
    prepare_activities,
)
from delivery.rules.policy import DEFAULTS

#: Rule codes in the order of docs/rules.md.
RULE_ORDER = (
    "ACTIVITY_OUTSIDE_PERIOD",
    "ACTIVITY_STAFF_NOT_EMPLOYED",
    "ACTIVITY_UNASSIGNED",
    "ACTIVITY_OVERLOAD",
    "ACTIVITY_DURING_TRAINING",
    "DUPLICATE_ACTIVITY",
    "TARGET_SURGE",
    "THIN_CASES",
)
assert set(RULE_ORDER) == set(REGISTRY), "every delivery rule of docs/rules.md is registered exactly once"


def all_rules():
    return [REGISTRY[code] for code in RULE_ORDER]


def run_delivery_rules(
    activities, policy: dict, context: DeliveryContext, codes=None
) -> list[ActivityFinding]:
    """Every (or the named) delivery rule's findings on one contract's prepared activities frame."""
    policy = {**DEFAULTS, **(policy or {})}
    findings: list[ActivityFinding] = []
    for rule in all_rules():
        if codes is None or rule.code in codes:
            findings.extend(rule(activities, policy, context))
    return findings


__all__ = [
    "ACTIVITY_COLUMNS",
    "REGISTRY",
    "RULE_ORDER",
    "ActivityFinding",
    "DeliveryContext",
    "all_rules",
    "prepare_activities",
    "run_delivery_rules",
]
