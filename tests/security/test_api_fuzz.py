"""The whole REST API fuzzed from its OpenAPI schema (schemathesis), as every role and as nobody.

Every operation of ``/api/schema/`` gets schema-valid generated requests (path ids, filters,
bodies) sent in-process to the WSGI application, so the full middleware stack runs. Each
response must not be a server error and must match the documented response schema. Each
request runs in a savepoint that is rolled back, so a generated DELETE or POST cannot change
what the next operation sees. Generation is derandomised: CI sees the same requests every run.

A finding still open would be listed in ``KNOWN_FINDINGS`` (the role-wide runs skip that
(operation, check) pair); today there is none. Fixed findings stay in ``FIXED_FINDINGS`` and
are replayed with their exact request, so a regression names the finding it brings back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from supervision import services as supervision_services
from tests.finance.factories import ExpenditureFactory
from tests.training.factories import TrainingEventFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/?format=json"
#: Schemathesis' WSGI transport asks for gzip (requests' default) but does not undo it; the
#: fuzzer checks the API's answers, so it asks for them uncompressed (tests/core/test_compression.py
#: covers compression).
PLAIN = {"Accept-Encoding": "identity"}
ROLES = ("director", "finance", "supervisor", "staff", "auditor")
#: Generated requests per operation for each role (reads get more: they are cheap and numerous).
EXAMPLES = {"GET": 6, "POST": 4, "PUT": 3, "PATCH": 3, "DELETE": 2}
#: Without credentials every operation is refused whatever the input; two examples suffice.
EXAMPLES_REFUSED = 2
CHECKS = {
    "not_a_server_error": not_a_server_error,
    "response_schema_conformance": response_schema_conformance,
}

_SCHEMA = "response_schema_conformance"
_SERVER_ERROR = "not_a_server_error"
_REFUSED = "refused"


@dataclass(frozen=True)
class Finding:
    """A failure whose cause lies outside core/: where, which check, and one exact request."""

    code: str
    owner: str
    what: str
    check: str
    labels: tuple[str, ...]
    role: str
    method: str
    path: str
    query: dict | None = None
    body: dict | None = None

    @property
    def reason(self) -> str:
        return f"{self.code} ({self.owner}): {self.what}"


FIXED_FINDINGS = (
    Finding(
        "F3",
        "staff",
        "StaffMemberSerializer.exit_date answers null, documented as a non-null date",
        _SCHEMA,
        (
            "GET /api/v1/staff/",
            "GET /api/v1/staff/{id}/",
            "PUT /api/v1/staff/{id}/",
            "PATCH /api/v1/staff/{id}/",
        ),
        "director",
        "GET",
        "/api/v1/staff/",
    ),
    Finding(
        "F4",
        "staff",
        "StaffMemberSerializer.email answers '' (no address), documented as format email",
        _SCHEMA,
        ("POST /api/v1/staff/",),
        "director",
        "POST",
        "/api/v1/staff/",
        body={"staff_no": "S900", "name": "Fuzz Person"},
    ),
    Finding(
        "F7",
        "supervision",
        "start_time '09:00:00' vs schema format time (RFC 3339 full-time needs an offset)",
        _SCHEMA,
        ("GET /api/v1/supervision-sessions/", "GET /api/v1/supervision-sessions/{id}/"),
        "director",
        "GET",
        "/api/v1/supervision-sessions/",
    ),
)

#: (operation label, check name) → open finding: the role-wide runs leave these pairs out.
KNOWN_FINDINGS: dict[tuple[str, str], Finding] = {}


#: Operations anyone may call (logging in): not refused without credentials.
PUBLIC_OPERATIONS = {"POST /api/v1/auth/token/"}


class _Rollback(Exception):
    """Raised to undo whatever a fuzzed request wrote."""


@dataclass
class FuzzRun:
    """What one role's fuzzing sent and found."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)


_totals: Counter = Counter()


def _keep_connection() -> None:
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


@contextmanager
def _in_process_requests():
    """Let the WSGI app be called in-process inside the test's transaction.

    Django's test client does the same: ``close_old_connections`` on request start/finish
    would close (or, past CONN_MAX_AGE, recycle) the connection the test transaction lives on.
    """
    _keep_connection()
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    # The schema is for signed-in users only: fetch it with a throw-away director's token,
    # inside a transaction that is rolled back once the schema is in memory.
    from core.services import api_token_issue
    from tests.factories import AgencyFactory, UserFactory

    with (
        django_db_blocker.unblock(),
        override_settings(ALLOWED_HOSTS=["localhost"]),
        _in_process_requests(),
        transaction.atomic(),
    ):
        reader = UserFactory(
            username="schema-reader", agency_roles=(AgencyFactory(slug="schema"), ["director"])
        )
        _token, key = api_token_issue(user=reader)
        schema = schemathesis.openapi.from_wsgi(
            SCHEMA_URL, application, headers={"Authorization": f"Token {key}", **PLAIN}
        )
        transaction.set_rollback(True)
        return schema


