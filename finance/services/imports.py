"""Files into finance records: contract definitions (JSON), budget sheets and ledgers (CSV/XLSX).

Tabular files go through the shared machinery: each kind is an ``Importer`` (``LedgerImport``,
``BudgetSheetImport``), so every file is all or nothing, every error is given by row and
column, repeats are refused and an ``ImportBatch`` is kept. This module only declares the
columns and the finance-specific checks.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core.db import bulk_insert_with_history
from core.importing import (
    Column,
    FileSpec,
    Importer,
    ImportErrors,
    ImportResult,
    ParsedRow,
    RowError,
    ValueProblem,
    code_or_name_index,
    enum_parser,
    parse_date,
    parse_decimal,
    parse_money,
    parse_text,
    repeated,
)

# Problems keep their msgid and params: an import page tells them in its reader's language.
from core.importing.errors import tr as _
from core.models import Agency
from finance.flags.services import flags_scan_on_commit
from finance.models import (
    CATEGORY_CHINESE,
    PAYMENT_METHOD_CHINESE,
    BudgetRevision,
    Category,
    Contract,
    Expenditure,
    PaymentMethod,
)
from finance.models.ledger import apply_ledger_effects, lock_for_ledger_write
from finance.policy import default_policy, validate_policy
from finance.sections import (
    ASSIGNMENT_KEYS,
    BUDGET_LINE_KEYS,
    DISBURSEMENT_KEYS,
    SectionContext,
    contract_sections,
    known_contract_keys,
    unknown_keys,
)
from finance.services.contracts import (
    AssignmentSpec,
    ContractSaveResult,
    DisbursementSpec,
    LineSpec,
    contract_save,
)
from staff.models import StaffMember

ZERO = Decimal("0.00")

LEDGER = FileSpec(
    kind="ledger",
    columns=[
        Column("date", aliases=["日期"], required=True, parser=parse_date),
        Column("amount", aliases=["金额"], required=True, parser=parse_money(nonzero=True)),
        Column(
            "budget_line",
            aliases=["预算科目", "budget line"],
            required=True,
            parser=parse_text(max_length=200),
        ),
        Column("payee", aliases=["收款方"], required=True, parser=parse_text(max_length=200)),
        Column("description", aliases=["摘要"], required=True, parser=parse_text(max_length=500)),
        Column(
            "invoice_no", aliases=["发票号", "invoice number"], parser=parse_text(max_length=60), default=""
        ),
        Column(
            "payment_method",
            aliases=["支付方式", "payment method"],
            parser=enum_parser(PaymentMethod, PAYMENT_METHOD_CHINESE),
            default="",
        ),
        Column(
            "voucher_no", aliases=["凭证号", "voucher number"], parser=parse_text(max_length=60), default=""
        ),
        Column(
            "staff_no", aliases=["员工编号", "staff number"], parser=parse_text(max_length=40), default=""
        ),
        Column("posted_on", aliases=["记账日期", "posted on"], parser=parse_date, default=None),
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


class LedgerImport(Importer):
    """Ledger rows (docs/formats.md) into one contract: budget lines and staff numbers are resolved,
    vouchers checked; never refused for overspending (the flags say so afterwards)."""

    spec = LEDGER
    checks_unread_rows = True  # every check below skips a cell that could not be read

    def __init__(self, *, contract: Contract, user=None) -> None:
        super().__init__(agency=contract.agency, user=user)
        self.contract = contract
        # Codes win over names; a name two lines share finds neither (core.importing.lookup).
        self.line_ids, self.shared_names = code_or_name_index(
            contract.budget_lines.only("pk", "code", "name"), lambda line: line.pk
        )
        self.staff: dict[str, int] = {}
        #: Budget-line pk → the amount the file adds to it (filled by ``preview``).
        self.additions: dict[int, Decimal] = {}

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
            if key is None:  # unread, already reported
                pass
            elif key in self.shared_names:
                errors.append(
                    row.error(
                        "budget_line",
                        _(
                            '"%(value)s" is the name of more than one budget line of %(contract)s; give the code (%(codes)s)'
                        )
                        % {
                            "value": key,
                            "contract": contract.code,
                            "codes": ", ".join(self.shared_names[key]),
                        },
                    )
                )
            elif key not in self.line_ids:
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
        self.additions = {}
        for row in rows:
            line_id = self.line_ids[row["budget_line"]]
            self.additions[line_id] = self.additions.get(line_id, ZERO) + row["amount"]
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
        line_ids, staff = self.line_ids, self.staff
        return [
            (
                line_ids[row["budget_line"]],
                row["date"],
                row["amount"],
                row["payee"],
                row["description"],
                row["invoice_no"] or "",
                row["payment_method"] or "",
                row["voucher_no"] or "",
                staff[row["staff_no"]] if row["staff_no"] else None,
                row["posted_on"],
            )
            for row in rows
        ]

    @property
    def target(self) -> str:
        return self.contract.code

    def _effects(self, rows: list[ParsedRow]):
        """Each row's effect on the running totals (all posted), from the parsed values."""
        contract_id, line_ids, posted = self.contract.pk, self.line_ids, Expenditure.Status.POSTED
        return ((contract_id, line_ids[row["budget_line"]], row["amount"], posted, 1) for row in rows)

    def apply(self, rows: list[ParsedRow], batch) -> dict[str, Any]:
        """Insert the rows and their "+" history rows (``core.db.bulk_insert_with_history``).

        The parsers and ``validate`` have checked every value already (lengths, choices,
        non-zero amounts, lines, staff numbers, vouchers), so rows go in without a model
        instance and a ``full_clean()`` each: for 100,000 rows that per-row work was nearly
        all of the two minutes the import took. The database constraints still hold the last
        line: a voucher entered meanwhile raises and refuses the whole file.
        """
        shared = {
            "agency": self.contract.agency_id,
            "contract": self.contract.pk,
            "status": Expenditure.Status.POSTED.value,
            "source": Expenditure.Source.IMPORT.value,
            "import_batch": batch.pk,
            "created_by": batch.created_by_id,
        }
        try:
            # Savepoint: a voucher posted by someone else meanwhile refuses the file cleanly.
            with transaction.atomic():
                lock_for_ledger_write(self.contract.pk)  # before the rows: the totals' lock order
                bulk_insert_with_history(
                    Expenditure,
                    self.ROW_FIELDS,
                    self._row_values(rows),
                    values=shared,
                    user=batch.created_by,
                )
        except IntegrityError as exc:
            raise ImportErrors(
                [
                    RowError.file(
                        _("A voucher number of this file was entered meanwhile; nothing was imported.")
                    )
                ]
            ) from exc
        # The running totals of the lines and the contract, in the same transaction.
        apply_ledger_effects(self._effects(rows))
        # Inside the import's transaction: the scan starts once the rows are committed.
        flags_scan_on_commit(contract=self.contract, user=self.user)
        added = sum((row["amount"] for row in rows), ZERO)
        return {
            "rows": len(rows),
            "amount": f"{added:.2f}",
            "new_total": f"{contract_actual(self.contract):.2f}",
        }


