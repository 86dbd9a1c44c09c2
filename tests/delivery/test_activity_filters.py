"""The service-records list's filters: each narrows the list, and each choice is the reader's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.delivery.factories import ActivityFactory, TargetFactory

pytestmark = pytest.mark.django_db

URL = reverse("delivery-activity-list")


@pytest.fixture
def records(targets, other_contract, staff_member, other_staff_member, outsider_contract, outsider_member):
    """Seven records of the agency (five of the staff persona, two of a colleague), one of another's.

    S200: HV 3 Mar, HV 10 Mar, CS 20 Mar (imported), GP 2 Apr, and OT (the other contract) 15 Apr;
    S300: HV 12 Mar, GP 25 Apr. The outsider's agency: one record under its own contract.
    """
    other_target = TargetFactory(contract=other_contract, code="OT", name="社区活动", measure="hours")
    rows = [
        (targets["HV"], staff_member, dt.date(2025, 3, 3), "manual"),
        (targets["HV"], staff_member, dt.date(2025, 3, 10), "manual"),
        (targets["CS"], staff_member, dt.date(2025, 3, 20), "import"),
        (targets["GP"], staff_member, dt.date(2025, 4, 2), "manual"),
        (other_target, staff_member, dt.date(2025, 4, 15), "manual"),
        (targets["HV"], other_staff_member, dt.date(2025, 3, 12), "manual"),
        (targets["GP"], other_staff_member, dt.date(2025, 4, 25), "manual"),
    ]
    for target, staff, date, source in rows:
        ActivityFactory(target=target, staff=staff, date=date, source=source, case_code="XF-C-001")
    outsider_target = TargetFactory(contract=outsider_contract, code="HV", name="Outsider visits")
    ActivityFactory(target=outsider_target, staff=outsider_member, date=dt.date(2025, 3, 5))
    return {"OT": other_target, "outsider_target": outsider_target}


def _listed(client, **params):
    page = client.get(URL, params)
    assert page.status_code == 200
    return page.context["page"].object_list


def test_the_director_sees_every_record_of_the_agency_unfiltered(login_client, director, records):
    assert len(_listed(login_client(director))) == 7


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2025-04-01"}, 3),
        ({"date_to": "2025-03-12"}, 3),
        ({"date_from": "2025-03-10", "date_to": "2025-04-02"}, 4),
        ({"measure": "participants"}, 2),
        ({"measure": "hours"}, 1),
        ({"source": "import"}, 1),
        ({"source": "manual"}, 6),
        ({"contract": "JX-XF-2025-02"}, 1),
        ({"contract": "JX-XF-2025-01"}, 6),
    ],
)
def test_each_filter_narrows_the_directors_list_to_the_matching_records(
    login_client, director, records, params, expected
):
    assert len(_listed(login_client(director), **params)) == expected


def test_the_staff_member_and_target_filters_narrow_the_list(
    login_client, director, records, targets, staff_member, other_staff_member
):
    client = login_client(director)
    assert len(_listed(client, staff=staff_member.pk)) == 5
    assert len(_listed(client, staff=other_staff_member.pk)) == 2
    assert len(_listed(client, target=targets["HV"].pk)) == 3
    assert len(_listed(client, target=targets["HV"].pk, staff=other_staff_member.pk)) == 1
    rows = _listed(client, staff=staff_member.pk, date_from="2025-04-01", contract="JX-XF-2025-01")
    assert [(a.target.code, a.date) for a in rows] == [("GP", dt.date(2025, 4, 2))]


def test_the_choices_list_only_the_agencys_staff_contracts_and_targets(
    login_client, director, records, targets, outsider_contract, outsider_member
):
    form = login_client(director).get(URL).context["filter"].form
    assert [m.staff_no for m in form.fields["staff"].queryset] == ["S100", "S200", "S300"]
    assert sorted(c.code for c in form.fields["contract"].queryset) == ["JX-XF-2025-01", "JX-XF-2025-02"]
    assert sorted(t.code for t in form.fields["target"].queryset) == ["CS", "GP", "HV", "OT"]
    assert records["outsider_target"] not in form.fields["target"].queryset
    assert outsider_member not in form.fields["staff"].queryset


def test_another_agencys_record_as_a_filter_is_an_error_on_its_field_and_lists_nothing(
    login_client, director, records, outsider_contract, outsider_member
):
    client = login_client(director)
    for params in (
        {"contract": outsider_contract.code},
        {"staff": outsider_member.pk},
        {"target": records["outsider_target"].pk},
    ):
        page = client.get(URL, params)
        assert page.status_code == 200
        assert page.context["page"].object_list == []
        assert list(page.context["filter"].errors) == list(params)
        assert "Select a valid choice" in page.content.decode()


def test_a_supervisor_is_offered_only_their_supervisees_and_themself(
    login_client, supervisor, records, staff_member
):
    client = login_client(supervisor)
    form = client.get(URL).context["filter"].form
    assert [m.staff_no for m in form.fields["staff"].queryset] == ["S100", "S200"]
    assert sorted(c.code for c in form.fields["contract"].queryset) == ["JX-XF-2025-01", "JX-XF-2025-02"]
    assert len(_listed(client)) == 5
    assert len(_listed(client, target=records["OT"].pk)) == 1


def test_a_worker_filters_their_own_records_without_a_staff_choice(login_client, staff_user, records):
    client = login_client(staff_user)
    form = client.get(URL).context["filter"].form
    assert "staff" not in form.fields
    # A worker may not open a contract, but reads which contract each target is of.
    assert sorted(c.code for c in form.fields["contract"].queryset) == ["JX-XF-2025-01", "JX-XF-2025-02"]
    assert len(_listed(client, contract="JX-XF-2025-02")) == 1
    assert len(_listed(client)) == 5
    assert len(_listed(client, date_to="2025-03-31")) == 3


def test_a_filtered_list_keeps_its_filters_across_pages(login_client, director, targets, staff_member):
    for day in range(55):
        ActivityFactory(
            target=targets["HV"], staff=staff_member, date=dt.date(2025, 1, 1) + dt.timedelta(days=day)
        )
    ActivityFactory(target=targets["GP"], staff=staff_member, date=dt.date(2025, 1, 9))
    client = login_client(director)
    first = client.get(URL, {"target": targets["HV"].pk})
    page = first.context["page"]
    assert (len(page.object_list), page.has_next) == (50, True)
    assert f"target={targets['HV'].pk}" in page.next_query
    second = client.get(f"{URL}?{page.next_query}").context["page"]
    assert (len(second.object_list), second.has_next) == (5, False)
    assert {a.target.code for a in second.object_list} == {"HV"}


def test_the_list_still_newest_first(login_client, director, records):
    dates = [a.date for a in _listed(login_client(director), staff="")]
    assert dates == sorted(dates, reverse=True)


def test_among_many_people_the_staff_filter_takes_a_staff_number_instead_of_a_long_list(
    login_client, director, records, outsider_member, monkeypatch
):
    import core.forms

    monkeypatch.setattr(core.forms, "PEOPLE_SELECT_MAX", 1)  # the agency has 3 people here
    client = login_client(director)
    html = client.get(URL).content.decode()
    assert '<input type="text" name="staff"' in html and '<select name="staff"' not in html
    assert len(_listed(client, staff="S300")) == 2  # the colleague's two records, not the outsider's S200
    assert len(_listed(client, staff="S200")) == 5  # this agency's S200, though the outsider has one too
    page = client.get(URL, {"staff": "S999"})
    assert page.context["page"].object_list == []
    assert "No one you may choose here has the number S999." in page.content.decode()


def test_among_few_people_the_staff_filter_stays_a_list(login_client, director, records):
    html = login_client(director).get(URL).content.decode()
    assert '<select name="staff"' in html
