"""ACTIVITY_DURING_TRAINING: an activity on a day the person's approved training fills."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, activity_findings, decimal, delivery_rule


@delivery_rule(
    "ACTIVITY_DURING_TRAINING",
    severity="warning",
    about="activity",
    title=_("Activity on a day of training"),
    description=_(
        "The staff member has approved training records that day adding up to a full day, yet a "
        "service activity is recorded for them: one of the two records is not true."
    ),
)
def activity_during_training(
    frame: pd.DataFrame, policy: dict, context: DeliveryContext
) -> list[ActivityFinding]:
    """Approved training that day adds up to at least ``training_day_hours``."""
    if frame.empty or context.training.empty:
        return []
    # Integer tenths against tenths of the policy value: no float comparison.
    threshold = decimal(policy["training_day_hours"]) * 10
    training = context.training.astype({"staff_id": "int64", "tenths": "int64"})
    per_day = training.groupby(["staff_id", "date"], sort=False)["tenths"].sum().reset_index()
    full = per_day[[decimal(v) >= threshold for v in per_day["tenths"]]]
    if full.empty:
        return []
    rows = frame.merge(full, on=["staff_id", "date"], how="inner")
    return activity_findings(
        rows,
        "ACTIVITY_DURING_TRAINING",
        context,
        gettext_noop(
            "Activity %(activity)s of %(date)s is recorded for %(staff)s, who has %(hours)s hours of "
            "training that day (a full day is %(limit)s hours)"
        ),
        lambda row: {
            "hours": str(decimal(row.tenths) / 10),
            "limit": str(decimal(policy["training_day_hours"])),
        },
        lambda row: {"training_hours": str(decimal(row.tenths) / 10)},
    )