def contract_actual(contract: Contract) -> Decimal:
    """Σ posted expenditures of the contract: its running total as stored now."""
    return Contract.objects.filter(pk=contract.pk).values_list("spent_total", flat=True).first() or ZERO


def ledger_import(
    *, contract: Contract, data: bytes, filename: str, user=None, dry_run: bool = False
) -> ImportResult:
    """Import ledger rows into ``contract`` (docs/formats.md): all or nothing, never refused for overspending."""
    importer = LedgerImport(contract=contract, user=user)
    result = importer.run(data=data, filename=filename, dry_run=dry_run)
    # What a dry run adds to each budget line, for the preview's over-budget warnings.
    result.line_additions = importer.additions if dry_run and result.ok else {}
    return result


# --- budget sheet -------------------------------------------------------------------------


class BudgetSheetImport(Importer):
    """A budget sheet (code, name, category, amount) uploaded with a contract.

    A contract without a budget takes the sheet as its budget; on one that has a budget the
    sheet becomes a proposed revision for a director (``BudgetRevision.Source.FILE``). The
    same sheet is imported into a contract once.
    """

    spec = BUDGET_SHEET

    def __init__(self, *, contract: Contract, user=None) -> None:
        super().__init__(agency=contract.agency, user=user)
        self.contract = contract

    @property
    def target(self) -> str:
        return self.contract.code

    @staticmethod
    def lines(rows: list[ParsedRow]) -> list[LineSpec]:
        return [LineSpec(row["code"], row["name"], row["category"], row["amount"]) for row in rows]

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        """The budget rules ``contract_save`` applies, each problem at its row, so a dry run
        (the upload's preview) refuses what the import would: codes and names unique, and
        the lines adding up to the contract total (checked when every row could be read)."""
        errors: list[RowError] = []
        repeats = (
            ("code", _("the budget-line code %(value)s is also on row %(row)s")),
            ("name", _("the budget-line name %(value)s is also on row %(row)s")),
        )
        for key, message in repeats:
            first: dict[str, int] = {}
            for row in rows:
                value = row[key]
                if value in first:
                    errors.append(row.error(key, message % {"value": value, "row": first[value]}))
                else:
                    first[value] = row.row
        total = sum((row["amount"] for row in rows), ZERO)
        if not self.parse_problems and total != self.contract.total:
            errors.append(
                RowError.file(
                    _("The budget lines add up to %(sum)s, not the contract total %(total)s.")
                    % {"sum": f"{total:.2f}", "total": f"{self.contract.total:.2f}"}
                )
            )
        return errors

    def preview(self, rows: list[ParsedRow]) -> dict[str, Any]:
        total = sum((row["amount"] for row in rows), ZERO)
        return {"lines": len(rows), "total": f"{total:.2f}"}

    def apply(self, rows: list[ParsedRow], batch) -> dict[str, Any]:
        lines = self.lines(rows)
        try:
            # A contract without a budget takes the sheet as its budget; otherwise it is a
            # proposed revision (contract_save decides, as for the page and the API).
            revision = contract_save(
                agency=self.contract.agency,
                contract=self.contract,
                lines=lines,
                user=self.user,
                reason=_("Budget sheet %(name)s") % {"name": batch.file_name},
                source=BudgetRevision.Source.FILE,
            ).revision
        except ValidationError as exc:
            # Budget rules concern the sheet as a whole (totals, codes): one line each.
            raise ImportErrors([RowError.file(message) for message in exc.messages]) from exc
        return {**self.preview(rows), "revision": revision.pk if revision else None}


