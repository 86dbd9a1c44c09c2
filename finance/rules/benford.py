"""BENFORD: the first digits of genuine amounts follow log10(1 + 1/d)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, PolicyKey, Rule, RuleContext
from finance.rules.examples import DemoExample, DemoRow, DemoWorld

#: Nigrini's bound for first-digit nonconformity (mean absolute deviation).
MAD_BOUND = 0.015
EXPECTED = np.log10(1 + 1 / np.arange(1, 10))


def first_digits(cents: np.ndarray) -> np.ndarray:
    """Leading decimal digit of positive integer amounts (in cents: the digit is the same)."""
    digits = cents.astype("int64").copy()
    while (big := digits >= 10).any():
        digits[big] //= 10
    return digits


def benford(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """At least ``benford_min_count`` expenditures of 10 or more, first-digit MAD above 0.015."""
    minimum = int(policy["benford_min_count"])
    amounts = frame.loc[frame["amount"] >= 1000, "amount"].to_numpy()
    if len(amounts) < max(minimum, 1):
        return []
    counts = np.bincount(first_digits(amounts), minlength=10)[1:10]
    observed = counts / counts.sum()
    mad = float(np.abs(observed - EXPECTED).mean())
    if mad <= MAD_BOUND:
        return []
    return [
        Finding(
            rule="BENFORD",
            subject=f"{context.contract}:contract",
            message=gettext_noop(
                "Contract %(contract)s: the first digits of %(count)s amounts deviate from Benford's "
                "law (mean absolute deviation %(mad)s, above %(bound)s)"
            ),
            params={
                "contract": context.contract,
                "count": len(amounts),
                "mad": f"{mad:.4f}",
                "bound": f"{MAD_BOUND:.3f}",
            },
            evidence={
                "count": len(amounts),
                "mad": round(mad, 4),
                "bound": MAD_BOUND,
                "observed": {str(d): round(float(p), 4) for d, p in zip(range(1, 10), observed, strict=True)},
                "expected": {str(d): round(float(p), 4) for d, p in zip(range(1, 10), EXPECTED, strict=True)},
            },
            basis={"count": len(amounts), "mad": round(mad, 3)},
        )
    ]


def example(world: DemoWorld) -> DemoExample:
    """520 small purchases on the second contract whose amounts all start with 1 (10.00–18.90),
    spread over the data window."""
    second = world.second
    line = second.line("materials", "activities")
    rows = []
    for i in range(520):
        day = world.spread(i, 520)
        amount = (Decimal(100 + i % 90) / 10).quantize(Decimal("0.01"))
        rows.append(DemoRow(second.code, line, day, amount, f"小额商户{i:03d}", "零星物资"))
    return DemoExample(rows=tuple(rows))


RULE = Rule(
    code="BENFORD",
    severity="info",
    position=40,
    about="contract",
    title=_("First digits do not follow Benford's law"),
    description=_(
        "In large sets of genuine payments, first digits follow a known pattern (Benford's law); "
        "a strong deviation can point to invented or adjusted amounts. Fixed salaries and fees "
        "can also cause it: a reason to look, not proof."
    ),
    func=benford,
    policy=(PolicyKey("benford_min_count", "int", 500, _("Fewest amounts for the first-digit test")),),
    example=example,
    example_order=170,
)
