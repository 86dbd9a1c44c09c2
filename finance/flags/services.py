"""Writes of the irregularity engine: scanning contracts into flags, and triage.

A scan runs every rule on a contract (``finance.rules``) and reconciles the findings with the
stored flags, identified by (agency, rule, subject):

- a new finding becomes an ``open`` flag;
- a known finding keeps its status, unless the fingerprint of the expenditures behind it changed,
  which reopens it (with a ``reopened`` event);
- a stored flag of the contract that no longer fires is kept, status untouched, with
  ``active=False``: it leaves the queue and ``scan_flags`` output but keeps its history, and
  comes back (``active=True``) if it fires again.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.jobs import job_handler
from core.uploads import validate_document
from finance.flags import selectors
from finance.flags.extensions import EXTENSIONS, rule_for
from finance.models import Contract, Flag, FlagEvent, FlagEvidence, FlagStatus
from finance.rules import Finding, run_rules

#: Statuses that need a note saying why.
NOTE_REQUIRED = {FlagStatus.EXPLAINED, FlagStatus.DISMISSED}

#: Evidence files accepted, by the type their content shows (not their name).
EVIDENCE_MAX_BYTES = getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

_FINGERPRINT_COLUMNS = (
    "id",
    "date",
    "amount",
    "line",
    "payee",
    "description",
    "invoice_no",
    "payment_method",
    "voucher_no",
    "staff_id",
    "posted_on",
)


@dataclass
class ScanResult:
    """What a scan did, and the contract's current flags afterwards."""

    contract: Contract
    created: int = 0
    reopened: int = 0
    updated: int = 0
    unchanged: int = 0
    resolved: int = 0
    flags: list[Flag] = field(default_factory=list)


def _row_signatures(frames: list[pd.DataFrame], ids: set[int]) -> dict[int, str]:
    """id → a string of the values of that expenditure that matter to the rules."""
    signatures: dict[int, str] = {}
    if not ids:
        return signatures
    for frame in frames:
        rows = frame[frame["id"].isin(ids)]
        if rows.empty:
            continue
        parts = [rows[c].astype(str) for c in _FINGERPRINT_COLUMNS]
        joined = parts[0].str.cat(parts[1:], sep="|")
        signatures.update(zip(rows["id"].astype(int), joined, strict=True))
    return signatures


