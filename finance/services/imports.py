"""Files into finance records: contract definitions (JSON), budget sheets and ledgers (CSV/XLSX).

Tabular files go through the shared machinery (``core.importing.run_import``): all or nothing,
every error by row and column, repeats refused. This module only declares the columns and the
finance-specific checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import MoneySum
from core.importing import (
    Column,
    FileSpec,
    ImportErrors,
    ImportResult,
    ParsedRow,
    RowError,
    ValueProblem,
    enum_parser,
    parse_date,
    parse_decimal,
    parse_money,
    parse_table,
    parse_text,
    read_table,
    run_import,
)
from core.importing.errors import FileRefused
from core.models import Agency
from finance.models import (
    CATEGORY_CHINESE,
    PAYMENT_METHOD_CHINESE,
    BudgetRevision,
    Category,
    Contract,
    Disbursement,
    Expenditure,
    PaymentMethod,
    StaffAssignment,
)
from finance.services.contracts import (
    LineSpec,
    assignment_create,
    budget_set_lines,
    contract_create,
    contract_update,
    disbursement_create,
    funder_get_or_create,
    revision_from_lines,
)
from staff.models import StaffMember

ZERO = Decimal("0.00")

LEDGER = FileSpec(
    kind="ledger",
    columns=[
        Column("date", aliases=["日期"], required=True, parser=parse_date),
        Column("amount", aliases=["金额"], required=True, parser=parse_money(nonzero=True)),
        Column("budget_line", aliases=["预算科目"], required=True, parser=parse_text(max_length=200)),
        Column("payee", aliases=["收款方"], required=True, parser=parse_text(max_length=200)),
        Column("description", aliases=["摘要"], required=True, parser=parse_text(max_length=500)),
        Column("invoice_no", aliases=["发票号"], parser=parse_text(max_length=60), default=""),
        Column(
            "payment_method",
            aliases=["支付方式"],
            parser=enum_parser(PaymentMethod, PAYMENT_METHOD_CHINESE),
            default="",
        ),
        Column("voucher_no", aliases=["凭证号"], parser=parse_text(max_length=60), default=""),
        Column("staff_no", aliases=["员工编号"], parser=parse_text(max_length=40), default=""),
        Column("posted_on", aliases=["记账日期"], parser=parse_date, default=None),
    ],
)

BUDGET_SHEET = FileSpec(
    kind="budget_sheet",
    columns=[
        Column("code", aliases=["科目编号", "编号"], required=True, parser=parse_text(max_length=30)),
        Column("name", aliases=["科目名称", "名称"], required=True, parser=parse_text(max_length=200)),
        Column("category", aliases=["类别"], required=True, parser=enum_parser(Category, CATEGORY_CHINESE)),
        Column("amount", aliases=["金额", "预算金额"], required=True, parser=parse_money),
    ],
)


# --- ledger -------------------------------------------------------------------------------

#: Ledger rows turned into parameters at a time: bounded memory, few round trips.
_BATCH = 2000


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(qs, field: str, values: set[str]) -> dict[str, Any]:
    """``{value: pk}`` for the rows of ``qs`` whose ``field`` is among ``values`` (chunked IN)."""
    # SQLite binds at most 999 parameters per statement.
    size = min(connection.features.max_query_params or 10_000, 10_000) - 10
    if len(values) > size:
        # A large file: one pass over the (indexed) column beats many long IN (...) lists.
        rows = qs.values_list(field, "pk").iterator(chunk_size=_BATCH)
        return {value: pk for value, pk in rows if value in values}
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(values), size):
        found.update(qs.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return found


def _history_insert_from(
    model, *, field: str, value: Any, user_id: int | None, reason: str | None = None
) -> int:
    """Write the "+" history row of every ``model`` row whose ``field`` is ``value``, in one INSERT … SELECT.

    The same rows ``simple_history`` would write (every tracked column, history_date,
    history_type "+", history_user), without building a historical model instance per row:
    for a 100,000-row ledger that is the difference between minutes and a second.
    """
    # Identifiers come from model metadata and every value is a bound parameter.
    history = model.history.model
    quote = connection.ops.quote_name
    history_columns = {f.column for f in history._meta.concrete_fields}
    columns = [quote(f.column) for f in model._meta.concrete_fields if f.column in history_columns]
    extra = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection),
        "history_type": "+",
        "history_user": user_id,
        "history_change_reason": reason,
    }
    extra_columns = [quote(history._meta.get_field(name).column) for name in extra]
    target = f"{quote(history._meta.db_table)} ({', '.join(columns + extra_columns)})"
    source = quote(model._meta.db_table)
    selected = ", ".join(columns + ["%s"] * len(extra))
    match = quote(model._meta.get_field(field).column)
    order = quote(model._meta.pk.column)
    sql = f"INSERT INTO {target} SELECT {selected} FROM {source} WHERE {match} = %s ORDER BY {order}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*extra.values(), value])
        return cursor.rowcount


class _LedgerCheck:
    """Resolves budget lines and staff numbers, and checks vouchers, for one contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        lines = list(contract.budget_lines.only("pk", "code", "name"))
        # Codes win over names: a line named like another line's code is found by the code.
        self.line_ids = {line.name: line.pk for line in lines} | {line.code: line.pk for line in lines}
        self.staff: dict[str, int] = {}

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        """Cross-row and database checks: three queries whatever the size of the file."""
        errors: list[RowError] = []
        contract = self.contract
        numbers = {row["staff_no"] for row in rows if row["staff_no"]}
        self.staff = _existing(StaffMember.objects.filter(agency=contract.agency_id), "staff_no", numbers)
        vouchers = {row["voucher_no"] for row in rows if row["voucher_no"]}
        # exclude(voucher_no="") repeats the condition of the partial unique index, so the
        # database answers from that index however long the contract's ledger is.
        existing = _existing(
            Expenditure.objects.filter(contract=contract).exclude(voucher_no=""), "voucher_no", vouchers
        )
        first_seen: dict[str, int] = {}
        for row in rows:
            key = row["budget_line"]
            if key not in self.line_ids:
                errors.append(
                    row.error(
                        "budget_line",
                        _('"%(value)s" is not the code or the name of a budget line of %(contract)s')
                        % {"value": key, "contract": contract.code},
                    )
                )
            if row["staff_no"] and row["staff_no"] not in self.staff:
                errors.append(
                    row.error(
                        "staff_no", _("no staff member has the number %(no)s") % {"no": row["staff_no"]}
                    )
                )
            voucher = row["voucher_no"]
            if voucher:
                if voucher in existing:
                    errors.append(
                        row.error(
                            "voucher_no",
                            _("voucher %(no)s is already in the ledger of %(contract)s")
                            % {"no": voucher, "contract": contract.code},
                        )
                    )
                elif voucher in first_seen:
                    errors.append(
                        row.error(
                            "voucher_no",
                            _("voucher %(no)s appears twice in the file (also row %(row)s)")
                            % {"no": voucher, "row": first_seen[voucher]},
                        )
                    )
                else:
                    first_seen[voucher] = row.row
        return errors

    def preview(self, rows: list[ParsedRow]) -> dict[str, Any]:
        added = sum((row["amount"] for row in rows), ZERO)
        actual = contract_actual(self.contract)
        return {"rows": len(rows), "amount": f"{added:.2f}", "new_total": f"{actual + added:.2f}"}

    #: The columns each ledger row fills; every other column of ``Expenditure`` takes one value.
    ROW_FIELDS = (
        "budget_line",
        "date",
        "amount",
        "payee",
        "description",
        "invoice_no",
        "payment_method",
        "voucher_no",
        "staff",
        "posted_on",
    )

    def _row_values(self, rows: list[ParsedRow]) -> list[tuple]:
        ops = connection.ops
        line_ids, staff = self.line_ids, self.staff
        return [
            (
                line_ids[row["budget_line"]],
                ops.adapt_datefield_value(row["date"]),
                ops.adapt_decimalfield_value(row["amount"], 14, 2),
                row["payee"],
                row["description"],
                row["invoice_no"] or "",
                row["payment_method"] or "",
                row["voucher_no"] or "",
                staff[row["staff_no"]] if row["staff_no"] else None,
                ops.adapt_datefield_value(row["posted_on"]),
            )
            for row in rows
        ]

    def apply(self, rows: list[ParsedRow], batch, user) -> dict[str, Any]:
        """Insert the rows and their "+" history rows, a batch of parameters at a time.

        The parsers and ``validate`` have checked every value already (lengths, choices,
        non-zero amounts, lines, staff numbers, vouchers), so rows go in without a model
        instance and a ``full_clean()`` each: for 100,000 rows that per-row work was nearly
        all of the two minutes the import took. The database constraints still hold the last
        line: a voucher entered meanwhile raises and refuses the whole file.
        """
        user_id = user.pk if getattr(user, "pk", None) else None
        fixed = {
            "agency": self.contract.agency_id,
            "contract": self.contract.pk,
            "status": Expenditure.Status.POSTED.value,
            "source": Expenditure.Source.IMPORT.value,
            "import_batch": batch.pk,
            "created_by": user_id,
            "created_at": timezone.now(),
        }
        fields = {f.name: f for f in Expenditure._meta.concrete_fields if not f.primary_key}
        constant_fields = [f for name, f in fields.items() if name not in self.ROW_FIELDS]
        constants = tuple(
            f.get_db_prep_save(fixed[f.name] if f.name in fixed else f.get_default(), connection)
            for f in constant_fields
        )
        columns = [fields[name].column for name in self.ROW_FIELDS] + [f.column for f in constant_fields]
        # Identifiers come from model metadata and every value is a bound parameter.
        quote = connection.ops.quote_name
        table = quote(Expenditure._meta.db_table)
        column_list = ", ".join(quote(c) for c in columns)
        try:
            # Savepoint: a voucher posted by someone else meanwhile refuses the file cleanly.
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
                    # COPY: one stream instead of a statement per row (psycopg 3).
                    copy_sql = f"COPY {table} ({column_list}) FROM STDIN"
                    # The raw cursor's errors are not translated; wrap them into IntegrityError.
                    with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                        for chunk in _chunks(rows, _BATCH):
                            for values in self._row_values(chunk):
                                copy.write_row(values + constants)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    sql = f"INSERT INTO {table} ({column_list}) VALUES ({marks})"  # noqa: S608
                    for chunk in _chunks(rows, _BATCH):
                        cursor.executemany(sql, [values + constants for values in self._row_values(chunk)])
        except IntegrityError as exc:
            raise ImportErrors(
                [
                    RowError.file(
                        _("A voucher number of this file was entered meanwhile; nothing was imported.")
                    )
                ]
            ) from exc
        _history_insert_from(Expenditure, field="import_batch", value=batch.pk, user_id=batch.created_by_id)
        added = sum((row["amount"] for row in rows), ZERO)
        return {
            "rows": len(rows),
            "amount": f"{added:.2f}",
            "new_total": f"{contract_actual(self.contract):.2f}",
        }


