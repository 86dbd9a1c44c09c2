"""Writes of the irregularity engine: scanning contracts into flags, and triage.

A scan runs every rule on a contract (``finance.rules``) and reconciles the findings with the
stored flags, identified by (agency, rule, subject):

- a new finding becomes an ``open`` flag;
- a known finding keeps its status, unless the fingerprint of the expenditures behind it changed,
  which reopens it (with a ``reopened`` event);
- a stored flag of the contract that no longer fires is kept, status untouched, with
  ``active=False``: it leaves the queue and ``scan_flags`` output but keeps its history, and
  comes back (``active=True``) if it fires again;
- a flag found exactly as stored is not written at all: a re-scan with nothing changed writes no
  row (``last_seen`` is the last scan that raised, changed or revived the flag).

The findings are stored as sets (``_reconcile``, with ``finance.flags.bulk``): one read of the
stored flags, ``COPY`` (PostgreSQL) or large ``bulk_create`` batches for the new flags, their
links, events and history, one ``executemany`` per kind of update, and history snapshots by
``INSERT … SELECT``; the number of statements does not depend on the number of findings.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import orjson
import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import progress
from core.collector import no_gc_pauses
from core.jobs import job_handler
from core.roles import Role, has_role
from core.uploads import validate_document
from finance.flags import bulk, selectors
from finance.flags.extensions import EXTENSIONS, rule_for
from finance.models import BudgetLine, Contract, Flag, FlagEvent, FlagEvidence, FlagStatus, StaffAssignment
from finance.policy import disabled_rules_change_reason, effective_policy, policy_keep_disabled_rules
from finance.rules import REGISTRY, Finding, run_rules

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
    """What a scan did; ``flags`` reads the contract's current flags afterwards (on first use)."""

    contract: Contract
    created: int = 0
    reopened: int = 0
    updated: int = 0
    unchanged: int = 0
    resolved: int = 0

    @cached_property
    def flags(self) -> list[Flag]:
        contract = self.contract
        return list(
            Flag.objects.filter(agency_id=contract.agency_id, active=True)
            .filter(pk__in=Flag.contracts.through.objects.filter(contract=contract).values("flag_id"))
            .select_related("contract", "assignee")
        )


def _row_signatures(frames: list[pd.DataFrame], ids: set[int]) -> dict[int, str]:
    """id → a string of the values of that expenditure that matter to the rules."""
    signatures: dict[int, str] = {}
    if not ids:
        return signatures
    wanted = np.fromiter(ids, dtype="int64", count=len(ids))
    for frame in frames:
        rows = frame[np.isin(frame["id"].to_numpy(), wanted)]
        if rows.empty:
            continue
        parts = [_texts(rows[c]) for c in _FINGERPRINT_COLUMNS]
        signatures.update(zip(rows["id"].tolist(), map("|".join, zip(*parts, strict=True)), strict=True))
    return signatures


def _texts(series: pd.Series) -> list[str]:
    """``series.astype(str)`` as a list; a date column is formatted once per distinct day."""
    if series.dtype.kind == "M":
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        return pd.Series(uniques).astype(str).to_numpy(dtype=object)[codes].tolist()
    return series.astype(str).tolist()


def _fingerprint(finding: Finding, signatures: dict[int, str]) -> str:
    ids = finding.expenditure_ids
    if len(ids) == 1 and finding.basis is None:  # most findings: one expenditure, the same digest
        return hashlib.sha256(f"{signatures.get(ids[0], ids[0])}\n".encode()).hexdigest()
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
    if not ids:
        return found
    wanted = np.fromiter(ids, dtype="int64", count=len(ids))
    for frame in frames:
        rows = frame[np.isin(frame["id"].to_numpy(), wanted)]
        dates = rows["date"].dt.strftime("%Y-%m-%d").tolist()
        for i, code, voucher, day in zip(
            rows["id"].tolist(), rows["contract"].tolist(), rows["voucher_no"].tolist(), dates, strict=True
        ):
            found[i] = (code, voucher, day)  # "" for one without: cli.md lists its voucher_no
    return found


