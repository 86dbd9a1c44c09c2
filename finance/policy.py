"""A contract's policy (flag-rules.md): the one place where the keys and their defaults live.

``Contract.policy`` stores only the keys a contract overrides, as JSON (money and percentages as
strings so nothing passes through a float). ``effective_policy(overrides)`` returns every key
with its typed value: ``Decimal`` for money, percentages and factors, ``int`` for days and
counts, ``list[str]`` for keywords, ``str`` for ``overspend_action``, and ``None`` for an unset
optional cap.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OVERSPEND_ACTIONS = ("stop", "warn", "ignore")

DEFAULT_INELIGIBLE_KEYWORDS = [
    "烟",
    "酒",
    "礼品",
    "礼金",
    "购物卡",
    "罚款",
    "滞纳金",
    "娱乐",
    "KTV",
    "gift",
    "alcohol",
    "tobacco",
    "fine",
    "penalty",
]

#: key -> (kind, default). Kinds: "decimal", "decimal_or_none", "int", "keywords", "action".
POLICY_KEYS: dict[str, tuple[str, Any]] = {
    "admin_cap_pct": ("decimal", Decimal("10")),
    "personnel_cap_pct": ("decimal_or_none", None),
    "approval_threshold": ("decimal", Decimal("5000.00")),
    "cash_limit": ("decimal", Decimal("1000.00")),
    "receipt_required_above": ("decimal", Decimal("200.00")),
    "transfer_tolerance_pct": ("decimal", Decimal("10")),
    "closeout_days": ("int", 30),
    "posting_grace_days": ("int", 30),
    "split_window_days": ("int", 7),
    "duplicate_window_days": ("int", 7),
    "surge_window_days": ("int", 30),
    "surge_factor": ("decimal", Decimal("3")),
    "round_amount_min": ("decimal", Decimal("5000")),
    "round_amount_unit": ("decimal", Decimal("1000")),
    "exit_grace_days": ("int", 31),
    "benford_min_count": ("int", 500),
    "ineligible_keywords": ("keywords", DEFAULT_INELIGIBLE_KEYWORDS),
    "overspend_action": ("action", "warn"),
}


def policy_keys_register(keys: dict[str, tuple[str, Any]]) -> None:
    """Another app's rules add their policy keys (delivery: activity_day_max_minutes, ...)."""
    POLICY_KEYS.update(keys)


def default_policy() -> dict[str, Any]:
    """Every key with its default (a fresh copy: callers may mutate it)."""
    return {
        key: (list(default) if isinstance(default, list) else default)
        for key, (_k, default) in POLICY_KEYS.items()
    }


def _coerce(key: str, kind: str, value: Any) -> Any:
    if kind == "decimal_or_none" and (value is None or value == ""):
        return None
    if kind in ("decimal", "decimal_or_none"):
        if isinstance(value, bool | float):
            raise ValueError(_('write %(key)s as a string such as "10" or "5000.00"') % {"key": key})
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(_("%(key)s must be a number") % {"key": key}) from exc
        if not number.is_finite() or number < 0:
            raise ValueError(_("%(key)s must be a number of zero or more") % {"key": key})
        return number
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError(_("%(key)s must be a whole number") % {"key": key})
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise ValueError(_("%(key)s must be a whole number") % {"key": key}) from exc
        if number < 0:
            raise ValueError(_("%(key)s must be zero or more") % {"key": key})
        return number
    if kind == "keywords":
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ValueError(_("%(key)s must be a list of words") % {"key": key})
        return [item.strip() for item in value]
    if kind == "action":
        if value not in OVERSPEND_ACTIONS:
            raise ValueError(
                _("%(key)s must be one of %(choices)s")
                % {"key": key, "choices": ", ".join(OVERSPEND_ACTIONS)}
            )
        return value
    raise AssertionError(kind)


def validate_policy(overrides: Any) -> dict[str, Any]:
    """Check a policy object (only overrides); return it in its JSON form or raise ValidationError."""
    if overrides in (None, ""):
        return {}
    if not isinstance(overrides, dict):
        raise ValidationError({"policy": _("The policy must be an object of keys and values.")})
    problems = []
    clean: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in POLICY_KEYS:
            problems.append(_("unknown policy key %(key)s") % {"key": key})
            continue
        kind = POLICY_KEYS[key][0]
        try:
            typed = _coerce(key, kind, value)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        clean[key] = str(typed) if isinstance(typed, Decimal) else typed
    if problems:
        raise ValidationError({"policy": problems})
    return clean


def effective_policy(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The full policy: defaults of flag-rules.md with ``overrides`` applied, typed."""
    policy = default_policy()
    for key, value in (overrides or {}).items():
        if key in POLICY_KEYS:
            policy[key] = _coerce(key, POLICY_KEYS[key][0], value)
    return policy