def contract_actual(contract: Contract) -> Decimal:
    return contract.expenditures.posted().aggregate(s=MoneySum("amount"))["s"] or ZERO


def ledger_import(
    *, contract: Contract, data: bytes, filename: str, user=None, dry_run: bool = False
) -> ImportResult:
    """Import ledger rows into ``contract`` (files.md): all or nothing, never refused for overspending."""
    check = _LedgerCheck(contract)

    def apply(rows, batch):
        summary = check.apply(rows, batch, user)
        # Inside the import's transaction: the scan starts once the rows are committed.
        from finance.flags.services import flags_scan_on_commit

        flags_scan_on_commit(contract=contract, user=user)
        return summary

    return run_import(
        LEDGER,
        data=data,
        filename=filename,
        agency=contract.agency,
        user=user,
        target=contract.code,
        validate=check.validate,
        preview=check.preview,
        apply=apply,
        dry_run=dry_run,
    )


# --- budget sheet -------------------------------------------------------------------------


def budget_sheet_read(*, data: bytes, filename: str) -> list[LineSpec]:
    """Read a budget sheet (code, name, category, amount) or raise ValidationError with every problem."""
    try:
        table = read_table(data, filename)
    except FileRefused as refused:
        raise ValidationError(refused.message) from None
    outcome = parse_table(BUDGET_SHEET, table)
    if outcome.errors:
        raise ValidationError([str(error) for error in outcome.errors.kept])
    if not outcome.rows:
        raise ValidationError(_("The budget sheet has no lines."))
    return [LineSpec(row["code"], row["name"], row["category"], row["amount"]) for row in outcome.rows]


