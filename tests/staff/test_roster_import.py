"""The staff roster import (files.md): good files, every bad-input case, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from core.models import ImportBatch
from staff.models import EmploymentSpell, Qualification, StaffMember
from staff.roster import roster_import
from tests.factories import QualificationFactory
from tests.staff.factories import person

pytestmark = pytest.mark.django_db

HEADER_ZH = "员工编号,姓名,岗位,用工形式,入职日期,离职日期,离职原因,学历,社工专业,证书等级,证书编号,发证日期,登记有效期至"
GOOD_ROWS = [
    "S001,张伟,一线社工,全职,2021-03-01,,,本科,是,助理社会工作师,A2021001,2021-06-20,2027-06-19",
    "S002,李娜,项目主管,full_time,2019/7/1,2023.5.31,薪酬待遇,硕士,yes,社会工作师,B2019002,2020年6月1日,",
    "S002,李娜,项目主管,全职,2024-03-01,,,硕士,yes,,,,",
    "S003,王芳,一线社工,实习,2025-03-01,2025-08-31,深造,本科,否,,,,",
]


def csv_bytes(rows, header=HEADER_ZH, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def run(agency, rows, header=HEADER_ZH, encoding="utf-8", **kwargs):
    return roster_import(
        data=csv_bytes(rows, header, encoding), filename="roster.csv", agency=agency, **kwargs
    )


def test_a_good_chinese_roster_creates_people_spells_and_certificates(agency, director):
    result = run(agency, GOOD_ROWS, user=director)
    assert result.ok, result.error_lines()
    assert result.summary == {
        "staff_created": 3,
        "staff_updated": 0,
        "spells": 4,
        "spells_replaced": 0,
        "certificates": 2,
    }
    li = StaffMember.objects.get(agency=agency, staff_no="S002")
    assert (li.name, li.position, li.education, li.sw_degree) == ("李娜", "项目主管", "硕士", True)
    assert list(li.spells.values_list("hire_date", "exit_date", "exit_reason")) == [
        (dt.date(2019, 7, 1), dt.date(2023, 5, 31), "salary"),
        (dt.date(2024, 3, 1), None, ""),
    ]
    cert = Qualification.objects.get(cert_no="B2019002")
    assert (cert.staff_id, cert.level, cert.issued, cert.registration_expires) == (
        li.pk,
        "social_worker",
        dt.date(2020, 6, 1),
        None,
    )
    intern = StaffMember.objects.get(staff_no="S003")
    assert intern.employment_type == "intern"
    batch = ImportBatch.objects.get(agency=agency, kind="staff_roster")
    assert batch.created_by == director
    assert batch.status == "imported"
    assert li.history.first().history_user == director


def test_a_gb18030_csv_is_read(agency):
    result = run(agency, GOOD_ROWS, encoding="gb18030")
    assert result.ok, result.error_lines()
    assert StaffMember.objects.get(staff_no="S001").name == "张伟"


def test_an_xlsx_roster_with_real_date_cells_is_read(agency):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["staff_no", "name", "hire_date", "exit_date", "exit_reason", "employment_type"])
    sheet.append(["S010", "赵敏", dt.datetime(2022, 1, 1), dt.datetime(2024, 12, 31), "家庭原因", "兼职"])
    sheet.append([1011, "钱进", dt.datetime(2023, 1, 1), None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = roster_import(data=buffer.getvalue(), filename="roster.xlsx", agency=agency)
    assert result.ok, result.error_lines()
    spell = EmploymentSpell.objects.get(staff__staff_no="S010")
    assert (spell.exit_date, spell.exit_reason, spell.employment_type) == (
        dt.date(2024, 12, 31),
        "family",
        "part_time",
    )
    assert StaffMember.objects.get(staff_no="1011").employment_type == "full_time"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "S001,张伟,,,2024-05-01,2024-04-30,salary,,,,,,",
            "row 2, column 离职日期: the exit date 2024-04-30 is before the hire date 2024-05-01",
        ),
        (
            "S001,张伟,,,2024-05-01,2024-06-30,,,,,,,",
            "row 2, column 离职原因: a reason is required when an exit date is given",
        ),
        (
            "S001,张伟,,临时工,2024-05-01,,,,,,,,",
            'row 2, column 用工形式: "临时工" is not one of the choices: full_time (全职), part_time (兼职), '
            "contract (合同), intern (实习)",
        ),
        (
            "S001,张伟,,,2024-05-01,2024-06-30,bored,,,,,,",
            'row 2, column 离职原因: "bored" is not one of the choices',
        ),
        (
            "S001,张伟,,,2024-05-01,,,,,二级,X1,2020-01-01,",
            'row 2, column 证书等级: "二级" is not one of the choices',
        ),
        (
            "S001,张伟,,,2024-05-01,,,,,助理社会工作师,,2020-01-01,",
            "row 2, column 证书编号: a certificate number is required with a qualification",
        ),
        ("S001,,,,2024-05-01,,,,,,,,", "row 2, column 姓名: a value is required"),
        ("S001,张伟,,,2024-13-01,,,,,,,,", 'row 2, column 入职日期: "2024-13-01" is not a real date'),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_changes(agency, row, expected):
    result = run(agency, [GOOD_ROWS[0], row.replace("S001", "S009")])
    assert not result.ok
    lines = result.error_lines()
    assert any(line.startswith(expected.replace("row 2", "row 3")) for line in lines), lines
    assert StaffMember.objects.filter(agency=agency).count() == 0
    assert ImportBatch.objects.get(agency=agency).status == "failed"


def test_overlapping_spells_of_one_person_are_refused(agency):
    result = run(
        agency,
        [
            "S001,张伟,,,2020-01-01,2022-06-30,career,,,,,,",
            "S001,张伟,,,2022-06-30,,,,,,,,",
        ],
    )
    assert not result.ok
    assert result.error_lines() == ["row 3, column 入职日期: this spell of S001 overlaps the spell on row 2"]


def test_an_open_spell_overlaps_any_later_spell(agency):
    result = run(agency, ["S001,张伟,,,2024-01-01,2024-06-01,other,,,,,,", "S001,张伟,,,2020-01-01,,,,,,,,"])
    assert not result.ok
    assert result.error_lines() == ["row 2, column 入职日期: this spell of S001 overlaps the spell on row 3"]


def test_a_long_spell_overlaps_every_spell_inside_it_each_reported(agency):
    result = run(
        agency,
        [
            "S001,张伟,,,2010-01-01,2020-12-31,career,,,,,,",
            "S001,张伟,,,2012-01-01,2012-12-31,family,,,,,,",
            "S001,张伟,,,2015-01-01,2015-12-31,study,,,,,,",
        ],
    )
    assert result.error_lines() == [
        "row 3, column 入职日期: this spell of S001 overlaps the spell on row 2",
        "row 4, column 入职日期: this spell of S001 overlaps the spell on row 2",
    ]


def test_a_certificate_number_given_for_two_people_names_both(agency):
    result = run(
        agency,
        [
            "S001,张伟,,,2024-01-01,,,,,助理社会工作师,C-1,2020-01-01,",
            "S002,李娜,,,2024-01-01,,,,,社会工作师,C-1,2021-01-01,",
        ],
    )
    assert result.error_lines() == [
        "row 3, column 证书编号: certificate number C-1 is also given for S001 on row 2"
    ]


def test_a_certificate_number_held_by_another_person_in_the_database_is_refused(agency):
    holder = person(agency, "S500", ("2020-01-01", None, None), name="陈老师")
    QualificationFactory(staff=holder, cert_no="C-9")
    result = run(agency, ["S001,张伟,,,2024-01-01,,,,,助理社会工作师,C-9,2020-01-01,"])
    assert result.error_lines() == [
        "row 2, column 证书编号: certificate number C-9 already belongs to S500 陈老师"
    ]


#: The roster example of docs/formats.md, rows in the documented order: 李娜 (S002) was re-hired,
#: and her older spell leaves 登记有效期至 empty.
DOCS_ROSTER = [
    "S001,王芳,项目主管,全职,2019-03-01,,,本科,是,社会工作师,2019440123000456,2019-09-01,2027-06-19",
    "S002,李娜,一线社工,全职,2020/7/1,2022/6/30,深造,本科,是,助理社会工作师,2020440123001234,2020-10-15,",
    "S002,李娜,一线社工,全职,2023-09-01,,,硕士,是,助理社会工作师,2020440123001234,2020-10-15,2026-10-14",
    "S003,陈磊,一线社工,合同,2024年3月4日,,,大专,否,,,,",
    "S004,刘洋,实习生,实习,2025-07-01,2025-08-31,合同到期,本科,是,,,,",
]


def _certificate_of(staff_no):
    cert = Qualification.objects.get(staff__staff_no=staff_no)
    return cert.cert_no, cert.level, cert.issued, cert.registration_expires


@pytest.mark.parametrize("order", ["documented", "swapped"])
def test_an_empty_registration_end_on_an_older_spell_keeps_the_current_one(agency, order):
    rows = list(DOCS_ROSTER)
    if order == "swapped":
        rows[1], rows[2] = rows[2], rows[1]
    result = run(agency, rows)
    assert result.ok, result.error_lines()
    assert result.summary["certificates"] == 2
    assert _certificate_of("S002") == (
        "2020440123001234",
        "assistant_social_worker",
        dt.date(2020, 10, 15),
        dt.date(2026, 10, 14),
    )


def test_the_registration_end_is_that_of_the_latest_spell_giving_one(agency):
    # The older spell gives the end of an earlier cycle, the current one the end of this one; a
    # spell giving none after them takes nothing away.
    result = run(
        agency,
        [
            "S002,李娜,,,2020-07-01,2022-06-30,study,,,助理社会工作师,C-2,2020-10-15,2023-10-14",
            "S002,李娜,,,2025-01-01,,,,,助理社会工作师,C-2,2020-10-15,",
            "S002,李娜,,,2023-09-01,2024-06-30,study,,,助理社会工作师,C-2,2020-10-15,2026-10-14",
        ],
    )
    assert result.ok, result.error_lines()
    assert _certificate_of("S002")[3] == dt.date(2026, 10, 14)


def test_reimporting_the_docs_roster_keeps_the_stored_registration_end(agency):
    holder = person(agency, "S002", ("2023-09-01", None, None), name="李娜")
    QualificationFactory(
        staff=holder,
        cert_no="2020440123001234",
        level="assistant_social_worker",
        issued=dt.date(2020, 10, 15),
        registration_expires=dt.date(2026, 10, 14),
    )
    result = run(agency, DOCS_ROSTER)
    assert result.ok, result.error_lines()
    assert _certificate_of("S002")[3] == dt.date(2026, 10, 14)


def test_the_docs_roster_makes_the_re_hired_person_overdue_after_her_registration_ends(agency):
    from tests.training.factories import TrainingRecordFactory
    from training.reports import training_compliance

    assert run(agency, DOCS_ROSTER).ok
    li = StaffMember.objects.get(agency=agency, staff_no="S002")
    TrainingRecordFactory(staff=li, date=dt.date(2024, 5, 10), hours=Decimal("30.0"))
    TrainingRecordFactory(staff=li, date=dt.date(2025, 5, 9), hours=Decimal("12.5"))
    report = training_compliance(agency=agency, as_of=dt.date(2026, 10, 15))
    row = next(r for r in report.data["staff"] if r["staff_no"] == "S002")
    assert row == {
        "staff_no": "S002",
        "name": "李娜",
        "qualification": "assistant_social_worker",
        "cycle_start": "2023-10-15",
        "cycle_end": "2026-10-14",
        "required_hours": 72,
        "earned_hours": 42.5,
        "shortfall_hours": 29.5,
        "status": "overdue",
    }


def test_two_issue_dates_for_one_certificate_name_both_rows(agency):
    result = run(
        agency,
        [
            "S002,李娜,,,2020-07-01,2022-06-30,study,,,助理社会工作师,C-2,2020-10-15,",
            "S002,李娜,,,2023-09-01,,,,,助理社会工作师,C-2,2020-10-16,2026-10-14",
        ],
    )
    assert result.error_lines() == [
        "row 3, column 发证日期: certificate C-2 of S002 has the issue date 2020-10-15 on row 2; "
        "one certificate has one issue date"
    ]
    assert Qualification.objects.count() == 0


def test_a_row_with_an_unreadable_cell_is_still_checked_against_the_others(agency):
    # The bad date of row 3 is reported, and so is the overlap and the second name that the
    # same row gives: every problem in one round (files.md).
    result = run(
        agency,
        [
            "S001,张伟,,,2020-01-01,,,,,,,,",
            "S001,张三,,临时工,2022-01-01,,,,,,,,",
        ],
    )
    assert result.error_lines() == [
        'row 3, column 用工形式: "临时工" is not one of the choices: full_time (全职), part_time (兼职), '
        "contract (合同), intern (实习)",
        "row 3, column 姓名: staff number S001 is named 张伟 on row 2; one person has one name",
        "row 3, column 入职日期: this spell of S001 overlaps the spell on row 2",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # An unread exit date is not an empty one: no "reason without a date".
        (
            "S001,张伟,,,2020-01-01,2020-13-01,career,,,,,,",
            'row 2, column 离职日期: "2020-13-01" is not a real date',
        ),
        # An unread issue date is not a missing one.
        (
            "S001,张伟,,,2020-01-01,,,,,助理社会工作师,C-1,someday,",
            'row 2, column 发证日期: "someday" is not a date',
        ),
        # An unread level is not an absent one: no "give the certificate level".
        (
            "S001,张伟,,,2020-01-01,,,,,二级,C-1,2020-01-01,",
            'row 2, column 证书等级: "二级" is not one of the choices',
        ),
        # Whose row it is is unknown: it is checked against nobody.
        ("," + "张伟,,,2020-01-01,,,,,,,,", "row 2, column 员工编号: a value is required"),
    ],
)
def test_an_unreadable_cell_is_reported_once_and_not_taken_for_an_empty_one(agency, row, expected):
    result = run(agency, [row, "S001,张伟,,,2010-01-01,2012-01-01,career,,,,,,"])
    assert len(result.error_lines()) == 1
    assert result.error_lines()[0].startswith(expected), result.error_lines()


def test_a_missing_required_column_is_refused(agency):
    result = run(agency, ["S001,张伟"], header="员工编号,姓名")
    assert not result.ok
    assert result.error_lines() == ["row 1, column hire_date (入职日期): required column is missing"]


def test_every_error_of_the_file_is_reported(agency):
    rows = [f"S{n:03d},名{n},,,2024-05-01,2024-04-01,salary,,,,,," for n in range(150)]
    result = run(agency, rows)
    assert result.error_count == 150
    assert len(result.errors) >= 100


def test_dry_run_reports_what_would_happen_and_changes_nothing(agency):
    result = run(agency, GOOD_ROWS, dry_run=True)
    assert result.ok
    assert result.summary["staff_created"] == 3
    assert StaffMember.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_reimport_updates_the_person_and_replaces_their_spells(agency, director):
    assert run(agency, GOOD_ROWS).ok
    original = EmploymentSpell.objects.get(staff__staff_no="S002", hire_date=dt.date(2024, 3, 1))
    result = run(
        agency,
        [
            "S002,李娜,督导,全职,2024-03-01,2025-01-31,career,硕士,yes,高级社会工作师,B2025009,2025-01-01,",
        ],
        user=director,
    )
    assert result.ok, result.error_lines()
    assert result.summary["staff_updated"] == 1
    assert result.summary["spells_replaced"] == 2
    li = StaffMember.objects.get(staff_no="S002")
    assert li.position == "督导"
    spells = list(li.spells.all())
    assert [(s.pk, s.hire_date, s.exit_date, s.exit_reason) for s in spells] == [
        (original.pk, dt.date(2024, 3, 1), dt.date(2025, 1, 31), "career")
    ]
    assert set(li.qualifications.values_list("cert_no", "level")) == {
        ("B2019002", "social_worker"),
        ("B2025009", "senior_social_worker"),
    }
    deleted = EmploymentSpell.history.filter(staff_id=li.pk, history_type="-").get()
    assert deleted.hire_date == dt.date(2019, 7, 1)
    assert deleted.history_user == director


def test_the_same_file_twice_is_refused_as_a_repeat(agency):
    assert run(agency, GOOD_ROWS).ok
    again = run(agency, GOOD_ROWS)
    assert not again.ok
    assert "already imported" in again.error_lines()[0]


def test_import_staff_command_dry_run_and_failure_exit_codes(agency, tmp_path, capsys):
    good = tmp_path / "roster.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_staff", str(good), "--dry-run", "--agency", agency.slug)
    assert "Dry run: 4 rows" in capsys.readouterr().out
    assert StaffMember.objects.count() == 0

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["S001,张伟,,,2024-05-01,2024-04-01,salary,,,,,,"]))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_staff", str(bad), "--agency", agency.slug)
    assert excinfo.value.returncode == 1
    err = capsys.readouterr().err
    assert "Refused: 1 problem in bad.csv; nothing was changed." in err
    assert "row 2, column 离职日期: the exit date 2024-04-01 is before the hire date 2024-05-01" in err

    call_command("import_staff", str(good), "--agency", agency.slug)
    assert StaffMember.objects.count() == 3
