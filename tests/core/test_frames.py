"""core.frames.read_frame: a query's rows as a typed frame, the same on both of its paths.

On PostgreSQL the rows travel as one text per column (``string_agg``); on SQLite, and whenever a
text holds the separator, they are fetched row by row. Every test compares the frame with exact
values, and on PostgreSQL also with the row-by-row path.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from core import frames
from staff.models import EmploymentSpell, StaffMember

pytestmark = pytest.mark.django_db

COLUMNS = (("id", "int"), ("staff_no", "text"), ("name", "text"), ("hire", "date"), ("exit", "date"),
           ("spell", "id"))  # fmt: skip


def _sql() -> str:
    quote = connection.ops.quote_name
    staff, spell = quote(StaffMember._meta.db_table), quote(EmploymentSpell._meta.db_table)
    return (
        f"SELECT s.id, s.staff_no, s.name, e.hire_date, e.exit_date, e.id FROM {staff} s "  # noqa: S608
        f"LEFT JOIN {spell} e ON e.staff_id = s.id WHERE s.agency_id = %s"
    )


@pytest.fixture
def people(agency):
    made = []
    for number, name, hire, exit_date in (
        ("S3", "王芳", dt.date(2024, 3, 1), None),
        ("S1", "李 雷", dt.date(2021, 1, 31), dt.date(2023, 6, 30)),
        ("S2", "", None, None),  # no spell: hire, exit and spell are NULL
        ("S4", 'say "hi", then, go', dt.date(1999, 12, 31), dt.date(2000, 1, 1)),
    ):
        member = StaffMember.objects.create(agency=agency, staff_no=number, name=name)
        if hire:
            EmploymentSpell.objects.create(
                agency=agency,
                staff=member,
                hire_date=hire,
                exit_date=exit_date,
                exit_reason="career" if exit_date else "",
            )
        made.append(member)
    return made


def _expected(people) -> pd.DataFrame:
    spells = {s.staff_id: s for s in EmploymentSpell.objects.filter(staff__in=people)}
    rows = sorted(people, key=lambda p: p.staff_no)
    return pd.DataFrame(
        {
            "id": np.array([p.pk for p in rows], dtype="int64"),
            "staff_no": np.array([p.staff_no for p in rows], dtype=object),
            "name": np.array([p.name for p in rows], dtype=object),
            "hire": pd.to_datetime([spells[p.pk].hire_date if p.pk in spells else None for p in rows]).astype(
                "datetime64[ns]"
            ),
            "exit": pd.to_datetime([spells[p.pk].exit_date if p.pk in spells else None for p in rows]).astype(
                "datetime64[ns]"
            ),
            "spell": np.array([spells[p.pk].pk if p.pk in spells else np.nan for p in rows], dtype="float64"),
        }
    )


def test_rows_come_back_typed_and_in_the_order_asked(agency, people):
    frame = frames.read_frame(_sql(), [agency.pk], COLUMNS, order=("staff_no",))
    pd.testing.assert_frame_equal(frame, _expected(people))
    assert frame["hire"].isna().tolist() == [False, True, False, False]
    assert frame["spell"].isna().tolist() == [False, True, False, False]
    assert frame.loc[1, "name"] == "" and frame.loc[3, "name"] == 'say "hi", then, go'


def test_order_by_two_columns_puts_the_first_first(agency, people):
    frame = frames.read_frame(_sql(), [agency.pk], COLUMNS, order=("hire", "id"))
    # NaT sorts last; equal keys fall back to the second column.
    assert frame["staff_no"].tolist() == ["S4", "S1", "S3", "S2"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the aggregated path is PostgreSQL's")
def test_postgresql_reads_one_row_of_texts_and_matches_the_row_by_row_path(agency, people):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        aggregated = frames.read_frame(_sql(), [agency.pk], COLUMNS, order=("staff_no",))
    assert len(queries) == 1 and "string_agg" in queries[0]["sql"]
    fetched = frames._fetched(_sql(), [agency.pk], COLUMNS)
    fetched = fetched.sort_values("staff_no").reset_index(drop=True)
    pd.testing.assert_frame_equal(aggregated, fetched)


def test_a_text_holding_the_separator_is_read_whole(agency, people):
    people[0].name = f"甲{frames.SEPARATOR}乙"
    people[0].save()
    frame = frames.read_frame(_sql(), [agency.pk], COLUMNS, order=("staff_no",))
    assert frame["name"].tolist() == ["李 雷", "", f"甲{frames.SEPARATOR}乙", 'say "hi", then, go']
    pd.testing.assert_frame_equal(frame, _expected(people))


def test_no_rows_give_an_empty_frame_with_the_kinds_types(agency):
    frame = frames.read_frame(_sql(), [agency.pk], COLUMNS, order=("id",))
    assert list(frame.columns) == [name for name, _kind in COLUMNS]
    assert len(frame) == 0
    assert [str(t) for t in frame.dtypes] == ["int64", "object", "object", "datetime64[ns]", "datetime64[ns]",
                                              "float64"]  # fmt: skip


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="column 'x': unknown kind 'money'"):
        frames.read_frame("SELECT 1", [], (("x", "money"),))