def budget_sheet_import(
    *, contract: Contract, data: bytes, filename: str, user=None, dry_run: bool = False
) -> ImportResult:
    """Import a budget sheet into ``contract``: its budget if it has none, else a proposed revision.

    ``result.summary["revision"]`` is the id of the proposed revision (None when the sheet set
    the budget or changed nothing).
    """
    return BudgetSheetImport(contract=contract, user=user).run(data=data, filename=filename, dry_run=dry_run)


# --- contract definition (JSON) -----------------------------------------------------------

LoadResult = ContractSaveResult


def _field(errors: list[str], where: str, parser, value):
    try:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueProblem(_("a value is required"))
        return parser(value)
    except ValueProblem as problem:
        errors.append(f"{where}: {problem.message}")
        return None


def _items(document: dict, key: str, errors: list[str]) -> list:
    raw = document.get(key) or []
    if not isinstance(raw, list):
        errors.append(_("%(where)s: must be a list") % {"where": key})
        return []
    return raw


def _parse_policy(raw: Any, errors: list[str]) -> dict:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors.append(_("policy: must be an object of keys and values"))
        return {}
    # The known keys are the keys that have a default (one place: finance.policy).
    known = default_policy()
    problems = unknown_keys(raw, known, "policy")
    errors.extend(problems)
    policy = {key: value for key, value in raw.items() if key in known}
    try:
        return validate_policy(policy)
    except ValidationError as exc:
        errors.extend(f"policy: {message}" for message in exc.messages)
        return {}


