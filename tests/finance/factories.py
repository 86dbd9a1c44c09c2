"""factory_boy factories for finance records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from finance.models import BudgetLine, Contract, Disbursement, Expenditure, Funder, StaffAssignment
from tests.factories import AgencyFactory


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"县民政局 {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    agency = factory.SubFactory(AgencyFactory)
    funder = factory.SubFactory(FunderFactory, agency=factory.SelfAttribute("..agency"))
    code = factory.Sequence(lambda n: f"C{n}")
    title = "Rural children protection services"
    start = dt.date(2025, 1, 1)
    end = dt.date(2025, 12, 31)
    total = Decimal("300000.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    contract = factory.SubFactory(ContractFactory)
    agency = factory.SelfAttribute("contract.agency")
    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.Sequence(lambda n: f"科目{n}")
    category = "activities"
    amount = Decimal("1000.00")
    approved_amount = factory.SelfAttribute("amount")


class ExpenditureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expenditure

    budget_line = factory.SubFactory(BudgetLineFactory)
    contract = factory.SelfAttribute("budget_line.contract")
    agency = factory.SelfAttribute("budget_line.agency")
    date = dt.date(2025, 3, 5)
    amount = Decimal("100.00")
    payee = "赣州文具店"
    description = "文具"
    voucher_no = factory.Sequence(lambda n: f"V-{n:05d}")


class DisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disbursement

    contract = factory.SubFactory(ContractFactory)
    agency = factory.SelfAttribute("contract.agency")
    date = dt.date(2025, 1, 15)
    amount = Decimal("150000.00")
    reference = "first tranche"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    contract = factory.SubFactory(ContractFactory)
    agency = factory.SelfAttribute("contract.agency")
    start = dt.date(2025, 1, 1)
    end = dt.date(2025, 12, 31)
    fte = Decimal("1.00")


def evidence_pdf(name: str = "invoice.pdf"):
    """A small PDF upload, the evidence an explained flag needs (flag-rules.md)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%evidence\n", content_type="application/pdf")
