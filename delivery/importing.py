"""Service activity records from a file (docs/formats.md ``import_activities``), through core's machinery.

All or nothing, every error by row and column, repeats refused (``core.importing.Importer``);
this module declares the columns and the delivery checks: staff numbers, targets, activity
numbers unique in the contract and the file, case codes that are codes and never names.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

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
    parse_date,
    parse_int,
    parse_text,
)
from delivery.models import (
    MAX_ACTIVITY_MINUTES,
    MAX_PARTICIPANTS,
    Measure,
    ServiceActivity,
    case_code_problem,
)
from staff.models import StaffMember

_BATCH = 2000


def parse_case_code(value: Any) -> str:
    """A case code: letters, digits and dashes; anything that looks like a name is refused."""
    text = parse_text(value, max_length=40)
    problem = case_code_problem(text)
    if problem:
        raise ValueProblem(problem)
    return text


ACTIVITIES = FileSpec(
    kind="activities",
    columns=[
        Column("activity_no", aliases=["活动编号"], required=True, parser=parse_text(max_length=60)),
        Column("date", aliases=["日期"], required=True, parser=parse_date),
        Column("staff_no", aliases=["员工编号"], required=True, parser=parse_text(max_length=40)),
        Column("target", aliases=["指标"], required=True, parser=parse_text(max_length=200)),
        Column(
            "duration_minutes",
            aliases=["时长（分钟）", "时长(分钟)", "时长"],
            required=True,
            parser=parse_int(min=1, max=MAX_ACTIVITY_MINUTES),
        ),
        Column("case_code", aliases=["个案编号"], parser=parse_case_code, default=""),
        Column(
            "participants", aliases=["参与人数"], parser=parse_int(min=1, max=MAX_PARTICIPANTS), default=1
        ),
        Column("location", aliases=["地点"], parser=parse_text(max_length=200), default=""),
        Column("note", aliases=["记录"], parser=parse_text, default=""),
    ],
)


class _ActivityCheck:
    """Resolves targets and staff numbers, and checks activity numbers, for one contract."""

    def __init__(self, contract) -> None:
        self.contract = contract
        # Codes win over names; a name two targets share finds neither (core.importing.lookup).
        self.targets, self.shared_names = code_or_name_index(
            contract.targets.only("pk", "code", "name", "measure")
        )
        self.staff: dict[str, int] = {}

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        errors: list[RowError] = []
        contract = self.contract
        numbers = {row["staff_no"] for row in rows if row["staff_no"] is not None}
        self.staff = dict(
            StaffMember.objects.filter(agency_id=contract.agency_id, staff_no__in=numbers).values_list(
                "staff_no", "pk"
            )
        )
        file_numbers = {row["activity_no"] for row in rows if row["activity_no"] is not None}
        existing = set(
            ServiceActivity.objects.filter(contract=contract, activity_no__in=file_numbers).values_list(
                "activity_no", flat=True
            )
        )
        first_seen: dict[str, int] = {}
        for row in rows:
            # A row with a cell that could not be read comes too (checks_unread_rows): each
            # check runs when its cells could be read.
            target = self.targets.get(row["target"])
            if row["target"] is None:
                pass
            elif row["target"] in self.shared_names:
                errors.append(
                    row.error(
                        "target",
                        _(
                            '"%(value)s" is the name of more than one target of %(contract)s; give the code (%(codes)s)'
                        )
                        % {
                            "value": row["target"],
                            "contract": contract.code,
                            "codes": ", ".join(self.shared_names[row["target"]]),
                        },
                    )
                )
            elif target is None:
                errors.append(
                    row.error(
                        "target",
                        _('"%(value)s" is not the code or the name of a target of %(contract)s')
                        % {"value": row["target"], "contract": contract.code},
                    )
                )
            elif target.measure == Measure.CASES and row.readable("case_code") and not row["case_code"]:
                errors.append(
                    row.error(
                        "case_code",
                        _("target %(code)s is counted in cases: a case code is required")
                        % {"code": target.code},
                    )
                )
            if row["staff_no"] is not None and row["staff_no"] not in self.staff:
                errors.append(
                    row.error(
                        "staff_no", _("no staff member has the number %(no)s") % {"no": row["staff_no"]}
                    )
                )
            number = row["activity_no"]
            if number is None:
                pass
            elif number in existing:
                errors.append(
                    row.error(
                        "activity_no",
                        _("activity %(no)s is already recorded in %(contract)s")
                        % {"no": number, "contract": contract.code},
                    )
                )
            elif number in first_seen:
                errors.append(
                    row.error(
                        "activity_no",
                        _("activity %(no)s appears twice in the file (also row %(row)s)")
                        % {"no": number, "row": first_seen[number]},
                    )
                )
            else:
                first_seen[number] = row.row
        return errors

    def preview(self, rows: list[ParsedRow]) -> dict[str, Any]:
        minutes = sum(row["duration_minutes"] for row in rows)
        return {"rows": len(rows), "minutes": minutes}

    def apply(self, rows: list[ParsedRow], batch, user) -> dict[str, Any]:
        """Insert the rows with their history rows; parsers and ``validate`` checked every value."""
        contract = self.contract
        user_id = user.pk if getattr(user, "pk", None) else None
        now = timezone.now()
        records = [
            ServiceActivity(
                agency_id=contract.agency_id,
                contract_id=contract.pk,
                activity_no=row["activity_no"],
                date=row["date"],
                staff_id=self.staff[row["staff_no"]],
                target_id=self.targets[row["target"]].pk,
                duration_minutes=row["duration_minutes"],
                case_code=row["case_code"] or "",
                participants=row["participants"] or 1,
                location=row["location"] or "",
                note=row["note"] or "",
                source=ServiceActivity.Source.IMPORT,
                import_batch_id=batch.pk,
                recorded_by_id=user_id,
                created_at=now,
            )
            for row in rows
        ]
        try:
            with transaction.atomic():
                bulk_create_with_history(
                    records, ServiceActivity, batch_size=_BATCH, default_user=user if user_id else None
                )
        except IntegrityError as exc:
            raise ImportErrors(
                [
                    RowError.file(
                        _("An activity number of this file was recorded meanwhile; nothing was imported.")
                    )
                ]
            ) from exc
        return self.preview(rows)


class ActivitiesImport(Importer):
    """Service activity records into one contract; the flag scan follows once they commit."""

    spec = ACTIVITIES
    checks_unread_rows = True  # _ActivityCheck skips each check whose cells could not be read

    def __init__(self, *, contract, user=None) -> None:
        super().__init__(agency=contract.agency, user=user)
        self.contract = contract
        self.check = _ActivityCheck(contract)

    @property
    def target(self) -> str:
        return self.contract.code

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        return self.check.validate(rows)

    def preview(self, rows: list[ParsedRow]) -> dict[str, Any]:
        return self.check.preview(rows)

    def apply(self, rows: list[ParsedRow], batch) -> dict[str, Any]:
        summary = self.check.apply(rows, batch, self.user)
        # Inside the import's transaction: the scan starts once the rows are committed.
        from finance.flags.services import flags_scan_on_commit

        flags_scan_on_commit(contract=self.contract, user=self.user)
        return summary


def activities_import(
    *, contract, data: bytes, filename: str, user=None, dry_run: bool = False
) -> ImportResult:
    """Import service activity records into ``contract`` (docs/formats.md): all or nothing.

    Activities dated outside the contract or by someone not employed that day are imported:
    the delivery rules flag them, as the ledger's irregularities are.
    """
    return ActivitiesImport(contract=contract, user=user).run(data=data, filename=filename, dry_run=dry_run)
