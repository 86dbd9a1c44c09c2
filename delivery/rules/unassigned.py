"""ACTIVITY_UNASSIGNED: the staff member has no assignment to the contract covering the date."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, activity_findings, covered, delivery_rule


@delivery_rule(
    "ACTIVITY_UNASSIGNED",
    severity="warning",
    about="activity",
    title=_("Activity by someone not assigned"),
    description=_(
        "The activity is recorded for a staff member with no assignment to this contract on that "
        "day. Only checked when the contract has assignments; usually a missing assignment."
    ),
)
def activity_unassigned(frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
    """Only when the contract has assignments: none of the person's covers the date."""
    if context.assignments.empty:
        return []
    ok = covered(frame, context.assignments, "start", "end")
    return activity_findings(
        frame[~ok],
        "ACTIVITY_UNASSIGNED",
        context,
        gettext_noop(
            "Activity %(activity)s of %(date)s is recorded for %(staff)s, who had no assignment to "
            "%(contract)s that day"
        ),
        lambda row: {"contract": context.contract},
        lambda row: {},
    )
