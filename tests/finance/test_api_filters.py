"""API list filters that name a record (``?contract=7``) accept only records the user may see:
another agency's id, or one beyond an auditor's grants, answers exactly as an id that exists
nowhere (no oracle, roles.md), and a probe of another agency's record is logged for it."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import RefusedRequest
from tests.conftest import PERSONAS
from tests.delivery.factories import TargetFactory
from tests.finance.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db

MISSING = 987654

#: (list, filter parameter, which record of the other agency it names).
FILTERS = [
    ("finance/expenditures", "contract", "contract"),
    ("finance/expenditures", "budget_line", "line"),
    ("finance/budget-lines", "contract", "contract"),
    ("finance/revisions", "contract", "contract"),
    ("finance/disbursements", "contract", "contract"),
    ("finance/assignments", "contract", "contract"),
    ("finance/assignments", "staff", "staff"),
    ("finance/reconciliation/periods", "contract", "contract"),
    ("finance/reconciliation/statements", "contract", "contract"),
    ("finance/reconciliation/matches", "contract", "contract"),
    ("training-records", "staff", "staff"),
    ("supervision-plans", "supervisee", "staff"),
    ("supervision-plans", "supervisor", "staff"),
    ("delivery/activities", "target", "target"),
]


@pytest.fixture
def theirs(outsider_contract, outsider_member):
    """Records of the outsider agency, by what the filters name."""
    return {
        "contract": outsider_contract,
        "line": outsider_contract.budget_lines.get(),
        "staff": outsider_member,
        "target": TargetFactory(contract=outsider_contract, code="AY-T1"),
    }


@pytest.fixture
def ours(contract, staff_member):
    return {
        "contract": contract,
        "line": contract.budget_lines.get(code="A1"),
        "staff": staff_member,
        "target": TargetFactory(contract=contract, code="T1"),
    }


def _answer(client, url):
    response = client.get(url)
    return response.status_code, response.content


@pytest.mark.parametrize(("path", "param", "kind"), FILTERS)
def test_another_agencys_record_in_a_filter_answers_as_a_missing_one_and_is_logged_for_it(
    path, param, kind, director, agency, theirs, ours, login_api
):
    client = login_api(director)
    other = _answer(client, f"/api/v1/{path}/?{param}={theirs[kind].pk}")
    missing = _answer(client, f"/api/v1/{path}/?{param}={MISSING}")
    assert other == missing
    assert other[0] == 400
    probes = RefusedRequest.objects.filter(status=400)
    assert list(probes.values_list("agency", "aimed_at", "path")) == [
        (
            agency.pk,
            theirs[kind].agency.pk if kind != "line" else theirs["contract"].agency_id,
            f"/api/v1/{path}/",
        )
    ]
    # The agency's own record filters as before.
    assert client.get(f"/api/v1/{path}/?{param}={ours[kind].pk}").status_code == 200


def test_the_probed_agencys_director_sees_the_probe(
    outsider, agency, theirs, director, login_api, login_client
):
    login_api(director).get(f"/api/v1/finance/expenditures/?contract={theirs['contract'].pk}")
    page = login_client(outsider).get("/access-log/?status=400").content.decode()
    assert "/api/v1/finance/expenditures/" in page
    assert "A login of another agency" in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_login_can_tell_a_record_out_of_its_reach_from_a_missing_one(
    persona, personas, contract, other_contract, outsider_contract, granted, login_api
):
    """The auditor holds a grant on ``contract`` only; the outsider is a director elsewhere."""
    client = login_api(personas[persona])
    for path in ("finance/expenditures", "finance/budget-lines", "finance/disbursements"):
        missing = _answer(client, f"/api/v1/{path}/?contract={MISSING}")
        reachable = {"director": [contract, other_contract], "finance": [contract, other_contract]}
        reachable["auditor"] = [contract]
        reachable["outsider"] = [outsider_contract]
        for record in (contract, other_contract, outsider_contract):
            status, body = _answer(client, f"/api/v1/{path}/?contract={record.pk}")
            if status == 403:  # the role may not list these at all, whatever the filter
                assert missing[0] == 403
            elif record in reachable.get(persona, []):
                assert status == 200
            else:
                assert (status, body) == missing, (persona, path, record.code)


def test_an_expenditure_of_a_granted_contract_filters_for_the_auditor(
    contract, granted, auditor, line, login_api
):
    ExpenditureFactory(contract=contract, budget_line=line, date=dt.date(2025, 3, 5))
    body = login_api(auditor).get(f"/api/v1/finance/expenditures/?contract={contract.pk}").json()
    assert len(body["results"]) == 1
