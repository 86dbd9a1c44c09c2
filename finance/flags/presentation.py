"""How a person reads a flag: each rule's title and explanation, and a flag's evidence labelled.

The stored evidence keeps the machine-readable keys and values of docs/rules.md (the API and
``scan_flags`` read them); pages show each key by its label and each value formatted for the
active language: money with thousands separators, dates by locale, enumerations by their labels.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from finance.models import FlagSeverity
from finance.models.contracts import Category
from finance.models.ledger import PaymentMethod

MONEY, DATE, DAYS, PERCENT, COUNT, TEXT, ENUM, SHARES, MONEY_LIST, DATE_LIST, TEXT_LIST, LINES = range(12)

#: Evidence key → (label, kind). A key not listed here is shown by its key (never hidden).
EVIDENCE = {
    "actual": (_("Spent on the contract"), MONEY),
    "amount": (_("Amount"), MONEY),
    "amounts": (_("Amounts"), MONEY_LIST),
    "approval_threshold": (_("Approval threshold"), MONEY),
    "approved": (_("Approved amount"), MONEY),
    "average_per_window": (_("Average per window"), MONEY),
    "bound": (_("Allowed deviation"), COUNT),
    "calendar": (_("Calendar"), ENUM),
    "cap": (_("Cap"), MONEY),
    "cap_pct": (_("Cap (percent of the contract total)"), PERCENT),
    "cash_limit": (_("Cash limit"), MONEY),
    "category": (_("Category"), ENUM),
    "closeout_days": (_("Close-out period (days)"), DAYS),
    "contract_total": (_("Contract total"), MONEY),
    "count": (_("Number of expenditures"), COUNT),
    "date": (_("Date"), DATE),
    "dates": (_("Dates"), DATE_LIST),
    "days_late": (_("Days late"), DAYS),
    "description": (_("Description"), TEXT),
    "end": (_("Contract end"), DATE),
    "expected": (_("Expected first-digit shares"), SHARES),
    "exit_grace_days": (_("Grace after leaving (days)"), DAYS),
    "factor": (_("Surge factor"), COUNT),
    "grace_days": (_("Grace period (days)"), DAYS),
    "holiday": (_("Holiday"), TEXT),
    "invoice_no": (_("Invoice number"), TEXT),
    "keywords": (_("Matched keywords"), TEXT_LIST),
    "kind": (_("Day"), ENUM),
    "last_window": (_("Latest window"), MONEY),
    "line_actual": (_("Spent on the line"), MONEY),
    "lines": (_("Lines over their approved amount"), LINES),
    "mad": (_("Mean absolute deviation"), COUNT),
    "observed": (_("Observed first-digit shares"), SHARES),
    "over_approved": (_("Moved above the approved amounts"), MONEY),
    "payee": (_("Payee"), TEXT),
    "payment_method": (_("Payment method"), ENUM),
    "period_days": (_("Period (days)"), DAYS),
    "period_total": (_("Spent in the period"), MONEY),
    "posted_on": (_("Posted on"), DATE),
    "receipt_required_above": (_("Receipt required above"), MONEY),
    "round_amount_min": (_("Round amounts checked from"), MONEY),
    "round_amount_unit": (_("Round to a multiple of"), MONEY),
    "running_total": (_("Running total"), MONEY),
    "spent": (_("Spent"), MONEY),
    "staff_no": (_("Staff number"), TEXT),
    "start": (_("Contract start"), DATE),
    "tolerance": (_("Tolerance"), MONEY),
    "tolerance_pct": (_("Tolerance (percent of each line)"), PERCENT),
    "total": (_("Total"), MONEY),
    "window_days": (_("Window (days)"), DAYS),
}

ENUMS = {
    "calendar": {
        "official": _("Official calendar (weekends, holidays and make-up working days)"),
        "weekends-only": _("Weekends only"),
    },
    "kind": {"holiday": _("Public holiday"), "weekend": _("Weekend")},
    "category": dict(Category.choices),
    "payment_method": dict(PaymentMethod.choices),
}


def money(value) -> str:
    """``"1234.5"`` → ``"1,234.50"`` (grouped in every language; the sign kept)."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _number(value) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number.normalize(), use_l10n=True, force_grouping=True)


