"""The training-records file (docs/formats.md, ``import_training``) on the shared import machinery."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.importing import (
    Column,
    FileSpec,
    Importer,
    ImportResult,
    ParsedRow,
    RowError,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_text,
)
from core.people_changes import people_changed_publish
from staff.models import EmploymentSpell, StaffMember
from training.models import MAX_HOURS, RecordSource, RecordStatus, TrainingRecord

TRAINING_FILE = FileSpec(
    kind="training_records",
    columns=[
        Column("staff_no", aliases=["员工编号"], required=True, parser=parse_text(max_length=40)),
        Column("date", aliases=["日期"], required=True, parser=parse_date),
        Column("title", aliases=["培训名称"], required=True, parser=parse_text(max_length=200)),
        Column(
            "hours",
            aliases=["学时"],
            required=True,
            parser=parse_decimal(places=1, positive=True, max=MAX_HOURS),
        ),
        Column("provider", aliases=["培训机构"], parser=parse_text(max_length=200), default=""),
        Column("ce_eligible", aliases=["继续教育"], parser=parse_bool, default=True),
    ],
)


class TrainingImport(Importer):
    """Training records (docs/formats.md) into one agency; imported records count as approved."""

    spec = TRAINING_FILE
    checks_unread_rows = True  # validate skips each check whose cells could not be read

    def __init__(self, *, agency, user=None) -> None:
        super().__init__(agency=agency, user=user)
        self.staff_ids: dict[str, int] = {}

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        """Unknown staff, repeats within the file and against existing records, and dates
        outside every employment spell of the person (unless continuing-education eligible)."""
        errors: list[RowError] = []
        # Rows with a cell that could not be read come too (checks_unread_rows): each check
        # below runs when the cells it needs could be read.
        numbers = {row["staff_no"] for row in rows if row["staff_no"] is not None}
        self.staff_ids = dict(
            StaffMember.objects.filter(agency=self.agency, staff_no__in=numbers).values_list("staff_no", "pk")
        )
        ids = list(self.staff_ids.values())
        spells: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
        for staff_id, hire, exit_date in EmploymentSpell.objects.filter(
            agency=self.agency, staff_id__in=ids
        ).values_list("staff_id", "hire_date", "exit_date"):
            spells[staff_id].append((hire, exit_date))
        dates = [row["date"] for row in rows if row["date"] is not None]
        existing = (
            set(
                TrainingRecord.objects.filter(
                    agency=self.agency, staff_id__in=ids, date__gte=min(dates), date__lte=max(dates)
                )
                .exclude(status=RecordStatus.REJECTED)
                .values_list("staff_id", "date", "title")
            )
            if dates
            else set()
        )
        seen: dict[tuple, int] = {}
        for row in rows:
            if row["staff_no"] is None:
                continue
            staff_id = self.staff_ids.get(row["staff_no"])
            if staff_id is None:
                errors.append(
                    row.error(
                        "staff_no", _("no staff member has the number %(no)s") % {"no": row["staff_no"]}
                    )
                )
                continue
            if not row.readable("date", "title"):
                continue
            key = (row["staff_no"], row["date"], row["title"])
            if key in seen:
                errors.append(
                    row.error(
                        "title",
                        _("repeats row %(row)s (same staff_no, date and title)") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = row.row
            if (staff_id, row["date"], row["title"]) in existing:
                errors.append(
                    row.error(
                        "title",
                        _("%(no)s already has a training record titled %(title)s on %(date)s")
                        % {"no": row["staff_no"], "title": row["title"], "date": row["date"].isoformat()},
                    )
                )
                continue
            employed = any(
                hire <= row["date"] and (exit_date is None or row["date"] <= exit_date)
                for hire, exit_date in spells[staff_id]
            )
            if not employed and row.readable("ce_eligible") and not row["ce_eligible"]:
                errors.append(
                    row.error(
                        "date",
                        _(
                            "%(date)s is outside every employment spell of %(no)s; only continuing-education "
                            "training taken outside employment can be recorded"
                        )
                        % {"date": row["date"].isoformat(), "no": row["staff_no"]},
                    )
                )
        return errors

    def preview(self, rows: list[ParsedRow]) -> dict[str, Any]:
        return {
            "records": len(rows),
            "staff": len({row["staff_no"] for row in rows}),
            "hours": sum((row["hours"] for row in rows), Decimal("0")),
        }

    def apply(self, rows: list[ParsedRow], batch) -> dict[str, Any]:
        now = timezone.now()
        user = self.user if getattr(self.user, "pk", None) else None
        records = [
            TrainingRecord(
                agency=self.agency,
                staff_id=self.staff_ids[row["staff_no"]],
                date=row["date"],
                title=row["title"],
                provider=row["provider"] or "",
                hours=row["hours"],
                ce_eligible=row["ce_eligible"],
                source=RecordSource.IMPORT,
                status=RecordStatus.APPROVED,
                submitted_by=user,
                reviewed_by=user,
                reviewed_at=now,
                import_batch=batch,
            )
            for row in rows
        ]
        bulk_create_with_history(records, TrainingRecord, default_user=user, batch_size=1000)
        # Approved hours on these days: one publication for the file (core.people_changes).
        people_changed_publish(agency=self.agency, training={(r.staff_id, r.date) for r in records}, by=user)
        return self.preview(rows)


def training_import(*, agency, data: bytes, filename: str, user=None, dry_run: bool = False) -> ImportResult:
    """Import a training-records file: all rows or none; imported records count as approved."""
    return TrainingImport(agency=agency, user=user).run(data=data, filename=filename, dry_run=dry_run)
