"""PAYEE_IS_STAFF (finance/rules/payee_is_staff.py): when it fires, its boundaries, and what it leaves alone."""

import datetime as dt

from tests.finance.rules.ledger import found


def test_payee_is_staff_is_found_on_equipment_and_services_only(base):
    equipment = base.add(date=dt.date(2025, 8, 5), amount="899.00", line="E1", payee="社工 03号")
    services = base.add(date=dt.date(2025, 8, 6), amount="456.00", line="S1", payee="社工04号")
    base.add(date=dt.date(2025, 8, 7), amount="99.00", line="M1", payee="社工05号")
    findings = base.scan()
    assert found(findings) == [("PAYEE_IS_STAFF", (equipment,)), ("PAYEE_IS_STAFF", (services,))]
    assert findings[0].evidence["staff_no"] in {"S103", "S104"}
