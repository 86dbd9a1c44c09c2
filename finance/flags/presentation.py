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

(
    MONEY, DATE, DAYS, PERCENT, COUNT, TEXT, ENUM, SHARES, MONEY_LIST, DATE_LIST, TEXT_LIST, LINES,
    HOLIDAY, STAFF, HIDDEN,
) = range(15)  # fmt: skip

#: Evidence key → (label, kind). A key not listed here is shown by its key; HIDDEN keys are
#: bookkeeping between flags (the subject of a related flag) and are not shown to people.
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
    "holiday": (_("Holiday"), HOLIDAY),
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
    # the delivery app's rules on service activities
    "staff_id": (_("Staff member"), STAFF),
    "target": (_("Target"), TEXT),
    "day_minutes": (_("Minutes recorded that day"), COUNT),
    "limit": (_("Most minutes of service activities one person delivers in a day"), COUNT),
    "duration_minutes": (_("Duration (minutes)"), COUNT),
    "training_hours": (_("Training hours that day"), COUNT),
    "thin_cases": (_("Thin cases (a single short activity)"), COUNT),
    "distinct_cases": (_("Cases served"), COUNT),
    "thin_case_minutes": (_("Thin-case test: minutes of a single activity"), COUNT),
    "thin_case_pct": (_("Thin-case test: share of cases (%)"), PERCENT),
    # the weekend and holiday rule, for a year without an official calendar
    "missing_years": (_("Years without an official calendar"), TEXT_LIST),
    "calendar_missing_year": (_("Year without an official calendar"), TEXT),
    "calendar_finding": ("", HIDDEN),
}

#: Keys whose meaning depends on the rule: a target surge counts activities, not money.
RULE_EVIDENCE = {
    "TARGET_SURGE": {
        "last_window": (_("Activities in the latest window"), COUNT),
        "period_total": (_("Activities in the period"), COUNT),
        "average_per_window": (_("Average activities per window"), COUNT),
    },
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


def _entry(key: str, rule: str | None) -> tuple:
    return RULE_EVIDENCE.get(rule or "", {}).get(key) or EVIDENCE.get(key, (key, TEXT))


def _staff(value) -> str:
    from staff.models import StaffMember

    member = (
        StaffMember.objects.filter(pk=value).only("name", "staff_no").first()
        if str(value).isdigit()
        else None
    )
    return f"{member.name} ({member.staff_no})" if member is not None else str(value)


def evidence_value(key: str, value, rule: str | None = None) -> str:
    """One evidence value formatted for a person."""
    kind = _entry(key, rule)[1]
    if value is None or value == "":
        return "—"
    if kind == HOLIDAY:
        from core.official_calendar import holiday_name

        return holiday_name(value)
    if kind == STAFF:
        return _staff(value)
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


def evidence_rows(evidence: dict, rule: str | None = None) -> list[tuple[str, str]]:
    """A flag's evidence as (label, formatted value) pairs, in the order the rule stored it
    (``rule``: the flag's rule, for keys whose meaning depends on it)."""
    rows = []
    for key, value in (evidence or {}).items():
        label, kind = _entry(key, rule)
        if kind != HIDDEN:
            rows.append((str(label), evidence_value(key, value, rule)))
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


def rule_title(code: str) -> str:
    """A rule's title in the active language (its code when the rule is unknown): what pages and
    the contract pack show; the code stays in the JSON and in the flags report's files."""
    from finance.flags.extensions import rule_for

    rule = rule_for(code)
    return str(rule.title) if rule is not None else code


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
    if name.endswith("_minutes"):
        return str(pgettext_lazy("unit", "minutes"))
    if name.endswith("_hours"):
        return str(pgettext_lazy("unit", "hours"))
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
    default = spec.fresh_default()
    if spec.kind == "keywords":
        # The words themselves are listed (folded) beside the field: matched as written, in
        # whichever language the ledger is kept.
        shown = str(_("%(count)s words") % {"count": len(default or [])})
    else:
        shown = policy_value(name, spec.kind, default)
    parts = [str(_("Default: %(value)s.") % {"value": shown})]
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
                "words": list(policy.get(name) or []) if spec.kind == "keywords" else None,
                "default_words": list(spec.fresh_default() or []) if spec.kind == "keywords" else None,
                "help": policy_help(name, spec),
            }
        )
    return rows
