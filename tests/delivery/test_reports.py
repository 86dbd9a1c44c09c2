"""The targets report follows live access: an auditor's revoked grant closes it."""

import pytest

from core.reports import get
from finance.services import auditor_revoke
from tests.finance.conftest import granted  # noqa: F401  (fixture)


@pytest.mark.django_db
def test_the_targets_report_opens_for_a_granted_auditor_and_closes_when_the_grant_goes(
    targets,
    auditor,
    granted,  # noqa: F811
    director,
    outsider,
):
    kind = get("targets")
    params = {"contract": granted.contract.code}
    assert kind.may_open(auditor, params) is True
    assert kind.may_open(director, params) is True
    assert kind.may_open(outsider, params) is False
    auditor_revoke(grant=granted, revoked_by=director)
    assert kind.may_open(auditor, params) is False
