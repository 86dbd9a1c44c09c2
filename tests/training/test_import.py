"""import_training (files.md): all or nothing, errors with row and column, approved on import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.models import ImportBatch
from tests.training.factories import TrainingRecordFactory
from training.importing import training_import
from training.models import RecordSource, RecordStatus, TrainingRecord

HEADER = "staff_no,date,title,hours,provider,ce_eligible\n"


def run(agency, text, user=None, dry_run=False, encoding="utf-8"):
    return training_import(
        agency=agency, data=text.encode(encoding), filename="training.csv", user=user, dry_run=dry_run
    )


def test_a_good_file_is_imported_as_approved_records_vouched_for_by_the_importer(
    agency, director, staff_member, other_staff_member
):
    result = run(
        agency,
        HEADER + "S200,2025-03-05,儿童保护实务,6,省社协,yes\nS300,2025/4/1,伦理培训,3.5,,\n",
        user=director,
    )
    assert result.ok, result.error_lines()
    records = list(TrainingRecord.objects.order_by("date"))
    assert [(r.staff.staff_no, r.date, r.hours, r.ce_eligible) for r in records] == [
        ("S200", dt.date(2025, 3, 5), Decimal("6.0"), True),
        ("S300", dt.date(2025, 4, 1), Decimal("3.5"), True),
    ]
    assert {r.status for r in records} == {RecordStatus.APPROVED}
    assert {r.source for r in records} == {RecordSource.IMPORT}
    assert records[0].import_batch.created_by == director
    assert records[0].reviewed_by == director


def test_chinese_headers_in_gb18030_are_accepted(agency, staff_member):
    text = "员工编号,日期,培训名称,学时,培训机构,继续教育\nS200,2025年3月5日,小组工作,4,市民政局,是\n"
    result = run(agency, text, encoding="gb18030")
    assert result.ok, result.error_lines()
    assert TrainingRecord.objects.get().title == "小组工作"


def test_bad_rows_are_all_reported_with_row_and_column_and_nothing_is_written(
    agency, staff_member, other_staff_member
):
    TrainingRecordFactory(staff=staff_member, date=dt.date(2025, 1, 9), title="已有培训")
    text = HEADER + (
        "S200,2025-03-05,A,0,,\n"  # row 2: hours 0
        "S200,2025-03-06,B,200.5,,\n"  # row 3: above 200
        "S200,2025-03-07,C,1.25,,\n"  # row 4: two decimals
        "S999,2025-03-08,D,2,,\n"  # row 5: unknown staff
        "S200,2025-03-09,E,2,,\n"  # row 6: fine
        "S200,2025-03-09,E,3,,\n"  # row 7: repeats row 6
        "S200,2025-01-09,已有培训,2,,\n"  # row 8: repeats an existing record
        "S300,2023-01-01,F,2,,no\n"  # row 9: before S300's only spell, not CE
        "S300,2023-01-02,G,2,,yes\n"  # row 10: before the spell but CE: allowed
    )
    result = run(agency, text)
    assert not result.ok
    lines = result.error_lines()
    # Parser wording belongs to core.importing; the row, the column and the gist are ours.
    assert [line.split(":")[0] for line in lines] == [
        "row 2, column hours",
        "row 3, column hours",
        "row 4, column hours",
        "row 5, column staff_no",
        "row 7, column title",
        "row 8, column title",
        "row 9, column date",
    ]
    assert "greater than zero" in lines[0]
    assert "maximum 200" in lines[1]
    assert "decimal" in lines[2]
    assert lines[3] == "row 5, column staff_no: no staff member has the number S999"
    assert lines[4] == "row 7, column title: repeats row 6 (same staff_no, date and title)"
    assert lines[5].startswith(
        "row 8, column title: S200 already has a training record titled 已有培训 on 2025-01-09"
    )
    assert lines[6].startswith("row 9, column date: 2023-01-01 is outside every employment spell of S300")
    assert len(lines) == 7
    assert TrainingRecord.objects.count() == 1
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_a_dry_run_changes_nothing(agency, staff_member):
    result = run(agency, HEADER + "S200,2025-03-05,A,6,,\n", dry_run=True)
    assert result.ok
    assert result.summary["records"] == 1
    assert TrainingRecord.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_the_same_file_twice_is_refused_as_a_repeat(agency, staff_member):
    assert run(agency, HEADER + "S200,2025-03-05,A,6,,\n").ok
    again = run(agency, HEADER + "S200,2025-03-05,A,6,,\n")
    assert not again.ok
    assert "already imported" in again.error_lines()[0]
    assert TrainingRecord.objects.count() == 1


def test_another_agencys_staff_numbers_are_unknown(agency, outsider_member, staff_member):
    result = run(agency, HEADER + "S200,2025-03-05,A,6,,\n")
    assert result.ok
    assert TrainingRecord.objects.get().staff == staff_member


def test_the_command_exits_1_with_the_problems_on_stderr(agency, staff_member, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "S999,2025-03-05,A,6,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_training", str(path), "--agency", "xinfeng")
    assert excinfo.value.returncode == 1
    err = capsys.readouterr().err
    assert "row 2, column staff_no: no staff member has the number S999" in err
    assert TrainingRecord.objects.count() == 0


def test_the_command_imports_and_dry_runs(agency, staff_member, tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + "S200,2025-03-05,A,6,,\n", encoding="utf-8")
    call_command("import_training", str(path), "--dry-run")
    assert TrainingRecord.objects.count() == 0
    call_command("import_training", str(path))
    assert TrainingRecord.objects.count() == 1
    assert "Imported 1 row" in capsys.readouterr().out


def test_a_row_with_a_bad_cell_still_has_its_other_problems_reported(agency, staff_member):
    # files.md: every error is reported, so one round of corrections is enough.
    result = run(
        agency,
        HEADER
        + "S9,2025-03-05,儿童保护,0,,\n"  # unknown person and zero hours
        + "S200,2025-13-01,伦理,2,,\n"  # a bad date: the date checks wait, the rest is checked
        + "S200,2025-03-05,儿童保护,abc,,\n"  # bad hours, and a repeat of the next row
        + "S200,2025-03-05,儿童保护,3,,\n",
    )
    assert result.error_lines() == [
        'row 2, column hours: "0" must be greater than zero',
        "row 2, column staff_no: no staff member has the number S9",
        'row 3, column date: "2025-13-01" is not a real date (no such day in the calendar)',
        'row 4, column hours: "abc" is not a number',
        "row 5, column title: repeats row 4 (same staff_no, date and title)",
    ]
    assert TrainingRecord.objects.count() == 0
