"""ACTIVITY_STAFF_NOT_EMPLOYED: the staff member was not employed on the activity's date."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, activity_findings, covered, delivery_rule


@delivery_rule(
    "ACTIVITY_STAFF_NOT_EMPLOYED",
    severity="critical",
    about="activity",
    title=_("Activity by someone not employed"),
    description=_(
        "The person who delivered the activity was not employed by the agency that day (before "
        "their hire date or after their exit date): a record of work that nobody could have done."
    ),
)
def activity_staff_not_employed(
    frame: pd.DataFrame, policy: dict, context: DeliveryContext
) -> list[ActivityFinding]:
    """No employment spell of the staff member covers the date (the exit date still counts)."""
    ok = covered(frame, context.spells, "hire_date", "exit_date")
    return activity_findings(
        frame[~ok],
        "ACTIVITY_STAFF_NOT_EMPLOYED",
        context,
        gettext_noop(
            "Activity %(activity)s of %(date)s is recorded for %(staff)s, who was not employed that day"
        ),
        lambda row: {},
        lambda row: {},
    )