def _fingerprint(finding: Finding, signatures: dict[int, str]) -> str:
    digest = hashlib.sha256()
    for expenditure_id in sorted(finding.expenditure_ids):
        digest.update(signatures.get(expenditure_id, str(expenditure_id)).encode())
        digest.update(b"\n")
    if finding.basis is not None:
        digest.update(json.dumps(finding.basis, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _lookup(frames: list[pd.DataFrame], ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """id → (contract code, voucher, ISO date) for the expenditures findings name."""
    found: dict[int, tuple[str, str, str]] = {}
    for frame in frames:
        rows = frame[frame["id"].isin(ids)]
        dates = rows["date"].dt.strftime("%Y-%m-%d")
        for i, code, voucher, day in zip(
            rows["id"], rows["contract"], rows["voucher_no"], dates, strict=True
        ):
            found[int(i)] = (code, voucher or f"#{int(i)}", day)
    return found


def flags_scan_contract(*, contract: Contract, user=None) -> ScanResult:
    """Run every rule on ``contract`` and reconcile the findings with its stored flags."""
    frame = selectors.contract_frame(contract)
    context = selectors.rule_context(contract)
    findings = run_rules(frame, contract.effective_policy(), context)
    for extension in EXTENSIONS.values():
        findings += extension.findings(contract)
    return _reconcile(
        contract=contract, findings=findings, frames=[frame, context.agency_invoices], user=user
    )


@transaction.atomic
def _reconcile(
    *, contract: Contract, findings: list[Finding], frames: list[pd.DataFrame], user
) -> ScanResult:
    now = timezone.now()
    result = ScanResult(contract=contract)
    ids = {i for f in findings for i in f.expenditure_ids}
    signatures = _row_signatures(frames, ids)
    lookup = _lookup(frames, ids)
    codes = {c.code: c.pk for c in Contract.objects.filter(agency_id=contract.agency_id).only("id", "code")}

    keys = {(f.rule, f.subject) for f in findings}
    existing_qs = Flag.objects.select_for_update().filter(agency_id=contract.agency_id)
    mine = {(f.rule, f.subject): f for f in existing_qs.filter(contract=contract)}
    shared_subjects = [s for r, s in keys if r == "DUPLICATE_INVOICE"]
    if shared_subjects:
        for flag in existing_qs.filter(rule="DUPLICATE_INVOICE", subject__in=shared_subjects):
            mine.setdefault((flag.rule, flag.subject), flag)

    to_create: list[Flag] = []
    create_links: list[tuple[Flag, Finding]] = []
    to_update: list[Flag] = []
    relink: list[tuple[Flag, Finding]] = []
    events: list[FlagEvent] = []
    for finding in findings:
        rule = rule_for(finding.rule)
        fingerprint = _fingerprint(finding, signatures)
        named = [
            lookup[i]
            for i in sorted(finding.expenditure_ids, key=lambda i: lookup.get(i, ("", "", ""))[2])
            if i in lookup
        ]
        vouchers = [v for _c, v, _d in named]
        contract_codes = list(dict.fromkeys([c for c, _v, _d in named])) or [contract.code]
        values = {
            "severity": rule.severity,
            "line_code": finding.budget_line or "",
            "vouchers": vouchers,
            "contract_codes": contract_codes,
            "message": finding.message,
            "params": finding.params,
            "evidence": finding.evidence,
            "sort_key": named[0][2] if named else "",
        }
        flag = mine.get((finding.rule, finding.subject))
        if flag is None:
            flag = Flag(
                agency_id=contract.agency_id,
                rule=finding.rule,
                subject=finding.subject,
                contract=contract,
                fingerprint=fingerprint,
                status=FlagStatus.OPEN,
                active=True,
                last_seen=now,
                **values,
            )
            to_create.append(flag)
            create_links.append((flag, finding))
            continue
        changed = flag.fingerprint != fingerprint
        for name, value in values.items():
            setattr(flag, name, value)
        flag.last_seen = now
        flag.active = True
        if changed:
            flag.fingerprint = fingerprint
            relink.append((flag, finding))
            if flag.status != FlagStatus.OPEN:
                events.append(
                    FlagEvent(
                        agency_id=flag.agency_id,
                        flag=flag,
                        kind=FlagEvent.Kind.REOPENED,
                        from_status=flag.status,
                        to_status=FlagStatus.OPEN,
                        note=_("The expenditures behind this flag changed."),
                        user=user,
                    )
                )
                flag.status = FlagStatus.OPEN
                flag.status_changed_at = now
                result.reopened += 1
            else:
                result.updated += 1
        else:
            result.unchanged += 1
        to_update.append(flag)

    seen = set(keys)
    gone = [f for key, f in mine.items() if key not in seen and f.active and f.contract_id == contract.pk]
    for flag in gone:
        flag.active = False
    result.resolved = len(gone)

    if to_create:
        saved = bulk_create_with_history(to_create, Flag, batch_size=2000, default_user=user)
        if any(f.pk is None for f in saved):  # databases that return no primary keys
            by_key = {
                (f.rule, f.subject): f.pk
                for f in Flag.objects.filter(agency_id=contract.agency_id, contract=contract).only(
                    "id", "rule", "subject"
                )
            }
            for flag in to_create:
                flag.pk = by_key[(flag.rule, flag.subject)]
        fresh = []
        for flag, finding in create_links:
            fresh.append((flag, finding))
            events.append(
                FlagEvent(
                    agency_id=flag.agency_id,
                    flag_id=flag.pk,
                    kind=FlagEvent.Kind.RAISED,
                    to_status=FlagStatus.OPEN,
                    user=user,
                )
            )
        relink.extend(fresh)
        result.created = len(to_create)
    update_fields = [
        "severity",
        "line_code",
        "vouchers",
        "contract_codes",
        "message",
        "params",
        "evidence",
        "sort_key",
        "last_seen",
        "active",
        "fingerprint",
        "status",
        "status_changed_at",
    ]
    changed_flags = [f for f, _finding in relink if f not in to_create] + gone
    if changed_flags:
        bulk_update_with_history(changed_flags, Flag, update_fields, batch_size=2000, default_user=user)
    quiet = [f for f in to_update if f not in changed_flags]
    if quiet:
        Flag.objects.bulk_update(quiet, update_fields, batch_size=2000)
    if relink:
        _link(relink, codes)
        for extension in EXTENSIONS.values():
            extension.link(relink)
    if events:
        bulk_create_with_history(events, FlagEvent, batch_size=2000, default_user=user)
    result.flags = list(
        Flag.objects.filter(agency_id=contract.agency_id, active=True)
        .filter(pk__in=Flag.contracts.through.objects.filter(contract=contract).values("flag_id"))
        .select_related("contract", "assignee")
    )
    return result


def _link(pairs: list[tuple[Flag, Finding]], codes: dict[str, int]) -> None:
    """(Re)write the expenditures and contracts behind each flag."""
    exp_through = Flag.expenditures.through
    con_through = Flag.contracts.through
    flag_ids = [flag.pk for flag, _f in pairs]
    exp_through.objects.filter(flag_id__in=flag_ids).delete()
    con_through.objects.filter(flag_id__in=flag_ids).delete()
    exp_rows = [
        exp_through(flag_id=flag.pk, expenditure_id=i)
        for flag, finding in pairs
        for i in finding.expenditure_ids
    ]
    con_rows = [
        con_through(flag_id=flag.pk, contract_id=codes[code])
        for flag, _finding in pairs
        for code in flag.contract_codes
        if code in codes
    ]
    exp_through.objects.bulk_create(exp_rows, batch_size=5000)
    con_through.objects.bulk_create(con_rows, batch_size=5000)


def flags_scan_agency(*, agency, user=None, contract_code: str | None = None) -> list[ScanResult]:
    """Scan every contract of ``agency`` (or the one with ``contract_code``)."""
    contracts = Contract.objects.filter(agency=agency).order_by("code")
    if contract_code:
        contracts = contracts.filter(code=contract_code)
    return [flags_scan_contract(contract=c, user=user) for c in contracts]


def flags_scan_on_commit(*, contract: Contract, user=None) -> None:
    """Scan ``contract`` once the current transaction commits (after an import or a hand entry).

    The scan is a background job: in-process right after the commit on the embedded set-up,
    on a Celery worker when a broker is configured, so a large contract never holds a page.
    """
    from core.jobs import job_dispatch

    job_dispatch(
        agency=contract.agency,
        user=user if getattr(user, "pk", None) else None,
        kind="finance.flags_scan",
        params={"contract": contract.pk},
    )


@job_handler("finance.flags_scan", label=gettext_lazy("Irregularity scan"))
def _flags_scan_job(job, progress) -> dict:
    contract = Contract.objects.filter(pk=job.params.get("contract"), agency_id=job.agency_id).first()
    if contract is None:
        return {"skipped": "contract no longer exists"}
    progress(10, "scanning")
    flags_scan_contract(contract=contract, user=job.created_by)
    return {"contract": contract.code}


# --- triage ----------------------------------------------------------------------------------


def _check_can_triage(flag: Flag, user) -> None:
    if not Flag.objects.for_user(user, "change").filter(pk=flag.pk).exists():
        raise ValidationError(_("You may not triage this flag."))


def flag_set_status(*, flag: Flag, user, status: str, note: str = "", evidence=None) -> Flag:
    """Move a flag to ``status`` with a note (required to explain or dismiss), keeping the event."""
    _check_can_triage(flag, user)
    note = (note or "").strip()
    if status not in FlagStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status in NOTE_REQUIRED and not note:
        raise ValidationError({"note": _("Say why: a note is required to explain or dismiss a flag.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        previous = flag.status
        flag.status = status
        flag.note = note or flag.note
        flag.status_changed_at = timezone.now()
        flag.full_clean()
        flag._history_user = user
        flag.save(update_fields=["status", "note", "status_changed_at"])
        FlagEvent.objects.create(
            agency_id=flag.agency_id,
            flag=flag,
            kind=FlagEvent.Kind.STATUS,
            from_status=previous,
            to_status=status,
            note=note,
            user=user,
        )
        if evidence is not None:
            flag_add_evidence(flag=flag, user=user, file=evidence, note=note[:500])
    return flag


def flag_assign(*, flag: Flag, user, assignee, note: str = "") -> Flag:
    """Assign a flag to a person of the agency who may triage it (or to nobody)."""
    _check_can_triage(flag, user)
    if assignee is not None and not Flag.objects.for_user(assignee, "change").filter(pk=flag.pk).exists():
        raise ValidationError({"assignee": _("This person cannot triage flags of this agency.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        flag.assignee = assignee
        flag._history_user = user
        flag.save(update_fields=["assignee"])
        FlagEvent.objects.create(
            agency_id=flag.agency_id,
            flag=flag,
            kind=FlagEvent.Kind.ASSIGNED,
            assignee=assignee,
            note=(note or "").strip(),
            user=user,
        )
    return flag


def flags_bulk(*, flags, user, action: str, note: str = "", assignee=None) -> int:
    """Dismiss or assign several flags at once with one note; returns how many changed."""
    count = 0
    with transaction.atomic():
        for flag in flags:
            if action == "dismiss":
                flag_set_status(flag=flag, user=user, status=FlagStatus.DISMISSED, note=note)
            elif action == "assign":
                flag_assign(flag=flag, user=user, assignee=assignee, note=note)
            else:
                raise ValidationError({"action": _("Unknown action.")})
            count += 1
    return count


def flag_add_evidence(*, flag: Flag, user, file, note: str = "") -> FlagEvidence:
    """Attach a supporting document, checked by content (PDF, PNG, JPEG) and size."""
    _check_can_triage(flag, user)
    size = getattr(file, "size", None) or 0
    try:
        content_type = validate_document(file, max_bytes=EVIDENCE_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    name = (getattr(file, "name", "") or "evidence").rsplit("/", 1)[-1][:200]
    extension = mimetypes.guess_extension(content_type) or ""
    if not name.lower().endswith(extension):
        name = f"{name}{extension}"
    attachment = FlagEvidence(
        agency_id=flag.agency_id,
        flag=flag,
        name=name,
        content_type=content_type,
        size=size,
        note=note,
        uploaded_by=user,
    )
    attachment.file.save(name, file, save=False)
    attachment.full_clean()
    attachment._history_user = user
    attachment.save()
    FlagEvent.objects.create(
        agency_id=flag.agency_id, flag=flag, kind=FlagEvent.Kind.EVIDENCE, note=name, user=user
    )
    return attachment


def contract_policy_update(*, contract: Contract, user, overrides: dict) -> Contract:
    """Save the contract's policy overrides (validated by finance.policy) and re-scan it."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        contract.policy = overrides
        contract.full_clean()
        contract._history_user = user
        contract.save(update_fields=["policy", "updated_at"])
        flags_scan_on_commit(contract=contract, user=user)
    return contract


__all__ = [
    "ScanResult",
    "contract_policy_update",
    "flag_add_evidence",
    "flag_assign",
    "flag_set_status",
    "flags_bulk",
    "flags_scan_agency",
    "flags_scan_contract",
    "flags_scan_on_commit",
]