def flags_scan_contract(*, contract: Contract, user=None) -> ScanResult:
    """Run every rule on ``contract`` and reconcile the findings with its stored flags.

    A rule the contract's ``disabled_rules`` names is not run (extensions skip theirs too), so
    its flags of the contract no longer fire: they leave the queue with their status and history
    kept, as any flag that no longer fires, and come back, the same flags, when it is re-enabled.

    A DUPLICATE_INVOICE group is shared by the contracts whose charges carry the invoice, and is
    made only of the charges of the contracts that run the rule (``finance.rules._groups``). So
    when this contract does not run it, the other contracts still named by its active
    DUPLICATE_INVOICE flags are scanned again for that rule alone, after this scan: each group
    then leaves out this contract's charges, and stops firing unless a duplicate remains.
    """
    disabled = contract.effective_policy()["disabled_rules"]
    sharing = _contracts_sharing_invoice_flags(contract) if "DUPLICATE_INVOICE" in disabled else []
    # The frame, the findings and their values all stay alive until the flags are stored: the
    # cyclic collector would only walk them (0.1 s of a re-scan of 34,597 findings).
    with no_gc_pauses():
        result = _scan(contract, user=user)
        for other in sharing:
            _scan(other, user=user, only=("DUPLICATE_INVOICE",))
    return result


def _scan(contract: Contract, *, user, only: tuple[str, ...] | None = None) -> ScanResult:
    """Scan ``contract`` with every rule it runs, or only the rules ``only`` names (then only
    its flags of those rules are reconciled)."""
    # Three steps on a terminal's bar (core.progress): read the ledger, run the rules, store.
    with progress.bar(contract.code, total=3, note=_("reading the ledger")) as shown:
        frame = selectors.contract_frame(contract)
        context = selectors.rule_context(contract, frame)
        policy = contract.effective_policy()
        disabled = policy["disabled_rules"]
        codes = REGISTRY.order() if only is None else only
        codes = [code for code in codes if code not in disabled] if disabled or only else None
        shown.advance(note=_("running the rules"))
        findings = run_rules(frame, policy, context, codes=codes)
        if only is None:
            for extension in EXTENSIONS.values():
                findings += extension.findings(contract)
        shown.advance(
            note=ngettext("storing %(count)s finding", "storing %(count)s findings", len(findings))
            % {"count": len(findings)}
        )
        return _reconcile(
            contract=contract,
            findings=findings,
            frames=[frame, context.agency_invoices],
            user=user,
            rules=only,
        )


def _contracts_sharing_invoice_flags(contract: Contract) -> list[Contract]:
    """The other contracts, running DUPLICATE_INVOICE, named by an active DUPLICATE_INVOICE flag
    that also names ``contract`` (one query)."""
    through = Flag.contracts.through
    touching = through.objects.filter(
        contract=contract, flag__rule="DUPLICATE_INVOICE", flag__active=True
    ).values("flag_id")
    named = through.objects.filter(flag_id__in=touching).exclude(contract=contract).values("contract_id")
    others = Contract.objects.filter(agency_id=contract.agency_id, pk__in=named).order_by("code")
    return [c for c in others if "DUPLICATE_INVOICE" not in (c.policy.get("disabled_rules") or {})]


#: What a finding decides on a flag besides its fingerprint, in the order of ``_values``; the
#: last, ``values_digest``, is a digest of the others (``_digest``).
_VALUE_FIELDS = (
    "severity",
    "line_code",
    "vouchers",
    "contract_codes",
    "message",
    "params",
    "evidence",
    "sort_key",
    "values_digest",
)

#: What the read of the stored flags brings back: keys, fingerprint, ``active`` and the digest of
#: their values (the values themselves are neither read nor decoded).
_STORED_COLUMNS = ("id", "rule", "subject", "contract_id", "fingerprint", "active", "values_digest")

_NEW_FLAG_FIELDS = (
    "agency_id",
    "rule",
    "subject",
    "contract_id",
    "fingerprint",
    "status",
    "active",
    "note",
    "first_seen",
    "last_seen",
    *_VALUE_FIELDS,
)
_EVENT_FIELDS = ("agency_id", "flag_id", "kind", "from_status", "to_status", "note", "user_id", "at")


