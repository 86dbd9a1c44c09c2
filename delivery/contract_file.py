"""The ``targets`` section of a contract file (docs/formats.md), registered with finance's contract loader."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.importing import ValueProblem, enum_parser, parse_int, parse_text, repeated
from delivery.models import MEASURE_CHINESE, Measure

_MEASURE = enum_parser(Measure, MEASURE_CHINESE)


def parse_targets(value: Any, *, agency=None, period=None) -> tuple[list, list[str]]:
    """Check a file's ``targets`` list: codes unique, measure known, quantity a positive integer."""
    from delivery.services import TargetSpec

    errors: list[str] = []
    if not isinstance(value, list):
        return [], [_("targets: must be a list of targets")]
    specs = []
    codes: list[str] = []
    names: list[str] = []
    for index, item in enumerate(value, start=1):
        where = f"targets[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        fields = {}
        for key, parser in (
            ("code", parse_text(max_length=30)),
            ("name", parse_text(max_length=200)),
            ("measure", _MEASURE),
        ):
            try:
                fields[key] = parser(item.get(key))
            except ValueProblem as problem:
                errors.append(f"{where}.{key}: {problem.message}")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or (isinstance(quantity, float) and not quantity.is_integer()):
            errors.append(_("%(where)s.quantity: must be a whole number above zero") % {"where": where})
        else:
            try:
                fields["quantity"] = parse_int(quantity, min=1)
            except ValueProblem:
                errors.append(_("%(where)s.quantity: must be a whole number above zero") % {"where": where})
        if len(fields) == 4:
            specs.append(TargetSpec(**fields))
        if "code" in fields:
            codes.append(fields["code"])
        if "name" in fields:
            names.append(fields["name"])
    # Over every target whose code (or name) could be read, so one file reports all its problems.
    for code in repeated(codes):
        errors.append(_("targets: the code %(code)s is used more than once") % {"code": code})
    for name in repeated(names):
        # An activity row names its target by code or by name: two targets of one name would be a guess.
        errors.append(_("targets: the name %(name)s is used more than once") % {"name": name})
    return specs, errors


def validate_targets(value: Any, context) -> tuple[list, list[str]]:
    return parse_targets(value, agency=context.agency, period=(context.start, context.end))


def apply_targets(
    *, contract, value: list, created: bool, user=None, reason: str = "", approve: bool = True
) -> None:
    from delivery.services import targets_replace

    targets_replace(contract=contract, specs=value, created=created, user=user, reason=reason)


def register() -> None:
    from delivery.rules.policy import POLICY_KEYS
    from finance.policy import policy_keys_register
    from finance.sections import register_contract_section

    register_contract_section("targets", validate=validate_targets, apply=apply_targets)
    policy_keys_register(POLICY_KEYS)
