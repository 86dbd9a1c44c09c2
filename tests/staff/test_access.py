"""Who sees what (roles.md): roster, employment history, qualifications, retention; API and pages."""

from __future__ import annotations

import pytest

from staff.models import EmploymentSpell, StaffMember

pytestmark = pytest.mark.django_db

ROSTER_VISIBLE = {
    "director": {"S100", "S200", "S300"},
    "finance": {"S100", "S200", "S300"},
    "supervisor": {"S100", "S200", "S300"},
    "staff": {"S200"},
    "outsider": {"S200"},  # the outsider agency's own S200, never ours
}
PERSONAL_VISIBLE = {
    "director": {"S100", "S200", "S300"},
    "supervisor": {"S100", "S200"},  # themselves and their supervisee
    "staff": {"S200"},
    "outsider": {"S200"},
}


def _items(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.mark.parametrize("persona", ["director", "finance", "supervisor", "staff", "auditor", "outsider"])
def test_roster_list_shows_exactly_the_allowed_people(persona, personas, records, login_api):
    response = login_api(personas[persona]).get("/api/v1/staff/")
    if persona == "auditor":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["staff_no"] for row in _items(response)} == ROSTER_VISIBLE[persona]


@pytest.mark.parametrize("persona", ["director", "finance", "supervisor", "staff", "auditor", "outsider"])
@pytest.mark.parametrize("endpoint", ["/api/v1/spells/", "/api/v1/qualifications/"])
def test_history_and_qualifications_are_limited_by_role(persona, endpoint, personas, records, login_api):
    response = login_api(personas[persona]).get(endpoint)
    if persona in ("finance", "auditor"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["staff_no"] for row in _items(response)} == PERSONAL_VISIBLE[persona]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 404),
        ("supervisor", 404),
        ("staff", 404),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_exit_reasons_of_an_unsupervised_colleague(persona, expected, personas, records, login_api):
    spell = EmploymentSpell.objects.get(staff__staff_no="S300", exit_reason="salary")
    response = login_api(personas[persona]).get(f"/api/v1/spells/{spell.pk}/")
    # Finance holds no permission on spells at all: 403 for every spell, existing or not.
    assert response.status_code == (403 if persona == "finance" else expected)


def test_finance_reads_roster_fields_but_no_history(finance, records, login_api):
    row = _items(login_api(finance).get("/api/v1/staff/"))[0]
    assert set(row) == {
        "id",
        "staff_no",
        "name",
        "phone",
        "email",
        "position",
        "employment_type",
        "education",
        "sw_degree",
        "user",
        "hire_date",
        "exit_date",
    }
    assert "exit_reason" not in str(row)


def test_only_the_director_sees_exit_interview_notes(
    director, supervisor, records, login_api, other_staff_member
):
    spell = EmploymentSpell.objects.get(staff=other_staff_member, exit_reason="salary")
    assert login_api(director).get(f"/api/v1/spells/{spell.pk}/").json()["exit_notes"] == "Paid too little."


def test_the_outsider_gets_404_on_our_staff_member(outsider, staff_member, login_api, login_client):
    assert login_api(outsider).get(f"/api/v1/staff/{staff_member.pk}/").status_code == 404
    assert login_client(outsider).get(f"/staff/{staff_member.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 200),
        ("supervisor", 200),
        ("staff", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_profile_page_of_an_unsupervised_colleague(
    persona, expected, personas, records, login_client, other_staff_member
):
    response = login_client(personas[persona]).get(f"/staff/{other_staff_member.pk}/")
    assert response.status_code == expected
    if expected == 200:
        content = response.content.decode()
        shows_history = "Employment history" in content
        assert shows_history == (persona == "director")
        assert ("Salary and benefits" in content) == (persona == "director")
        assert ("OTHER-1" in content) == (persona == "director")


def test_supervisor_sees_the_supervisees_history_and_certificates(
    supervisor, records, login_client, staff_member
):
    content = login_client(supervisor).get(f"/staff/{staff_member.pk}/").content.decode()
    assert "Employment history" in content
    assert "OWN-1" in content
    assert "Mark verified" not in content


def test_staff_see_their_own_profile_only(staff_user, records, login_client, staff_member, supervisor_member):
    client = login_client(staff_user)
    assert "OWN-1" in client.get(f"/staff/{staff_member.pk}/").content.decode()
    assert client.get(f"/staff/{supervisor_member.pk}/").status_code == 404
    listing = client.get("/staff/").content.decode()
    assert "S200" in listing and "S100" not in listing


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 403),
        ("supervisor", 403),
        ("staff", 403),
        ("auditor", 403),
        ("outsider", 200),
    ],
)
def test_retention_api_is_for_directors(persona, expected, personas, records, login_api):
    response = login_api(personas[persona]).get("/api/v1/retention/?year=2022")
    assert response.status_code == expected
    if persona == "outsider":
        assert response.json()["exits"] == 0  # their own agency, not ours
    if persona == "director":
        assert response.json()["exits"] == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("finance", 404),
        ("supervisor", 404),
        ("staff", 404),
        ("auditor", 404),
        ("outsider", 200),
    ],
)
def test_retention_page_is_for_directors(persona, expected, personas, records, login_client):
    response = login_client(personas[persona]).get("/staff/retention/?year=2022")
    assert response.status_code == expected


def test_auditor_has_no_staff_pages(auditor, records, login_client, staff_member):
    client = login_client(auditor)
    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/{staff_member.pk}/").status_code == 404
    assert client.get("/staff/certificates/").status_code == 403


def test_only_directors_write(supervisor, finance, director, records, login_api, staff_member):
    body = {"staff_no": "S999", "name": "新人"}
    assert login_api(finance).post("/api/v1/staff/", body).status_code == 403
    assert login_api(supervisor).post("/api/v1/staff/", body).status_code == 403
    assert login_api(supervisor).patch(f"/api/v1/staff/{staff_member.pk}/", {"name": "x"}).status_code == 403
    assert login_api(director).post("/api/v1/staff/", body).status_code == 201
    assert StaffMember.objects.filter(staff_no="S999", agency=staff_member.agency).exists()


def test_qualification_summary_is_scoped_to_what_the_caller_sees(
    supervisor, director, finance, records, login_api
):
    as_of = "2025-01-01"
    mine = login_api(supervisor).get(f"/api/v1/qualification-summary/?as_of={as_of}").json()
    everyone = login_api(director).get(f"/api/v1/qualification-summary/?as_of={as_of}").json()
    assert mine["holders"] == 2  # S100 and S200
    assert everyone["holders"] == 3  # and S300, re-hired in 2023 after leaving in 2022
    assert login_api(finance).get("/api/v1/qualification-summary/").status_code == 403
