"""ACTIVITY_OUTSIDE_PERIOD: an activity dated before the contract start or after its end."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, activity_findings, delivery_rule


@delivery_rule(
    "ACTIVITY_OUTSIDE_PERIOD",
    severity="critical",
    about="activity",
    title=_("Activity outside the contract period"),
    description=_(
        "A service activity is dated before the contract started or after it ended: the funder "
        "cannot count it. Usually a date typo, or work of another project or year."
    ),
)
def activity_outside_period(
    frame: pd.DataFrame, policy: dict, context: DeliveryContext
) -> list[ActivityFinding]:
    """Dated before the contract start or after its end."""
    rows = frame[(frame["day"] < context.start_day) | (frame["day"] > context.end_day)]
    return activity_findings(
        rows,
        "ACTIVITY_OUTSIDE_PERIOD",
        context,
        gettext_noop(
            "Activity %(activity)s of %(date)s by %(staff)s is outside the contract period %(start)s to %(end)s"
        ),
        lambda row: {"start": context.start.isoformat(), "end": context.end.isoformat()},
        lambda row: {"start": context.start.isoformat(), "end": context.end.isoformat()},
    )
