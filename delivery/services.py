"""Writes on targets (with revisions) and service activities (one at a time, or a file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.roles import Role, has_role
from delivery.models import Measure, ServiceActivity, Target, TargetRevision


@dataclass(frozen=True)
class TargetSpec:
    """A target as a contract file or a form states it."""

    code: str
    name: str
    measure: str
    quantity: int

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "measure": self.measure, "quantity": self.quantity}


def _snapshot(target: Target) -> dict:
    return {"code": target.code, "name": target.name, "measure": target.measure, "quantity": target.quantity}


def _revision(*, target: Target | None, contract, code: str, action: str, before: dict, after: dict,
              reason: str, source: str, user) -> TargetRevision:  # fmt: skip
    revision = TargetRevision(
        agency_id=contract.agency_id,
        contract=contract,
        target=target,
        code=code,
        action=action,
        before=before,
        after=after,
        reason=reason,
        source=source,
        changed_by=user if getattr(user, "pk", None) else None,
    )
    revision.full_clean()
    revision.save()
    return revision


def _require_director(user) -> None:
    if user is not None and not has_role(user, Role.DIRECTOR):
        raise PermissionDenied(_("Only a director changes a contract's targets."))


def _check_name_free(contract, name: str, *, but: Target | None = None) -> None:
    """An activity row may name its target instead of giving the code: names are unique in a
    contract (a contract file is checked as a whole, ``delivery.contract_file``)."""
    others = contract.targets.filter(name=name.strip())
    if but is not None:
        others = others.exclude(pk=but.pk)
    code = others.values_list("code", flat=True).first()
    if code is not None:
        raise ValidationError({"name": _("Target %(code)s already has this name.") % {"code": code}})


@transaction.atomic
def target_create(
    *, contract, spec: TargetSpec, user=None, reason: str = "", source: str = TargetRevision.Source.MANUAL,
    record: bool = True,
) -> Target:  # fmt: skip
    """Add a target to a contract; recorded as an "added" revision unless ``record`` is off."""
    if source == TargetRevision.Source.MANUAL:
        _require_director(user)
        _check_name_free(contract, spec.name)
    target = Target(
        agency_id=contract.agency_id,
        contract=contract,
        code=spec.code.strip(),
        name=spec.name.strip(),
        measure=spec.measure,
        quantity=spec.quantity,
        position=contract.targets.count(),
    )
    target.full_clean()
    with _rescan_if_changed(contract, user):
        target.save()
    if record:
        _revision(
            target=target, contract=contract, code=target.code, action=TargetRevision.Action.ADDED,
            before={}, after=_snapshot(target), reason=reason or _("Target added"), source=source, user=user,
        )  # fmt: skip
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    spec: TargetSpec,
    user=None,
    reason: str = "",
    source: str = TargetRevision.Source.MANUAL,
) -> TargetRevision | None:
    """Change a target's name, measure or quantity; a change is kept as a revision (None: no change)."""
    if source == TargetRevision.Source.MANUAL:
        _require_director(user)
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for the change.")})
        _check_name_free(target.contract, spec.name, but=target)
    before = _snapshot(target)
    target.code = spec.code.strip()
    target.name = spec.name.strip()
    target.measure = spec.measure
    target.quantity = spec.quantity
    after = _snapshot(target)
    if before == after:
        return None
    target.full_clean()
    with _rescan_if_changed(target.contract, user):
        target.save()
    return _revision(
        target=target, contract=target.contract, code=target.code, action=TargetRevision.Action.CHANGED,
        before=before, after=after, reason=reason.strip(), source=source, user=user,
    )  # fmt: skip


@transaction.atomic
def target_delete(
    *, target: Target, user=None, reason: str = "", source: str = TargetRevision.Source.MANUAL
) -> TargetRevision:
    """Remove a target without activities (one with activities is refused: its records need it)."""
    if source == TargetRevision.Source.MANUAL:
        _require_director(user)
    if target.activities.exists():
        raise ValidationError(
            _("Target %(code)s has service records and cannot be removed.") % {"code": target.code}
        )
    revision = _revision(
        target=None, contract=target.contract, code=target.code, action=TargetRevision.Action.REMOVED,
        before=_snapshot(target), after={}, reason=reason.strip() or _("Target removed"), source=source,
        user=user,
    )  # fmt: skip
    with _rescan_if_changed(target.contract, user):
        target.delete()
    return revision


