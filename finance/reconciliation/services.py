"""Every write of bank reconciliation: statement import, automatic and manual matching, close.

A closed period changes no more; every write on it is refused with a ``ValidationError``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.importing import (
    Column,
    FileSpec,
    Importer,
    ImportErrors,
    ImportResult,
    RowError,
    parse_date,
    parse_money,
    parse_text,
)
from finance.models import (
    BankStatement,
    Contract,
    Disbursement,
    Expenditure,
    ReconciliationMatch,
    ReconciliationPeriod,
    StatementLine,
)
from finance.reconciliation.matching import MATCH_WINDOW_DAYS, MatchOutcome, match_frames

#: docs/formats.md "Bank statement".
BANK_STATEMENT = FileSpec(
    kind="bank_statement",
    columns=[
        Column("date", aliases=["交易日期"], required=True, parser=parse_date),
        Column("amount", aliases=["金额"], required=True, parser=parse_money(nonzero=True)),
        Column("counterparty", aliases=["对方户名"], parser=parse_text(max_length=200), default=""),
        Column("reference", aliases=["摘要"], parser=parse_text(max_length=500), default=""),
    ],
)


def _check_open(period: ReconciliationPeriod) -> None:
    if period.is_closed:
        raise ValidationError(
            _("The period %(period)s is closed; it can no longer change.") % {"period": period}
        )


def _line_key(date: dt.date, amount: Decimal, counterparty: str, reference: str) -> tuple:
    return (date, Decimal(amount).quantize(Decimal("0.01")), counterparty, reference)


# --- periods and statements ---------------------------------------------------------------


def period_get_or_create(*, contract: Contract, start: dt.date, end: dt.date) -> ReconciliationPeriod:
    """The contract's period with exactly these dates, created (open) if new."""
    period = ReconciliationPeriod.objects.filter(contract=contract, start=start, end=end).first()
    if period is not None:
        return period
    period = ReconciliationPeriod(agency=contract.agency, contract=contract, start=start, end=end)
    period.full_clean()
    period.save()
    return period


class StatementImport(Importer):
    """A bank statement (docs/formats.md) into a contract's period ``start``–``end``, then matched."""

    spec = BANK_STATEMENT
    checks_unread_rows = True  # validate's one row check skips a date that could not be read

    def __init__(self, *, contract: Contract, start: dt.date, end: dt.date, user=None) -> None:
        super().__init__(agency=contract.agency, user=user)
        self.contract = contract
        self.start = start
        self.end = end

    @property
    def target(self) -> str:
        return self.contract.code

    def validate(self, rows):
        if self.end < self.start:
            return [RowError.file(_("The period cannot end before it starts."))]
        period = ReconciliationPeriod.objects.filter(
            contract=self.contract, start=self.start, end=self.end
        ).first()
        if period is not None and period.is_closed:
            return [
                RowError.file(
                    _("The period %(period)s is closed; it can no longer change.") % {"period": period}
                )
            ]
        errors = []
        for row in rows:
            if row.readable("date") and not self.start <= row["date"] <= self.end:
                errors.append(
                    row.error(
                        "date",
                        _("%(date)s is outside the period %(start)s – %(end)s")
                        % {"date": row["date"], "start": self.start, "end": self.end},
                    )
                )
        return errors

    def split(self, rows) -> tuple[list, int]:
        """Rows to insert, and how many are already known (per occurrence, see the models)."""
        keys = [_line_key(r["date"], r["amount"], r["counterparty"], r["reference"]) for r in rows]
        dates = [k[0] for k in keys]
        known = Counter()
        if dates:
            existing = StatementLine.objects.filter(
                contract=self.contract, date__gte=min(dates), date__lte=max(dates)
            ).values_list("date", "amount", "counterparty", "reference")
            known = Counter(_line_key(*values) for values in existing)
        new, duplicates = [], 0
        for row, key in zip(rows, keys, strict=True):
            if known[key] > 0:
                known[key] -= 1
                duplicates += 1
            else:
                new.append(row)
        return new, duplicates

    def preview(self, rows) -> dict:
        new, duplicates = self.split(rows)
        return {
            "lines": len(new),
            "already_known": duplicates,
            "money_in": f"{sum((r['amount'] for r in new if r['amount'] > 0), Decimal('0.00')):.2f}",
            "money_out": f"{-sum((r['amount'] for r in new if r['amount'] < 0), Decimal('0.00')):.2f}",
        }

    def apply(self, rows, batch) -> dict:
        period = period_get_or_create(contract=self.contract, start=self.start, end=self.end)
        _check_open(period)
        new, duplicates = self.split(rows)
        statement = BankStatement(
            agency=self.contract.agency,
            contract=self.contract,
            period=period,
            import_batch=batch,
            file_name=batch.file_name,
            line_count=len(new),
            duplicate_count=duplicates,
            created_by=self.user,
        )
        statement.full_clean()
        statement.save()
        lines = [
            StatementLine(
                agency=self.contract.agency,
                contract=self.contract,
                statement=statement,
                period=period,
                row_number=row.row,
                date=row["date"],
                amount=row["amount"],
                counterparty=row["counterparty"] or "",
                reference=row["reference"] or "",
            )
            for row in new
        ]
        problems = []
        for line, row in zip(lines, new, strict=True):
            try:
                line.full_clean(exclude=["statement", "period", "contract"])
            except ValidationError as exc:
                problems.extend(row.error("", message) for message in exc.messages)
        if problems:
            raise ImportErrors(problems)
        bulk_create_with_history(lines, StatementLine, default_user=self.user)
        outcome = period_auto_match(period=period, user=self.user)
        return {
            "period": period.pk,
            "statement": statement.pk,
            "lines": len(new),
            "already_known": duplicates,
            "matched": outcome["matched"],
            "ambiguous": outcome["ambiguous"],
        }


