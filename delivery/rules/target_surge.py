"""TARGET_SURGE: a target's activities crowd into the last weeks of the contract."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, decimal, delivery_rule
from finance.rules.base import number_text

MIN_ACTIVITIES = 10


@delivery_rule(
    "TARGET_SURGE",
    severity="warning",
    about="target",
    title=_("End-of-contract surge of activities"),
    description=_(
        "Far more of a target's activities are dated in the last weeks of the contract than on "
        "average: a count caught up on paper before the funder's review."
    ),
)
def target_surge(frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
    """Last ``surge_window_days`` count > ``surge_factor`` × the period's average per window.

    Only when the period is at least 3 windows long and the target has at least 10 activities.
    """
    window = int(policy["surge_window_days"])
    factor = decimal(policy["surge_factor"])
    length = context.period_days
    if window <= 0 or length < 3 * window:
        return []
    days = frame["day"].to_numpy()
    inside = (days >= context.start_day) & (days <= context.end_day)
    # Counts per target by position (codes of the sorted distinct targets): no group frames.
    codes, targets = pd.factorize(frame["target"].to_numpy()[inside], sort=True)
    totals = np.bincount(codes, minlength=len(targets))
    lasts = np.bincount(codes[days[inside] > context.end_day - window], minlength=len(targets))
    findings = []
    for target, total, last in zip(targets.tolist(), totals.tolist(), lasts.tolist(), strict=True):
        if total < MIN_ACTIVITIES:
            continue
        if decimal(last * length) <= factor * total * window:
            continue
        average = (decimal(total) * window / length).quantize(decimal("0.01"))
        window_start = context.end - dt.timedelta(days=window - 1)
        findings.append(
            ActivityFinding(
                rule="TARGET_SURGE",
                subject=f"{context.contract}:surge:{target}",
                message=gettext_noop(
                    "Target %(target)s of %(contract)s: %(last)s activities in the last %(window)s days "
                    "(%(from)s to %(to)s), more than %(factor)s times the average of %(average)s per "
                    "%(window)s days over the period"
                ),
                params={
                    "target": target,
                    "contract": context.contract,
                    "last": last,
                    "window": window,
                    "from": window_start.isoformat(),
                    "to": context.end.isoformat(),
                    "factor": number_text(factor),
                    "average": str(average),
                },
                evidence={
                    "last_window": last,
                    "period_total": total,
                    "average_per_window": str(average),
                    "window_days": window,
                    "factor": number_text(factor),
                    "period_days": length,
                },
                basis={"last": last, "total": total},
                target=str(target),
            )
        )
    return findings