_DIGEST_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _digest(values: tuple) -> str:
    """A digest of a finding's stored values, the same for the same values (as JSON gives them
    back: a tuple and a list alike, keys in any order).

    For the texts, integers, ordinary floats, dates and decimals findings hold, orjson writes the
    bytes ``json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    default=str)`` wrote, which made the digests before it (a test pins it). A value it writes
    otherwise (a float with an exponent, ``1e-7`` not ``1e-07``; a datetime, with a ``T``) makes
    its flag's next scan rewrite it quietly, once. Its encoding takes 0.3 µs a finding instead of
    2.9 (docs/performance.md).
    """
    return hashlib.md5(
        orjson.dumps(values, default=str, option=_DIGEST_JSON), usedforsecurity=False
    ).hexdigest()


def _values(finding: Finding, lookup: dict, default_code: str) -> tuple:
    """The stored values a finding gives its flag, in the order of ``_VALUE_FIELDS``."""
    ids = finding.expenditure_ids
    if len(ids) == 1:
        named = [lookup[ids[0]]] if ids[0] in lookup else []
    else:
        missing = ("", "", "")
        named = [lookup[i] for i in sorted(ids, key=lambda i: lookup.get(i, missing)[2]) if i in lookup]
    values = (
        rule_for(finding.rule).severity,
        finding.budget_line or "",
        [v for _c, v, _d in named],
        list(dict.fromkeys([c for c, _v, _d in named])) or [default_code],
        finding.message,
        finding.params,
        finding.evidence,
        named[0][2] if named else "",
    )
    return (*values, _digest(values))


def _history_user_id(user) -> int | None:
    """Who the history rows name: the scan's user, or the request's (as simple-history would)."""
    if user is None:
        user = Flag.history.model.get_default_history_user(None)
    return getattr(user, "pk", None)