def targets_replace(
    *, contract, specs: Iterable[TargetSpec], created: bool, user=None, reason: str = ""
) -> list[TargetRevision]:
    """Make the contract's targets those of a contract file, recording every change as a revision.

    A new contract takes its targets as first agreed (no revisions). Targets the file no longer
    names are removed, unless they carry service records, which refuses the whole file. A change
    the delivery rules read (a target's code or measure, one added or removed) scans the contract
    again after the commit; the same targets loaded again queue nothing.
    """
    with transaction.atomic(), _rescan_if_changed(None if created else contract, user):
        return _targets_replace(
            contract=contract, specs=list(specs), created=created, user=user, reason=reason
        )


def _targets_replace(
    *, contract, specs: list[TargetSpec], created: bool, user, reason: str
) -> list[TargetRevision]:
    source = TargetRevision.Source.FILE
    revisions: list[TargetRevision] = []
    existing = {target.code: target for target in contract.targets.all()}
    named = {spec.code for spec in specs}
    problems = []
    for code, target in existing.items():
        if code not in named and target.activities.exists():
            problems.append(_("targets: %(code)s has service records; keep it in the file") % {"code": code})
    if problems:
        raise ValidationError(problems)
    for code, target in existing.items():
        if code not in named:
            revisions.append(target_delete(target=target, user=user, reason=reason, source=source))
    for spec in specs:
        current = existing.get(spec.code)
        if current is None:
            target_create(
                contract=contract, spec=spec, user=user, reason=reason, source=source, record=not created
            )
            if not created:
                revisions.append(contract.target_revisions.order_by("-id").first())
        else:
            revision = target_update(target=current, spec=spec, user=user, reason=reason, source=source)
            if revision is not None:
                revisions.append(revision)
    return revisions


# --- service activities --------------------------------------------------------------------


def _next_activity_no(contract, staff, date: dt.date) -> str:
    stem = f"{staff.staff_no}-{date:%Y%m%d}-"
    taken = set(
        ServiceActivity.objects.filter(contract=contract, activity_no__startswith=stem).values_list(
            "activity_no", flat=True
        )
    )
    number = len(taken) + 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


def activity_create(
    *,
    target: Target,
    staff,
    date: dt.date,
    duration_minutes: int,
    case_code: str = "",
    participants: int = 1,
    location: str = "",
    note: str = "",
    activity_no: str = "",
    user=None,
) -> ServiceActivity:
    """Record one visit, session or event (the activity number is generated when not given).

    A staff member records only their own work; a director may record anyone's. The contract's
    flag scan (the delivery rules) is queued once the record commits.
    """
    if user is not None and not has_role(user, Role.DIRECTOR) and getattr(staff, "user_id", None) != user.pk:
        raise PermissionDenied(_("You can only record your own service activities."))
    if staff.agency_id != target.agency_id:
        raise ValidationError({"staff": _("Unknown staff member.")})
    contract = target.contract
    activity = ServiceActivity(
        agency_id=target.agency_id,
        contract=contract,
        target=target,
        staff=staff,
        date=date,
        duration_minutes=duration_minutes,
        case_code=(case_code or "").strip(),
        participants=participants or 1,
        location=(location or "").strip(),
        note=note or "",
        activity_no=(activity_no or "").strip(),
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    with transaction.atomic():
        if not activity.activity_no:
            activity.activity_no = _next_activity_no(contract, staff, date)
        activity.full_clean()
        activity.save()
        _rescan(contract, user)
    return activity


def activity_update(*, activity: ServiceActivity, user=None, **fields) -> ServiceActivity:
    """Correct a record's date, target, minutes, case code, participants, place or note.

    The contract's flag scan is queued once the correction commits (both contracts' when the
    record moved to a target of another contract).
    """
    allowed = {"date", "target", "duration_minutes", "case_code", "participants", "location", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = activity.contract
    for name, value in fields.items():
        setattr(activity, name, value.strip() if isinstance(value, str) and name != "note" else value)
    if "target" in fields:
        activity.contract = activity.target.contract
    with transaction.atomic():
        activity.full_clean()
        activity.save()
        _rescan(activity.contract, user)
        if before.pk != activity.contract_id:
            _rescan(before, user)
    return activity


def _rescan_if_changed(contract, user):
    """``finance.flags.services.flags_scan_if_changed``: a change of the contract's targets that
    the delivery rules read (``delivery.flags.contract_basis``) scans it again after the commit."""
    from finance.flags.services import flags_scan_if_changed

    return flags_scan_if_changed(contract=contract, user=user)


def _rescan(contract, user) -> None:
    # A record logged by hand is checked like an imported file: the delivery rules (in the
    # contract's flag scan) run as a background job once the record is committed, so the
    # phone form never waits for them.
    from finance.flags.services import flags_scan_on_commit

    flags_scan_on_commit(contract=contract, user=user)


__all__ = [
    "Measure",
    "TargetSpec",
    "activity_create",
    "activity_update",
    "target_create",
    "target_delete",
    "target_update",
    "targets_replace",
]