@pytest.fixture
def wsgi_calls(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    cache.clear()  # throttling counters
    with _in_process_requests():
        yield
    cache.clear()


@pytest.fixture
def dataset(personas, agency, supervisor_member, staff_member, other_staff_member, outsider_member, director):
    """A small agency with one record of every kind the API serves, and an outsider's records."""
    from finance.services import auditor_grant
    from tests.finance.factories import BudgetLineFactory, ContractFactory, DisbursementFactory

    contract = ContractFactory(agency=agency, code="JX-XF-2025-01")
    line = BudgetLineFactory(contract=contract, code="A1", amount=contract.total)
    DisbursementFactory(contract=contract)
    for day, amount in ((5, "100.00"), (6, "-20.00"), (7, "1200.00")):
        ExpenditureFactory(budget_line=line, amount=amount, date=dt.date(2025, 3, day), staff=staff_member)
    auditor_grant(contract=contract, auditor=personas["auditor"], granted_by=director)
    outsider_contract = ContractFactory(agency=outsider_member.agency, code="AY-2025-01")
    ExpenditureFactory(budget_line=BudgetLineFactory(contract=outsider_contract, code="A1"))
    TrainingEventFactory(agency=agency)
    TrainingRecordFactory(staff=staff_member)
    TrainingRecordFactory(staff=other_staff_member, status="pending", source="submission")
    TrainingRecordFactory(staff=outsider_member)
    supervision_services.session_create(
        agency=agency,
        user=supervisor_member.user,
        supervisor=supervisor_member,
        date=dt.date(2025, 3, 10),
        start_time=dt.time(9, 0),
        duration_minutes=60,
        modality="individual",
        attendees=[staff_member],
        notes="Confidential notes.",
        action_items=[{"text": "Read the protocol", "owner": staff_member, "due_date": dt.date(2025, 4, 1)}],
        today=dt.date(2025, 3, 10),
    )
    return personas


def _operations(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.label)


def _failure_text(exc: BaseException) -> list[tuple[str, str]]:
    failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
    found = []
    for failure in failures:
        check = "not_a_server_error" if "server error" in str(getattr(failure, "title", "")).lower() else ""
        if not check:
            check = "response_schema_conformance"
        text = f"{getattr(failure, 'title', type(failure).__name__)}: {getattr(failure, 'message', failure)}"
        found.append((check, text.strip()[:3000]))
    return found


@pytest.fixture
def known_ids(dataset, token_for):
    """``known_ids(operation)``: ids of real records behind an ``{id}`` path, the agency's and the outsider's.

    Random ids almost always miss; half of the generated requests use a real record instead,
    seen by the director (and by the outsider, so out-of-agency records are tried too).
    """
    from django.test import Client

    viewers = [token_for(dataset["director"]), token_for(dataset["outsider"])]
    cached: dict[str, list[int]] = {}

    def ids(operation) -> list[int]:
        if "{id}" not in operation.path:
            return []
        collection = operation.path.split("{id}")[0]
        if collection not in cached:
            found: set[int] = set()
            for token in viewers:
                response = Client().get(collection, {"page_size": 20}, HTTP_AUTHORIZATION=token)
                # Django's test client reconnects close_old_connections when it is done.
                _keep_connection()
                if response.status_code == 200:
                    body = response.json()
                    rows = body.get("results", []) if isinstance(body, dict) else body
                    found.update(row["id"] for row in rows if isinstance(row, dict) and "id" in row)
            cached[collection] = sorted(found)
        return cached[collection]

    return ids


def fuzz_operation(
    operation, *, headers: dict, run: FuzzRun, examples: int, skip: set[str], ids=(), expect=None
):
    """Send ``examples`` generated requests for ``operation``; record each failing check once."""
    checks = [fn for name, fn in CHECKS.items() if name not in skip]
    real_id = st.sampled_from([None, *ids]) if ids else st.none()

    @given(case=operation.as_strategy(), record_id=real_id)
    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case, record_id):
        if record_id is not None:
            case.path_parameters["id"] = record_id
        cache.clear()
        try:
            with transaction.atomic():
                response = case.call(headers={**headers, **PLAIN})
                raise _Rollback
        except _Rollback:
            pass
        run.requests += 1
        run.statuses[response.status_code] += 1
        if expect is not None and response.status_code not in expect:
            key = (operation.label, "refused")
            run.failures.setdefault(
                key,
                f"answered {response.status_code}, expected one of {sorted(expect)} | {case.as_curl_command()}",
            )
        try:
            case.validate_response(response, checks=checks)
        except (Failure, FailureGroup) as exc:
            for check, text in _failure_text(exc):
                detail = f"{text} | request: {case.as_curl_command()}"
                run.failures.setdefault((operation.label, check), detail[:4000])

    send()


