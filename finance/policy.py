"""A contract's policy (docs/rules.md): every key with its kind and default, in one place.

The keys a rule reads are declared by that rule (``finance/rules/<code>.py``); the keys no rule
reads (``overspend_action``) are declared here, in ``NON_RULE_KEYS``. ``POLICY_KEYS`` joins them.

``Contract.policy`` stores only the keys a contract overrides, as JSON (money and percentages as
strings so nothing passes through a float). ``effective_policy(overrides)`` returns every key
with its typed value: ``Decimal`` for money, percentages and factors, ``int`` for days and
counts, ``list[str]`` for keywords, ``str`` for ``overspend_action``, ``dict[str, str]`` (rule
code → the director's reason, empty by default) for ``disabled_rules``, and ``None`` for an unset
optional cap.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from finance.rules import PolicyKey, RuleDeclarationError, rule_policy_keys

OVERSPEND_ACTIONS = ("stop", "warn", "ignore")

#: Keys no rule reads: they steer the services and the scan, not a rule.
NON_RULE_KEYS: tuple[PolicyKey, ...] = (
    PolicyKey("overspend_action", "action", "warn", gettext_lazy("Hand entry that overspends a line")),
    PolicyKey("disabled_rules", "rules", None, gettext_lazy("Disabled rules")),
)

#: The longest reason for a disabled rule.
REASON_MAX = 500


class _PolicyKeys(Mapping):
    """Key → ``PolicyKey``: the keys the rules declare (``finance.rules``), then ``NON_RULE_KEYS``.

    Read from the rule registry on every use, so a rule's new key is a policy key at once.
    """

    def _keys(self) -> dict[str, PolicyKey]:
        keys = dict(rule_policy_keys())
        for key in NON_RULE_KEYS:
            if key.name in keys:
                raise RuleDeclarationError(
                    f"policy key {key.name} is declared by a rule and by finance.policy"
                )
            keys[key.name] = key
        for name, key in EXTRA_KEYS.items():
            keys.setdefault(name, key)
        return keys

    def __getitem__(self, name: str) -> PolicyKey:
        return self._keys()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


POLICY_KEYS: Mapping[str, PolicyKey] = _PolicyKeys()

#: Keys of rules outside ``finance.rules`` (the delivery app's), added in their ``ready()``.
EXTRA_KEYS: dict[str, PolicyKey] = {}


def policy_keys_register(keys) -> None:
    """Another app's rules add their policy keys (``PolicyKey``s; delivery: activity_day_max_minutes, ...)."""
    for key in keys:
        EXTRA_KEYS[key.name] = key


def rule_codes() -> tuple[str, ...]:
    """Every rule code a contract can disable: the finance rules, then other apps' (delivery)."""
    from finance.flags.extensions import EXTENSIONS
    from finance.rules import REGISTRY

    codes = list(REGISTRY.order())
    for extension in EXTENSIONS.values():
        codes.extend(code for code in extension.rules if code not in codes)
    return tuple(codes)


def _disabled_rules(key: str, value: Any) -> dict[str, str]:
    """``{"WEEKEND_HOLIDAY": "reason"}`` checked: known codes, each with a reason; in rule order."""
    if not isinstance(value, dict):
        raise ValueError(
            _('%(key)s must be an object of rule codes and reasons, such as {"WEEKEND_HOLIDAY": "..."}')
            % {"key": key}
        )
    codes = rule_codes()
    problems = []
    for code, reason in value.items():
        if code not in codes:
            problems.append(_("%(key)s: unknown rule code %(code)s") % {"key": key, "code": code})
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(
                _("%(key)s: %(code)s needs the reason it is not run for this contract")
                % {"key": key, "code": code}
            )
        elif len(reason.strip()) > REASON_MAX:
            problems.append(
                _("%(key)s: the reason for %(code)s is longer than %(max)s characters")
                % {"key": key, "code": code, "max": REASON_MAX}
            )
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    return {code: value[code].strip() for code in codes if code in value}