def _date(value) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def evidence_value(key: str, value) -> str:
    """One evidence value formatted for a person."""
    kind = EVIDENCE.get(key, (None, TEXT))[1]
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return money(value)
    if kind == DATE:
        return _date(value)
    if kind == PERCENT:
        return f"{_number(value)}%"
    if kind in (DAYS, COUNT):
        return _number(value)
    if kind == ENUM:
        label = ENUMS.get(key, {}).get(value)
        return str(label) if label else str(value)
    if kind == MONEY_LIST and isinstance(value, list):
        return "、".join(money(v) for v in value) if chinese() else ", ".join(money(v) for v in value)
    if kind == DATE_LIST and isinstance(value, list):
        return ("、" if chinese() else ", ").join(_date(v) for v in value)
    if kind == TEXT_LIST and isinstance(value, list):
        return ("、" if chinese() else ", ").join(str(v) for v in value)
    if kind == SHARES and isinstance(value, dict):
        sep = "；" if chinese() else "; "
        return sep.join(
            f"{digit}: {Decimal(str(share)) * 100:.1f}%" for digit, share in sorted(value.items())
        )
    if kind == LINES and isinstance(value, dict):
        sep = "；" if chinese() else "; "
        return sep.join(f"{code}: {money(amount)}" for code, amount in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def chinese() -> bool:
    return (get_language() or "").startswith("zh")


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """A flag's evidence as (label, formatted value) pairs, in the order the rule stored it."""
    rows = []
    for key, value in (evidence or {}).items():
        label = EVIDENCE.get(key, (key, TEXT))[0]
        rows.append((str(label), evidence_value(key, value)))
    return rows


def rule_entry(rule) -> dict:
    """A rule as a person reads it: code, title, explanation and severity with its label."""
    return {
        "code": rule.code,
        "title": str(rule.title),
        "description": str(rule.description),
        "severity": rule.severity,
        "severity_label": str(FlagSeverity(rule.severity).label),
    }


def rule_label(code: str) -> str:
    """``现金支付超限（CASH_LIMIT）``: a rule's title in the active language, its code beside it."""
    from finance.flags.extensions import rule_for

    rule = rule_for(code)
    if rule is None:
        return code
    return str(_("%(title)s (%(code)s)") % {"title": rule.title, "code": code})


def rule_catalogue(rules) -> list[dict]:
    """Every rule as ``rule_entry``, in the order given (docs/rules.md's)."""
    return [rule_entry(rule) for rule in rules]


# --- the contract policy ------------------------------------------------------------------

ACTIONS = {"stop": _("Stop"), "warn": _("Warn"), "ignore": _("Ignore")}


def policy_unit(name: str, kind: str) -> str:
    """The unit a policy value is written in: yuan, percent, days, expenditures or a factor."""
    if kind in ("keywords", "action", "rules"):
        return ""
    if name.endswith("_pct"):
        return str(_("percent"))
    if name.endswith("_days"):
        return str(_("days"))
    if name.endswith("_factor"):
        return str(_("times"))
    if kind == "int":
        return str(pgettext_lazy("unit of a count", "expenditures"))
    return str(_("yuan"))


def policy_value(name: str, kind: str, value) -> str:
    """A policy value for a person: money grouped, lists joined, actions by their labels."""
    if value is None or value == "" or value == []:
        return str(_("not set"))
    if kind == "keywords":
        return ("、" if chinese() else ", ").join(str(word) for word in value)
    if kind == "action":
        return str(ACTIONS.get(value, value))
    if kind == "rules":
        sep = "；" if chinese() else "; "
        colon = "：" if chinese() else ": "
        return sep.join(f"{rule_label(code)}{colon}{reason}" for code, reason in value.items())
    unit = policy_unit(name, kind)
    text = money(value) if unit == str(_("yuan")) else _number(value)
    if unit == str(_("percent")):
        return f"{text}%"
    return f"{text} {unit}" if not chinese() else f"{text}{unit}"


def policy_readers() -> dict[str, list[str]]:
    """Policy key → titles of the rules that read it (``overspend_action``: none)."""
    from finance.rules import all_rules

    readers: dict[str, list[str]] = {}
    for rule in all_rules():
        for key in rule.policy:
            readers.setdefault(key.name, []).append(str(rule.title))
    return readers


def policy_help(name: str, spec) -> str:
    """A policy field's help: its default, its unit and the rules that use it."""
    parts = [str(_("Default: %(value)s.") % {"value": policy_value(name, spec.kind, spec.fresh_default())})]
    unit = policy_unit(name, spec.kind)
    if unit:
        parts.append(str(_("In %(unit)s.") % {"unit": unit}))
    if spec.kind == "keywords":
        parts.append(str(_("One word a line.")))
    readers = policy_readers().get(name)
    if readers:
        parts.append(str(_("Used by: %(rules)s.") % {"rules": ("、" if chinese() else ", ").join(readers)}))
    elif name == "disabled_rules":
        parts.append(
            str(
                _(
                    "Rules not run for this contract, each with the director's reason; the contract pack lists them."
                )
            )
        )
    elif name == "overspend_action":
        parts.append(str(_("What happens when an expenditure typed in by hand takes a line over budget.")))
    return ("" if chinese() else " ").join(parts)


def disabled_rule_rows(policy: dict) -> list[dict]:
    """The rules a contract does not run: code, title, severity label and the director's reason,
    in the order of docs/rules.md (the policy page, the pack)."""
    from finance.flags.extensions import rule_for

    rows = []
    for code, reason in (policy.get("disabled_rules") or {}).items():
        rule = rule_for(code)
        rows.append(
            {
                "code": code,
                "title": str(rule.title) if rule else code,
                "label": rule_label(code),
                "severity": str(FlagSeverity(rule.severity).label) if rule else "",
                "reason": reason,
            }
        )
    return rows


def policy_rows(policy: dict, overrides: dict) -> list[dict]:
    """The effective policy as rows: label, value with unit, default, whether it is overridden, help."""
    from finance.policy import POLICY_KEYS

    rows = []
    for name, spec in POLICY_KEYS.items():
        rows.append(
            {
                "code": name,
                "label": str(spec.label or name),
                "value": policy_value(name, spec.kind, policy.get(name)),
                "default": policy_value(name, spec.kind, spec.fresh_default()),
                "overridden": name in (overrides or {}),
                "help": policy_help(name, spec),
            }
        )
    return rows