@transaction.atomic
def _reconcile(
    *,
    contract: Contract,
    findings: list[Finding],
    frames: list[pd.DataFrame],
    user,
    rules: tuple[str, ...] | None = None,
) -> ScanResult:
    """Store a scan's findings as sets: a constant number of statements, whatever their number.

    One read brings back the stored flags' keys, fingerprints and values; new findings are
    inserted with their links, ``raised`` events and history; flags whose fingerprint changed
    are updated, relinked and (unless open) reopened, with history; flags whose other values
    changed, or that fire again, are updated quietly; flags that no longer fire are deactivated
    with history; a flag found unchanged is not written at all. ``rules``: the scan ran only
    these rules, so only the contract's flags of these rules can stop firing.

    A shared DUPLICATE_INVOICE flag belongs to a contract of its group: one this scan raises
    whose owner no longer has a charge in it (the owner stopped running the rule, or its charge
    left) becomes this contract's, so the owner's next scan does not put it out of the queue.
    """
    now = timezone.now()
    result = ScanResult(contract=contract)
    # Scans of one contract take turns (the flags they write are locked below, as they change).
    list(Contract.objects.select_for_update().filter(pk=contract.pk).values_list("pk"))
    ids = {i for f in findings for i in f.expenditure_ids}
    signatures = _row_signatures(frames, ids)
    lookup = _lookup(frames, ids)

    # order_by(): the stored flags are read into a dict; the model's ordering would join the
    # contract and sort tens of thousands of rows (on disk) for nothing.
    flags = Flag.objects.filter(agency_id=contract.agency_id).order_by()
    mine = (
        flags.filter(contract=contract) if rules is None else flags.filter(contract=contract, rule__in=rules)
    )
    stored: dict[tuple[str, str], tuple] = {
        (row[1], row[2]): row for row in mine.values_list(*_STORED_COLUMNS)
    }
    shared = [f.subject for f in findings if f.rule == "DUPLICATE_INVOICE"]
    owners: dict[int, str] = {}  # flag id → the owner's code, for flags of other contracts
    if shared:
        others = flags.filter(rule="DUPLICATE_INVOICE", subject__in=shared).exclude(contract=contract)
        for row in others.values_list(*_STORED_COLUMNS, "contract__code"):
            owners[row[0]] = row[-1]
            stored.setdefault((row[1], row[2]), row[:-1])

    created: list[tuple[Finding, str, tuple]] = []
    changed: list[tuple[int, Finding, str, tuple]] = []
    quiet: list[tuple[int, tuple]] = []  # found again: written only if inactive or a value changed
    moved: list[int] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        key = (finding.rule, finding.subject)
        seen.add(key)
        fingerprint = _fingerprint(finding, signatures)
        values = _values(finding, lookup, contract.code)
        row = stored.get(key)
        if row is not None and row[0] in owners and owners[row[0]] not in values[3]:
            moved.append(row[0])
        if row is None:
            created.append((finding, fingerprint, values))
        elif row[4] != fingerprint:
            changed.append((row[0], finding, fingerprint, values))
        else:
            result.unchanged += 1
            if not row[5] or row[6] != values[-1]:
                quiet.append((row[0], values))
    gone = [row[0] for key, row in stored.items() if key not in seen and row[5] and row[3] == contract.pk]
    result.resolved = len(gone)

    history_user = _history_user_id(user)
    user_id = getattr(user, "pk", None)
    events: list[tuple] = []
    if changed:
        changed_ids = [pk for pk, *_rest in changed]
        statuses = dict(bulk.locked_values(Flag, changed_ids, ["status"]))
        reopened = [pk for pk in changed_ids if statuses.get(pk, FlagStatus.OPEN) != FlagStatus.OPEN]
        note = _("The expenditures behind this flag changed.")
        events.extend(
            (
                contract.agency_id,
                pk,
                FlagEvent.Kind.REOPENED,
                statuses[pk],
                FlagStatus.OPEN,
                note,
                user_id,
                now,
            )
            for pk in reopened
        )
        result.reopened = len(reopened)
        result.updated = len(changed) - len(reopened)
        bulk.update_rows(
            Flag,
            ("fingerprint", "last_seen", "active", *_VALUE_FIELDS),
            ((fingerprint, now, True, *values, pk) for pk, _f, fingerprint, values in changed),
        )
        if reopened:
            bulk.update_rows(
                Flag, ("status", "status_changed_at"), ((FlagStatus.OPEN, now, pk) for pk in reopened)
            )
    if quiet:
        bulk.update_rows(
            Flag, ("last_seen", "active", *_VALUE_FIELDS), ((now, True, *v, pk) for pk, v in quiet)
        )
    if gone:
        bulk.update_rows(Flag, ("active",), ((False, pk) for pk in gone))
    if moved:
        bulk.update_rows(Flag, ("contract_id",), ((contract.pk, pk) for pk in moved))
    snapshots = [pk for pk, *_rest in changed] + gone
    snapshots += sorted(set(moved) - set(snapshots))
    bulk.history_from_rows(Flag, snapshots, history_type="~", at=now, user_id=history_user)

    if created:
        new_ids = bulk.insert_rows(
            Flag,
            _NEW_FLAG_FIELDS,
            (
                (contract.agency_id, f.rule, f.subject, contract.pk, fingerprint, FlagStatus.OPEN, True, "", now, now,
                 *values)
                for f, fingerprint, values in created
            ),
            returning=True,
        )  # fmt: skip
        bulk.history_from_rows(Flag, new_ids, history_type="+", at=now, user_id=history_user)
        events.extend(
            (contract.agency_id, pk, FlagEvent.Kind.RAISED, "", FlagStatus.OPEN, "", user_id, now)
            for pk in new_ids
        )
        result.created = len(created)
    else:
        new_ids = []

    relink = [(pk, finding, values) for pk, finding, _fp, values in changed]
    relink.extend((pk, finding, values) for pk, (finding, _fp, values) in zip(new_ids, created, strict=True))
    if relink:
        _link(contract, relink)
        for extension in EXTENSIONS.values():
            # Each extension gets the (flag, finding) pairs of its own rules, as it links only those.
            pairs = [
                (Flag(pk=pk, agency_id=contract.agency_id, rule=finding.rule), finding)
                for pk, finding, _v in relink
                if finding.rule in extension.rules
            ]
            if pairs:
                extension.link(pairs)
    if events:
        event_ids = bulk.insert_rows(FlagEvent, _EVENT_FIELDS, events, returning=True)
        bulk.history_from_rows(FlagEvent, event_ids, history_type="+", at=now, user_id=history_user)
    return result


