"""PERSONNEL_CAP: personnel spending exceeds its share of the contract total, when capped."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _

from finance.rules._totals import category_cap
from finance.rules.base import Finding, PolicyKey, Rule, RuleContext
from finance.rules.examples import DemoExample, DemoWorld


def personnel_cap(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Actual personnel spending exceeds ``personnel_cap_pct`` % of the total, when that is set."""
    return category_cap(
        frame, policy, context, code="PERSONNEL_CAP", category="personnel", key="personnel_cap_pct"
    )


def example(world: DemoWorld) -> DemoExample:
    """Last year's closed contract (else the first) capped personnel at 40 % of its total; a
    year of its salaries took 45 %."""
    return DemoExample(policy={(world.closed or world.first).code: {"personnel_cap_pct": "40"}})


RULE = Rule(
    code="PERSONNEL_CAP",
    severity="warning",
    position=20,
    about="contract",
    title=_("Personnel cap exceeded"),
    description=_(
        "Personnel costs exceed the share of the contract the funder allows for them. Usually "
        "staff time of other projects was charged here."
    ),
    func=personnel_cap,
    policy=(
        PolicyKey("personnel_cap_pct", "decimal_or_none", None, _("Personnel cap (percent of the total)")),
    ),
    example=example,
    example_order=140,
)
