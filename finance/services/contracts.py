"""Writes on contracts, budgets, revisions, disbursements, assignments and auditor grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import MoneySum
from core.importing.lookup import repeated
from core.models import Agency
from core.permissions import grant_object_perm, revoke_object_perm
from core.roles import Role, has_role
from finance.flags.services import contract_note_disabled_rules_change, flags_scan_if_changed
from finance.models import (
    AuditorGrant,
    BudgetLine,
    BudgetRevision,
    BudgetRevisionLine,
    Contract,
    Disbursement,
    Funder,
    StaffAssignment,
)
from finance.policy import policy_keep_disabled_rules
from finance.sections import contract_sections
from staff.models import StaffMember

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineSpec:
    """A budget line as a file or form states it."""

    code: str
    name: str
    category: str
    amount: Decimal


def funder_get_or_create(*, agency: Agency, name: str) -> Funder:
    """The agency's funder with this name, created on first use."""
    name = name.strip()
    funder = Funder.objects.filter(agency=agency, name=name).first()
    if funder is None:
        funder = Funder(agency=agency, name=name)
        funder.full_clean()
        funder.save()
    return funder


def _check_lines_total(lines: Iterable[LineSpec], total: Decimal) -> None:
    lines = list(lines)
    duplicates = repeated(line.code for line in lines)
    if duplicates:
        raise ValidationError(
            {
                "budget_lines": _("Budget-line codes must be unique: %(codes)s")
                % {"codes": ", ".join(duplicates)}
            }
        )
    # A ledger row may name its line instead of giving the code: names are unique too.
    shared = repeated(line.name for line in lines)
    if shared:
        raise ValidationError(
            {"budget_lines": _("Budget-line names must be unique: %(names)s") % {"names": ", ".join(shared)}}
        )
    line_sum = sum((line.amount for line in lines), ZERO)
    if lines and line_sum != total:
        raise ValidationError(
            {
                "budget_lines": _("The budget lines add up to %(sum)s, not the contract total %(total)s.")
                % {"sum": f"{line_sum:.2f}", "total": f"{total:.2f}"}
            }
        )


@transaction.atomic
def contract_create(
    *,
    agency: Agency,
    code: str,
    title: str,
    funder: Funder,
    start: dt.date,
    end: dt.date,
    total: Decimal,
    currency: str = "CNY",
    status: str = Contract.Status.ACTIVE,
    policy: Mapping | None = None,
    lines: Iterable[LineSpec] = (),
) -> Contract:
    """Create a contract with its original budget (lines summing to the total, when given)."""
    lines = list(lines)
    contract = Contract(
        agency=agency,
        code=code.strip(),
        title=title,
        funder=funder,
        start=start,
        end=end,
        total=total,
        currency=currency,
        status=status,
        policy=dict(policy or {}),
    )
    contract.full_clean()
    _check_lines_total(lines, total)
    contract.save()
    for position, spec in enumerate(lines):
        budget_line_add(contract=contract, spec=spec, position=position)
    return contract