def _link(contract: Contract, pairs: list[tuple[int, Finding, tuple]]) -> None:
    """(Re)write the expenditures and contracts behind each flag (flag id, finding, values)."""
    codes = dict(Contract.objects.filter(agency_id=contract.agency_id).values_list("code", "id"))
    exp_through = Flag.expenditures.through
    con_through = Flag.contracts.through
    flag_ids = [pk for pk, _f, _v in pairs]
    bulk.delete_where_in(exp_through, "flag_id", flag_ids)
    bulk.delete_where_in(con_through, "flag_id", flag_ids)
    bulk.insert_rows(
        exp_through,
        ("flag_id", "expenditure_id"),
        ((pk, i) for pk, finding, _v in pairs for i in finding.expenditure_ids),
    )
    bulk.insert_rows(
        con_through,
        ("flag_id", "contract_id"),
        ((pk, codes[code]) for pk, _f, values in pairs for code in values[3] if code in codes),
    )


def flags_scan_agency(*, agency, user=None, contract_code: str | None = None) -> list[ScanResult]:
    """Scan every contract of ``agency`` (or the one with ``contract_code``)."""
    contracts = Contract.objects.filter(agency=agency).order_by("code")
    if contract_code:
        contracts = contracts.filter(code=contract_code)
    contracts = list(contracts)
    return [
        flags_scan_contract(contract=c, user=user)
        for c in progress.track(contracts, _("Scanning contracts"), unit=_("contracts"))
    ]


def flags_scan_on_commit(*, contract: Contract, user=None) -> None:
    """Scan ``contract`` once the current transaction commits (after an import or a hand entry).

    The scan is a background job (``core.jobs``): run by the database queue's worker, or a
    Celery worker when a broker is configured, so a large contract never holds a page.
    Asked for again in the same transaction before it started (an import and a changed budget in
    one save), it is the same job: one scan, after the commit, of everything the save wrote.
    """
    from core.jobs import job_dispatch

    job_dispatch(
        agency=contract.agency,
        user=user if getattr(user, "pk", None) else None,
        kind="finance.flags_scan",
        params={"contract": contract.pk},
        once_per_transaction=True,
    )


def flags_scan_basis(contract: Contract) -> dict:
    """What the findings on ``contract`` depend on besides its expenditures and activities, as
    stored: its code, period and total; its effective policy (typed: ``"10"`` and ``"10.0"`` are
    one policy); its budget lines (code, name, category, approved amount: the amount a revision
    makes effective, not a proposed one); its staff assignments (person and period); and each
    extension's part (``ScanExtension.basis``: the delivery targets). Read from the database,
    whatever the caller's instance holds: three queries, and one per extension."""
    heading = (
        Contract.objects.filter(pk=contract.pk).values_list("code", "start", "end", "total", "policy").first()
    )
    if heading is None:
        return {}
    code, start, end, total, policy = heading
    basis = {
        "contract": (code, start, end, total),
        "policy": effective_policy(policy),
        "lines": list(
            BudgetLine.objects.filter(contract_id=contract.pk)
            .order_by("code")
            .values_list("code", "name", "category", "approved_amount")
        ),
        "assignments": list(
            StaffAssignment.objects.filter(contract_id=contract.pk)
            .order_by("staff_id", "start", "end")
            .values_list("staff_id", "start", "end")
        ),
    }
    for name, extension in sorted(EXTENSIONS.items()):
        if extension.basis is not None:
            basis[name] = extension.basis(contract)
    return basis


def flags_scan_on_change(*, contract: Contract, before: dict, user=None) -> bool:
    """Queue the scan of ``contract`` (``flags_scan_on_commit``) when what its findings depend on
    (``flags_scan_basis``) is no longer ``before``; say whether it did.

    Every write of a contract ends here (``flags_scan_if_changed``): its heading (the period,
    the policy), a budget revision made effective, its assignments, its targets, through the
    contract page, the API, contract files, the policy pages or the admin. A change is scanned at
    once, so a flag of a rule just disabled, an expenditure now outside the period or a line
    overspent no more leaves or enters the queue without waiting for the next import; a save
    that changes nothing of it (a contract file loaded again unchanged) queues nothing.
    """
    if flags_scan_basis(contract) == before:
        return False
    flags_scan_on_commit(contract=contract, user=user)
    return True