def policy_keep_disabled_rules(*, stored: dict | None, incoming: Any, user) -> Any:
    """``incoming`` policy overrides with the stored ``disabled_rules`` kept, unless a director
    changes them.

    ``disabled_rules`` are the director's: a policy written by someone else (a finance officer's
    policy page, API PATCH or contract file) that leaves the key out keeps the stored value, and
    one that names a different value is refused. ``user=None`` (the command line) writes as given.
    """
    from core.roles import Role, has_role

    if not isinstance(incoming, dict):
        return incoming
    stored_rules = (stored or {}).get("disabled_rules") or {}
    if user is None or has_role(user, Role.DIRECTOR):
        return incoming
    if "disabled_rules" not in incoming:
        return {**incoming, "disabled_rules": stored_rules} if stored_rules else incoming
    try:
        wanted = _disabled_rules("disabled_rules", incoming["disabled_rules"])
    except ValueError as exc:
        raise ValidationError({"policy": [str(exc)]}) from exc
    if wanted != stored_rules:
        raise ValidationError(
            {"policy": [_("disabled_rules: only a director may disable or re-enable rules for a contract")]}
        )
    return incoming


#: A change of ``disabled_rules`` is kept in the contract's history with a change reason that
#: does not depend on the writer's language: this prefix, then a JSON list of ``["disabled",
#: code, reason]``, ``["reason", code, reason]`` (a new reason) and ``["enabled", code]``. The
#: history page shows it in the reader's language (``disabled_rules_reason_text``).
CHANGE_REASON_PREFIX = "disabled_rules:"

#: What each kind of change reads as (msgids, translated when shown).
_CHANGE_MESSAGES = {
    "disabled": gettext_noop("Disabled %(code)s: %(reason)s"),
    "reason": gettext_noop("New reason for %(code)s: %(reason)s"),
    "enabled": gettext_noop("Re-enabled %(code)s"),
}


def disabled_rules_change_reason(before: dict[str, str], after: dict[str, str]) -> str:
    """The history's change reason for a change of ``disabled_rules``, in its stored, coded form
    (``CHANGE_REASON_PREFIX``): each rule disabled (with the reason), re-enabled, or given a new
    reason, in rule order."""
    entries: list[list[str]] = []
    for code in rule_codes():
        if code in after and code not in before:
            entries.append(["disabled", code, after[code]])
        elif code in after and after[code] != before[code]:
            entries.append(["reason", code, after[code]])
        elif code in before and code not in after:
            entries.append(["enabled", code])
    return CHANGE_REASON_PREFIX + json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


def disabled_rules_reason_text(stored: str) -> str | None:
    """A stored change reason of ``disabled_rules_change_reason`` in the active language, each rule
    by its title ("停用 周末或法定节假日（WEEKEND_HOLIDAY）：…"); ``None`` for any other text (a
    reason written before the coded form, in its writer's language, is shown as it was stored)."""
    if not stored.startswith(CHANGE_REASON_PREFIX):
        return None
    try:
        entries = json.loads(stored[len(CHANGE_REASON_PREFIX) :])
    except ValueError:
        return None
    if not isinstance(entries, list):
        return None
    from finance.flags.presentation import chinese, rule_label

    parts = []
    for entry in entries:
        if not isinstance(entry, list) or len(entry) not in (2, 3) or entry[0] not in _CHANGE_MESSAGES:
            return None
        # The rule by its title (the code after it), as the policy's own line shows it.
        params = {"code": rule_label(str(entry[1])), "reason": entry[2] if len(entry) == 3 else ""}
        parts.append(_(_CHANGE_MESSAGES[entry[0]]) % params)

    return ("；" if chinese() else "; ").join(parts)


def default_policy() -> dict[str, Any]:
    """Every key with its default (a fresh copy: callers may mutate it)."""
    return {name: key.fresh_default() for name, key in POLICY_KEYS.items()}


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
    if kind == "rules":
        return _disabled_rules(key, value)
    raise AssertionError(kind)


def validate_policy(overrides: Any) -> dict[str, Any]:
    """Check a policy object (only overrides); return it in its JSON form or raise ValidationError."""
    if overrides in (None, ""):
        return {}
    if not isinstance(overrides, dict):
        raise ValidationError({"policy": _("The policy must be an object of keys and values.")})
    keys = dict(POLICY_KEYS)
    problems = []
    clean: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in keys:
            problems.append(_("unknown policy key %(key)s") % {"key": key})
            continue
        kind = keys[key].kind
        try:
            typed = _coerce(key, kind, value)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if kind == "rules" and not typed:
            continue  # no rule disabled: the default, not an override
        clean[key] = str(typed) if isinstance(typed, Decimal) else typed
    if problems:
        raise ValidationError({"policy": problems})
    return clean


def effective_policy(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The full policy: defaults of docs/rules.md with ``overrides`` applied, typed."""
    keys = dict(POLICY_KEYS)
    policy = {name: key.fresh_default() for name, key in keys.items()}
    for key, value in (overrides or {}).items():
        if key in keys:
            policy[key] = _coerce(key, keys[key].kind, value)
    return policy