def budget_line_add(*, contract: Contract, spec: LineSpec, position: int | None = None) -> BudgetLine:
    """Add a line to a contract's original budget (used when a contract is created)."""
    if position is None:
        position = contract.budget_lines.count()
    line = BudgetLine(
        agency=contract.agency,
        contract=contract,
        code=spec.code.strip(),
        name=spec.name.strip(),
        category=spec.category,
        amount=spec.amount,
        approved_amount=spec.amount,
        position=position,
    )
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def contract_update(*, contract: Contract, user=None, **fields) -> Contract:
    """Change a contract's heading (title, funder, period, currency, status, policy).

    The total and the budget change only through revisions, never by editing. A change of the
    period or of the policy (any key, ``disabled_rules`` too) queues the contract's scan for
    ``user`` after the commit (``flags_scan_if_changed``): the contract page, the API and contract
    files change them here. A change of ``disabled_rules`` is kept in the history with the coded
    reason the director's rule settings write (``contract_note_disabled_rules_change``).
    """
    allowed = {"title", "funder", "start", "end", "currency", "status", "policy"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    with flags_scan_if_changed(contract=contract, user=user):
        before = contract.policy
        for name, value in fields.items():
            setattr(contract, name, value)
        contract.full_clean()
        contract_note_disabled_rules_change(contract=contract, before=before)
        contract.save()
    return contract


def budget_set_lines(*, contract: Contract, lines: Iterable[LineSpec]) -> None:
    """Set the original budget of a contract that has none yet (budget sheet upload)."""
    lines = list(lines)
    if contract.budget_lines.exists():
        raise ValidationError(_("This contract already has a budget; propose a revision instead."))
    _check_lines_total(lines, contract.total)
    with transaction.atomic():
        for position, spec in enumerate(lines):
            budget_line_add(contract=contract, spec=spec, position=position)


# --- revisions ----------------------------------------------------------------------------


def revision_from_lines(
    *,
    contract: Contract,
    lines: Iterable[LineSpec],
    new_total: Decimal | None,
    reason: str,
    user=None,
    approve: bool = False,
    source: str = BudgetRevision.Source.MANUAL,
) -> BudgetRevision | None:
    """A revision taking the contract's approved budget to ``lines`` (None if nothing changes).

    Lines the file names that do not exist yet are added with an original amount of 0 and the
    revision's delta; lines it leaves out are taken down to 0 (they may carry expenditures).
    """
    lines = list(lines)
    new_total = contract.total if new_total is None else new_total
    _check_lines_total(lines, new_total)
    existing = {line.code: line for line in contract.budget_lines.all()}
    changes: dict[str, Decimal] = {}
    new_specs = []
    for spec in lines:
        current = existing.get(spec.code)
        if current is None:
            new_specs.append(spec)
            if spec.amount:
                changes[spec.code] = spec.amount
        elif spec.amount != current.approved_amount:
            changes[spec.code] = spec.amount - current.approved_amount
    named = {spec.code for spec in lines}
    for code, line in existing.items():
        if code not in named and line.approved_amount:
            changes[code] = -line.approved_amount
    if not changes and new_total == contract.total and not new_specs:
        return None
    with transaction.atomic():
        position = len(existing)
        for spec in new_specs:
            budget_line_add(
                contract=contract,
                spec=LineSpec(spec.code, spec.name, spec.category, ZERO),
                position=position,
            )
            position += 1
        revision = revision_propose(
            contract=contract,
            reason=reason,
            deltas=changes,
            total_change=new_total - contract.total,
            user=user,
            source=source,
        )
        if approve:
            revision = revision_decide(
                revision=revision, user=user, approve=True, note=reason, as_loader=True
            )
    return revision


@transaction.atomic
def revision_propose(
    *,
    contract: Contract,
    reason: str,
    deltas: Mapping[str, Decimal],
    user=None,
    total_change: Decimal = ZERO,
    source: str = BudgetRevision.Source.MANUAL,
) -> BudgetRevision:
    """Propose changing lines by ``deltas`` (line code → signed amount); a director decides.

    A transfer between lines nets to zero; a change of the contract total (an amended
    contract) nets to ``total_change``.
    """
    deltas = {code: Decimal(delta) for code, delta in deltas.items() if Decimal(delta) != 0}
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the revision.")})
    if not deltas:
        raise ValidationError({"lines": _("The revision changes no line.")})
    lines = {line.code: line for line in contract.budget_lines.filter(code__in=deltas)}
    unknown = sorted(set(deltas) - set(lines))
    if unknown:
        raise ValidationError(
            {
                "lines": _("No budget line with code %(codes)s in this contract.")
                % {"codes": ", ".join(unknown)}
            }
        )
    net = sum(deltas.values(), ZERO)
    if net != total_change:
        raise ValidationError(
            {
                "lines": _("The changes add up to %(net)s; a revision must net to %(expected)s.")
                % {"net": f"{net:.2f}", "expected": f"{total_change:.2f}"}
            }
        )
    for code, delta in deltas.items():
        if lines[code].approved_amount + delta < 0:
            raise ValidationError({"lines": _("Line %(code)s cannot go below zero.") % {"code": code}})
    revision = BudgetRevision(
        agency=contract.agency,
        contract=contract,
        reason=reason.strip(),
        source=source,
        total_change=total_change,
        proposed_by=user if getattr(user, "pk", None) else None,
    )
    revision.full_clean()
    revision.save()
    for code, delta in deltas.items():
        item = BudgetRevisionLine(
            agency=contract.agency, revision=revision, budget_line=lines[code], delta=delta
        )
        item.full_clean()
        item.save()
    return revision


@transaction.atomic
def revision_decide(
    *, revision: BudgetRevision, user, approve: bool, note: str = "", as_loader: bool = False
) -> BudgetRevision:
    """A director approves (applies the deltas) or rejects a proposed revision.

    ``as_loader`` is the command-line contract loader: an administrator's action, approved
    without a director (see load_contract). An approval changes the lines' approved amounts (and
    the total): the contract is scanned again after the commit (``flags_scan_if_changed``).
    """
    if not as_loader and not has_role(user, Role.DIRECTOR):
        raise PermissionDenied(_("Only a director approves budget revisions."))
    revision = BudgetRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != BudgetRevision.Status.PROPOSED:
        raise ValidationError(_("This revision has already been decided."))
    if not approve:
        return _revision_record_decision(revision=revision, user=user, approve=False, note=note)
    with flags_scan_if_changed(contract=revision.contract, user=user):
        items = list(revision.lines.all())
        # Lock the lines: expenditures checked against approved amounts wait for us.
        locked = {
            line.pk: line
            for line in BudgetLine.objects.select_for_update().filter(
                pk__in=[i.budget_line_id for i in items]
            )
        }
        for item in items:
            line = locked[item.budget_line_id]
            line.approved_amount += item.delta
            if line.approved_amount < 0:
                raise ValidationError(_("Line %(code)s cannot go below zero.") % {"code": line.code})
            line.save(update_fields=["approved_amount"])
        if revision.total_change:
            contract = Contract.objects.select_for_update().get(pk=revision.contract_id)
            contract.total += revision.total_change
            contract.full_clean()
            contract.save(update_fields=["total", "updated_at"])
        return _revision_record_decision(revision=revision, user=user, approve=True, note=note)


def _revision_record_decision(*, revision: BudgetRevision, user, approve: bool, note: str) -> BudgetRevision:
    revision.status = BudgetRevision.Status.APPROVED if approve else BudgetRevision.Status.REJECTED
    revision.approved_by = user if getattr(user, "pk", None) else None
    revision.approved_at = timezone.now()
    revision.decision_note = note
    revision.save()
    return revision


# --- the whole contract at once -----------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSpec:
    """A staff assignment as a contract file states it."""

    staff: StaffMember
    start: dt.date
    end: dt.date
    fte: Decimal


@dataclass(frozen=True)
class DisbursementSpec:
    """A tranche received, as a contract file states it."""

    date: dt.date
    amount: Decimal
    reference: str = ""


@dataclass
class ContractSaveResult:
    contract: Contract
    created: bool
    revision: BudgetRevision | None
    assignments_added: int = 0
    disbursements_added: int = 0
    sections: dict[str, Any] = field(default_factory=dict)


_HEADING = ("title", "start", "end", "currency", "status", "policy")


@transaction.atomic
def contract_save(
    *,
    agency: Agency,
    contract: Contract | None = None,
    code: str | None = None,
    match_code: bool = False,
    funder_name: str | None = None,
    title: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    total: Decimal | None = None,
    currency: str | None = None,
    status: str | None = None,
    policy: Mapping | None = None,
    lines: Sequence[LineSpec] | None = None,
    assignments: Iterable[AssignmentSpec] = (),
    disbursements: Iterable[DisbursementSpec] = (),
    sections: Mapping[str, Any] | None = None,
    user=None,
    reason: str = "",
    approve: bool = False,
    source: str = BudgetRevision.Source.MANUAL,
) -> ContractSaveResult:
    """Save a contract with its funder, heading, budget, assignments, disbursements and sections.

    One transaction for all of it: when any part is refused (a budget sheet that does not add
    up, an assignment outside the period, a registered section's record), nothing is written,
    not the funder, not the heading. The contract page, the API and ``load_contract`` all save
    through here.

    ``contract`` is the contract to change; without it a new one is created from ``code``, or,
    with ``match_code`` (a contract file), the agency's contract of that code is changed if
    there is one. A heading argument left ``None`` keeps its value. ``lines`` is a whole budget:
    a contract without a budget takes it as its original budget; otherwise it becomes a
    revision (source ``source``, reason ``reason``), approved at once when ``approve`` (the
    command line) and otherwise proposed for a director. The total changes only with such a
    revision. Assignments (same person and start) and disbursements (same date, amount and
    reference) already recorded are not added twice. ``sections`` holds the parsed value of
    each registered section (``finance.sections``), applied last.
    """
    registered = contract_sections()
    unknown = sorted(set(sections or {}) - set(registered))
    if unknown:
        raise ValidationError(_("Unknown contract section %(keys)s.") % {"keys": ", ".join(unknown)})
    if contract is None and match_code and code:
        contract = Contract.objects.filter(agency=agency, code=code.strip()).first()
    if contract is not None:
        # Work on a locked, fresh copy: a refusal leaves the caller's instance as it was.
        contract = Contract.objects.select_for_update().get(pk=contract.pk, agency=agency)
    # One comparison for the whole save (heading, budget, assignments, sections), and at most
    # one scan, queued after the commit when anything the findings depend on changed.
    with flags_scan_if_changed(contract=contract, user=user):
        return _contract_save(
            agency=agency, contract=contract, code=code, funder_name=funder_name, title=title,
            start=start, end=end, total=total, currency=currency, status=status, policy=policy,
            lines=lines, assignments=assignments, disbursements=disbursements, sections=sections,
            user=user, reason=reason, approve=approve, source=source, registered=registered,
        )  # fmt: skip


def _contract_save(
    *,
    agency: Agency,
    contract: Contract | None,
    code: str | None,
    funder_name: str | None,
    title: str | None,
    start: dt.date | None,
    end: dt.date | None,
    total: Decimal | None,
    currency: str | None,
    status: str | None,
    policy: Mapping | None,
    lines: Sequence[LineSpec] | None,
    assignments: Iterable[AssignmentSpec],
    disbursements: Iterable[DisbursementSpec],
    sections: Mapping[str, Any] | None,
    user,
    reason: str,
    approve: bool,
    source: str,
    registered: Mapping[str, Any],
) -> ContractSaveResult:
    """``contract_save`` once the contract to change (None: a new one) is found and locked."""
    if policy is not None:
        # disabled_rules are the director's: kept when left out, refused when changed by others.
        policy = policy_keep_disabled_rules(
            stored=contract.policy if contract is not None else {},
            incoming=dict(policy) if isinstance(policy, Mapping) else policy,
            user=user,
        )
    funder = funder_get_or_create(agency=agency, name=funder_name) if funder_name else None
    heading = {
        name: value
        for name, value in zip(_HEADING, (title, start, end, currency, status, policy), strict=True)
        if value is not None
    }
    with ExitStack() as watch:
        revision = None
        created = contract is None
        if created:
            if funder is None:
                raise ValidationError({"funder_name": _("Name the funder of the contract.")})
            contract = contract_create(
                agency=agency,
                code=code or "",
                funder=funder,
                total=total,
                lines=lines or (),
                **heading,
            )
            # Nothing to find on a contract just created: its targets and assignments queue no scan.
            watch.enter_context(flags_scan_if_changed(contract=contract, user=user, created=True))
        else:
            if funder is not None:
                heading["funder"] = funder
            if heading:
                contract_update(contract=contract, user=user, **heading)
            new_total = None if total is None or total == contract.total else total
            if lines is not None and not contract.budget_lines.exists() and new_total is None:
                budget_set_lines(contract=contract, lines=lines)
            elif lines is not None:
                revision = revision_from_lines(
                    contract=contract,
                    lines=lines,
                    new_total=new_total,
                    reason=reason or _("Budget changed"),
                    user=user,
                    approve=approve,
                    source=source,
                )
            elif new_total is not None:
                raise ValidationError(
                    {"total": _("The total changes only with the budget lines, as a budget revision.")}
                )
        assignments_added = 0
        for spec in assignments:
            if not StaffAssignment.objects.filter(
                contract=contract, staff=spec.staff, start=spec.start
            ).exists():
                assignment_create(
                    contract=contract, staff=spec.staff, start=spec.start, end=spec.end, fte=spec.fte
                )
                assignments_added += 1
        disbursements_added = 0
        for spec in disbursements:
            if not Disbursement.objects.filter(
                contract=contract, date=spec.date, amount=spec.amount, reference=spec.reference
            ).exists():
                disbursement_create(
                    contract=contract, date=spec.date, amount=spec.amount, reference=spec.reference
                )
                disbursements_added += 1
        applied = {
            key: registered[key].apply(
                contract=contract, value=value, created=created, user=user, reason=reason, approve=approve
            )
            for key, value in (sections or {}).items()
        }
        return ContractSaveResult(
            contract, created, revision, assignments_added, disbursements_added, applied
        )


# --- money received and staffing ----------------------------------------------------------


def disbursement_create(
    *, contract: Contract, date: dt.date, amount: Decimal, reference: str = ""
) -> Disbursement:
    """Record a tranche received from the funder."""
    item = Disbursement(
        agency=contract.agency, contract=contract, date=date, amount=amount, reference=reference
    )
    item.full_clean()
    item.save()
    return item


def assignment_create(
    *, contract: Contract, staff, start: dt.date, end: dt.date, fte: Decimal, user=None
) -> StaffAssignment:
    """Assign a staff member to a contract for a period at an FTE (the contract is scanned again
    after the commit: ``flags_scan_if_changed``)."""
    if staff.agency_id != contract.agency_id:
        raise ValidationError({"staff": _("Unknown staff member.")})
    item = StaffAssignment(
        agency=contract.agency, contract=contract, staff=staff, start=start, end=end, fte=fte
    )
    item.full_clean()
    with transaction.atomic(), flags_scan_if_changed(contract=contract, user=user):
        item.save()
    return item


def assignment_update(*, assignment: StaffAssignment, user=None, **fields) -> StaffAssignment:
    """Change an assignment's period or FTE; a changed period is scanned (``flags_scan_if_changed``)."""
    for name in ("start", "end", "fte"):
        if name in fields:
            setattr(assignment, name, fields[name])
    assignment.full_clean()
    with transaction.atomic(), flags_scan_if_changed(contract=assignment.contract, user=user):
        assignment.save()
    return assignment


def disbursements_total(contract: Contract) -> Decimal:
    return contract.disbursements.aggregate(s=MoneySum("amount"))["s"] or ZERO


# --- auditor access -----------------------------------------------------------------------


@transaction.atomic
def auditor_grant(
    *, contract: Contract, auditor, granted_by, expires_on: dt.date | None = None
) -> AuditorGrant:
    """Give an auditor of the agency read access to one contract (until revoked or expired)."""
    if not has_role(granted_by, Role.DIRECTOR):
        raise PermissionDenied(_("Only a director grants auditors access."))
    membership = getattr(auditor, "membership", None)
    if (
        membership is None
        or membership.agency_id != contract.agency_id
        or not has_role(auditor, Role.AUDITOR)
    ):
        raise ValidationError({"user": _("Choose an auditor of this agency.")})
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date is in the past.")})
    # The constraint allows one grant not ended per auditor and contract; a grant whose expiry
    # date has passed no longer gives access, so it is ended here (kept, with its history) and
    # the new one takes its place. A grant still active is refused by the constraint below.
    previous = (
        AuditorGrant.objects.select_for_update()
        .filter(contract=contract, user=auditor, revoked_at__isnull=True)
        .first()
    )
    if previous is not None and not previous.is_active():
        _auditor_grant_end_expired(previous, ended_by=granted_by)
    grant = AuditorGrant(
        agency=contract.agency, contract=contract, user=auditor, granted_by=granted_by, expires_on=expires_on
    )
    grant.full_clean()
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        # Another director granted the same access between the check and the insert.
        raise ValidationError(_("This auditor already has access to this contract.")) from None
    grant_object_perm(auditor, contract, "view")
    return grant


def _auditor_grant_end_expired(grant: AuditorGrant, *, ended_by) -> None:
    """End a grant whose expiry date has passed (it gives no access any more): ``revoked_at``
    now, by the director giving the new grant, with a history entry saying why."""
    grant.revoked_at = timezone.now()
    grant.revoked_by = ended_by
    grant._history_user = ended_by
    grant._change_reason = AuditorGrant.ENDED_EXPIRED
    grant.save()


@transaction.atomic
def auditor_revoke(*, grant: AuditorGrant, revoked_by) -> AuditorGrant:
    """End an auditor's access to a contract now."""
    if not has_role(revoked_by, Role.DIRECTOR):
        raise PermissionDenied(_("Only a director revokes auditors' access."))
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = revoked_by
        grant.save()
    revoke_object_perm(grant.user, grant.contract, "view")
    return grant
