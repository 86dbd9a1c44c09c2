"""The flag as data for ``scan_flags`` (docs/commands.md), the API and the flags report."""

from __future__ import annotations

from collections.abc import Iterable

from finance.flags.extensions import described
from finance.models import Flag
from finance.models.flags import SEVERITY_RANK
from finance.rules import REGISTRY


def flag_sort_key(flag: Flag) -> tuple:
    """Critical first, then the rule order of docs/rules.md, then date, then id."""
    return (SEVERITY_RANK.get(flag.severity, 9), REGISTRY.rank(flag.rule), flag.sort_key, flag.pk or 0)


def flag_dict(flag: Flag, extra: dict | None = None) -> dict:
    """One flag in the JSON shape of docs/commands.md; ``message`` in the active language.

    ``extra`` holds the fields other apps add (``finance.flags.extensions.described``).
    """
    extra = extra if extra is not None else described([flag]).get(flag.pk, {})
    return {
        "rule": flag.rule,
        "severity": flag.severity,
        "contracts": list(flag.contract_codes),
        "budget_line": flag.line_code or None,
        "vouchers": list(flag.vouchers),
        "message": flag.text,
        "evidence": flag.evidence,
        "status": flag.status,
        "activities": list(extra.get("activities", [])),
        "target": extra.get("target"),
    }


def scan_document(flags: Iterable[Flag]) -> dict:
    """``{"flags": [...], "summary": {"critical": n, "warning": n, "info": n}}`` of docs/commands.md."""
    ordered = sorted(flags, key=flag_sort_key)
    summary = {"critical": 0, "warning": 0, "info": 0}
    for flag in ordered:
        summary[flag.severity] = summary.get(flag.severity, 0) + 1
    extra = described(ordered)
    return {"flags": [flag_dict(f, extra.get(f.pk, {})) for f in ordered], "summary": summary}