_watching = threading.local()


@contextmanager
def flags_scan_if_changed(*, contract: Contract | None, user=None, created: bool = False) -> Iterator[None]:
    """Around a write of ``contract``: when the block ends without an error, scan the contract
    after the commit if what its findings depend on changed (``flags_scan_on_change``).

    Nested around the same contract (``contract_save`` around ``contract_update``, a revision's
    decision and the targets section), only the outermost compares: one comparison, one scan, for
    the whole save. ``contract=None`` does nothing; ``created`` (a contract just created, with no
    expenditure or activity yet: nothing to find) compares nothing, nested blocks neither.
    """
    watched = _watching.__dict__.setdefault("pks", set())
    if contract is None or contract.pk is None or contract.pk in watched:
        yield
        return
    if created:
        watched.add(contract.pk)
        try:
            yield
        finally:
            watched.discard(contract.pk)
        return
    before = flags_scan_basis(contract)
    watched.add(contract.pk)
    try:
        yield
    finally:
        watched.discard(contract.pk)
    flags_scan_on_change(contract=contract, before=before, user=user)


def flags_scan_people_contracts(change) -> set[int]:
    """The ids of the contracts of ``change.agency_id`` whose findings a ``PeopleChange``
    (``core.people_changes``) may change, on the finance side and each extension's
    (``ScanExtension.people``: the delivery rules' activities).

    Finance's are the contracts with an expenditure that names one of the people whose number,
    name or spells changed (GHOST_PERSONNEL reads the spells; its messages and
    UNASSIGNED_PERSONNEL's name the person), and those with an equipment or services expenditure
    paid to one of the names before or after (PAYEE_IS_STAFF compares the payee with every
    staff member's name): chosen by the people rather than by the period, since a rule compares
    a person's records whatever the dates, and a change of someone with no expenditure and no
    namesake payee scans nothing. Never another agency's contracts.
    """
    from core.people_changes import people_chunks
    from finance.models import Category, Expenditure
    from finance.rules.base import normalise_text

    agency_id = change.agency_id
    contracts: set[int] = set()
    people = change.identity | change.employment
    for ids in people_chunks(people):
        charges = Expenditure.objects.filter(agency_id=agency_id, staff_id__in=ids)
        contracts.update(charges.values_list("contract_id", flat=True).distinct())
    names = {normalise_text(name) for name in change.names} - {""}
    if names:
        payees = (
            Expenditure.objects.filter(
                agency_id=agency_id, budget_line__category__in=[Category.EQUIPMENT, Category.SERVICES]
            )
            .values_list("contract_id", "payee")
            .distinct()
        )
        contracts.update(pk for pk, payee in payees if normalise_text(payee) in names)
    for _name, extension in sorted(EXTENSIONS.items()):
        if extension.people is not None:
            contracts.update(extension.people(change))
    return contracts


