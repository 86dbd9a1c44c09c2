"""MoneySum is exact to the cent on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db.models import Q

from core.db import MoneySum
from finance.models import Expenditure
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db


def test_a_sum_of_many_cents_is_exact(agency):
    contract = ContractFactory(agency=agency, total=Decimal("999999999.99"))
    line = BudgetLineFactory(contract=contract, amount=Decimal("999999999.99"))
    amounts = [Decimal("525064847.57"), Decimal("0.01"), *[Decimal("0.10")] * 300, Decimal("-12.34")]
    for index, amount in enumerate(amounts):
        ExpenditureFactory(budget_line=line, amount=amount, voucher_no=f"V{index}")
    total = Expenditure.objects.aggregate(
        s=MoneySum("amount"), pos=MoneySum("amount", filter=Q(amount__gt=0))
    )
    assert total["s"] == sum(amounts) == Decimal("525064865.24")
    assert total["pos"] == Decimal("525064877.58")