def _parse_contract(document: Any, agency: Agency) -> tuple[dict, list[str]]:
    errors: list[str] = []
    if not isinstance(document, dict):
        return {}, [_("The file must hold one JSON object.")]
    errors.extend(unknown_keys(document, known_contract_keys()))
    out: dict[str, Any] = {}
    for key in ("code", "title", "funder"):
        out[key] = _field(errors, key, parse_text, document.get(key))
    out["start"] = _field(errors, "start", parse_date, document.get("start"))
    out["end"] = _field(errors, "end", parse_date, document.get("end"))
    out["total"] = _field(errors, "total", parse_money, document.get("total"))
    out["currency"] = str(document.get("currency") or "CNY").strip().upper()
    out["policy"] = _parse_policy(document.get("policy"), errors)
    if out["start"] and out["end"] and out["end"] <= out["start"]:
        errors.append(_("end: the end must be after the start"))
    category = enum_parser(Category, CATEGORY_CHINESE)
    lines = []
    raw_lines = document.get("budget_lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(_("budget_lines: give at least one budget line"))
        raw_lines = []
    codes: list[str] = []
    names: list[str] = []
    amounts: list[Decimal | None] = []
    for index, item in enumerate(raw_lines, start=1):
        where = f"budget_lines[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        errors.extend(unknown_keys(item, BUDGET_LINE_KEYS, where))
        values = [
            _field(errors, f"{where}.code", parse_text, item.get("code")),
            _field(errors, f"{where}.name", parse_text, item.get("name")),
            _field(errors, f"{where}.category", category, item.get("category")),
            _field(errors, f"{where}.amount", parse_money, item.get("amount")),
        ]
        if None not in values:
            lines.append(LineSpec(*values))
        if values[0] is not None:
            codes.append(values[0])
        if values[1] is not None:
            names.append(values[1])
        amounts.append(values[3])
    # Over every line whose code (or name) could be read, so one file reports all its problems.
    for code in repeated(codes):
        errors.append(_("budget_lines: the code %(code)s is used more than once") % {"code": code})
    for name in repeated(names):
        # A ledger row names its line by code or by name: two lines of one name would be a guess.
        errors.append(_("budget_lines: the name %(name)s is used more than once") % {"name": name})
    # The sum is checked whenever every amount could be read, whatever else is wrong with a line.
    if out["total"] is not None and amounts and len(amounts) == len(raw_lines) and None not in amounts:
        line_sum = sum(amounts, ZERO)
        if line_sum != out["total"]:
            errors.append(
                _("budget_lines: the lines add up to %(sum)s, not the total %(total)s")
                % {"sum": f"{line_sum:.2f}", "total": f"{out['total']:.2f}"}
            )
    out["budget_lines"] = lines
    out["assignments"] = []
    raw = _items(document, "assignments", errors)
    staff_numbers = [str(item.get("staff_no", "")).strip() for item in raw if isinstance(item, dict)]
    staff = {s.staff_no: s for s in StaffMember.objects.filter(agency=agency, staff_no__in=staff_numbers)}
    fte_parser = parse_decimal(places=2)
    for index, item in enumerate(raw, start=1):
        where = f"assignments[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        errors.extend(unknown_keys(item, ASSIGNMENT_KEYS, where))
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
        if member is not None and None not in (start, end, fte):
            out["assignments"].append(AssignmentSpec(member, start, end, fte))
    out["disbursements"] = []
    for index, item in enumerate(_items(document, "disbursements", errors), start=1):
        where = f"disbursements[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(where)s: must be an object") % {"where": where})
            continue
        errors.extend(unknown_keys(item, DISBURSEMENT_KEYS, where))
        date = _field(errors, f"{where}.date", parse_date, item.get("date"))
        amount = _field(errors, f"{where}.amount", parse_money(positive=True), item.get("amount"))
        if None not in (date, amount):
            out["disbursements"].append(
                DisbursementSpec(date, amount, str(item.get("reference") or "").strip())
            )
    out["sections"] = {}
    present = {key: section for key, section in contract_sections().items() if key in document}
    if present:
        existing = Contract.objects.filter(agency=agency, code=out["code"]).first() if out["code"] else None
        context = SectionContext(
            agency=agency, code=out["code"], start=out["start"], end=out["end"], existing=existing
        )
        for key, section in present.items():
            value, problems = section.validate(document[key], context)
            errors.extend(problems)
            out["sections"][key] = value
    return out, errors