def budget_sheet_apply(
    *, contract: Contract, lines: list[LineSpec], user, filename: str
) -> BudgetRevision | None:
    """A contract without a budget takes the sheet as its budget; otherwise the sheet is a proposed revision."""
    if not contract.budget_lines.exists():
        budget_set_lines(contract=contract, lines=lines)
        return None
    return revision_from_lines(
        contract=contract,
        lines=lines,
        new_total=None,
        reason=_("Budget sheet %(name)s") % {"name": filename},
        user=user,
        approve=False,
        source=BudgetRevision.Source.FILE,
    )


# --- contract definition (JSON) -----------------------------------------------------------


@dataclass
class LoadResult:
    contract: Contract
    created: bool
    revision: BudgetRevision | None
    assignments_added: int
    disbursements_added: int


def _field(errors: list[str], where: str, parser, value):
    try:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueProblem(_("a value is required"))
        return parser(value)
    except ValueProblem as problem:
        errors.append(f"{where}: {problem.message}")
        return None


def _parse_contract(document: Any, agency: Agency) -> tuple[dict, list[str]]:
    errors: list[str] = []
    if not isinstance(document, dict):
        return {}, [_("The file must hold one JSON object.")]
    out: dict[str, Any] = {}
    for key in ("code", "title", "funder"):
        out[key] = _field(errors, key, parse_text, document.get(key))
    out["start"] = _field(errors, "start", parse_date, document.get("start"))
    out["end"] = _field(errors, "end", parse_date, document.get("end"))
    out["total"] = _field(errors, "total", parse_money, document.get("total"))
    out["currency"] = str(document.get("currency") or "CNY").strip().upper()
    out["policy"] = document.get("policy") or {}
    if out["start"] and out["end"] and out["end"] <= out["start"]:
        errors.append(_("end: the end must be after the start"))
    category = enum_parser(Category, CATEGORY_CHINESE)
    lines = []
    raw_lines = document.get("budget_lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(_("budget_lines: give at least one budget line"))
        raw_lines = []
    for index, item in enumerate(raw_lines, start=1):
        where = f"budget_lines[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        values = [
            _field(errors, f"{where}.code", parse_text, item.get("code")),
            _field(errors, f"{where}.name", parse_text, item.get("name")),
            _field(errors, f"{where}.category", category, item.get("category")),
            _field(errors, f"{where}.amount", parse_money, item.get("amount")),
        ]
        if None not in values:
            lines.append(LineSpec(*values))
    codes = [line.code for line in lines]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        errors.append(_("budget_lines: the code %(code)s is used more than once") % {"code": code})
    if out["total"] is not None and len(lines) == len(raw_lines) and lines:
        line_sum = sum((line.amount for line in lines), ZERO)
        if line_sum != out["total"]:
            errors.append(
                _("budget_lines: the lines add up to %(sum)s, not the total %(total)s")
                % {"sum": f"{line_sum:.2f}", "total": f"{out['total']:.2f}"}
            )
    out["budget_lines"] = lines
    out["assignments"] = []
    raw = document.get("assignments") or []
    staff_numbers = [str(item.get("staff_no", "")).strip() for item in raw if isinstance(item, dict)]
    staff = {s.staff_no: s for s in StaffMember.objects.filter(agency=agency, staff_no__in=staff_numbers)}
    fte_parser = parse_decimal(places=2)
    for index, item in enumerate(raw if isinstance(raw, list) else [], start=1):
        where = f"assignments[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        number = str(item.get("staff_no", "")).strip()
        member = staff.get(number)
        if member is None:
            errors.append(
                _("%(where)s.staff_no: no staff member has the number %(no)s")
                % {"where": where, "no": number}
            )
        start = _field(errors, f"{where}.start", parse_date, item.get("start"))
        end = _field(errors, f"{where}.end", parse_date, item.get("end"))
        fte = _field(errors, f"{where}.fte", fte_parser, str(item.get("fte", "")))
        if fte is not None and not (ZERO < fte <= 1):
            errors.append(_("%(where)s.fte: must be above 0 and at most 1") % {"where": where})
        if start and end and out["start"] and out["end"]:
            if end < start:
                errors.append(_("%(where)s: ends before it starts") % {"where": where})
            if start < out["start"] or end > out["end"]:
                errors.append(_("%(where)s: must lie inside the contract period") % {"where": where})
        out["assignments"].append((member, start, end, fte))
    out["disbursements"] = []
    raw = document.get("disbursements") or []
    for index, item in enumerate(raw if isinstance(raw, list) else [], start=1):
        where = f"disbursements[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        date = _field(errors, f"{where}.date", parse_date, item.get("date"))
        amount = _field(errors, f"{where}.amount", parse_money(positive=True), item.get("amount"))
        out["disbursements"].append((date, amount, str(item.get("reference") or "").strip()))
    from finance.contract_sections import SECTIONS

    out["sections"] = {}
    for name, section in SECTIONS.items():
        if name in document:
            parsed, problems = section.parse(document[name], agency=agency, period=(out["start"], out["end"]))
            out["sections"][name] = parsed
            errors.extend(problems)
    return out, errors


