"""ADMIN_CAP: administration spending exceeds its share of the contract total."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _

from finance.rules._totals import category_cap
from finance.rules.base import Finding, PolicyKey, Rule, RuleContext
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def admin_cap(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Actual admin-category spending exceeds ``admin_cap_pct`` % of the contract total."""
    return category_cap(frame, policy, context, code="ADMIN_CAP", category="admin", key="admin_cap_pct")


def example(world: DemoWorld) -> DemoExample:
    """A year's office rent on the second contract: by itself above administration's 10 % share,
    however little of the year has passed."""
    second = world.second
    admin = second.line_of("admin")
    if admin is None:
        return DemoExample()
    amount = (second.total * Decimal("0.10")).quantize(Decimal("0.01")) + Decimal("0.41")
    day = world.working_day(11, 3)
    return DemoExample(rows=(DemoRow(second.code, admin, day, amount, "物业公司", "办公室租金"),))


RULE = Rule(
    code="ADMIN_CAP",
    severity="warning",
    position=10,
    about="contract",
    title=_("Administration cap exceeded"),
    description=_(
        "Administrative costs exceed the share of the contract the funder allows for them. "
        "Usually shared office costs were allocated too generously to this contract."
    ),
    func=admin_cap,
    policy=(PolicyKey("admin_cap_pct", "decimal", Decimal("10"), _("Admin cap (percent of the total)")),),
    example=example,
    example_order=160,
)