def statement_import(
    *,
    contract: Contract,
    start: dt.date,
    end: dt.date,
    data: bytes,
    filename: str,
    user=None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a bank statement (docs/formats.md) into the contract's period ``start``–``end``, then match.

    All or nothing; the same file twice is refused by the import machinery; lines already known
    from an overlapping statement are skipped and counted as ``already_known``.
    """
    job = StatementImport(contract=contract, start=start, end=end, user=user)
    return job.run(data=data, filename=filename, dry_run=dry_run)


# --- matching ------------------------------------------------------------------------------


def _to_cents(values) -> list[int]:
    # Decimal → exact integer cents (pandas columns hold int64 cents, never float).
    return [int(v * 100) for v in values]


def book_frames(period: ReconciliationPeriod, window_days: int = MATCH_WINDOW_DAYS):
    """Unsettled lines of the period and unmatched book entries near it, as frames for matching."""
    from finance.reconciliation.selectors import unmatched_book

    lines = list(
        StatementLine.objects.filter(period=period, match__isnull=True, explanation="")
        .order_by()
        .values_list("id", "date", "amount", "counterparty")
    )
    lines_frame = pd.DataFrame(
        {
            "line_id": [r[0] for r in lines],
            "date": [r[1] for r in lines],
            "cents": pd.Series(_to_cents(r[2] for r in lines), dtype="int64"),
            "counterparty": [r[3] for r in lines],
        }
    )
    low = period.start - dt.timedelta(days=window_days)
    high = period.end + dt.timedelta(days=window_days)
    expenditures, disbursements = unmatched_book(period.contract, low, high)
    exp = list(expenditures.order_by().values_list("id", "date", "amount", "payee"))
    funder = period.contract.funder.name
    dis = list(disbursements.order_by().values_list("id", "date", "amount"))
    book_frame = pd.DataFrame(
        {
            "kind": ["expenditure"] * len(exp) + ["disbursement"] * len(dis),
            "book_id": [r[0] for r in exp] + [r[0] for r in dis],
            "date": [r[1] for r in exp] + [r[1] for r in dis],
            # As the bank shows them: money out negative, money in positive.
            "cents": pd.Series(_to_cents([-r[2] for r in exp] + [r[2] for r in dis]), dtype="int64"),
            "name": [r[3] for r in exp] + [funder] * len(dis),
        }
    )
    return lines_frame, book_frame


def _save_outcome(period: ReconciliationPeriod, outcome: MatchOutcome, user) -> None:
    matches = [
        ReconciliationMatch(
            agency=period.agency,
            contract=period.contract,
            line_id=line_id,
            expenditure_id=book_id if kind == "expenditure" else None,
            disbursement_id=book_id if kind == "disbursement" else None,
            method=ReconciliationMatch.Method.AUTO,
            day_difference=days,
            similarity=Decimal(f"{sim:.3f}"),
        )
        for line_id, (kind, book_id, days, sim) in outcome.matches.items()
    ]
    if matches:
        bulk_create_with_history(matches, ReconciliationMatch, default_user=user, batch_size=2000)
    stale = list(StatementLine.objects.filter(period=period).exclude(ambiguous=[]).only("id", "ambiguous"))
    changed = {}
    for line in stale:
        line.ambiguous = []
        changed[line.pk] = line
    if outcome.ambiguous:
        for line in StatementLine.objects.filter(pk__in=list(outcome.ambiguous)).only("id", "ambiguous"):
            line.ambiguous = outcome.ambiguous[line.pk]
            changed[line.pk] = line
    if changed:
        bulk_update_with_history(
            list(changed.values()), StatementLine, ["ambiguous"], default_user=user, batch_size=2000
        )


@transaction.atomic
def period_auto_match(*, period: ReconciliationPeriod, user=None) -> dict:
    """Match the period's unsettled lines to unmatched book entries (``matching`` module).

    New matches are automatic and unconfirmed; lines with equally good candidates are marked
    ambiguous. Returns ``{"matched": n, "ambiguous": n}``.
    """
    _check_open(period)
    lines, book = book_frames(period)
    outcome = match_frames(lines, book)
    _save_outcome(period, outcome, user)
    return {"matched": len(outcome.matches), "ambiguous": len(outcome.ambiguous)}


def _lock_line(line: StatementLine) -> StatementLine:
    return StatementLine.objects.select_for_update().select_related("period", "contract").get(pk=line.pk)


@transaction.atomic
def match_create(
    *,
    line: StatementLine,
    user,
    expenditure: Expenditure | None = None,
    disbursement: Disbursement | None = None,
) -> ReconciliationMatch:
    """Match ``line`` by hand to one expenditure (money out) or one disbursement (money in).

    The amounts must agree (a line of −930.00 records an expenditure of 930.00); both sides must
    be of the line's contract and not matched yet. The match counts as confirmed.
    """
    line = _lock_line(line)
    _check_open(line.period)
    if (expenditure is None) == (disbursement is None):
        raise ValidationError(_("Choose one expenditure or one disbursement."))
    if hasattr(line, "match"):
        raise ValidationError(_("This line is already matched; unmatch it first."))
    item = expenditure or disbursement
    if item.contract_id != line.contract_id:
        raise ValidationError(_("The entry belongs to another contract."))
    if expenditure is not None:
        if expenditure.status != Expenditure.Status.POSTED:
            raise ValidationError(_("A void expenditure cannot be matched."))
        if line.amount != -expenditure.amount:
            raise ValidationError(
                _("The amounts differ: the bank shows %(line)s, the expenditure is %(book)s.")
                % {"line": f"{line.amount:.2f}", "book": f"{expenditure.amount:.2f}"}
            )
    elif line.amount != disbursement.amount:
        raise ValidationError(
            _("The amounts differ: the bank shows %(line)s, the disbursement is %(book)s.")
            % {"line": f"{line.amount:.2f}", "book": f"{disbursement.amount:.2f}"}
        )
    taken = (
        ReconciliationMatch.objects.filter(expenditure=expenditure).exists()
        if expenditure is not None
        else ReconciliationMatch.objects.filter(disbursement=disbursement).exists()
    )
    if taken:
        raise ValidationError(_("This entry is already matched to another bank line."))
    now = timezone.now()
    match = ReconciliationMatch(
        agency=line.agency,
        contract=line.contract,
        line=line,
        expenditure=expenditure,
        disbursement=disbursement,
        method=ReconciliationMatch.Method.MANUAL,
        day_difference=abs((line.date - item.date).days),
        confirmed=True,
        confirmed_by=user,
        confirmed_at=now,
    )
    match.full_clean()
    match.save()
    if line.ambiguous or line.explanation:
        line.ambiguous = []
        line.explanation = ""
        line.explained_by = None
        line.explained_at = None
        line.save(update_fields=["ambiguous", "explanation", "explained_by", "explained_at"])
    return match


@transaction.atomic
def match_confirm(*, match: ReconciliationMatch, user) -> ReconciliationMatch:
    """The officer agrees with an automatic match."""
    match = ReconciliationMatch.objects.select_for_update().select_related("line__period").get(pk=match.pk)
    _check_open(match.line.period)
    if not match.confirmed:
        match.confirmed = True
        match.confirmed_by = user
        match.confirmed_at = timezone.now()
        match.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
    return match


@transaction.atomic
def period_confirm_all(*, period: ReconciliationPeriod, user) -> int:
    """Confirm every automatic match of the period; returns how many were confirmed."""
    _check_open(period)
    pending = list(ReconciliationMatch.objects.filter(line__period=period, confirmed=False))
    now = timezone.now()
    for match in pending:
        match.confirmed, match.confirmed_by, match.confirmed_at = True, user, now
    if pending:
        bulk_update_with_history(
            pending, ReconciliationMatch, ["confirmed", "confirmed_by", "confirmed_at"], default_user=user
        )
    return len(pending)


@transaction.atomic
def match_remove(*, match: ReconciliationMatch, user) -> StatementLine:
    """Undo a match: the line and the book entry are unmatched again (history keeps the match)."""
    match = ReconciliationMatch.objects.select_for_update().select_related("line__period").get(pk=match.pk)
    _check_open(match.line.period)
    line = match.line
    match._history_user = user
    match.delete()
    return line


@transaction.atomic
def line_explain(*, line: StatementLine, note: str, user) -> StatementLine:
    """Settle an unmatched line with a note (bank fee, interest, a transfer between accounts...)."""
    line = _lock_line(line)
    _check_open(line.period)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why this line has no book entry.")})
    if ReconciliationMatch.objects.filter(line=line).exists():
        raise ValidationError(_("This line is matched; unmatch it before explaining it."))
    line.explanation = note
    line.explained_by = user
    line.explained_at = timezone.now()
    line.ambiguous = []
    line._history_user = user
    line.full_clean(exclude=["statement", "period", "contract"])
    line.save()
    return line


@transaction.atomic
def line_unexplain(*, line: StatementLine, user) -> StatementLine:
    """Withdraw a line's explanation: it is unmatched again."""
    line = _lock_line(line)
    _check_open(line.period)
    line.explanation = ""
    line.explained_by = None
    line.explained_at = None
    line._history_user = user
    line.save()
    return line


@transaction.atomic
def period_close(*, period: ReconciliationPeriod, user) -> ReconciliationPeriod:
    """Close the period once every line is matched (and confirmed) or explained."""
    period = ReconciliationPeriod.objects.select_for_update().get(pk=period.pk)
    _check_open(period)
    lines = StatementLine.objects.filter(period=period)
    if not lines.exists():
        raise ValidationError(_("The period has no statement lines yet."))
    open_lines = lines.filter(match__isnull=True, explanation="").count()
    unconfirmed = ReconciliationMatch.objects.filter(line__period=period, confirmed=False).count()
    problems = []
    if open_lines:
        problems.append(
            _("%(count)s statement lines are neither matched nor explained.") % {"count": open_lines}
        )
    if unconfirmed:
        problems.append(_("%(count)s automatic matches await confirmation.") % {"count": unconfirmed})
    if problems:
        raise ValidationError(problems)
    period.status = ReconciliationPeriod.Status.CLOSED
    period.closed_by = user
    period.closed_at = timezone.now()
    period._history_user = user
    period.save()
    return period
