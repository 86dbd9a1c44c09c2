"""core.db.bulk_insert_with_history: many new records and their "created" history in two writes."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from core.db import bulk_insert_with_history
from staff.models import EmploymentSpell, ExitReason, StaffMember

pytestmark = pytest.mark.django_db


def test_rows_and_their_history_are_written_with_the_ids_returned(agency, director):
    before = StaffMember.objects.count()
    ids = bulk_insert_with_history(
        StaffMember,
        ["staff_no", "name", "sw_degree"],
        [("S901", "周敏", True), ("S902", "吴强", False)],
        values={"agency": agency.pk},
        user=director,
        reason="roster import 7 (名册.csv)",
    )
    assert len(ids) == 2
    assert StaffMember.objects.count() == before + 2
    rows = list(StaffMember.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "staff_no", "name"))
    assert rows == [(ids[0], "S901", "周敏"), (ids[1], "S902", "吴强")]
    first = StaffMember.objects.get(pk=ids[0])
    # Defaults and auto timestamps are filled as the ORM would.
    assert (first.sw_degree, first.employment_type, first.position, first.agency) == (
        True,
        "full_time",
        "",
        agency,
    )
    assert first.created_at is not None and first.updated_at == first.created_at
    history = StaffMember.history.filter(id__in=ids).order_by("id")
    assert [(h.id, h.staff_no, h.history_type, h.history_user, h.history_change_reason) for h in history] == [
        (ids[0], "S901", "+", director, "roster import 7 (名册.csv)"),
        (ids[1], "S902", "+", director, "roster import 7 (名册.csv)"),
    ]


def test_foreign_keys_are_given_as_ids_and_the_next_call_continues_the_ids(agency, staff_member):
    first = bulk_insert_with_history(
        EmploymentSpell,
        ["staff", "hire_date", "exit_date", "exit_reason"],
        [(staff_member.pk, dt.date(2010, 1, 1), dt.date(2011, 1, 1), "career")],
        values={"agency": agency.pk},
    )
    second = bulk_insert_with_history(
        EmploymentSpell,
        ["staff_id", "hire_date", "exit_date", "exit_reason"],
        [(staff_member.pk, dt.date(2005, 1, 1), dt.date(2006, 1, 1), "study")],
        values={"agency": agency.pk},
    )
    assert second[0] > first[0]
    spell = EmploymentSpell.objects.get(pk=second[0])
    assert (spell.staff, spell.exit_reason) == (staff_member, "study")
    assert EmploymentSpell.history.get(id=second[0]).history_user is None


def test_a_constraint_violation_refuses_the_whole_call(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert_with_history(
            StaffMember,
            ["staff_no", "name"],
            [("S950", "甲"), ("S950", "乙")],  # one staff number twice in one agency
            values={"agency": agency.pk},
        )
    assert not StaffMember.objects.filter(staff_no="S950").exists()
    assert not StaffMember.history.filter(staff_no="S950").exists()


def test_nothing_to_insert_writes_nothing(agency):
    assert bulk_insert_with_history(StaffMember, ["staff_no", "name"], [], values={"agency": agency.pk}) == []


def test_the_caller_cannot_choose_the_ids(agency):
    with pytest.raises(ValueError, match="primary keys"):
        bulk_insert_with_history(StaffMember, ["id", "staff_no"], [(1, "S1")], values={"agency": agency.pk})


def test_a_row_with_too_few_or_too_many_values_is_refused_before_anything_is_written(agency):
    before = StaffMember.objects.count()
    with pytest.raises(
        ValueError, match=r"every row must have 2 values, one for each of \['staff_no', 'name'\]"
    ):
        bulk_insert_with_history(
            StaffMember, ["staff_no", "name"], [("S960", "周敏"), ("S961",)], values={"agency": agency.pk}
        )
    with pytest.raises(ValueError, match="every row must have 2 values"):
        bulk_insert_with_history(
            StaffMember, ["staff_no", "name"], [("S962", "吴强", "多余")], values={"agency": agency.pk}
        )
    assert StaffMember.objects.count() == before


def test_ids_with_gaps_from_concurrent_writers_still_get_exactly_their_history(agency, monkeypatch):
    # On PostgreSQL another session may draw sequence values between ours: the history is then
    # written from the rows themselves instead of one INSERT … SELECT over the id range.
    from core import db

    top = (StaffMember.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    monkeypatch.setattr(db, "_reserve_ids", lambda model, count, connection: [top, top + 5])
    ids = bulk_insert_with_history(
        StaffMember, ["staff_no", "name"], [("S971", "甲"), ("S972", "乙")], values={"agency": agency.pk}
    )
    assert ids == [top, top + 5]
    assert list(StaffMember.history.order_by("id").values_list("id", "staff_no", "history_type")) == [
        (top, "S971", "+"),
        (top + 5, "S972", "+"),
    ]


def test_values_given_in_another_form_are_stored_as_the_orm_would(agency, staff_member):
    """A date as ISO text, a choice as its enum member, a default left out: each value is
    made the column's type first (on PostgreSQL the rows then travel by binary COPY)."""
    ids = bulk_insert_with_history(
        EmploymentSpell,
        ["staff", "hire_date", "exit_date", "exit_reason", "exit_notes"],
        [
            (staff_member.pk, "2000-01-01", dt.date(2001, 2, 28), ExitReason.FAMILY, "离职面谈：家庭原因"),
            (staff_member.pk, dt.date(2002, 3, 1), dt.date(2003, 1, 1), "study", ""),
        ],
        values={"agency": agency.pk},
    )  # fmt: skip
    stored = list(
        EmploymentSpell.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("hire_date", "exit_date", "exit_reason", "exit_notes", "employment_type")
    )
    assert stored == [
        (dt.date(2000, 1, 1), dt.date(2001, 2, 28), "family", "离职面谈：家庭原因", "full_time"),
        (dt.date(2002, 3, 1), dt.date(2003, 1, 1), "study", "", "full_time"),
    ]
    history = EmploymentSpell.history.filter(id__in=ids).order_by("id")
    assert list(history.values_list("hire_date", "exit_reason", "history_type")) == [
        (dt.date(2000, 1, 1), "family", "+"),
        (dt.date(2002, 3, 1), "study", "+"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_table_travels_by_binary_copy_only_when_every_column_type_allows_it():
    from core.db import binary_copy_types
    from finance.models import Expenditure, Flag, FlagEvent

    ledger = binary_copy_types(Expenditure._meta.concrete_fields, connection)
    assert ledger is not None and {"int8", "date", "numeric", "varchar", "timestamptz"} <= set(ledger)
    history = Expenditure.history.model._meta.concrete_fields
    assert binary_copy_types(history, connection) is not None
    assert binary_copy_types(Flag._meta.concrete_fields, connection) is None  # JSON evidence: as text
    # The scan's links and events (finance.flags.bulk.insert_rows) go in binary too.
    assert binary_copy_types(Flag.expenditures.through._meta.concrete_fields, connection) == ["int8"] * 3
    assert binary_copy_types(FlagEvent._meta.concrete_fields, connection) is not None
