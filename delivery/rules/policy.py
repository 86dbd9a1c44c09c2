"""The delivery rules' policy keys (flag-rules.md), added to the contract policy by the app."""

from decimal import Decimal

#: key -> (kind, default), in the form of ``finance.policy.POLICY_KEYS``.
POLICY_KEYS = {
    "activity_day_max_minutes": ("int", 600),
    "training_day_hours": ("decimal", Decimal("6")),
    "thin_case_pct": ("decimal", Decimal("20")),
    "thin_case_minutes": ("int", 45),
}

#: The defaults, for rules run on a policy that lacks them (tests, other callers).
DEFAULTS = {key: default for key, (_kind, default) in POLICY_KEYS.items()} | {
    "surge_window_days": 30,
    "surge_factor": Decimal("3"),
}