def contract_load(
    *, agency: Agency, data: bytes | str | dict, filename: str, user=None, approve: bool = True
) -> LoadResult:
    """Create or update a contract from a files.md contract definition.

    Updating an existing code changes the heading directly (kept in the history), and records
    any change of the budget or the total as a ``BudgetRevision``, never a silent overwrite:
    ``approve=True`` (the command line, an administrator's action) approves it at once with the
    reason "Loaded from FILE"; ``approve=False`` (a finance officer's upload on the web) leaves
    it proposed for a director. Assignments not yet recorded (same person and start) and
    disbursements not yet recorded (same date, amount and reference) are added.
    Raises ``ValidationError`` with every problem; nothing is changed then.
    """
    if isinstance(data, dict):
        document = data
    else:
        try:
            text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
            document = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                _("%(name)s is not a JSON file: %(problem)s") % {"name": filename, "problem": exc}
            ) from None
    parsed, errors = _parse_contract(document, agency)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        funder = funder_get_or_create(agency=agency, name=parsed["funder"])
        contract = Contract.objects.select_for_update().filter(agency=agency, code=parsed["code"]).first()
        created = contract is None
        revision = None
        if created:
            contract = contract_create(
                agency=agency,
                code=parsed["code"],
                title=parsed["title"],
                funder=funder,
                start=parsed["start"],
                end=parsed["end"],
                total=parsed["total"],
                currency=parsed["currency"],
                policy=parsed["policy"],
                lines=parsed["budget_lines"],
            )
        else:
            contract_update(
                contract=contract,
                title=parsed["title"],
                funder=funder,
                start=parsed["start"],
                end=parsed["end"],
                currency=parsed["currency"],
                policy=parsed["policy"],
            )
            revision = revision_from_lines(
                contract=contract,
                lines=parsed["budget_lines"],
                new_total=parsed["total"],
                reason=_("Loaded from %(name)s") % {"name": filename},
                user=user,
                approve=approve,
                source=BudgetRevision.Source.FILE,
            )
        assignments_added = 0
        for member, start, end, fte in parsed["assignments"]:
            if not StaffAssignment.objects.filter(contract=contract, staff=member, start=start).exists():
                assignment_create(contract=contract, staff=member, start=start, end=end, fte=fte)
                assignments_added += 1
        disbursements_added = 0
        for date, amount, reference in parsed["disbursements"]:
            if not Disbursement.objects.filter(
                contract=contract, date=date, amount=amount, reference=reference
            ).exists():
                disbursement_create(contract=contract, date=date, amount=amount, reference=reference)
                disbursements_added += 1
        from finance.contract_sections import SECTIONS

        for name, parsed_section in parsed["sections"].items():
            SECTIONS[name].apply(
                parsed_section, contract=contract, created=created, user=user, filename=filename
            )
    return LoadResult(contract, created, revision, assignments_added, disbursements_added)
