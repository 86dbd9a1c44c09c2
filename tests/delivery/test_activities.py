"""Service activity records: the visit form, the model's rules, and the ``import_activities`` file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from core.models import ImportBatch
from delivery.importing import activities_import
from delivery.models import ServiceActivity
from delivery.services import activity_create

pytestmark = pytest.mark.django_db

HEADER = "activity_no,date,staff_no,target,duration_minutes,case_code,participants,location,note"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_social_worker_logs_a_visit_as_their_own_record(targets, staff_member, staff_user):
    activity = activity_create(
        target=targets["CS"], staff=staff_member, date=dt.date(2025, 4, 2), duration_minutes=50,
        case_code="XF-C-007", participants=2, location="古陂镇", note="家访", user=staff_user,
    )  # fmt: skip
    assert activity.activity_no == "S200-20250402-1"
    assert activity.contract == targets["CS"].contract
    assert activity.recorded_by == staff_user
    second = activity_create(
        target=targets["HV"],
        staff=staff_member,
        date=dt.date(2025, 4, 2),
        duration_minutes=30,
        user=staff_user,
    )
    assert second.activity_no == "S200-20250402-2"


def test_a_worker_cannot_record_a_colleagues_visit(targets, staff_user, other_staff_member):
    with pytest.raises(PermissionDenied):
        activity_create(
            target=targets["HV"], staff=other_staff_member, date=dt.date(2025, 4, 2), duration_minutes=30,
            user=staff_user,
        )  # fmt: skip


@pytest.mark.parametrize("code", ["李小红", "Li Xiaohong", "XF_C_1", "小红-01"])
def test_a_case_code_that_looks_like_a_name_is_refused_with_the_reason(targets, staff_member, code):
    with pytest.raises(ValidationError) as caught:
        activity_create(
            target=targets["CS"],
            staff=staff_member,
            date=dt.date(2025, 4, 2),
            duration_minutes=30,
            case_code=code,
        )
    assert "never a child's name" in str(caught.value)
    assert code not in str(caught.value)  # the message does not repeat what may be a name
    assert ServiceActivity.objects.count() == 0


def test_a_cases_target_needs_a_case_code(targets, staff_member):
    with pytest.raises(ValidationError) as caught:
        activity_create(
            target=targets["CS"], staff=staff_member, date=dt.date(2025, 4, 2), duration_minutes=30
        )
    assert "case_code" in caught.value.message_dict


@pytest.mark.parametrize(("minutes", "ok"), [(0, False), (1, True), (720, True), (721, False)])
def test_an_activity_lasts_one_to_720_minutes(targets, staff_member, minutes, ok):
    call = lambda: activity_create(  # noqa: E731
        target=targets["HV"], staff=staff_member, date=dt.date(2025, 4, 2), duration_minutes=minutes
    )
    if ok:
        assert call().duration_minutes == minutes
    else:
        with pytest.raises(ValidationError):
            call()


def test_an_activity_file_is_imported_with_chinese_headers_and_gb18030(targets, staff_member, director):
    header = "活动编号,日期,员工编号,指标,时长（分钟）,个案编号,参与人数,地点,记录"
    data = (
        _csv(
            "A-1,2025/3/5,S200,HV,60,,1,大塘埠镇,入户",
            "A-2,2025年3月6日,S200,个案服务,45,XF-C-001,1,,",
            "A-3,2025-03-07,S200,GP,120,,25,村小,小组",
            header=header,
        )
        .decode()
        .encode("gb18030")
    )
    result = activities_import(contract=targets["HV"].contract, data=data, filename="a.csv", user=director)
    assert result.ok, result.error_lines()
    rows = list(
        ServiceActivity.objects.order_by("activity_no").values_list(
            "activity_no", "date", "target__code", "duration_minutes", "case_code", "participants", "source"
        )
    )
    assert rows == [
        ("A-1", dt.date(2025, 3, 5), "HV", 60, "", 1, "import"),
        ("A-2", dt.date(2025, 3, 6), "CS", 45, "XF-C-001", 1, "import"),
        ("A-3", dt.date(2025, 3, 7), "GP", 120, "", 25, "import"),
    ]
    assert result.summary == {"rows": 3, "minutes": 225}
    assert ServiceActivity.objects.get(activity_no="A-1").history.count() == 1


def test_an_activity_file_with_any_bad_row_changes_nothing_and_lists_every_problem(
    targets, staff_member, visit
):
    data = _csv(
        "A-1,2025-03-05,S200,HV,60,,1,,",
        "A-2,2025-03-05,S999,HV,60,,1,,",
        "A-3,2025-03-05,S200,XX,60,,1,,",
        "A-4,2025-03-05,S200,CS,60,,1,,",
        "A-5,2025-03-05,S200,CS,60,王小明,1,,",
        "A-6,2025-03-05,S200,HV,721,,1,,",
        "A-1,2025-03-05,S200,HV,60,,1,,",
        "HV-0001,2025-03-05,S200,HV,60,,1,,",
        "A-9,2025-03-05,S200,HV,60,,0,,",
    )
    result = activities_import(contract=targets["HV"].contract, data=data, filename="bad.csv")
    assert not result.ok
    lines = result.error_lines()
    assert "row 3, column staff_no: no staff member has the number S999" in lines
    assert any(line.startswith("row 4, column target:") for line in lines)
    assert "row 5, column case_code: target CS is counted in cases: a case code is required" in lines
    assert any(
        line.startswith("row 6, column case_code:") and "never a child's name" in line for line in lines
    )
    assert any(line.startswith("row 7, column duration_minutes:") for line in lines)
    assert "row 8, column activity_no: activity A-1 appears twice in the file (also row 2)" in lines
    assert any(line.startswith("row 10, column participants:") for line in lines)
    assert (
        f"row 9, column activity_no: activity HV-0001 is already recorded in {targets['HV'].contract.code}"
        in lines
    )
    assert ServiceActivity.objects.count() == 1
    assert ImportBatch.objects.get().status == "failed"
    # files.md: a child's name is never stored, not even in a refused file's kept problems.
    assert "王小明" not in "\n".join(lines)
    assert "王小明" not in str(ImportBatch.objects.get().errors)


def test_the_same_activity_file_twice_is_refused_as_a_repeat(targets, staff_member):
    data = _csv("A-1,2025-03-05,S200,HV,60,,1,,")
    assert activities_import(contract=targets["HV"].contract, data=data, filename="a.csv").ok
    again = activities_import(contract=targets["HV"].contract, data=data, filename="a.csv")
    assert not again.ok
    assert "already imported" in again.error_lines()[0]
    assert ServiceActivity.objects.count() == 1


def test_an_activity_outside_the_contract_or_by_a_leaver_is_imported_not_refused(targets, staff_member):
    data = _csv("A-1,2024-12-31,S200,HV,60,,1,,", "A-2,2021-01-05,S200,HV,60,,1,,")
    assert activities_import(contract=targets["HV"].contract, data=data, filename="a.csv").ok
    assert ServiceActivity.objects.count() == 2


def test_the_import_command_dry_run_changes_nothing(targets, staff_member, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(_csv("A-1,2025-03-05,S200,HV,60,,1,,"))
    out = io.StringIO()
    call_command(
        "import_activities", str(path), "--contract", targets["HV"].contract.code, "--dry-run", stdout=out
    )
    assert "Dry run: 1 row in a.csv is valid" in out.getvalue()
    assert ServiceActivity.objects.count() == 0
    call_command("import_activities", str(path), "--contract", targets["HV"].contract.code, stdout=out)
    assert ServiceActivity.objects.count() == 1


def test_the_import_command_exits_1_with_the_problems_on_stderr(targets, staff_member, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(_csv("A-1,2025-03-05,S999,HV,60,,1,,"))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_activities", str(path), "--contract", targets["HV"].contract.code, stderr=err)
    assert caught.value.returncode == 1
    assert "row 2, column staff_no: no staff member has the number S999" in err.getvalue()


def test_the_import_command_refuses_an_unknown_contract(targets, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(_csv("A-1,2025-03-05,S200,HV,60,,1,,"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_activities", str(path), "--contract", "NOPE", stderr=err)
    assert "There is no contract NOPE." in err.getvalue()


def test_a_row_naming_a_target_whose_name_two_targets_share_is_refused_with_their_codes(
    targets, staff_member
):
    targets["GP"].name = "入户探访"  # kept from before names were checked
    targets["GP"].save()
    data = _csv("A-1,2025-03-05,S200,入户探访,60,,1,,", "A-2,2025-03-05,S200,GP,60,,1,,")
    result = activities_import(contract=targets["HV"].contract, data=data, filename="a.csv")
    assert result.error_lines() == [
        'row 2, column target: "入户探访" is the name of more than one target of JX-XF-2025-01; '
        "give the code (GP, HV)"
    ]
    assert ServiceActivity.objects.count() == 0


def test_a_row_with_a_bad_cell_still_has_its_other_problems_reported(targets, staff_member):
    data = _csv(
        "A-1,2025-03-05,S999,ZZ,0,,1,,",  # zero minutes, unknown person and target
        "A-2,2025-03-05,S200,CS,60,李小红,1,,",  # a name as case code: the cases check waits
        "A-2,2025-03-06,S200,HV,abc,,1,,",  # bad minutes, and the number given twice
    )
    result = activities_import(contract=targets["HV"].contract, data=data, filename="a.csv")
    lines = result.error_lines()
    assert lines[0] == 'row 2, column duration_minutes: "0" is below the minimum 1'
    assert lines[1:3] == [
        'row 2, column target: "ZZ" is not the code or the name of a target of JX-XF-2025-01',
        "row 2, column staff_no: no staff member has the number S999",
    ]
    assert lines[3].startswith("row 3, column case_code: This looks like a name.") and len(lines) == 6
    assert lines[4:] == [
        'row 4, column duration_minutes: "abc" is not a whole number',
        "row 4, column activity_no: activity A-2 appears twice in the file (also row 3)",
    ]
    assert ServiceActivity.objects.count() == 0
