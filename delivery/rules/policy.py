"""The delivery rules' policy keys (docs/rules.md), added to the contract policy by the app."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from finance.rules.base import PolicyKey

#: The keys only the delivery rules read (``surge_window_days`` and ``surge_factor`` are shared
#: with the finance rules, which declare them).
POLICY_KEYS = (
    PolicyKey(
        "activity_day_max_minutes",
        "int",
        600,
        _("Most minutes of service activities one person delivers in a day"),
    ),
    PolicyKey("training_day_hours", "decimal", Decimal("6"), _("Hours of training that fill a day")),
    PolicyKey("thin_case_pct", "decimal", Decimal("20"), _("Thin-case test: share of cases (%)")),
    PolicyKey("thin_case_minutes", "int", 45, _("Thin-case test: minutes of a single activity")),
)

#: The defaults, for rules run on a policy that lacks them (tests, other callers).
DEFAULTS = {key.name: key.default for key in POLICY_KEYS} | {
    "surge_window_days": 30,
    "surge_factor": Decimal("3"),
}