def _json_problem(message: str) -> str:
    """``json``'s own (English, technical) words for a syntax error, in plain translated words."""
    if message.startswith("Expecting value"):
        return _("a value is missing here (text in double quotes, a number, true, false or null)")
    if message.startswith("Expecting property name"):
        return _("a key in double quotes is expected here (there may be a comma after the last item)")
    if message.startswith("Expecting ','"):
        return _("a comma is missing between two items")
    if message.startswith("Expecting ':'"):
        return _("a colon is missing after a key")
    if message.startswith("Unterminated string"):
        return _("a text in double quotes is not closed")
    if message.startswith("Invalid control character"):
        return _("a text in double quotes holds a line break or a tab; write \\n or \\t instead")
    if message.startswith(("Invalid \\escape", "Invalid \\u")):
        return _("a backslash in a text starts no valid escape; write \\\\ for a backslash")
    if message.startswith("Extra data"):
        return _("something follows the end of the definition; the file must hold one JSON object")
    return _("the text is not in the JSON format")


def json_document(data: bytes | str, filename: str) -> Any:
    """The JSON value of an uploaded or named file, or a ``ValidationError`` that says, in plain
    translated words, why it cannot be read: not UTF-8 (where), empty, or not valid JSON (the
    line and column, and what is wrong there), never the parser's own message."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            line = before.count(b"\n") + 1
            column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8-sig", errors="replace")) + 1
            raise ValidationError(
                _(
                    "%(name)s is not UTF-8 text (the text cannot be read at line %(line)s, column "
                    "%(column)s); save it as UTF-8 and load it again."
                )
                % {"name": filename, "line": line, "column": column}
            ) from None
    else:
        text = data
    if not text.strip():
        raise ValidationError(
            _("%(name)s is empty; it must hold one JSON object, the contract definition.")
            % {"name": filename}
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("%(name)s is not valid JSON: line %(line)s, column %(column)s: %(problem)s.")
            % {"name": filename, "line": exc.lineno, "column": exc.colno, "problem": _json_problem(exc.msg)}
        ) from None
    except (ValueError, RecursionError):
        # A number of thousands of digits, or lists nested thousands deep: valid JSON, no contract.
        raise ValidationError(
            _("%(name)s cannot be read: it holds a number too long or values nested too deeply.")
            % {"name": filename}
        ) from None


def contract_load(
    *, agency: Agency, data: bytes | str | dict, filename: str, user=None, approve: bool = True
) -> ContractSaveResult:
    """Create or update a contract from a docs/formats.md contract definition.

    Every key of the file must be one docs/formats.md names, or a section an app registered
    (``finance.sections``): an unknown key, at any level, is a problem naming it and its place
    (``budget_lines[2]: unknown key "amont"``), so a misspelt key never silently loses what the
    user wrote. Updating an existing code changes the heading directly (kept in the history),
    and records any change of the budget or the total as a ``BudgetRevision``, never a silent
    overwrite: ``approve=True`` (the command line, an administrator's action) approves it at
    once with the reason "Loaded from FILE"; ``approve=False`` (a finance officer's upload on
    the web) leaves it proposed for a director. Assignments not yet recorded (same person and
    start) and disbursements not yet recorded (same date, amount and reference) are added.
    Raises ``ValidationError`` with every problem; nothing is changed then (one transaction,
    ``contract_save``).
    """
    document = data if isinstance(data, dict) else json_document(data, filename)
    parsed, errors = _parse_contract(document, agency)
    if errors:
        raise ValidationError(errors)
    return contract_save(
        agency=agency,
        code=parsed["code"],
        match_code=True,
        funder_name=parsed["funder"],
        title=parsed["title"],
        start=parsed["start"],
        end=parsed["end"],
        total=parsed["total"],
        currency=parsed["currency"],
        policy=parsed["policy"],
        lines=parsed["budget_lines"],
        assignments=parsed["assignments"],
        disbursements=parsed["disbursements"],
        sections=parsed["sections"],
        user=user,
        reason=_("Loaded from %(name)s") % {"name": filename},
        approve=approve,
        source=BudgetRevision.Source.FILE,
    )