def _report(label: str, run: FuzzRun) -> None:
    _totals[label] += run.requests
    print(f"\n[fuzz] {label}: {run.requests} requests; statuses {dict(sorted(run.statuses.items()))}")
    for (op, check), text in sorted(run.failures.items()):
        print(f"[fuzz]   FAIL {op} [{check}]: {text}")


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_make_the_api_fail_or_break_its_schema(
    api_schema, dataset, wsgi_calls, token_for, known_ids, role
):
    headers = {"Authorization": token_for(dataset[role])}
    run = FuzzRun()
    for operation in _operations(api_schema):
        skip = {check for (label, check) in KNOWN_FINDINGS if label == operation.label}
        fuzz_operation(
            operation,
            headers=headers,
            run=run,
            examples=EXAMPLES.get(operation.method.upper(), 2),
            skip=skip,
            ids=known_ids(operation),
        )
    _report(role, run)
    assert run.requests >= 89
    assert run.failures == {}


@pytest.mark.parametrize(
    "credentials", [None, "Token 0000000000000000000000000000000000000000"], ids=["none", "bad-token"]
)
def test_requests_without_valid_credentials_are_refused(
    api_schema, dataset, wsgi_calls, known_ids, credentials
):
    headers = {"Authorization": credentials} if credentials else {}
    run = FuzzRun()
    for operation in _operations(api_schema):
        expect = None if operation.label in PUBLIC_OPERATIONS else {401, 403}
        if (operation.label, _REFUSED) in KNOWN_FINDINGS:
            expect = {401, 403, 404}  # F12: ?format=<filter value> answers 404 before authentication
        fuzz_operation(
            operation,
            headers=headers,
            run=run,
            examples=EXAMPLES_REFUSED,
            skip=set(),
            ids=known_ids(operation),
            expect=expect,
        )
    _report("anonymous, " + ("bad token" if credentials else "no token"), run)
    assert run.failures == {}
    assert set(run.statuses) <= {400, 401, 403, 404}


@pytest.mark.parametrize(
    "finding",
    [pytest.param(f, id=f.code) for f in FIXED_FINDINGS],
)
def test_a_fixed_fuzzer_finding_stays_fixed(
    api_schema, dataset, wsgi_calls, token_for, staff_member, finding
):
    """Each former finding replayed with its exact request now conforms to the schema."""
    from supervision.models import SupervisionSession

    session = (
        SupervisionSession.objects.filter(agency=staff_member.agency).values_list("pk", flat=True).first()
    )
    path = finding.path.format(staff_member=staff_member.pk, session=session)
    template = next(label for label in finding.labels if label.startswith(finding.method))
    operation = next(op for op in _operations(api_schema) if op.label == template)
    kwargs: dict = {"path_parameters": {"id": int(path.split("/")[4])}} if "{id}" in operation.path else {}
    if finding.query:
        kwargs["query"] = finding.query
    if finding.body is not None:
        kwargs["body"] = finding.body
        kwargs["media_type"] = "application/json"
    case = operation.Case(**kwargs)
    response = case.call(headers={"Authorization": token_for(dataset[finding.role]), **PLAIN})
    print(
        f"\n[finding] {finding.code}: {finding.method} {path} {finding.query or ''} -> {response.status_code}"
    )
    if finding.check == _REFUSED:
        assert response.status_code == 200
        return
    case.validate_response(response, checks=[CHECKS[finding.check]])


@pytest.fixture(scope="module", autouse=True)
def _print_total():
    yield
    if _totals:
        print(f"\n[fuzz] total fuzzed requests: {sum(_totals.values())} ({dict(_totals)})")