def flags_scan_on_people_change(change) -> int:
    """Queue, once after the commit, the scan of each contract a ``PeopleChange`` may change
    (``flags_scan_people_contracts``), recorded as the scan of the user who made the change;
    subscribed to ``core.people_changes`` in ``FinanceConfig.ready()``. One scan per contract
    per transaction, however many people or rows changed (``flags_scan_on_commit``). Returns how
    many contracts it queued."""
    pks = flags_scan_people_contracts(change)
    if not pks:
        return 0
    for contract in Contract.objects.filter(agency_id=change.agency_id, pk__in=sorted(pks)).select_related(
        "agency"
    ):
        flags_scan_on_commit(contract=contract, user=change.by)
    return len(pks)


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
    """Move a flag to ``status`` with a note (required to explain or dismiss), keeping the event.

    Explaining also needs evidence: ``evidence`` attached now, or a document the flag has already."""
    _check_can_triage(flag, user)
    note = (note or "").strip()
    if status not in FlagStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status in NOTE_REQUIRED and not note:
        raise ValidationError({"note": _("Say why: a note is required to explain or dismiss a flag.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        # flag-rules.md: explained is "a note that makes it acceptable, with evidence attached".
        if status == FlagStatus.EXPLAINED and evidence is None and not flag.attachments.exists():
            raise ValidationError(
                {
                    "evidence": _(
                        "Attach the evidence: a flag is explained with a document (PDF, PNG or JPEG) "
                        "that shows why it is acceptable, such as the invoice or the funder's approval."
                    )
                }
            )
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
    """Assign a flag to a person of the agency who may triage it (or to nobody).

    Giving the flag to whom it already has, with no note, changes nothing and writes no history
    (``flag.assignment_changed`` says which happened)."""
    _check_can_triage(flag, user)
    if assignee is not None and not Flag.objects.for_user(assignee, "change").filter(pk=flag.pk).exists():
        raise ValidationError({"assignee": _("This person cannot triage flags of this agency.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.assignee_id == getattr(assignee, "pk", None) and not (note or "").strip():
            flag.assignment_changed = False
            return flag
        flag.assignment_changed = True
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
                if not flag_assign(flag=flag, user=user, assignee=assignee, note=note).assignment_changed:
                    continue
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
    """Save the contract's policy overrides (validated by finance.policy), and re-scan the contract
    when that changed its policy (``flags_scan_if_changed``).

    ``disabled_rules`` is the director's (``contract_disabled_rules_update``): left out of
    ``overrides``, the stored value is kept; changed by anyone but a director, it is refused.
    """
    with transaction.atomic(), flags_scan_if_changed(contract=contract, user=user):
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        before = contract.policy
        contract.policy = policy_keep_disabled_rules(stored=before, incoming=overrides, user=user)
        contract.full_clean()
        contract._history_user = user
        contract_note_disabled_rules_change(contract=contract, before=before)
        contract.save(update_fields=["policy", "updated_at"])
    return contract


def contract_disabled_rules_update(*, contract: Contract, user, disabled: dict[str, str]) -> Contract:
    """A director sets the rules not run for ``contract`` (rule code → the reason), and the
    contract is scanned again.

    The change is kept in the contract's history, by whom, with each rule disabled or re-enabled
    and its reason as the change reason (coded, shown in the reader's language). Only a director of the contract's agency may do it
    (docs/rules.md); an unchanged set writes nothing.
    """
    if (
        not has_role(user, Role.DIRECTOR)
        or not Contract.objects.for_user(user, "view").filter(pk=contract.pk).exists()
    ):
        raise PermissionDenied(_("Only a director may disable or re-enable rules for a contract."))
    with transaction.atomic(), flags_scan_if_changed(contract=contract, user=user):
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        stored = contract.policy
        policy = {key: value for key, value in stored.items() if key != "disabled_rules"}
        if disabled:
            policy["disabled_rules"] = dict(disabled)
        contract.policy = policy
        contract.full_clean()
        if not contract_note_disabled_rules_change(contract=contract, before=stored):
            return contract
        contract._history_user = user
        contract.save(update_fields=["policy", "updated_at"])
    return contract


def contract_note_disabled_rules_change(*, contract: Contract, before: dict | None) -> bool:
    """When ``contract.policy`` (validated, about to be saved) changes the ``disabled_rules`` of the
    stored policy ``before``, set the history's coded change reason (each rule disabled,
    re-enabled or given a new reason: ``disabled_rules_change_reason``, shown in the reader's
    language); say whether they changed. Every path that writes a policy calls it: the policy
    pages, ``contract_update`` (the API and contract files) and the admin."""
    old = dict((before or {}).get("disabled_rules") or {}) if isinstance(before, dict) else {}
    policy = contract.policy if isinstance(contract.policy, dict) else {}
    new = dict(policy.get("disabled_rules") or {})
    if new == old:
        return False
    contract._change_reason = disabled_rules_change_reason(old, new)
    return True


__all__ = [
    "ScanResult",
    "contract_disabled_rules_update",
    "contract_note_disabled_rules_change",
    "contract_policy_update",
    "flag_add_evidence",
    "flag_assign",
    "flag_set_status",
    "flags_bulk",
    "flags_scan_agency",
    "flags_scan_basis",
    "flags_scan_contract",
    "flags_scan_if_changed",
    "flags_scan_on_change",
    "flags_scan_on_commit",
]
